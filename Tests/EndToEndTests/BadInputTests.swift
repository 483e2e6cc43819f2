import Foundation
import Testing

// docs/file-format.md, "Exit codes": every bad input gets the documented exit code, exactly one line on stderr
// (`exectrack: ...`), nothing on stdout, and no change to any file: the status file keeps its bytes
// and its inode, the `.bak` is untouched, and no temporary file is left behind.
//
// One table of cases, run as one parameterised @Test (each case in its own fresh Project, so the
// cases run in parallel). A case's name is its test description and is repeated in every #expect.

/// Where a case starts from.
enum BadInputStart: Sendable {
    /// A project with specs/F001/layered-tasks.md and no `.claude/` at all.
    case fresh
    /// `init F001`: a status file, no `.bak` yet.
    case initialized
    /// `init F001` then `update F001 L0 0 in_progress`: a status file, its `.bak` and its lock file.
    case started
}

struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    let args: [String]
    let code: Int32
    var start: BadInputStart = .started
    var env: [String: String] = [:]
    /// Extra preparation after `start` (corrupting the file, writing a tasks file...), before the
    /// "before" snapshot is taken.
    var setup: (@Sendable (Project) throws -> Void)? = nil
    /// Fragments the one stderr line must contain (besides the `exectrack: ` prefix).
    var mentions: [String] = []

    var testDescription: String { name }
}

// MARK: - Building the table

/// The exit codes of docs/file-format.md.
private enum Exit {
    static let usage: Int32 = 1
    static let notFound: Int32 = 2
    static let invalidStatus: Int32 = 3
    static let corrupt: Int32 = 4
    static let precondition: Int32 = 6
    static let lockTimeout: Int32 = 7
}

/// Every command of the binary's own table (`exectrack help --json`), with a command line it
/// accepts for a given spec id, so that only what a case breaks is wrong. A command added to the
/// tool is in every part of the matrix that applies to it.
private let commandTemplates: [(name: String, info: CommandInfo, args: @Sendable (String) -> [String])] =
    commandTable.compactMap { info in
        guard info.invocation(spec: "F001") != nil else { return nil }
        return (info.name, info, { info.invocation(spec: $0)! })
    }

/// Commands that run without a status file: they create it.
private let creatingCommands: Set = ["init", "parse"]
/// Commands that wait for a missing status file and keep showing the last good report over a
/// corrupt one, rather than failing (docs/reports.md).
private let watchingCommands: Set = ["watch"]
/// Commands that act on a corrupt status file instead of refusing it: restore replaces it with the
/// `.bak`, archive keeps a copy of it as it is, init refuses to overwrite any file without --force,
/// and events and replay read the event log, which is what helps most when the status file is lost.
private let corruptFileHandlers: Set = ["init", "restore", "archive", "events", "replay"]

/// Rewrites the F001 status file through Foundation's JSON (an independent writer).
private func editStatus(_ project: Project, _ edit: (inout [String: Any]) -> Void) throws {
    var object = try project.status("F001")
    edit(&object)
    try JSONSerialization.data(withJSONObject: object).write(to: project.statusURL("F001"))
}

