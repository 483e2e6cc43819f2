import Foundation
import Testing

// Corrupt, odd and huge status files, run through the built binary (docs/file-format.md: fields, exit 4).
//
// The contract for a file the tool cannot read: exit 4, nothing on stdout, exactly one line on
// stderr that names `.claude/execution/F001.json.bak` and `exectrack restore F001`, and the status
// file (and its .bak) left byte for byte as they were. Never a crash: an exit status of 128 or more
// (a signal) fails every case here. Files that are odd but readable (numbers as strings, duplicate
// keys, deep but legal nesting, 50 MB) must load, and unknown content must survive a write.

// MARK: - Running the binary cheaply

/// The environment every run gets: the caller's, without `EXECTRACK_ROOT`, with `NO_COLOR`.
private let spawnEnvironment: [String: String] = {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "EXECTRACK_ROOT")
    env["NO_COLOR"] = "1"
    return env
}()

private struct Outcome: Sendable {
    /// The exit code, or 128 + the signal number when the process was killed by a signal.
    let code: Int32
    let stdout: String
    let stderr: String
}

/// Runs `exectrack` with posix_spawn for the project at `directory` (given as `EXECTRACK_ROOT`:
/// glibc's `posix_spawn_file_actions_addchdir_np` is not visible to Swift), stdout and stderr
/// into the given files (truncated first). Lighter than Foundation's Process, for the thousands
/// of runs below; safe to call from several threads at once.
private func spawnExectrack(_ arguments: [String], in directory: String, stdoutPath: String,
                            stderrPath: String) -> Outcome {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = [exectrackBinary.path] + arguments
    var cArgs = argv.map { strdup($0) } + [nil]
    var env = spawnEnvironment
    env["EXECTRACK_ROOT"] = directory
    var cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, exectrackBinary.path, &actions, nil, &cArgs, &cEnv)
    guard rc == 0 else { return Outcome(code: -1, stdout: "", stderr: "posix_spawn failed: \(rc)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
    let signal = status & 0x7F
    let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    func text(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
    return Outcome(code: code, stdout: text(stdoutPath), stderr: text(stderrPath))
}

/// Writes `bytes` over `path` in place (open, truncate, write), as a careless editor would.
private func overwrite(_ path: String, with bytes: ArraySlice<UInt8>) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var offset = bytes.startIndex
    while offset < bytes.endIndex {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return false }
        offset += n
    }
    return true
}

/// Collects problems from several threads.
private final class ProblemLog: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [String] = []
    private var codes: [Int32: Int] = [:]

    func add(_ problem: String) {
        lock.lock()
        problems.append(problem)
        lock.unlock()
    }

    func count(_ code: Int32) {
        lock.lock()
        codes[code, default: 0] += 1
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return problems
    }

    var histogram: [Int32: Int] {
        lock.lock()
        defer { lock.unlock() }
        return codes
    }
}

// MARK: - The refusal contract

private let statusPath = ".claude/execution/F001.json"
private let backupPath = ".claude/execution/F001.json.bak"
private let bakMention = ".claude/execution/F001.json.bak"
private let restoreMention = "exectrack restore F001"

/// What is wrong with `outcome` as a refusal of a corrupt file (empty when it is right).
private func refusalProblems(_ outcome: Outcome) -> [String] {
    var problems: [String] = []
    if outcome.code >= 128 { problems.append("CRASHED (exit \(outcome.code))") }
    if outcome.code != 4 { problems.append("exit \(outcome.code), expected 4") }
    if !outcome.stdout.isEmpty { problems.append("stdout not empty: \(outcome.stdout.prefix(200).debugDescription)") }
    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    if !(outcome.stderr.hasSuffix("\n") && lines.count == 2) {
        problems.append("stderr is not exactly one line (\(max(0, lines.count - 1)) lines): \(outcome.stderr.prefix(400).debugDescription)")
    }
    if !outcome.stderr.contains(bakMention) { problems.append("stderr does not name \(bakMention): \(outcome.stderr.prefix(400).debugDescription)") }
    if !outcome.stderr.contains(restoreMention) { problems.append("stderr does not name '\(restoreMention)': \(outcome.stderr.prefix(400).debugDescription)") }
    return problems
}

// MARK: - Fixture

