import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("layered-tasks.md dialect A")
struct ParserDialectATests {
    let invoiceExport = """
    # Feature: Invoice Export

    Plan for exports. Each layer starts when the one before it is complete.

    ## Layer 0: Infrastructure
    - Create exports table (`/db:migrate exports`, db-agent, easy)
    - [x] Add object storage bucket (`/infra:bucket exports`, devops-agent, medium)

    ```markdown
    - Not a task, inside a fence (`/nope`, nobody, easy)
    ## Layer 9: Not a layer either
    ```

    ## Layer 1: Core Services
    * Build CSV writer (`/implement:service csv`, backend-agent, hard)
    + Build PDF writer (`/implement:service pdf`, @backend-agent, medium)
    1. Schedule nightly export (`/implement:job export`, scheduler-agent, easy)
    <!-- - Commented out (`/x`, a, easy) -->
    <!--
    - Also commented out (`/y`, b, easy)
    -->
    ~~~
    - Tilde fence (`/z`, c, easy)
    ~~~

    ### Layer 2: Integration
    - [X] Write export e2e tests (`/testing:e2e export`, test-agent, medium)
    """

    @Test func featureLayersAndTasks() {
        let parsed = LayeredTasksParser.parse(invoiceExport)
        #expect(parsed.featureName == "Invoice Export")
        #expect(parsed.layers.map(\.key) == ["L0", "L1", "L2"])
        #expect(parsed.layers.map(\.name) == ["Infrastructure", "Core Services", "Integration"])
        #expect(parsed.layers.map { $0.tasks.count } == [2, 3, 1])
        #expect(parsed.taskCount == 6)
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.layers.map(\.line) == [5, 14, 26])
    }

    @Test func taskMetadataInParentheses() {
        let parsed = LayeredTasksParser.parse(invoiceExport)
        let first = parsed.layers[0].tasks[0]
        #expect(first == ParsedTask(id: nil, description: "Create exports table", command: "/db:migrate exports",
                                    agent: "db-agent", complexity: "easy", dependencies: [], parallel: false,
                                    done: false, line: 6))
        let checked = parsed.layers[0].tasks[1]
        #expect(checked.description == "Add object storage bucket")
        #expect(checked.done == true)
        #expect(checked.command == "/infra:bucket exports")
        #expect(checked.agent == "devops-agent")
        #expect(checked.complexity == "medium")

        let l1 = parsed.layers[1].tasks
        #expect(l1.map(\.description) == ["Build CSV writer", "Build PDF writer", "Schedule nightly export"])
        #expect(l1.map(\.command) == ["/implement:service csv", "/implement:service pdf", "/implement:job export"])
        #expect(l1.map(\.agent) == ["backend-agent", "backend-agent", "scheduler-agent"])
        #expect(l1.map(\.complexity) == ["hard", "medium", "easy"])
        #expect(l1.map(\.done) == [false, false, false])
        #expect(l1.map(\.line) == [15, 16, 17])

        let l2 = parsed.layers[2].tasks[0]
        #expect(l2.description == "Write export e2e tests")
        #expect(l2.done == true)
    }

    @Test func fencesAndCommentsAreIgnored() {
        let parsed = LayeredTasksParser.parse(invoiceExport)
        let all = parsed.layers.flatMap(\.tasks).map(\.description)
        #expect(!all.contains { $0.contains("fence") || $0.contains("Commented") || $0.contains("commented") })
        #expect(!parsed.layers.contains { $0.key == "L9" })
    }

    @Test func theSeedExample() {
        let parsed = LayeredTasksParser.parse("""
        # Feature: Invoice Export
        ## Layer 0: Infrastructure
        - Create exports table (`/db:migrate exports`, db-agent, easy)
        """)
        #expect(parsed == LayeredTasks(
            featureName: "Invoice Export",
            layers: [ParsedLayer(key: "L0", name: "Infrastructure", line: 2, tasks: [
                ParsedTask(description: "Create exports table", command: "/db:migrate exports", agent: "db-agent",
                           complexity: "easy", line: 3),
            ])],
            diagnostics: [], format: .layered, formatReason: "a Layer heading at line 2"))
    }

    @Test func layerNumbersComeFromTheHeadings() {
        let parsed = LayeredTasksParser.parse("""
        # Feature: Gaps
        ## Layer 1: One
        - a (`/a`, x, easy)
        ## Layer 3: Three
        - b (`/b`, x, easy)
        ## Layer 10: Ten
        - c (`/c`, x, easy)
        ## Layer 2: Two
        - d (`/d`, x, easy)
        """)
        #expect(parsed.layers.map(\.key) == ["L1", "L3", "L10", "L2"])
        // Seeding orders them numerically.
        let status = StatusFile.seeded(feature: "G", from: parsed, now: t0)
        #expect(status.layers.map(\.key) == ["L1", "L2", "L3", "L10"])
        #expect(status.currentLayer == "L1")
    }

    @Test func layerNameParentheticalsAreDropped() {
        let parsed = LayeredTasksParser.parse("""
        ## Layer 0: Infrastructure (Run First)
        - a
        ## Layer 1
        - b
        ## Layer 2 - Core
        - c
        """)
        #expect(parsed.layers.map(\.name) == ["Infrastructure", "Layer 1", "Core"])
        #expect(parsed.featureName == nil)
    }

    @Test func tasksWithoutMetadata() {
        let parsed = LayeredTasksParser.parse("""
        # Feature: Plain
        ## Layer 0: Setup
        - Just a description
        - Description with (a parenthetical) inside
        """)
        let tasks = parsed.layers[0].tasks
        #expect(tasks[0] == ParsedTask(description: "Just a description", line: 3))
        #expect(tasks[1].description == "Description with (a parenthetical) inside")
        #expect(tasks[1].command == nil)
        #expect(tasks[1].agent == nil)
    }

    @Test func partialMetadata() {
        let parsed = LayeredTasksParser.parse("""
        ## Layer 0: Setup
        - Only a command (`/only:command`)
        - Command and agent (`/c`, agent-x)
        """)
        let tasks = parsed.layers[0].tasks
        #expect(tasks[0].description == "Only a command")
        #expect(tasks[0].command == "/only:command")
        #expect(tasks[0].agent == nil)
        #expect(tasks[0].complexity == nil)
        #expect(tasks[1].agent == "agent-x")
        #expect(tasks[1].complexity == nil)
    }

    /// Files saved by Windows editors end lines with CRLF; they must parse like LF files.
    @Test func crlfLineEndings() {
        let text = "# Feature: Windows\r\n## Layer 0: Setup\r\n- Task one (`/a`, x, easy)\r\n- [x] Task two\r\n"
        let parsed = LayeredTasksParser.parse(text)
        #expect(parsed.featureName == "Windows")
        #expect(parsed.layers.map(\.key) == ["L0"])
        #expect(parsed.layers.first?.name == "Setup")
        #expect(parsed.layers.first?.tasks.map(\.description) == ["Task one", "Task two"])
        #expect(parsed.layers.first?.tasks.map(\.complexity) == ["easy", nil])
        #expect(parsed.layers.first?.tasks.map(\.done) == [false, true])
        #expect(parsed.layers.first?.tasks.map(\.line) == [3, 4])
    }

    @Test func byteOrderMarkIsIgnored() {
        let text = "\u{FEFF}# Feature: Marked\n## Layer 0: Setup\n- Task one (`/a`, x, easy)\n"
        let parsed = LayeredTasksParser.parse(text)
        #expect(parsed.featureName == "Marked")
        #expect(parsed.layers.first?.tasks.map(\.description) == ["Task one"])
    }

    @Test func diagnosticsForLinesThatCouldNotBePlaced() {
        let parsed = LayeredTasksParser.parse("""
        # Feature: Messy
        - [ ] Before any layer
        ## Layer 0: Setup
        - Real task
        [ ] not a list item
        ## Layer 1: Empty
        """)
        #expect(parsed.layers.map { $0.tasks.count } == [1, 0])
        #expect(parsed.diagnostics == [
            ParseDiagnostic(line: 2, message: "task outside any layer heading", text: "- [ ] Before any layer"),
            ParseDiagnostic(line: 5, message: "looks like a task but is not a list item", text: "[ ] not a list item"),
            ParseDiagnostic(line: 6, message: "layer L1 has no tasks", text: "Empty"),
        ])
    }

    @Test func noTasksAtAll() {
        let parsed = LayeredTasksParser.parse("# Feature: Nothing\n\nJust prose.\n")
        #expect(parsed.taskCount == 0)
        #expect(parsed.layers.isEmpty)
        #expect(parsed.featureName == "Nothing")
        #expect(LayeredTasksParser.parse("").taskCount == 0)
    }

    /// The command is the backtick-quoted part; a comma inside it does not split the metadata.
    @Test func commaInsideTheBacktickedCommand() {
        let parsed = LayeredTasksParser.parse("""
        ## Layer 0: Setup
        - Seed reference data (`/db:seed users,roles`, db-agent, easy)
        """)
        let task = parsed.layers[0].tasks[0]
        #expect(task.description == "Seed reference data")
        #expect(task.command == "/db:seed users,roles")
        #expect(task.agent == "db-agent")
        #expect(task.complexity == "easy")
    }

    @Test func sameLayerNumberTwiceIsOneLayer() {
        let parsed = LayeredTasksParser.parse("""
        ## Layer 0: Setup
        - a
        ## Layer 1: Core
        - b
        ## Layer 0: Setup (continued)
        - c
        """)
        #expect(parsed.layers.map(\.key) == ["L0", "L1"])
        #expect(parsed.layers[0].tasks.map(\.description) == ["a", "c"])
    }

    @Test func aNonLayerSectionEndsTheLayer() {
        let parsed = LayeredTasksParser.parse("""
        # Feature: Sections
        ## Layer 0: Setup
        - real task (`/a`, x, easy)
        ## Notes
        - remember to update the changelog
        """)
        #expect(parsed.layers.map { $0.tasks.map(\.description) } == [["real task"]])
        // A prose bullet in a non-layer section is not a task, and not worth a diagnostic.
        #expect(parsed.diagnostics.isEmpty)
    }

    @Test func userTextIsKeptExactly() {
        let parsed = LayeredTasksParser.parse("""
        ## Layer 0: Setup
        - Handle "quotes" and \\backslashes\\ and émojis 😀 (`/run "x"`, agent, easy)
        """)
        let task = parsed.layers[0].tasks[0]
        #expect(task.description == "Handle \"quotes\" and \\backslashes\\ and émojis 😀")
        #expect(task.command == "/run \"x\"")
    }
}