/// Edits the first task of layer L0.
private func editFirstTask(_ project: Project, _ edit: (inout [String: Any]) -> Void) throws {
    try editStatus(project) { object in
        var layers = object["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        var tasks = l0["tasks"] as! [[String: Any]]
        edit(&tasks[0])
        l0["tasks"] = tasks
        layers["L0"] = l0
        object["layers"] = layers
    }
}

private func writeStatusBytes(_ project: Project, _ bytes: Data) throws {
    try bytes.write(to: project.statusURL("F001"))
}

/// The current status bytes with `insert` spliced in just before the first occurrence of `marker`.
private func splice(_ project: Project, before marker: String, _ insert: [UInt8]) throws {
    let bytes = try project.statusBytes("F001")
    let range = try #require(bytes.range(of: Data(marker.utf8)), "marker \(marker) not in the status file")
    var out = bytes
    out.insert(contentsOf: insert, at: range.lowerBound)
    try writeStatusBytes(project, out)
}

/// Corrupt or wrongly shaped status files: every one must be exit 4, naming the `.bak` and restore.
private let corruptions: [(name: String, setup: @Sendable (Project) throws -> Void)] = [
    ("empty file", { try writeStatusBytes($0, Data()) }),
    ("whitespace only", { try writeStatusBytes($0, Data(" \n\t\n".utf8)) }),
    ("truncated JSON", { p in
        let bytes = try p.statusBytes("F001")
        try writeStatusBytes(p, bytes.prefix(bytes.count / 2))
    }),
    ("invalid JSON", { try writeStatusBytes($0, Data("{\"feature\": }".utf8)) }),
    ("trailing garbage after the object", { p in try writeStatusBytes(p, try p.statusBytes("F001") + Data("x".utf8)) }),
    ("two JSON documents", { p in try writeStatusBytes(p, try p.statusBytes("F001") + Data("{}".utf8)) }),
    ("top level is an array", { try writeStatusBytes($0, Data("[]".utf8)) }),
    ("top level is null", { try writeStatusBytes($0, Data("null".utf8)) }),
    ("layers is 5", { try editStatus($0) { $0["layers"] = 5 } }),
    ("layer L0 is 5", { try editStatus($0) { o in
        var layers = o["layers"] as! [String: Any]
        layers["L0"] = 5
        o["layers"] = layers
    } }),
    ("tasks is a string", { try editStatus($0) { o in
        var layers = o["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        l0["tasks"] = "x"
        layers["L0"] = l0
        o["layers"] = layers
    } }),
    ("errors is 5", { try editStatus($0) { $0["errors"] = 5 } }),
    ("task status bogus", { try editFirstTask($0) { $0["status"] = "bogus" } }),
    ("task status is a number", { try editFirstTask($0) { $0["status"] = 7 } }),
    ("task status with a newline", { try editFirstTask($0) { $0["status"] = "bo\ngus" } }),
    ("task status of 100,000 characters", { try editFirstTask($0) { $0["status"] = String(repeating: "x", count: 100_000) } }),
    ("started_at not a timestamp", { try editFirstTask($0) { $0["started_at"] = "yesterday" } }),
    ("started_at with a newline", { try editFirstTask($0) { $0["started_at"] = "2026-01-01\nT00:00:00Z" } }),
    ("negative duration_ms", { try editFirstTask($0) { $0["duration_ms"] = -5 } }),
    ("duration_ms a string", { try editFirstTask($0) { $0["duration_ms"] = "abc" } }),
    ("invalid UTF-8 bytes", { try splice($0, before: "Setup database", [0xFF, 0xFE]) }),
    ("truncated UTF-8 sequence", { try splice($0, before: "Setup database", [0xC3]) }),
    ("NUL byte in a string", { try splice($0, before: "Setup database", [0x00]) }),
    ("nesting 100,000 deep", { try writeStatusBytes($0, Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)) }),
]

private func corruption(_ name: String) -> @Sendable (Project) throws -> Void {
    corruptions.first { $0.name == name }!.setup
}

private let bakMentions = [".claude/execution/F001.json.bak", "exectrack restore F001"]

let badInputCases: [BadInput] = {
    var cases: [BadInput] = []
    func add(_ name: String, _ args: [String], _ code: Int32, start: BadInputStart = .started,
             env: [String: String] = [:], mentions: [String] = [],
             setup: (@Sendable (Project) throws -> Void)? = nil) {
        cases.append(BadInput(name: name, args: args, code: code, start: start, env: env, setup: setup, mentions: mentions))
    }

    // --- Invalid spec ids (exit 1 before any file is touched), for every command.
    // An id holding NUL cannot be tested: argv strings are NUL-terminated, so it can never reach us.
    let badIDs: [(label: String, id: String)] = [
        ("../../etc/passwd", "../../etc/passwd"),
        ("a/b", "a/b"),
        ("empty", ""),
        ("10,000 characters", String(repeating: "F", count: 10_000)),
        ("with a newline", "F001\nF002"),
        ("trailing newline", "F001\n"),
        ("trailing space", "F001 "),
        ("leading dot", ".F001"),
        ("dot-dot", ".."),
        ("129 characters", String(repeating: "a", count: 129)),
        ("non-ASCII", "F00\u{FF11}"),
    ]
    for (label, id) in badIDs {
        for command in commandTemplates where command.info.takesSpec {
            add("\(command.name): spec id \(label)", command.args(id), Exit.usage, mentions: ["invalid spec id"])
        }
        // From a fresh project too: an invalid id must not even create .claude/execution.
        add("init (fresh project): spec id \(label)", ["init", id], Exit.usage, start: .fresh,
            mentions: ["invalid spec id"])
    }
    add("spec id starting with '-' is an unknown option", ["update", "-F001", "L0", "0", "complete"], Exit.usage)

    // --- Unknown command, unknown option, missing and extra arguments (exit 1).
    add("no command at all", [], Exit.usage)
    add("unknown command", ["frobnicate", "F001"], Exit.usage, mentions: ["frobnicate"])
    add("unknown command close to one", ["reprot", "F001"], Exit.usage, mentions: ["did you mean 'report'?"])
    add("unknown command with a newline", ["rep\nort", "F001"], Exit.usage, mentions: ["rep\\nort"])
    add("unknown command (wrong case)", ["UPDATE", "F001", "L0", "0", "complete"], Exit.usage)
    add("option instead of a command", ["--bogus"], Exit.usage)
    for command in commandTemplates {
        add("\(command.name): unknown option", command.args("F001") + ["--bogus"], Exit.usage, mentions: ["--bogus"])
        if command.info.option("--root") != nil {
            add("\(command.name): --root without its value", command.args("F001") + ["--root"], Exit.usage, mentions: ["--root"])
        } else {
            add("\(command.name): --root is not one of its options", command.args("F001") + ["--root", "."], Exit.usage,
                mentions: ["unknown option '--root'"])
        }
    }
    add("report: an option close to a real one", ["report", "F001", "--fromat", "json"], Exit.usage,
        mentions: ["did you mean --format?"])
    add("update: --force is not an update option", ["update", "F001", "L0", "1", "complete", "--force"], Exit.usage)
    add("update: a flag given a value", ["update", "F001", "L0", "1", "complete", "--json=1"], Exit.usage)
    add("complete-layer: --force given a value", ["complete-layer", "F001", "L0", "--force=yes"], Exit.usage)
    add("update: --output without its value", ["update", "F001", "L0", "1", "complete", "--output"], Exit.usage)
    for command in [["update", "F001", "L0", "1", "in_progress"], ["claim", "F001"], ["heartbeat", "F001"], ["stats"]] {
        for empty in ["", "  "] {
            add("\(command[0]): --agent '\(empty)'", command + ["--agent", empty], Exit.usage, mentions: ["--agent needs a name"])
        }
    }
    add("update: --duration-ms without its value", ["update", "F001", "L0", "1", "complete", "--duration-ms"], Exit.usage)
    add("report: --format without its value", ["report", "F001", "--format"], Exit.usage)

    for command in commandTemplates {
        // Every shorter prefix of the required arguments, then the line without a required option.
        let full = command.args("F001")
        let required = command.info.positionals.filter(\.required).count
        for given in 0..<required {
            add("\(command.name): missing argument (\(given) given)", Array(full.prefix(1 + given)), Exit.usage,
                mentions: ["missing <\(command.info.positionals[given].name)>"])
        }
        for option in command.info.options where option.required {
            add("\(command.name): missing \(option.name)", Array(full.prefix(1 + required)), Exit.usage,
                mentions: ["missing \(option.name)"])
        }
    }
    for command in commandTemplates {
        add("\(command.name): extra positional argument", command.args("F001") + ["extra1", "extra2"], Exit.usage,
            mentions: ["unexpected argument"])
    }

    // --- Negative or non-numeric numbers and bad option values (exit 1).
    for value in ["-5", "abc", "", "1.5", "1e3", "0x10", "99999999999999999999", " 5"] {
        add("update: --duration-ms '\(value)'", ["update", "F001", "L0", "1", "complete", "--duration-ms", value], Exit.usage,
            mentions: ["--duration-ms"])
    }
    add("update: --duration-ms=-5", ["update", "F001", "L0", "1", "complete", "--duration-ms=-5"], Exit.usage,
        mentions: ["--duration-ms"])
    add("update: task index -1", ["update", "F001", "L0", "-1", "complete"], Exit.usage)
    add("error: task index -1", ["error", "F001", "L0", "-1", "boom"], Exit.usage)
    for value in ["urgent", "", "CRITICAL!"] {
        add("error: --severity '\(value)'", ["error", "F001", "L0", "1", "boom", "--severity", value], Exit.usage,
            mentions: ["--severity"])
        add("warn: --severity '\(value)'", ["warn", "F001", "careful", "--severity", value], Exit.usage,
            mentions: ["--severity"])
    }
    add("error: --category bogus", ["error", "F001", "L0", "1", "boom", "--category", "bogus"], Exit.usage,
        mentions: ["--category"])
    for value in ["pdf", "", "junit"] {
        add("report: --format '\(value)'", ["report", "F001", "--format", value], Exit.usage, mentions: ["--format"])
    }
    add("warn: --task without --layer", ["warn", "F001", "careful", "--task", "1"], Exit.usage, mentions: ["--layer"])
    for value in ["abc", "-1", "inf", "nan"] {
        add("update: EXECTRACK_LOCK_TIMEOUT='\(value)'", ["update", "F001", "L0", "1", "complete"], Exit.usage,
            env: ["EXECTRACK_LOCK_TIMEOUT": value], mentions: ["EXECTRACK_LOCK_TIMEOUT"])
    }

    // --- File not found (exit 2).
    for command in commandTemplates where command.info.takesSpec
        && !creatingCommands.contains(command.name) && !watchingCommands.contains(command.name) {
        add("\(command.name): no status file (fresh project)", command.args("F001"), Exit.notFound, start: .fresh,
            mentions: [".claude/execution/F001.json"])
        add("\(command.name): no status file for F002", command.args("F002"), Exit.notFound,
            mentions: [".claude/execution/F002.json"])
    }
    add("update: a valid 128-character id with no status file", ["update", String(repeating: "a", count: 128), "L0", "0", "complete"],
        Exit.notFound)
    add("update: --root is a directory that does not exist", ["update", "F001", "L0", "1", "complete", "--root", "/nonexistent/exectrack"],
        Exit.notFound)
    add("update: status file deleted, .bak left", ["update", "F001", "L0", "1", "complete"], Exit.notFound,
        setup: { try FileManager.default.removeItem(at: $0.statusURL("F001")) })
    add("init: no tasks file for F002", ["init", "F002"], Exit.notFound, mentions: ["F002"])
    add("init (fresh project): no tasks file for F002", ["init", "F002"], Exit.notFound, start: .fresh)
    add("parse: no tasks file for F002", ["parse", "F002"], Exit.notFound)
    add("init: --tasks-file does not exist", ["init", "F002", "--tasks-file", "nope.md"], Exit.notFound, mentions: ["nope.md"])
    add("init --force: --tasks-file does not exist", ["init", "F001", "--force", "--tasks-file", "nope.md"], Exit.notFound)
    add("init: --tasks-file is a directory", ["init", "F002", "--tasks-file", "specs"], Exit.notFound)
    add("parse: --tasks-file does not exist", ["parse", "F001", "--tasks-file", "nope.md"], Exit.notFound)
    add("parse: tasks file removed after init", ["parse", "F001"], Exit.notFound,
        setup: { try FileManager.default.removeItem(at: $0.url("specs/F001/layered-tasks.md")) })

    // --- Invalid status values (exit 3), checked before the file is read.
    for value in ["bogus", "", " ", "completee", "comp lete", "in progress", "complete\nfailed", "complete,failed",
                  "PENDING!", "skip", "fail", "☃", String(repeating: "x", count: 10_000)] {
        let shown = value.count > 20 ? "\(value.count) characters" : value.debugDescription
        add("update: status \(shown)", ["update", "F001", "L0", "1", value], Exit.invalidStatus,
            mentions: ["pending, in_progress, complete, failed, skipped"])
    }
    add("update: invalid status on a spec with no status file", ["update", "F002", "L0", "1", "bogus"], Exit.invalidStatus)

    // --- Corrupt status files (exit 4, naming the .bak and restore). Every corruption through
    // update; one corruption through every command that reads the file.
    for corruption in corruptions {
        add("update: corrupt status file (\(corruption.name))", ["update", "F001", "L0", "1", "complete"], Exit.corrupt,
            mentions: bakMentions, setup: corruption.setup)
        add("report: corrupt status file (\(corruption.name))", ["report", "F001"], Exit.corrupt,
            mentions: bakMentions, setup: corruption.setup)
    }
    for command in commandTemplates where command.info.takesSpec && command.name != "update" && command.name != "report"
        && !corruptFileHandlers.contains(command.name) && !watchingCommands.contains(command.name) {
        add("\(command.name): corrupt status file (truncated JSON)", command.args("F001"), Exit.corrupt,
            mentions: bakMentions, setup: corruption("truncated JSON"))
        add("\(command.name): corrupt status file (task status bogus)", command.args("F001"), Exit.corrupt,
            mentions: bakMentions, setup: corruption("task status bogus"))
    }

    // --- Preconditions (exit 6).
    for layer in ["L9", "L-1", "L999", "nonsense", "", "L0.5", "99999999999999999999", "9"] {
        let shown = layer.isEmpty ? "empty" : layer
        add("update: unknown layer \(shown)", ["update", "F001", layer, "0", "complete"], Exit.precondition,
            mentions: ["unknown layer"])
        add("error: unknown layer \(shown)", ["error", "F001", layer, "0", "boom"], Exit.precondition, mentions: ["unknown layer"])
        add("complete-layer: unknown layer \(shown)", ["complete-layer", "F001", layer, "--force"], Exit.precondition,
            mentions: ["unknown layer"])
        add("warn: unknown layer \(shown)", ["warn", "F001", "careful", "--layer", layer], Exit.precondition,
            mentions: ["unknown layer"])
    }
    add("update: unknown layer -1 (a negative number is a value, not an option)", ["update", "F001", "-1", "0", "complete"],
        Exit.precondition, mentions: ["unknown layer"])
    add("update: unknown layer, with a layer name holding a newline", ["update", "F001", "L9", "0", "complete"],
        Exit.precondition, mentions: ["unknown layer"], setup: { p in
            try editStatus(p) { o in
                var layers = o["layers"] as! [String: Any]
                var l0 = layers["L0"] as! [String: Any]
                l0["name"] = "Infra\nstructure"
                layers["L0"] = l0
                o["layers"] = layers
            }
        })
    for (layer, task) in [("L0", "2"), ("L1", "5"), ("L0", "99"), ("L0", "99999999999999999999"), ("L0", "T999"),
                          ("L0", "abc"), ("L0", ""), ("L0", "1.5"), ("L0", "1x")] {
        let shown = task.isEmpty ? "empty" : task
        add("update: task \(shown) in \(layer)", ["update", "F001", layer, task, "complete"], Exit.precondition)
        add("error: task \(shown) in \(layer)", ["error", "F001", layer, task, "boom"], Exit.precondition)
        add("warn: --task \(shown) in \(layer)", ["warn", "F001", "careful", "--layer", layer, "--task", task], Exit.precondition)
    }
    add("update: task index out of range also for a valid status alias", ["update", "F001", "L3", "2", "done"], Exit.precondition,
        mentions: ["out of range"])
    add("complete-layer: L0 with unfinished tasks", ["complete-layer", "F001", "L0"], Exit.precondition,
        mentions: ["unfinished", "--force"])
    add("complete-layer: L1 with every task pending", ["complete-layer", "F001", "L1"], Exit.precondition,
        mentions: ["unfinished"])
    add("complete-layer: L0 with a failed task", ["complete-layer", "F001", "L0"], Exit.precondition, mentions: ["unfinished"],
        setup: { p in
            let r = try p.run(["update", "F001", "L0", "0", "failed"])
            #expect(r.exitCode == 0, "setup: \(r.stderr)")
        })
    add("init: over an existing status file", ["init", "F001"], Exit.precondition, mentions: ["--force"])
    add("init: over an existing status file (no .bak yet)", ["init", "F001"], Exit.precondition, start: .initialized,
        mentions: ["--force"])
    add("init: over an existing corrupt status file", ["init", "F001"], Exit.precondition, mentions: ["--force"],
        setup: corruption("empty file"))
    let noTasks: [(String, String)] = [
        ("an empty tasks file", ""),
        ("a tasks file with prose only", "# Feature: Nothing\n\nJust some notes.\n"),
        ("a tasks file with an empty layer", "# Feature: Nothing\n\n## Layer 0: Empty\n\nNo tasks yet.\n"),
        ("a tasks file with tasks only in a code block", "## Layer 0: Code\n```\n- not a task\n```\n"),
    ]
    for (label, text) in noTasks {
        let write: @Sendable (Project) throws -> Void = { try $0.write("notes/empty.md", text) }
        add("init: \(label)", ["init", "F002", "--tasks-file", "notes/empty.md"], Exit.precondition,
            mentions: ["no tasks"], setup: write)
        add("init --force: \(label)", ["init", "F001", "--force", "--tasks-file", "notes/empty.md"], Exit.precondition,
            mentions: ["no tasks"], setup: write)
        add("parse: \(label)", ["parse", "F001", "--tasks-file", "notes/empty.md"], Exit.precondition,
            mentions: ["no tasks"], setup: write)
    }
    add("init: a tasks file of invalid UTF-8 holds no tasks", ["init", "F002", "--tasks-file", "notes/binary.md"],
        Exit.precondition, setup: { p in
            try FileManager.default.createDirectory(at: p.url("notes"), withIntermediateDirectories: true)
            try Data([0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0A]).write(to: p.url("notes/binary.md"))
        })
    return cases
}()

// MARK: - Checking

/// Every file and directory under the project root, with each file's bytes and inode.
private func treeSnapshot(_ project: Project) throws -> [String: FileFingerprint?] {
    var result: [String: FileFingerprint?] = [:]
    for path in try FileManager.default.subpathsOfDirectory(atPath: project.root.path) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: project.url(path).path, isDirectory: &isDirectory)
        result[path] = isDirectory.boolValue ? .some(nil) : .some(try project.fingerprint(path))
    }
    return result
}