/// F001 initialised and worked on: a completed task with output and files, a failed task with an
/// error entry, a warning, a running task — so the file holds every kind of field — and a .bak.
private func workedProject() throws -> Project {
    let project = try Project(specs: ["F001": f001Tasks])
    let steps: [[String]] = [
        ["init", "F001"],
        ["update", "F001", "L0", "0", "in_progress"],
        ["update", "F001", "L0", "0", "complete", "--output", "schema \"v1\" applied\nok", "--files-created", "db/schema.sql,db/seed.sql"],
        ["update", "F001", "L0", "1", "in_progress"],
        ["error", "F001", "L0", "1", "Database connection timeout after 30s", "--severity", "high"],
        ["warn", "F001", "disk nearly full ✋", "--layer", "L0", "--task", "1"],
        ["update", "F001", "L1", "0", "in_progress"],
    ]
    for step in steps {
        let r = try project.run(step)
        try #require(r.exitCode == 0, "setup \(step): exit \(r.exitCode) \(r.stderr)")
    }
    return project
}

private extension Data {
    /// The bytes with the first occurrence of `marker` replaced by `replacement`.
    func replacingFirst(_ marker: String, with replacement: some Collection<UInt8>) -> Data? {
        guard let range = range(of: Data(marker.utf8)) else { return nil }
        var out = self
        out.replaceSubrange(range, with: Data(replacement))
        return out
    }

    func replacingFirst(_ marker: String, with replacement: String) -> Data? {
        replacingFirst(marker, with: Array(replacement.utf8))
    }
}

/// The status bytes with `member` (`"key": value`) added as the first member of the top object.
private func withTopLevelMember(_ status: Data, _ member: some Collection<UInt8>) -> Data {
    var out = Data("{\n  ".utf8)
    out.append(contentsOf: member)
    out.append(contentsOf: Array(",".utf8))
    out.append(status.dropFirst())  // the original starts with "{"
    return out
}

/// `depth` nested arrays around `inner`: `[[[inner]]]`.
private func nestedArrays(_ depth: Int, around inner: String = "\"bottom\"") -> String {
    String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)
}

/// Rewrites the status file's JSON through Foundation (an independent reader and writer).
private func editedJSON(_ status: Data, _ edit: (inout [String: Any]) throws -> Void) throws -> Data {
    var object = try #require(try JSONSerialization.jsonObject(with: status) as? [String: Any])
    try edit(&object)
    return try JSONSerialization.data(withJSONObject: object)
}

/// Edits `layers.<layer>` (and, with `task`, one of its tasks) through Foundation.
private func editedLayer(_ status: Data, _ layer: String, task: Int? = nil,
                         _ edit: @escaping (inout [String: Any]) -> Void) throws -> Data {
    try editedJSON(status) { object in
        var layers = try #require(object["layers"] as? [String: Any])
        var l = try #require(layers[layer] as? [String: Any])
        if let task {
            var tasks = try #require(l["tasks"] as? [[String: Any]])
            edit(&tasks[task])
            l["tasks"] = tasks
        } else {
            edit(&l)
        }
        layers[layer] = l
        object["layers"] = layers
    }
}

