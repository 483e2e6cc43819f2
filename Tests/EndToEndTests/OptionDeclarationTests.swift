import Foundation
import Testing

/// Options are declared once (Sources/exectrack/Frontend/Options.swift): the README's command table,
/// the help and the rules between options all follow the declarations.
@Suite struct OptionDeclarationTests {
    /// The README's table of commands (under `| command | what it does |`), as
    /// `name -> the options its first cell shows`.
    private func readmeTable() throws -> [String: Set<String>] {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("| command | what it does |") }) else {
            Issue.record("README has no command table")
            return [:]
        }
        var rows: [String: Set<String>] = [:]
        for line in lines[(header + 2)...].prefix(while: { $0.hasPrefix("|") }) {
            let cell = line.dropFirst(3).prefix { $0 != "`" }
            guard let name = cell.split(separator: " ").first.map(String.init) else { continue }
            rows[name] = Set(cell.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) })
        }
        return rows
    }

    @Test func theReadmeTableListsEveryCommandWithExactlyItsOptions() throws {
        let rows = try readmeTable()
        for command in commandTable {
            guard let shown = rows[command.name] else {
                Issue.record("README's command table has no row for \(command.name)")
                continue
            }
            let declared = Set(command.options.map(\.name)).subtracting(["--root", "--help"])
            #expect(shown == declared, "\(command.name): README shows \(shown.sorted()), the command declares \(declared.sorted())")
        }
        for name in rows.keys {
            #expect(commandTable.contains { $0.name == name }, "README's table lists \(name), which is no command")
        }
    }

    /// A rule between options is a usage error (exit 1) naming both, found before any file is
    /// read or written.
    @Test(arguments: [
        (["report", "F001", "--interval", "2"], "--interval needs --watch"),
        (["report", "F001", "--exit-on-complete"], "--exit-on-complete needs --watch"),
        (["warn", "F001", "disk nearly full", "--task", "1"], "--task needs --layer"),
        (["parse", "F001", "--json"], "--json needs --check"),
        (["metrics", "F001", "--json", "--format", "text"], "--json means --format json"),
        (["report", "F001", "--format", "markdown", "--json"], "--json means --format json"),
    ])
    func rulesBetweenOptionsRefuseBeforeTouchingAnything(_ arguments: [String], _ message: String) throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let before = try project.fingerprint(".claude/execution/F001.json")
        let result = try project.run(arguments)
        #expect(result.exitCode == 1, "\(arguments)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try project.fingerprint(".claude/execution/F001.json") == before)

        // In a project without any state, the refusal creates none.
        let empty = try Project(specs: ["F001": f001Tasks])
        #expect(try empty.run(arguments).exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: empty.url(".claude").path))
    }

    @Test func agreeingOptionsAreAccepted() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let metrics = try project.run(["metrics", "F001", "--json", "--format", "JSON"])
        #expect(metrics.exitCode == 0)
        #expect(metrics.stdout.hasPrefix("{"))
        #expect(try project.run(["report", "F001", "--json", "--format", "json"]).stdout.hasPrefix("{"))
        #expect(try project.run(["warn", "F001", "disk nearly full", "--layer", "L0", "--task", "1"]).exitCode == 0)
        #expect(try project.run(["parse", "F001", "--check", "--json"]).exitCode == 0)
    }

    /// Help says what a rule needs, next to the option.
    @Test func helpShowsWhatAnOptionNeeds() throws {
        let help = try Project().run(["report", "--help"]).stdout
        let line = help.split(separator: "\n").first { $0.contains("--interval") }.map(String.init) ?? ""
        #expect(line.hasSuffix("(needs --watch)"), "\(line)")
    }

    /// The last of two values would win silently; a list given twice would lose one.
    @Test func anOptionGivenTwiceIsRefused() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let before = try project.fingerprint(".claude/execution/F001.json")
        let r = try project.run(["update", "F001", "L0", "0", "complete", "--files-created", "a", "--files-created", "b"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("--files-created was given twice"))
        #expect(try project.fingerprint(".claude/execution/F001.json") == before)
        #expect(try project.run(["report", "F001", "--format", "markdown", "--format=text"]).exitCode == 1)
        #expect(try project.run(["report", "F001", "--json", "--json"]).exitCode == 0)
    }

    /// A format that is no format is reported as such, not as a contradiction with --json.
    @Test func anInvalidChoiceIsNamedBeforeAnyRule() throws {
        let r = try Project().run(["report", "F001", "--format", "bogus", "--json"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("invalid --format 'bogus'; valid: text, markdown, json"), "\(r.stderr)")
    }

    @Test func helpTakesACommandNameOrJSON() throws {
        let project = try Project()
        let unknown = try project.run(["help", "reprot"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("did you mean 'report'"))
        #expect(try project.run(["help", "report", "--json"]).exitCode == 1)
        #expect(try project.run(["help", "report"]).stdout.contains("Usage: exectrack report"))
    }
}