@Suite("Example files")
struct ExampleFileTests {
    /// `examples/specs/F001/layered-tasks.md`, found from this source file's path.
    static func exampleTasksFile() throws -> String {
        var components = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // .../Tests/ExecutionTrackingTests/ParserDialectATests.swift → the package root.
        components.removeLast(3)
        let path = components.joined(separator: "/") + "/examples/specs/F001/layered-tasks.md"
        return try readFile(path)
    }

    @Test func demoTasksEqualTheExampleFile() throws {
        let file = try Self.exampleTasksFile()
        #expect(DemoRun.tasksMarkdown == file)
    }

    @Test func exampleParsesIntoTheSeedShape() throws {
        let parsed = LayeredTasksParser.parse(try Self.exampleTasksFile())
        #expect(parsed.featureName == "AI Chat Interface")
        #expect(parsed.layers.map(\.key) == ["L0", "L1", "L2", "L3"])
        #expect(parsed.layers.map { $0.tasks.count } == [2, 5, 4, 2])
        #expect(parsed.diagnostics.isEmpty)
        let llm = parsed.layers[1].tasks[2]
        #expect(llm.description == "Integrate LLM provider client")
        #expect(llm.command == "/implement:client llm")
        #expect(llm.agent == "ai-agent")
        #expect(llm.complexity == "hard")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct ReadError: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot read \(path)" }
}

/// Reads a whole file as UTF-8 without Foundation.
func readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else { throw ReadError(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes += buffer[0..<n] }
        if n < buffer.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}