private func whitespaceRemoved(_ data: Data) -> Data {
    Data(data.filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
}

// MARK: - Cases

/// One status file the tool must refuse, or read.
struct CorruptFileCase: Sendable, CustomTestStringConvertible {
    enum Expectation: Sendable {
        /// Exit 4 for `report` and for a write (`update`), file and .bak untouched.
        case refused
        /// `report` exits 0; then `check` runs (after any writes it makes itself).
        case loads
    }

    let name: String
    let expectation: Expectation
    /// The new status bytes, from the worked fixture's bytes.
    let make: @Sendable (Data) throws -> Data
    /// For `.loads`: further checks (updates, file content) on the project.
    var check: (@Sendable (Project, String) throws -> Void)? = nil

    var testDescription: String { name }
}

private func refused(_ name: String, _ make: @escaping @Sendable (Data) throws -> Data) -> CorruptFileCase {
    CorruptFileCase(name: name, expectation: .refused, make: make)
}

private func loads(_ name: String, _ make: @escaping @Sendable (Data) throws -> Data,
                   check: (@Sendable (Project, String) throws -> Void)? = nil) -> CorruptFileCase {
    CorruptFileCase(name: name, expectation: .loads, make: make, check: check)
}

/// Runs a write that must succeed, returning the new status object (through Foundation).
private func mustUpdate(_ project: Project, _ name: String, _ args: [String] = ["update", "F001", "L1", "1", "in_progress"]) throws -> [String: Any] {
    let r = try project.run(args)
    #expect(r.exitCode == 0, "[\(name)] \(args): exit \(r.exitCode) \(r.stderr.prefix(300))")
    #expect(r.exitCode < 128, "[\(name)] \(args) CRASHED")
    return try project.status("F001")
}

private func firstTask(_ object: [String: Any], _ layer: String, _ index: Int) -> [String: Any]? {
    ((object["layers"] as? [String: Any])?[layer] as? [String: Any])
        .flatMap { $0["tasks"] as? [[String: Any]] }?[index]
}

/// Splices raw bytes into the description of L0 task 0 ("Setup database schema").
private func inDescription(_ bytes: [UInt8]) -> @Sendable (Data) throws -> Data {
    { status in try #require(status.replacingFirst("Setup database", with: Array("Setup ".utf8) + bytes + Array("database".utf8))) }
}

private let deepValue: String = {
    // 100 levels alternating arrays and objects, with number literals that must keep their text.
    var text = "{\"bottom\":[1.50,-0,1e10,123456789012345678901234567890,\"\\u0000\\\"\",true,null]}"
    for level in 0..<99 {
        text = level % 2 == 0 ? "[\(text),\(level)]" : "{\"k\(level)\":\(text)}"
    }
    return text
}()

let corruptFileCases: [CorruptFileCase] = [
    // Empty and blank.
    refused("empty file") { _ in Data() },
    refused("whitespace only") { _ in Data(" \n\t\r\n  \n".utf8) },
    refused("only a byte order mark") { _ in Data([0xEF, 0xBB, 0xBF]) },

    // Wrong types.
    loads("layers is an empty array", { try editedJSON($0) { $0["layers"] = [Any]() } }),
    loads("tasks of L0 is an empty object", { try editedLayer($0, "L0") { $0["tasks"] = [String: Any]() } }),
    refused("layers is 5") { try editedJSON($0) { $0["layers"] = 5 } },
    refused("layers is a string") { try editedJSON($0) { $0["layers"] = "L0" } },
    refused("top level is an array") { _ in Data("[]".utf8) },
    refused("attempts is \"x\"") { try editedLayer($0, "L0", task: 0) { $0["attempts"] = "x" } },
    refused("attempts is true") { try editedLayer($0, "L0", task: 0) { $0["attempts"] = true } },
    loads("duration_ms is the string \"1500\"", { try editedLayer($0, "L0", task: 0) { $0["duration_ms"] = "1500" } },
          check: { project, name in
              let after = try mustUpdate(project, name)
              let task = try #require(firstTask(after, "L0", 0))
              #expect((task["duration_ms"] as? NSNumber)?.intValue == 1500 && !(task["duration_ms"] is String),
                      "[\(name)] duration_ms should be read as 1500 and written as a number: \(String(describing: task["duration_ms"]))")
          }),
    loads("attempts is the string \"3\"", { try editedLayer($0, "L0", task: 0) { $0["attempts"] = "3" } },
          check: { project, name in
              let after = try mustUpdate(project, name)
              let task = try #require(firstTask(after, "L0", 0))
              #expect((task["attempts"] as? NSNumber)?.intValue == 3 && !(task["attempts"] is String),
                      "[\(name)] attempts should be read as 3: \(String(describing: task["attempts"]))")
          }),

    // Duplicate keys: the last one wins, the file still loads, and a write keeps one key.
    loads("duplicate keys (last wins)", { status in
        try #require(status.replacingFirst("\n}\n", with: ",\n  \"feature_name\": \"Last wins\",\n  \"x_dup\": 1,\n  \"x_dup\": {\"second\": 2}\n}\n"))
    }, check: { project, name in
        let report = try project.run(["report", "F001"])
        #expect(report.stdout.contains("Feature F001: Last wins"), "[\(name)] the last feature_name should win: \(report.stdout.prefix(200))")
        _ = try mustUpdate(project, name)
        let text = String(decoding: try project.statusBytes("F001"), as: UTF8.self)
        #expect(text.components(separatedBy: "\"feature_name\"").count == 2, "[\(name)] feature_name should be written once")
        #expect(text.components(separatedBy: "\"x_dup\"").count == 2, "[\(name)] x_dup should be written once")
        let object = try project.status("F001")
        #expect(object["feature_name"] as? String == "Last wins", "[\(name)]")
        #expect((object["x_dup"] as? [String: Any])?["second"] as? Int == 2, "[\(name)] x_dup should hold the last value")
    }),

    // Nesting.
    loads("100 levels of nesting in an unknown field", { withTopLevelMember($0, Array("\"x_deep\": \(deepValue)".utf8)) },
          check: { project, name in
              _ = try mustUpdate(project, name)
              let compact = whitespaceRemoved(try project.statusBytes("F001"))
              #expect(compact.range(of: Data("\"x_deep\":\(deepValue)".utf8)) != nil,
                      "[\(name)] the nested value (with its number literals) should survive an update exactly")
          }),
    loads("nesting of exactly 512 levels (top object + 511 arrays)", { withTopLevelMember($0, Array("\"x_deep\": \(nestedArrays(511))".utf8)) },
          check: { project, name in
              _ = try mustUpdate(project, name)
              let compact = whitespaceRemoved(try project.statusBytes("F001"))
              #expect(compact.range(of: Data("\"x_deep\":\(nestedArrays(511))".utf8)) != nil, "[\(name)] not preserved")
          }),
    refused("nesting of 513 levels (top object + 512 arrays)") { withTopLevelMember($0, Array("\"x_deep\": \(nestedArrays(512))".utf8)) },
    refused("nesting 100,000 objects deep in an unknown field") { status in
        withTopLevelMember(status, Array(("\"x_deep\": " + String(repeating: "{\"a\":", count: 100_000) + "0"
            + String(repeating: "}", count: 100_000)).utf8))
    },
    refused("100,000 unclosed arrays in a task") { status in
        try #require(status.replacingFirst("\"index\": 0,", with: "\"index\": 0, \"x\": " + String(repeating: "[", count: 100_000)))
    },

    // Invalid UTF-8 (in a string value and in a key) and NUL bytes.
    refused("invalid UTF-8: 0xFF in a description", inDescription([0xFF])),
    refused("invalid UTF-8: lone continuation byte", inDescription([0x80])),
    refused("invalid UTF-8: overlong encoding of '/'", inDescription([0xC0, 0xAF])),
    refused("invalid UTF-8: UTF-16 surrogate encoded in UTF-8", inDescription([0xED, 0xA0, 0x80])),
    refused("invalid UTF-8: code point above U+10FFFF", inDescription([0xF4, 0x90, 0x80, 0x80])),
    refused("invalid UTF-8: truncated sequence before the closing quote") { status in
        try #require(status.replacingFirst("Setup database schema\"", with: Array("Setup database schema".utf8) + [0xE2, 0x82, 0x22]))
    },
    refused("invalid UTF-8 in an unknown key") { withTopLevelMember($0, Array("\"x_".utf8) + [0xFE] + Array("\": 1".utf8)) },
    refused("NUL byte inside a string", inDescription([0x00])),
    refused("NUL byte between tokens") { status in try #require(status.replacingFirst("\"feature\":", with: [0x00] + Array("\"feature\":".utf8))) },
    refused("NUL byte after the closing brace") { $0 + Data([0x00]) },
    refused("NUL byte at the start") { Data([0x00]) + $0 },
    refused("file of NUL bytes") { _ in Data(repeating: 0, count: 4096) },
]