private func describeDifference(_ before: [String: FileFingerprint?], _ after: [String: FileFingerprint?]) -> String {
    let added = Set(after.keys).subtracting(before.keys).sorted()
    let removed = Set(before.keys).subtracting(after.keys).sorted()
    let changed = before.keys.filter { after[$0] != nil && after[$0]! != before[$0]! }.sorted()
    return "added \(added), removed \(removed), changed \(changed)"
}

/// Temporary files a writer leaves when it dies: `.<SPEC>.json.tmp.*` in .claude/execution.
private func leftoverTempFiles(_ project: Project) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution").path)) ?? []
    return names.filter { $0.hasPrefix(".") && $0.contains(".json.tmp.") }
}

private func makeProject(_ start: BadInputStart) throws -> Project {
    let project = try Project(specs: ["F001": f001Tasks])
    if start != .fresh {
        let r = try project.run(["init", "F001"])
        try #require(r.exitCode == 0, "setup init: \(r.stderr)")
    }
    if start == .started {
        let r = try project.run(["update", "F001", "L0", "0", "in_progress"])
        try #require(r.exitCode == 0, "setup update: \(r.stderr)")
    }
    return project
}

/// The failure contract: the code, one `exectrack: ` line on stderr, nothing on stdout.
private func expectRefusal(_ r: RunResult, code: Int32, mentions: [String], _ name: String) {
    #expect(r.exitCode == code, "[\(name)] exit \(r.exitCode), expected \(code); stderr: \(r.stderr.debugDescription)")
    #expect(r.stdout.isEmpty, "[\(name)] stdout should be empty, got \(r.stdout.prefix(300).debugDescription)")
    #expect(r.stderr.hasPrefix("exectrack: "), "[\(name)] stderr should start with 'exectrack: ': \(r.stderr.prefix(300).debugDescription)")
    #expect(r.stderr.hasSuffix("\n") && !r.stderr.dropLast().contains("\n"),
            "[\(name)] stderr should be exactly one line, got \(r.stderr.split(separator: "\n", omittingEmptySubsequences: false).count - 1) lines: \(r.stderr.prefix(300).debugDescription)")
    // A one-line message quotes user input cut short (as it does for arguments), never a whole value.
    #expect(r.stderr.utf8.count <= 2_000, "[\(name)] stderr line is \(r.stderr.utf8.count) bytes; quoted input should be cut short")
    for fragment in mentions {
        #expect(r.stderr.contains(fragment), "[\(name)] stderr should mention \(fragment.debugDescription): \(r.stderr.prefix(300).debugDescription)")
    }
    // Messages are for people: no Swift type names, enum cases or optionals leak into them.
    for leak in ["Optional(", "Swift.", "ExecutionTracking.", "Error(", "syntax(", "shape(", "StatusFile", "JSONValue", "nil)"] {
        #expect(!r.stderr.contains(leak), "[\(name)] stderr shows internal text \(leak.debugDescription): \(r.stderr.prefix(300).debugDescription)")
    }
}