// MARK: - Suite

@Suite struct CorruptFileTests {
    @Test("A corrupt or odd status file", arguments: corruptFileCases)
    func statusFile(_ c: CorruptFileCase) throws {
        let project = try workedProject()
        let original = try project.statusBytes("F001")
        let corrupted = try c.make(original)
        try corrupted.write(to: project.statusURL("F001"))
        let backupBefore = try project.fingerprint(backupPath)

        switch c.expectation {
        case .refused:
            for args in [["report", "F001"], ["update", "F001", "L0", "1", "complete"]] {
                let r = try project.run(args)
                let outcome = Outcome(code: r.exitCode, stdout: r.stdout, stderr: r.stderr)
                for problem in refusalProblems(outcome) { Issue.record(Comment(rawValue: "[\(c.name)] \(args.joined(separator: " ")): \(problem)")) }
                #expect(try project.statusBytes("F001") == corrupted, "[\(c.name)] \(args[0]) changed the status file")
                #expect(try project.fingerprint(backupPath) == backupBefore, "[\(c.name)] \(args[0]) changed the .bak")
            }
        case .loads:
            let r = try project.run(["report", "F001"])
            #expect(r.exitCode == 0, "[\(c.name)] report: exit \(r.exitCode), stderr \(r.stderr.prefix(300).debugDescription)")
            #expect(r.exitCode < 128, "[\(c.name)] report CRASHED")
            #expect(r.stdout.contains("Feature F001"), "[\(c.name)] report: \(r.stdout.prefix(200))")
            #expect(try project.statusBytes("F001") == corrupted, "[\(c.name)] report must not write")
            try c.check?(project, c.name)
        }
    }

    /// Every prefix of a real status file is refused; only the whole document loads.
    @Test func truncatedAtEveryByteOffset() throws {
        let base = try workedProject()
        let full = [UInt8](try base.statusBytes("F001"))
        let backup = try Data(contentsOf: base.url(backupPath))
        try #require(full.count > 1000 && full.suffix(2) == [UInt8(ascii: "}"), 0x0A], "the fixture should end with }\\n")

        // One scratch project per worker, each with the real .bak; the status file is rewritten per offset.
        let workers = max(2, min(8, ProcessInfo.processInfo.activeProcessorCount * 2))
        let projects = try (0..<workers).map { _ in try Project() }
        for p in projects {
            try FileManager.default.createDirectory(at: p.url(".claude/execution"), withIntermediateDirectories: true)
            try backup.write(to: p.url(backupPath))
        }
        let roots = projects.map(\.root.path)
        let log = ProblemLog()
        let clock = ContinuousClock()
        let started = clock.now

        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let root = roots[w]
            let status = root + "/" + statusPath
            let out = root + "/.stdout"
            let err = root + "/.stderr"
            var length = w
            while length < full.count {
                defer { length += workers }
                let prefix = full[0..<length]
                guard overwrite(status, with: prefix) else {
                    log.add("offset \(length): could not write the prefix")
                    continue
                }
                let outcome = spawnExectrack(["report", "F001"], in: root, stdoutPath: out, stderrPath: err)
                log.count(outcome.code)
                var problems: [String]
                if length == full.count - 1 {
                    // The whole document without its trailing newline is still valid JSON.
                    problems = []
                    if outcome.code != 0 { problems.append("exit \(outcome.code), expected 0: \(outcome.stderr.prefix(300).debugDescription)") }
                    if !outcome.stdout.contains("Feature F001") { problems.append("no report on stdout") }
                } else {
                    problems = refusalProblems(outcome)
                }
                if let after = FileManager.default.contents(atPath: status), [UInt8](after) != Array(prefix) {
                    problems.append("the status file changed")
                }
                for problem in problems {
                    let tail = String(decoding: full[max(0, length - 30)..<length], as: UTF8.self)
                    log.add("prefix of \(length) bytes (ending …\(tail.debugDescription)): \(problem)")
                }
            }
        }
        let elapsed = clock.now - started