@Suite struct BadInputTests {
    @Test("Bad input is refused and changes nothing", arguments: badInputCases)
    func refused(_ c: BadInput) throws {
        let project = try makeProject(c.start)
        try c.setup?(project)
        let before = try treeSnapshot(project)
        #expect(before[".git"] != nil, "[\(c.name)] the snapshot must see hidden entries")
        let statusBefore = try? project.fingerprint(".claude/execution/F001.json")
        let backupBefore = try? project.fingerprint(".claude/execution/F001.json.bak")

        let r = try project.run(c.args, environment: c.env)
        expectRefusal(r, code: c.code, mentions: c.mentions, c.name)

        let statusAfter = try? project.fingerprint(".claude/execution/F001.json")
        let backupAfter = try? project.fingerprint(".claude/execution/F001.json.bak")
        #expect(statusAfter == statusBefore, "[\(c.name)] the status file changed (bytes or inode)")
        #expect(backupAfter == backupBefore, "[\(c.name)] the .bak changed")
        #expect(leftoverTempFiles(project).isEmpty, "[\(c.name)] temp files left: \(leftoverTempFiles(project))")
        let after = try treeSnapshot(project)
        #expect(after == before, "[\(c.name)] the project changed: \(describeDifference(before, after))")
    }

    @Test("The bad-input table is well formed")
    func tableIsWellFormed() {
        let names = badInputCases.map(\.name)
        #expect(Set(names).count == names.count,
                "duplicate case names: \(Dictionary(grouping: names, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        // Every exit code of the brief is exercised, and every command of the tool's own table.
        #expect(Set(badInputCases.map(\.code)) == [1, 2, 3, 4, 6])
        #expect(commandTable.count >= 21)
        for command in commandTable {
            #expect(command.invocation(spec: "F001") != nil,
                    "no sample value for an argument of \(command.name): teach CommandInfo.sample its kind")
            #expect(badInputCases.contains { $0.args.first == command.name }, "no case for \(command.name)")
        }
        // The exceptions name real commands, so a rename cannot quietly drop a command from a part.
        let commands = Set(commandTable.map(\.name))
        #expect(creatingCommands.union(watchingCommands).union(corruptFileHandlers).isSubset(of: commands))
    }

    /// Aliases are normalised (trimmed, case-insensitive): these are good input, not bad.
    @Test("Status aliases are accepted", arguments: [
        ("COMPLETE", "complete"), ("COMPLETE ", "complete"), ("complete\n", "complete"), ("\tskipped", "skipped"),
        ("Done", "complete"), ("completed", "complete"), ("in-progress", "in_progress"), ("running", "in_progress"),
        ("Started", "in_progress"), ("todo", "pending"), ("FAILED", "failed"),
    ])
    func aliasAccepted(_ input: String, _ canonical: String) throws {
        let name = "alias \(input.debugDescription)"
        let project = try makeProject(.started)
        let before = try project.fingerprint(".claude/execution/F001.json")
        let layersBefore = try project.status("F001")["layers"] as? [String: Any]
        let statusBefore = (((layersBefore?["L0"] as? [String: Any])?["tasks"] as? [[String: Any]])?[1])?["status"] as? String
        let r = try project.run(["update", "F001", "L0", "1", input])
        #expect(r.exitCode == 0, "[\(name)] exit \(r.exitCode): \(r.stderr)")
        #expect(r.stderr.isEmpty, "[\(name)] stderr: \(r.stderr)")
        let layers = try project.status("F001")["layers"] as? [String: Any]
        let tasks = (layers?["L0"] as? [String: Any])?["tasks"] as? [[String: Any]]
        #expect(tasks?[1]["status"] as? String == canonical, "[\(name)] stored \(String(describing: tasks?[1]["status"]))")
        if statusBefore == canonical {
            // Setting the status a task has changes nothing, so nothing is written.
            #expect(try project.fingerprint(".claude/execution/F001.json") == before, "[\(name)] a no-op rewrote the file")
        } else {
            // The write kept the previous version as the .bak.
            #expect(try project.fingerprint(".claude/execution/F001.json.bak").bytes == before.bytes, "[\(name)] .bak is not the previous file")
        }
        #expect(leftoverTempFiles(project).isEmpty, "[\(name)] temp files left: \(leftoverTempFiles(project))")
    }

    /// `parse --check` prints its diagnosis on stdout (that is its data), but a tasks file with no
    /// tasks is still bad input: exit 6, a one-line message on stderr, no file touched.
    @Test func parseCheckOnATasksFileWithNoTasks() throws {
        let name = "parse --check: no tasks"
        let project = try makeProject(.started)
        try project.write("notes/empty.md", "# Feature: Nothing\n\n## Layer 0: Empty\n")
        let before = try treeSnapshot(project)
        let r = try project.run(["parse", "F001", "--check", "--tasks-file", "notes/empty.md"])
        #expect(r.exitCode == 6, "[\(name)] exit \(r.exitCode)")
        #expect(r.stdout.contains("No tasks found"), "[\(name)] stdout: \(r.stdout)")
        #expect(r.stderr.hasPrefix("exectrack: ") && r.stderr.hasSuffix("\n") && !r.stderr.dropLast().contains("\n"),
                "[\(name)] stderr should be one 'exectrack: ' line, got \(r.stderr.debugDescription)")
        let after = try treeSnapshot(project)
        #expect(after == before, "[\(name)] the project changed: \(describeDifference(before, after))")
    }

    /// docs/reliability.md: a writer waits for the lock up to EXECTRACK_LOCK_TIMEOUT, then exits 7 and
    /// writes nothing. Readers take no lock.
    @Test func writersTimeOutOnAHeldLock() throws {
        let project = try makeProject(.started)
        let lockPath = project.statusURL("F001").path + ".lock"
        // --no-fork: flock execs sleep itself, so terminating this process releases the lock.
        let flock = try Tool.flock.required()
        let holder = Process()
        holder.executableURL = flock
        holder.arguments = ["--exclusive", "--no-fork", lockPath, "sleep", "30"]
        holder.standardInput = FileHandle.nullDevice
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        // SIGKILL, not terminate(): a SIGTERM the test runner ignores would be ignored by the child too.
        func release() {
            if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
            holder.waitUntilExit()
        }
        defer { release() }
        // Wait until the lock is really held: a non-blocking flock then fails with exit 1.
        let deadline = Date().addingTimeInterval(10)
        while true {
            let probe = try runProcess(flock, ["--nonblock", lockPath, "true"],
                                       environment: [:], in: project.root)
            if probe.exitCode == 1 { break }
            try #require(Date() < deadline, "the flock holder never took the lock")
            Thread.sleep(forTimeInterval: 0.02)
        }

        let before = try treeSnapshot(project)
        let writers: [[String]] = [
            ["update", "F001", "L0", "1", "complete"],
            ["complete-layer", "F001", "L0", "--force"],
            ["error", "F001", "L0", "1", "boom"],
            ["warn", "F001", "careful"],
            ["pause", "F001", "lunch"],
            ["resume", "F001"],
            ["block", "F001", "keys"],
            ["parse", "F001"],
            ["init", "F001", "--force"],
        ]
        for args in writers {
            let name = "lock held: \(args.joined(separator: " "))"
            let started = Date()
            let r = try project.run(args, environment: ["EXECTRACK_LOCK_TIMEOUT": "0.3"])
            let waited = Date().timeIntervalSince(started)
            expectRefusal(r, code: Exit.lockTimeout, mentions: ["F001.json.lock", "EXECTRACK_LOCK_TIMEOUT"], name)
            #expect(waited >= 0.25, "[\(name)] gave up after \(waited)s, before the 0.3s timeout")
        }
        let zero = try project.run(["update", "F001", "L0", "1", "complete"], environment: ["EXECTRACK_LOCK_TIMEOUT": "0"])
        expectRefusal(zero, code: Exit.lockTimeout, mentions: ["EXECTRACK_LOCK_TIMEOUT"], "lock held: timeout 0")

        // A reader is not held up by a writer's lock.
        let report = try project.run(["report", "F001"], environment: ["EXECTRACK_LOCK_TIMEOUT": "0.3"])
        #expect(report.exitCode == 0, "[lock held: report] \(report.stderr)")

        let after = try treeSnapshot(project)
        #expect(after == before, "[lock held] the project changed: \(describeDifference(before, after))")
        #expect(leftoverTempFiles(project).isEmpty)

        // Once the lock is free the same update goes through.
        release()
        let r = try project.run(["update", "F001", "L0", "1", "complete"], environment: ["EXECTRACK_LOCK_TIMEOUT": "5"])
        #expect(r.exitCode == 0, "[lock released] \(r.stderr)")
    }
}