        let problems = log.all
        let firstProblems = problems.prefix(15).joined(separator: "\n")
        #expect(problems.isEmpty, "\(problems.count) problems in \(full.count) truncations; first ones:\n\(firstProblems)")
        let histogram = log.histogram
        #expect(histogram.values.reduce(0, +) == full.count, "every offset should have run once")
        #expect(histogram[4] == full.count - 1 && histogram[0] == 1, "exit codes: \(histogram)")
        #expect(!histogram.keys.contains { $0 >= 128 }, "crashes: \(histogram)")
        for p in projects {
            #expect(try Data(contentsOf: p.url(backupPath)) == backup, "a .bak changed")
        }
        print("truncatedAtEveryByteOffset: \(full.count) prefixes with \(workers) workers in \(elapsed); exit codes \(histogram)")
    }

    // MARK: 50 MB files

    static let fiftyMB = 50 * 1024 * 1024

    /// Runs `args`, returning the result and the wall time.
    func timed(_ project: Project, _ args: [String]) throws -> (RunResult, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let r = try project.run(args)
        return (r, clock.now - start)
    }

    /// Generous for a debug build on a busy machine; a quadratic step on 50 MB would take minutes.
    static let largeFileLimit: Duration = .seconds(45)

    @Test func fiftyMegabyteUnknownStringLoadsAndSurvivesAWrite() throws {
        let project = try workedProject()
        let blob = String(repeating: "0123456789abcdef", count: Self.fiftyMB / 16)
        let original = try project.statusBytes("F001")
        try withTopLevelMember(original, Array("\"x_blob\": \"\(blob)\"".utf8)).write(to: project.statusURL("F001"))

        let (report, readTime) = try timed(project, ["report", "F001"])
        #expect(report.exitCode == 0, "report: exit \(report.exitCode) \(report.stderr.prefix(300))")
        #expect(report.stdout.contains("Feature F001"))
        #expect(readTime < Self.largeFileLimit, "report of a 50 MB file took \(readTime)")

        let (update, writeTime) = try timed(project, ["update", "F001", "L1", "1", "in_progress"])
        #expect(update.exitCode == 0, "update: exit \(update.exitCode) \(update.stderr.prefix(300))")
        #expect(writeTime < Self.largeFileLimit, "update of a 50 MB file took \(writeTime)")
        let after = try project.statusBytes("F001")
        #expect(after.range(of: Data("\"x_blob\": \"\(blob)\"".utf8)) != nil, "the 50 MB field should survive the update")
        print("50 MB unknown string: report \(readTime), update \(writeTime)")
    }

    @Test func fiftyMegabytesOfTasksLoad() throws {
        let project = try workedProject()
        // One extra layer of ~100,000 tasks with a padded unknown field: over 50 MB in all.
        let padding = String(repeating: "p", count: 420)
        var tasks = ""
        var count = 0
        tasks.reserveCapacity(Self.fiftyMB + 1_000_000)
        while tasks.utf8.count < Self.fiftyMB {
            if count > 0 { tasks += ",\n" }
            tasks += "{\"description\": \"Bulk task \(count)\", \"status\": \"\(count % 3 == 0 ? "complete" : "pending")\", "
                + "\"duration_ms\": \(count % 3 == 0 ? "1000" : "null"), \"x_pad\": \"\(padding)\"}"
            count += 1
        }
        let original = try project.statusBytes("F001")
        let layer = "\"layers\": {\n    \"L9\": {\"name\": \"Bulk\", \"tasks\": [\(tasks)]},"
        let big = try #require(original.replacingFirst("\"layers\": {", with: layer))
        #expect(big.count > Self.fiftyMB)
        try big.write(to: project.statusURL("F001"))

        let (report, readTime) = try timed(project, ["report", "F001"])
        #expect(report.exitCode == 0, "report: exit \(report.exitCode) \(report.stderr.prefix(300))")
        #expect(report.stdout.contains("Bulk"), "the bulk layer should be in the report: \(report.stdout.prefix(600))")
        #expect(readTime < Self.largeFileLimit, "report of \(count) tasks (\(big.count) bytes) took \(readTime)")
        print("50 MB of tasks (\(count) tasks): report \(readTime)")
    }

    @Test func fiftyMegabytesOfGarbageIsRefused() throws {
        let project = try workedProject()
        // Deterministic pseudo-random bytes (xorshift), not valid JSON from the first byte.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var garbage = [UInt8](repeating: 0, count: Self.fiftyMB)
        garbage.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                var word = state
                for _ in 0..<8 where i < buffer.count {
                    buffer[i] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    i += 1
                }
            }
        }
        garbage[0] = UInt8(ascii: "#")  // surely not JSON
        // And garbage that only goes wrong at the end: 50 MB of a string that is never closed.
        let late = Data("{\"feature\": \"F001\", \"x\": \"".utf8) + Data(repeating: UInt8(ascii: "a"), count: Self.fiftyMB)

        for (name, bytes) in [("random bytes", Data(garbage)), ("unterminated 50 MB string", late)] {
            try bytes.write(to: project.statusURL("F001"))
            let (r, time) = try timed(project, ["report", "F001"])
            for problem in refusalProblems(Outcome(code: r.exitCode, stdout: r.stdout, stderr: r.stderr)) {
                Issue.record(Comment(rawValue: "[\(name)] \(problem)"))
            }
            #expect(r.stderr.utf8.count <= 2_000, "[\(name)] the message should quote nothing at length")
            #expect(time < Self.largeFileLimit, "[\(name)] took \(time)")
            #expect(try project.statusBytes("F001") == bytes, "[\(name)] the file changed")
            print("50 MB garbage (\(name)): refused in \(time)")
        }
    }
}
