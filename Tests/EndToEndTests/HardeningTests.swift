import Foundation
import Testing

/// Data loss, crashes, hangs and unsafe writes found by trying the tool as a new user and as an
/// attacker would (docs/reliability.md, "Files the tool touches" and "Numbers"). Each test covers
/// a class of inputs, not one case.
@Suite struct HardeningTests {
    static let twoLayers = """
    # Feature: Hardening
    ## Layer 0: Infrastructure
    - Create table
    - Add index
    ## Layer 1: Core
    - Core service
    - Core client
    ## Layer 2: Features
    - Feature one
    """

    /// A project with F001 initialised from `twoLayers`.
    func project() throws -> Project {
        let project = try Project(specs: ["F001": Self.twoLayers])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        return project
    }

    func finishAll(_ project: Project) throws {
        for (layer, size) in [2, 2, 1].enumerated() {
            for task in 0..<size {
                #expect(try project.run(["update", "F001", "L\(layer)", "\(task)", "in_progress"]).exitCode == 0)
                #expect(try project.run(["update", "F001", "L\(layer)", "\(task)", "complete"]).exitCode == 0)
            }
        }
    }

    /// Runs exectrack under coreutils' `timeout`, so a hang fails the test (exit 124) instead of
    /// stopping the suite.
    func runBounded(_ project: Project, _ arguments: [String], seconds: Int = 10,
                    environment: [String: String] = [:]) throws -> RunResult {
        try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["timeout", "-s", "KILL", "\(seconds)", exectrackBinary.path] + arguments,
                       environment: environment, in: project.root)
    }

    /// The `S_IFMT` bits of `lstat`: what is at the path itself.
    func fileType(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
    }

    // MARK: - 1. A command that changes nothing writes nothing

    @Test func rerunningInitAndParseKeepsThePreviousRun() throws {
        let project = try project()
        try finishAll(project)
        let finished = try project.statusBytes("F001")
        let reinit = try project.run(["init", "F001", "--force"])
        #expect(reinit.exitCode == 0, "\(reinit.stderr)")
        let archived = try #require(reinit.stderr.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(archived.hasPrefix(".claude/execution/archive/F001-"), "\(reinit.stderr)")
        #expect(try Data(contentsOf: project.url(archived)) == finished, "the archived copy is the finished run")
        let before = try project.fingerprint(".claude/execution/F001.json")
        let backupBefore = try project.fingerprint(".claude/execution/F001.json.bak")
        #expect(try project.run(["parse", "F001"]).exitCode == 0)
        #expect(try project.fingerprint(".claude/execution/F001.json") == before, "parse that changes nothing must not write")
        #expect(try project.fingerprint(".claude/execution/F001.json.bak") == backupBefore, "nor rotate the .bak")
        // A second init --force over a file without progress archives nothing more.
        #expect(try project.run(["init", "F001", "--force"]).stderr.isEmpty)
        let archives = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution/archive").path)
        #expect(archives.count == 1, "\(archives)")
    }

    /// Every command whose result equals the current file leaves the file, its inode, its
    /// `last_updated` and its `.bak` alone.
    @Test func commandsThatChangeNothingDoNotWrite() throws {
        let project = try project()
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "1", "skipped"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L1", "0", "failed"]).exitCode == 0)
        #expect(try project.run(["pause", "F001", "lunch"]).exitCode == 0)
        let noOps: [[String]] = [
            ["parse", "F001"], ["update", "F001", "L0", "0", "complete"], ["update", "F001", "L0", "0", "done"],
            ["update", "F001", "L0", "1", "skipped"], ["update", "F001", "L1", "0", "failed"],
            ["complete-layer", "F001", "L0"], ["pause", "F001", "lunch"], ["validate", "F001", "--fix"],
        ]
        for command in noOps {
            let status = try project.fingerprint(".claude/execution/F001.json")
            let backup = try project.fingerprint(".claude/execution/F001.json.bak")
            let result = try project.run(command)
            #expect(result.exitCode == 0, "\(command): \(result.stderr)")
            #expect(try project.fingerprint(".claude/execution/F001.json") == status, "\(command) rewrote the status file")
            #expect(try project.fingerprint(".claude/execution/F001.json.bak") == backup, "\(command) rotated the .bak")
        }
        // A real change still writes.
        let before = try project.fingerprint(".claude/execution/F001.json")
        #expect(try project.run(["resume", "F001"]).exitCode == 0)
        #expect(try project.fingerprint(".claude/execution/F001.json") != before)
    }

    // MARK: - 2. Repeating a terminal status keeps history

    @Test(arguments: ["complete", "failed", "skipped"])
    func repeatingATerminalStatusIsANoOpThatSaysSo(_ status: String) throws {
        let project = try project()
        #expect(try project.run(["update", "F001", "L0", "0", "in_progress"]).exitCode == 0)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try project.run(["update", "F001", "L0", "0", status]).exitCode == 0)
        let task = { () throws -> [String: Any] in
            (((try project.status("F001")["layers"] as! [String: Any])["L0"] as! [String: Any])["tasks"] as! [[String: Any]])[0]
        }
        let first = try task()
        Thread.sleep(forTimeInterval: 0.05)
        let again = try project.run(["update", "F001", "L0", "0", status, "--duration-ms", "65218"])
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains("was already \(status); its timing was kept; nothing changed"), "\(again.stdout)")
        let second = try task()
        #expect(second["completed_at"] as? String == first["completed_at"] as? String)
        #expect(second["duration_ms"] as? Int == first["duration_ms"] as? Int)
    }

    @Test func validateReportsATaskFinishedAfterItsLayerOrSpec() throws {
        let project = try project()
        try finishAll(project)
        var status = try project.status("F001")
        var layers = status["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        var tasks = l0["tasks"] as! [[String: Any]]
        tasks[0]["completed_at"] = "2099-01-01T00:00:00.000Z"
        tasks[0]["started_at"] = "2000-01-01T00:00:00.000Z"
        l0["tasks"] = tasks
        l0["completed_at"] = "2001-01-01T00:00:00.000Z"
        layers["L0"] = l0
        status["layers"] = layers
        status["completed_at"] = "2001-06-01T00:00:00.000Z"
        try JSONSerialization.data(withJSONObject: status).write(to: project.statusURL("F001"))
        let result = try project.run(["validate", "F001", "--json"])
        #expect(result.exitCode == 6)
        let issues = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [[String: Any]]
        let messages = issues.filter { $0["path"] as? String == "layers.L0.tasks[0].completed_at" }.compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("later than L0's completed_at") }, "\(messages)")
        #expect(messages.contains { $0.contains("later than the spec's completed_at") }, "\(messages)")
    }

    // MARK: - 3. Numbers out of range never crash the tool

    static let hugeLiterals = ["9223372036854775807", "5000000000000000000", "123456789012345678901234567890",
                               "-9223372036854775808", "1e308", "4611686018427387904"]

    /// Every numeric field a file can hold, set to huge values, through every command that reads
    /// or writes: the tool answers 0 or exit 4 naming the field; it never traps. One bad spec
    /// never breaks `list`.
    @Test(arguments: ["duration_ms", "attempts", "task_index", "schema_version"])
    func hugeNumbersInAFileAreRefusedOrHandled(_ field: String) throws {
        let project = try project()
        try finishAll(project)
        let commands: [[String]] = [
            ["report", "F001"], ["report", "F001", "--format", "json"], ["metrics", "F001"], ["validate", "F001"],
            ["export", "F001", "--format", "junit"], ["export", "F001", "--format", "otlp"], ["next", "F001"],
            ["update", "F001", "L0", "1", "in_progress"], ["list"],
        ]
        #expect(try project.run(["error", "F001", "L1", "0", "boom"]).exitCode == 0)
        let original = String(decoding: try project.statusBytes("F001"), as: UTF8.self)
        let numbers = try NSRegularExpression(pattern: "\"\(field)\": -?[0-9][0-9.eE+-]*")
        for literal in Self.hugeLiterals {
            // Every occurrence, so sums over several tasks see it too.
            var text = original
            let matches = numbers.matches(in: original, range: NSRange(original.startIndex..., in: original))
            #expect(!matches.isEmpty, "no \(field) in the file")
            for match in matches.reversed() {
                text.replaceSubrange(Range(match.range, in: text)!, with: "\"\(field)\": \(literal)")
            }
            try Data(text.utf8).write(to: project.statusURL("F001"))
            for command in commands {
                let result = try project.run(command)
                // validate may also find the value inconsistent (exit 6): a report, not a crash.
                let allowed: Set<Int32> = command[0] == "validate" ? [0, 4, 6] : [0, 4]
                #expect(allowed.contains(result.exitCode), "\(field)=\(literal) \(command): exit \(result.exitCode) \(result.stderr)")
                if result.exitCode == 4 {
                    #expect(result.stderr.contains(field), "\(field)=\(literal) \(command): \(result.stderr)")
                }
                if command == ["list"] { #expect(result.stdout.contains("F001")) }
            }
        }
    }

    @Test func hugeNumbersInArgumentsAndEnvironmentAreUsageErrors() throws {
        let project = try project()
        for value in ["768614336404564651", "9223372036854775807", "99999999999999999999", "-1"] {
            let result = try project.run(["update", "F001", "L0", "0", "complete", "--duration-ms", value])
            #expect(result.exitCode == 1, "\(value): \(result.stderr)")
        }
        for value in ["1e19", "inf", "nan", "-1", "86401"] {
            let write = try project.run(["warn", "F001", "x"], environment: ["EXECTRACK_LOCK_TIMEOUT": value])
            #expect(write.exitCode == 1, "\(value): \(write.stderr)")
            #expect(write.stderr.contains("EXECTRACK_LOCK_TIMEOUT"))
            // Commands that take no lock do not care.
            #expect(try project.run(["report", "F001"], environment: ["EXECTRACK_LOCK_TIMEOUT": value]).exitCode == 0)
        }
        #expect(try project.run(["next", "F001", "--limit", "99999999999999999999"]).exitCode == 1)
        #expect(try project.run(["demo", "--pace", "9223372036854775807"]).exitCode == 1)
    }

    // MARK: - 4. Special files never hang the tool or exhaust memory

    /// A FIFO, a symlink to /dev/zero and an oversized sparse file at the status file's name, and
    /// the same at the tasks file's name: every command ends at once with its documented code.
    @Test func specialFilesAreRefusedWithoutHanging() throws {
        let project = try project()
        let execution = project.url(".claude/execution")
        let plant: [(String, (URL) throws -> Void)] = [
            ("fifo", { url in #expect(mkfifo(url.path, 0o644) == 0) }),
            ("zero", { url in try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "/dev/zero") }),
            ("huge", { url in
                #expect(FileManager.default.createFile(atPath: url.path, contents: Data("{".utf8)))
                #expect(truncate(url.path, 65 << 20) == 0)
            }),
        ]
        for (name, make) in plant {
            let spec = "S-\(name)"
            try make(execution.appendingPathComponent("\(spec).json"))
            for command in [["report", spec], ["update", spec, "L0", "0", "complete"], ["metrics", spec], ["validate", spec],
                            ["next", spec], ["claim", spec], ["restore", spec], ["archive", spec]] {
                let result = try runBounded(project, command)
                #expect(result.exitCode != 124 && result.exitCode != 137, "\(name) \(command) hung")
                #expect([2, 4].contains(result.exitCode), "\(name) \(command): \(result.exitCode) \(result.stderr)")
            }
            let list = try runBounded(project, ["list"])
            #expect(list.exitCode == 0)
            #expect(list.stdout.contains("\(spec)  unreadable") || list.stdout.contains("unreadable"), "\(list.stdout)")
            #expect(list.stdout.contains("F001"))
            // The tasks file.
            let tasksSpec = "T-\(name)"
            try FileManager.default.createDirectory(at: project.url("specs/\(tasksSpec)"), withIntermediateDirectories: true)
            try make(project.url("specs/\(tasksSpec)/layered-tasks.md"))
            let initResult = try runBounded(project, ["init", tasksSpec])
            #expect(initResult.exitCode == 2, "\(name) init: \(initResult.exitCode) \(initResult.stderr)")
            #expect(!FileManager.default.fileExists(atPath: project.statusURL(tasksSpec).path))
        }
        // The lock is not held by a stuck writer: F001 is writable throughout.
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
    }

    @Test func watchStaysInterruptibleOverAFifo() throws {
        let project = try project()
        #expect(mkfifo(project.statusURL("S-fifo").path, 0o644) == 0)
        let process = Process()
        process.executableURL = exectrackBinary
        process.arguments = ["watch", "S-fifo", "--interval", "0.1"]
        process.currentDirectoryURL = project.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.8)
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "watch did not stop on SIGINT (status \(process.terminationStatus))")
    }

    // MARK: - 5. Exports into special files

    @Test func exportsStreamIntoDevicesAndFifosAndNeverReplaceThem() throws {
        let project = try project()
        for command in [["export", "F001", "--format", "junit", "--output"], ["metrics", "F001", "--export"]] {
            // A character device is written in place, never replaced.
            #expect(try project.run(command + ["/dev/null"]).exitCode == 0)
            #expect(fileType("/dev/null") == S_IFCHR)
            // A FIFO is streamed into and stays a FIFO.
            let fifo = project.url("out.fifo")
            #expect(mkfifo(fifo.path, 0o644) == 0)
            let received = project.url("received")
            let reader = try runProcessInBackground("/bin/sh", ["-c", "exec cat '\(fifo.path)' > '\(received.path)'"])
            // The tool refuses a FIFO nobody reads yet; the reader may take a moment to open it.
            var result = try runBounded(project, command + [fifo.path])
            for _ in 0..<100 where result.exitCode != 0 && result.stderr.contains("nothing is reading") {
                Thread.sleep(forTimeInterval: 0.05)
                result = try runBounded(project, command + [fifo.path])
            }
            // Should the FIFO have been replaced, the reader would wait forever: bound it. Its
            // pid is watched directly: the test runner's own child monitor may reap it before
            // Foundation does, and `waitUntilExit` would then never return.
            let pid = reader.processIdentifier
            let deadline = Date().addingTimeInterval(5)
            while kill(pid, 0) == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(fileType(fifo.path) == S_IFIFO)
            let text = try String(contentsOf: received, encoding: .utf8)
            #expect(text.contains(command[0] == "export" ? "<testsuites" : "\"layer_metrics\""), "\(text.prefix(80))")
            try FileManager.default.removeItem(at: fifo)
            // A process substitution (/dev/fd/N).
            let substituted = try runProcess(try Tool.bash.required(),
                                             ["-c", "\"$0\" \"$@\" >(cat > substituted.out); wait; sleep 0.2", exectrackBinary.path] + command,
                                             environment: [:], in: project.root)
            #expect(substituted.exitCode == 0, "\(substituted.stderr)")
            #expect(try Data(contentsOf: project.url("substituted.out")).count > 100)
            // - is stdout.
            let stdout = try project.run(command + ["-"])
            #expect(stdout.exitCode == 0)
            #expect(stdout.stdout.contains(command[0] == "export" ? "<testsuites" : "\"layer_metrics\""))
            #expect(!FileManager.default.fileExists(atPath: project.url("-").path))
            // A directory and an empty path are usage errors that write nothing.
            try FileManager.default.createDirectory(at: project.url("adir"), withIntermediateDirectories: true)
            for target in ["adir", ""] {
                let refused = try project.run(command + [target])
                #expect(refused.exitCode == 1, "\(command) \(target): \(refused.exitCode) \(refused.stderr)")
                #expect(refused.stderrLines.count == 1)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: project.url("adir").path).isEmpty)
        }
    }

    /// An export never lands on a file the tool keeps in `.claude/execution/` (its status file,
    /// backup, lock or event log), however the path is spelt; the metrics export's own name is
    /// the one file it may write there.
    @Test func exportsNeverReplaceTheToolsOwnFiles() throws {
        let project = try project()
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        let execution = ".claude/execution"
        let before = try ["F001.json", "F001.json.bak", "F001.events.jsonl"].map { try project.fingerprint("\(execution)/\($0)") }
        for target in ["\(execution)/F001.json", "./\(execution)/F001.json.bak", "\(execution)/../execution/F001.json.lock",
                       "\(execution)/F001.events.jsonl", "\(execution)/anything.xml"] {
            for command in [["export", "F001", "--format", "junit", "--output", target], ["metrics", "F001", "--export", target]] {
                let r = try project.run(command)
                #expect(r.exitCode == 6, "\(command): \(r.stderr)")
                #expect(r.stderr.contains("where exectrack keeps its own files"))
            }
        }
        #expect(try ["F001.json", "F001.json.bak", "F001.events.jsonl"].map { try project.fingerprint("\(execution)/\($0)") } == before)
        #expect(!FileManager.default.fileExists(atPath: project.url("\(execution)/anything.xml").path))
        #expect(try project.run(["metrics", "F001", "--export", "\(execution)/F001-metrics.json"]).exitCode == 0)
    }

    func runProcessInBackground(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        return process
    }

    // MARK: - 6. No spec id collides with a file the tool derives from another spec

    @Test func specIdsNeverCollideWithDerivedFiles() throws {
        let project = try project()
        try project.write("specs/F001-metrics/layered-tasks.md", Self.twoLayers)
        let refused = try project.run(["init", "F001-metrics"])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("metrics export of spec 'F001'"), "\(refused.stderr)")
        #expect(try project.run(["parse", "F001-metrics"]).exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: project.url(".claude/execution/F001-metrics.json.lock").path))
        // The id is the reason even when no tasks file would be found for it.
        let noTasks = try project.run(["init", "G001-Metrics"])
        #expect(noTasks.exitCode == 1, "\(noTasks.stderr)")
        #expect(noTasks.stderr.contains("metrics export of spec 'G001'"), "\(noTasks.stderr)")
        #expect(!FileManager.default.fileExists(atPath: project.statusURL("F001-metrics").path))
        // A status file with such an id, from before the rule: metrics --export refuses to
        // overwrite it, and list shows it beside F001 (whose own export it does not show).
        #expect(try project.run(["metrics", "F001", "--export"]).exitCode == 0)
        #expect(!(try project.run(["list"]).stdout.contains("F001-metrics")), "a metrics export is no spec")
        try FileManager.default.removeItem(at: project.statusURL("F001-metrics"))
        try FileManager.default.copyItem(at: project.statusURL("F001"), to: project.statusURL("F001-metrics"))
        let legacy = try project.fingerprint(".claude/execution/F001-metrics.json")
        let overwrite = try project.run(["metrics", "F001", "--export"])
        #expect(overwrite.exitCode == 6, "\(overwrite.stderr)")
        #expect(try project.fingerprint(".claude/execution/F001-metrics.json") == legacy)
        let list = try project.run(["list", "--json"])
        let specs = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]).compactMap { $0["spec"] as? String }
        #expect(specs == ["F001", "F001-metrics"])
    }

    // MARK: - 7. Deleting the lock file loses nothing

    @Test func deletingTheLockFileWhileWritersRunLosesNoUpdate() throws {
        let project = try project()
        let lock = project.url(".claude/execution/F001.json.lock").path
        // What `git clean -X` or a "stale lock" cleanup does, every 2 ms.
        let deleter = try runProcessInBackground("/bin/sh", ["-c", "while :; do rm -f '\(lock)'; sleep 0.002; done"])
        defer { deleter.terminate(); deleter.waitUntilExit() }
        let writers = 8, each = 25
        var processes: [Process] = []
        for w in 0..<writers {
            let script = (0..<each).map { "\"$0\" warn F001 \"w\(w)-\($0)\" >/dev/null 2>&1 && echo ok" }.joined(separator: "\n")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script, exectrackBinary.path]
            process.currentDirectoryURL = project.root
            let out = project.url("writer-\(w).out")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: out)
            try process.run()
            processes.append(process)
        }
        processes.forEach { $0.waitUntilExit() }
        var succeeded = 0
        for w in 0..<writers {
            succeeded += try String(contentsOf: project.url("writer-\(w).out"), encoding: .utf8).split(separator: "\n").count
        }
        let recorded = (try project.status("F001")["warnings"] as? [[String: Any]] ?? []).count
        #expect(succeeded > 0)
        #expect(recorded == succeeded, "\(succeeded) warn commands succeeded, \(recorded) were recorded")
        print("lock deletion: writers=\(writers)×\(each) succeeded=\(succeeded) recorded=\(recorded)")
    }

    // MARK: - 8. An empty root is no root

    @Test func emptyRootMeansUnsetAndAMissingRootIsNotFound() throws {
        let project = try project()
        let unique = "E\(UInt32.random(in: 0...UInt32.max))"
        try project.write("specs/\(unique)/layered-tasks.md", Self.twoLayers)
        #expect(try project.run(["init", unique], environment: ["EXECTRACK_ROOT": ""]).exitCode == 0)
        #expect(try project.run(["update", unique, "L0", "0", "complete", "--root", ""]).exitCode == 0)
        #expect(try project.run(["update", unique, "L0", "1", "complete", "--root="]).exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: "/.claude/execution/\(unique).json"))
        #expect(FileManager.default.fileExists(atPath: project.statusURL(unique).path))
        let missing = try project.run(["list", "--root", project.url("nowhere").path])
        #expect(missing.exitCode == 2, "\(missing.stderr)")
        #expect(try project.run(["list"], environment: ["EXECTRACK_ROOT": project.url("nowhere").path]).exitCode == 2)
        // --root before the command, from elsewhere.
        let elsewhere = FileManager.default.temporaryDirectory
        let before = try runProcess(exectrackBinary, ["--root", project.root.path, "list"], environment: [:], in: elsewhere)
        #expect(before.exitCode == 0, "\(before.stderr)")
        #expect(before.stdout.contains(unique))
        let inline = try runProcess(exectrackBinary, ["--root=\(project.root.path)", "report", unique], environment: [:], in: elsewhere)
        #expect(inline.exitCode == 0, "\(inline.stderr)")
        // TMPDIR="" is /tmp, not /.
        let demo = try project.run(["demo", "--pace", "0"], environment: ["TMPDIR": ""])
        #expect(demo.exitCode == 0)
        #expect(demo.stdout.contains("Demo project: /tmp/exectrack-demo-"), "\(demo.stdout.prefix(120))")
    }

    // MARK: - 9. archive --remove, then restore, brings back what was archived

    @Test func restoreAfterArchiveRemoveBringsBackTheArchivedState() throws {
        let project = try project()
        try finishAll(project)
        let last = try project.statusBytes("F001")
        let archive = try project.run(["archive", "F001", "--remove"])
        #expect(archive.exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: project.statusURL("F001").path))
        #expect(try project.run(["restore", "F001"]).exitCode == 0)
        #expect(try project.statusBytes("F001") == last)
    }

    // MARK: - 10. parse never silently drops tasks that have progress

    @Test func parseRefusesToDropTasksWithProgressUnlessForced() throws {
        let project = try project()
        for task in 0..<2 { #expect(try project.run(["update", "F001", "L0", "\(task)", "complete"]).exitCode == 0) }
        #expect(try project.run(["update", "F001", "L1", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L1", "1", "failed"]).exitCode == 0)
        let before = try project.fingerprint(".claude/execution/F001.json")
        // A save in mid-edit: only L0 is left.
        try project.write("specs/F001/layered-tasks.md", Self.twoLayers.components(separatedBy: "## Layer 1")[0])
        let refused = try project.run(["parse", "F001"])
        #expect(refused.exitCode == 6)
        #expect(refused.stderr.contains("2 tasks with progress"), "\(refused.stderr)")
        #expect(refused.stderr.contains("L1.0") && refused.stderr.contains("L1.1"), "\(refused.stderr)")
        #expect(try project.fingerprint(".claude/execution/F001.json") == before)
        // Dropping a task that never started needs no --force.
        try project.write("specs/F001/layered-tasks.md", Self.twoLayers.components(separatedBy: "## Layer 2")[0])
        #expect(try project.run(["parse", "F001"]).exitCode == 0)
        let beforeForce = try project.statusBytes("F001")
        try project.write("specs/F001/layered-tasks.md", Self.twoLayers.components(separatedBy: "## Layer 1")[0])
        let forced = try project.run(["parse", "F001", "--force"])
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        let archived = try #require(forced.stderr.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(try Data(contentsOf: project.url(archived)) == beforeForce, "what was dropped stays recoverable")
    }

    // MARK: - 11. One temp-file scheme, cleaned by the next write into the same directory

    @Test func staleTempFilesOfEveryKindOfWriteAreRemoved() throws {
        let project = try project()
        let old = Date().addingTimeInterval(-300)
        func plant(_ directory: String, _ name: String) throws -> URL {
            let url = project.url(directory).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("half".utf8).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url.path)
            return url
        }
        #expect(try project.run(["archive", "F001"]).exitCode == 0)
        let planted = [
            try plant(".claude/execution/archive", ".F001-20260101.json.tmp.999999.1"),
            try plant("out", ".junit.xml.tmp.999999.2"),
            try plant(".claude/execution", ".F001-metrics.json.tmp.999999.3"),
            try plant(".claude/execution", ".OTHER.json.tmp.999999.4.bak"),
        ]
        let userFile = try plant("out", ".notes.tmp.keep")
        #expect(try project.run(["archive", "F001"]).exitCode == 0)
        #expect(try project.run(["export", "F001", "--format", "junit", "--output", "out/junit.xml"]).exitCode == 0)
        #expect(try project.run(["metrics", "F001", "--export"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        for url in planted { #expect(!FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent) survived") }
        #expect(FileManager.default.fileExists(atPath: userFile.path), "a file that is not ours was removed")
    }

    // MARK: - 12. Planted symlinks are never followed to create or write a file

    @Test func plantedSymlinksAreNeverFollowed() throws {
        let project = try project()
        let outside = project.url("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let execution = project.url(".claude/execution")
        // A dangling link at the lock: refused, and nothing is created at its target.
        try FileManager.default.removeItem(at: execution.appendingPathComponent("F001.json.lock"))
        try FileManager.default.createSymbolicLink(atPath: execution.appendingPathComponent("F001.json.lock").path,
                                                   withDestinationPath: outside.appendingPathComponent("lock").path)
        let locked = try project.run(["update", "F001", "L0", "0", "complete"])
        #expect(locked.exitCode == 5, "\(locked.stderr)")
        #expect(locked.stderr.contains("symlink"))
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("lock").path))
        try FileManager.default.removeItem(at: execution.appendingPathComponent("F001.json.lock"))
        // Links at the .bak, the metrics export and the day's archive name, to files outside.
        let targets = ["bak", "metrics", "archive"]
        for name in targets { try Data("mine \(name)".utf8).write(to: outside.appendingPathComponent(name)) }
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10)).replacingOccurrences(of: "-", with: "")
        try FileManager.default.createDirectory(at: execution.appendingPathComponent("archive"), withIntermediateDirectories: true)
        let links = [("F001.json.bak", "bak"), ("F001-metrics.json", "metrics"), ("archive/F001-\(day).json", "archive")]
        for (link, target) in links {
            try? FileManager.default.removeItem(at: execution.appendingPathComponent(link))
            try FileManager.default.createSymbolicLink(atPath: execution.appendingPathComponent(link).path,
                                                       withDestinationPath: outside.appendingPathComponent(target).path)
        }
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        #expect(try project.run(["metrics", "F001", "--export"]).exitCode == 6, "a link at the export name is not an export")
        #expect(try project.run(["archive", "F001"]).exitCode == 0)
        for name in targets {
            #expect(try String(contentsOf: outside.appendingPathComponent(name), encoding: .utf8) == "mine \(name)", "\(name) was written through a link")
        }
        #expect(fileType(execution.appendingPathComponent("F001.json.bak").path) == S_IFREG, "the .bak link was replaced, not followed")
        // A symlinked execution directory is the user's choice and keeps working.
        let moved = try Project()
        try moved.write("specs/F001/layered-tasks.md", Self.twoLayers)
        let elsewhere = moved.url("disk/execution")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: moved.url(".claude"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: moved.url(".claude/execution").path, withDestinationPath: elsewhere.path)
        #expect(try moved.run(["init", "F001"]).exitCode == 0)
        #expect(try moved.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("F001.json.bak").path))
    }

    // MARK: - 13. One spec, one tracker

    @Test func aPartialSpecNameResolvesToItsDirectory() throws {
        let project = try Project(specs: ["042-invoice-export": Self.twoLayers])
        let created = try project.run(["init", "invoice-export"])
        #expect(created.exitCode == 0, "\(created.stderr)")
        #expect(created.stdout.contains(".claude/execution/042-invoice-export.json"))
        #expect(!FileManager.default.fileExists(atPath: project.statusURL("invoice-export").path))
        #expect(try project.status("042-invoice-export")["feature"] as? String == "042-invoice-export")
        let second = try project.run(["init", "042-invoice-export"])
        #expect(second.exitCode == 6, "\(second.stderr)")
        #expect(try project.run(["init", "invoice-export"]).exitCode == 6)
        #expect(try project.run(["update", "invoice-export", "L0", "0", "complete"]).exitCode == 0)
        #expect(try project.run(["report", "invoice-export"]).stdout.contains("1/5 tasks"))
        let files = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution").path).filter { $0.hasSuffix(".json") }
        #expect(files == ["042-invoice-export.json"])
        // An ambiguous name is refused with the candidates.
        try project.write("specs/043-invoice-export-v2/layered-tasks.md", Self.twoLayers)
        try project.write("specs/050-refund-export/layered-tasks.md", Self.twoLayers)
        try project.write("specs/051-refund-export-v2/layered-tasks.md", Self.twoLayers)
        let ambiguous = try project.run(["init", "refund-export"])
        #expect(ambiguous.exitCode == 1)
        #expect(ambiguous.stderr.contains("050-refund-export") && ambiguous.stderr.contains("051-refund-export-v2"))
    }
}

/// The members of the same classes that a review found after the first round.
@Suite struct HardeningReviewTests {
    let base = HardeningTests()

    func task(_ project: Project, _ layer: String, _ index: Int) throws -> [String: Any] {
        (((try project.status("F001")["layers"] as! [String: Any])[layer] as! [String: Any])["tasks"] as! [[String: Any]])[index]
    }

    /// A file reformatted by another tool (indent 4, keys reordered) is the same content: a
    /// command that changes nothing still writes nothing.
    @Test func aReformattedFileIsNotRewrittenByANoOp() throws {
        let project = try base.project()
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        let status = try project.status("F001")
        try JSONSerialization.data(withJSONObject: status, options: [.prettyPrinted, .sortedKeys]).write(to: project.statusURL("F001"))
        let before = try project.fingerprint(".claude/execution/F001.json")
        for command in [["update", "F001", "L0", "0", "complete"], ["parse", "F001"], ["resume", "F001"]] {
            #expect(try project.run(command).exitCode == 0)
            #expect(try project.fingerprint(".claude/execution/F001.json") == before, "\(command) rewrote a reformatted file")
        }
        // validate --fix rewrites a file whose content is unchanged but whose counters are stale.
        var stale = status
        stale["completed_tasks"] = 4
        try JSONSerialization.data(withJSONObject: stale, options: [.prettyPrinted, .sortedKeys]).write(to: project.statusURL("F001"))
        let staleBefore = try project.fingerprint(".claude/execution/F001.json")
        #expect(try project.run(["validate", "F001", "--fix"]).exitCode == 0)
        #expect(try project.fingerprint(".claude/execution/F001.json") != staleBefore)
        #expect(try project.status("F001")["completed_tasks"] as? Int == 1)
    }

    /// Details given with a repeated terminal status are recorded; the timing is kept.
    @Test func aRepeatedTerminalStatusStillRecordsItsDetails() throws {
        let project = try base.project()
        #expect(try project.run(["update", "F001", "L0", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        let first = try task(project, "L0", 0)
        let again = try project.run(["update", "F001", "L0", "0", "complete", "--output", "results", "--files-created", "a.txt",
                                     "--agent", "bob", "--duration-ms", "5", "--json"])
        #expect(again.exitCode == 0)
        #expect(again.stderr.contains("its timing was kept, the details given were recorded"), "\(again.stderr)")
        let second = try task(project, "L0", 0)
        #expect(second["output"] as? String == "results")
        #expect(second["files_created"] as? [String] == ["a.txt"])
        #expect(second["agent"] as? String == "bob")
        #expect(second["completed_at"] as? String == first["completed_at"] as? String)
        #expect(second["duration_ms"] as? Int == first["duration_ms"] as? Int)
    }

    /// Warnings, pauses, unknown fields and task output are progress too: init --force archives
    /// them, parse will not drop a task that carries them.
    @Test func everythingTheTasksFileCannotGiveBackCountsAsProgress() throws {
        for record in [["warn", "F001", "important"], ["pause", "F001", "legal"]] {
            let project = try base.project()
            #expect(try project.run(record).exitCode == 0)
            let before = try project.statusBytes("F001")
            let result = try project.run(["init", "F001", "--force"])
            #expect(result.stderr.contains("is kept in .claude/execution/archive/"), "\(record): \(result.stderr)")
            // The archive is the file as it was, byte for byte.
            let archive = project.url(".claude/execution/archive")
            let kept = try FileManager.default.contentsOfDirectory(atPath: archive.path).filter { $0.hasSuffix(".json") }
            #expect(try kept.map { try Data(contentsOf: archive.appendingPathComponent($0)) } == [before], "\(kept)")
        }
        let project = try base.project()
        #expect(try project.run(["update", "F001", "L2", "0", "pending", "--output", "notes"]).exitCode == 0)
        try project.write("specs/F001/layered-tasks.md", HardeningTests.twoLayers.components(separatedBy: "## Layer 2")[0])
        let refused = try project.run(["parse", "F001"])
        #expect(refused.exitCode == 6, "\(refused.stderr)")
        #expect(refused.stderr.contains("L2.0"))
    }

    /// A name resolves only to a spec directory named `<prefix>-<name>`; a bare substring does
    /// not, and several candidates are refused with all of them.
    @Test func specNamesResolveStrictly() throws {
        let project = try Project(specs: ["042-invoice-export": HardeningTests.twoLayers, "043-invoice-export-v2": HardeningTests.twoLayers])
        #expect(try project.run(["init", "042-invoice-export"]).exitCode == 0)
        #expect(try project.run(["init", "043-invoice-export-v2"]).exitCode == 0)
        for partial in ["0", "4", "invoice", "export-v"] {
            let result = try project.run(["update", partial, "L0", "0", "complete"])
            #expect(result.exitCode == 2, "\(partial) resolved: \(result.stdout)")
        }
        // A part found in one spec's id is suggested, never acted on.
        #expect(try project.run(["report", "export-v2"]).stderr.contains("did you mean 043-invoice-export-v2?"))
        #expect(try project.run(["report", "invoice-export"]).exitCode == 0)
        #expect(try project.run(["report", "invoice-export-v2"]).exitCode == 0)
        try project.write("specs/044-refunds/layered-tasks.md", HardeningTests.twoLayers)
        try project.write("specs/045_refunds/layered-tasks.md", HardeningTests.twoLayers)
        #expect(try project.run(["init", "044-refunds"]).exitCode == 0)
        #expect(try project.run(["init", "045_refunds"]).exitCode == 0)
        let ambiguous = try project.run(["report", "refunds"])
        #expect(ambiguous.exitCode == 1)
        #expect(ambiguous.stderr.contains("044-refunds, 045_refunds"), "\(ambiguous.stderr)")
        // After archive --remove the spec is still found by its short name, for restore.
        #expect(try project.run(["archive", "invoice-export", "--remove"]).exitCode == 0)
        #expect(try project.run(["restore", "invoice-export"]).exitCode == 0)
    }

    /// No command treats a metrics export as a status file.
    @Test func aMetricsExportIsNeverTakenForASpec() throws {
        let project = try base.project()
        #expect(try project.run(["metrics", "F001", "--export"]).exitCode == 0)
        let export = try project.fingerprint(".claude/execution/F001-metrics.json")
        for command in [["warn", "F001-metrics", "hi"], ["report", "F001-metrics"], ["validate", "F001-metrics", "--fix"],
                        ["update", "F001-metrics", "L0", "0", "complete"]] {
            let result = try project.run(command)
            #expect(result.exitCode == 2, "\(command): \(result.exitCode) \(result.stderr)")
            #expect(result.stderr.contains("is the metrics export of spec F001"), "\(result.stderr)")
        }
        #expect(try project.fingerprint(".claude/execution/F001-metrics.json") == export)
        #expect(try project.run(["metrics", "F001", "--export"]).exitCode == 0)
    }

    /// The tool never writes a number it would refuse to read back.
    @Test func writtenNumbersStayReadable() throws {
        let project = try base.project()
        var status = try project.status("F001")
        var layers = status["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        var tasks = l0["tasks"] as! [[String: Any]]
        tasks[0]["attempts"] = 1_000_000_000
        tasks[1]["status"] = "in_progress"
        tasks[1]["started_at"] = "0001-01-01T00:00:00Z"
        l0["tasks"] = tasks
        layers["L0"] = l0
        status["layers"] = layers
        try JSONSerialization.data(withJSONObject: status).write(to: project.statusURL("F001"))
        #expect(try project.run(["update", "F001", "L0", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "1", "complete"]).exitCode == 0)
        #expect(try project.run(["report", "F001"]).exitCode == 0)
        #expect(try project.run(["validate", "F001"]).exitCode != 4)
        #expect(try task(project, "L0", 0)["attempts"] as? Int == 1_000_000_000)
    }

    /// `/dev/stdout` and `/proc/self/fd/1` redirected to a file are written through, never
    /// replaced. As root this runs in a private mount namespace when `unshare` can make one, so
    /// a regression cannot replace the machine's `/dev/stdout` (without one, a replaced
    /// `/dev/stdout` is put back before the test fails).
    @Test(arguments: ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"])
    func ownStreamsAreWrittenThroughNotReplaced(_ stream: String) throws {
        let project = try base.project()
        let canIsolate = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["unshare", "-m", "true"], environment: [:], in: project.root)
        let isolated = getuid() == 0 && canIsolate.exitCode == 0
        let prefix = isolated
            ? "mount -t tmpfs none /dev && ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd /dev/fd && mknod -m 666 /dev/null c 1 3 && "
            : ""
        let script = prefix + "\"$0\" export F001 --format junit --output \(stream) > out.xml; echo rc=$?; "
            + "if [ -L /dev/stdout ]; then echo link-kept; fi"
        let shell = isolated ? ["unshare", "-m", "sh", "-c", script, exectrackBinary.path] : ["sh", "-c", script, exectrackBinary.path]
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), shell, environment: [:], in: project.root)
        if base.fileType("/dev/stdout") != S_IFLNK {
            unlink("/dev/stdout")
            symlink("/proc/self/fd/1", "/dev/stdout")
        }
        #expect(result.stdout.contains("rc=0") && result.stdout.contains("link-kept"), "\(result.stdout) \(result.stderr)")
        #expect(try String(contentsOf: project.url("out.xml"), encoding: .utf8).contains("<testsuites"))
    }

    /// A symlink at `--output` is replaced, never followed, even to a device; a FIFO nobody reads
    /// is refused at once.
    @Test func outputSymlinksAreReplacedAndDeadFifosRefused() throws {
        let project = try base.project()
        try FileManager.default.createDirectory(at: project.url("reports"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: project.url("reports/junit.xml").path, withDestinationPath: "/dev/zero")
        #expect(try project.run(["export", "F001", "--format", "junit", "--output", "reports/junit.xml"]).exitCode == 0)
        #expect(base.fileType(project.url("reports/junit.xml").path) == S_IFREG)
        #expect(base.fileType("/dev/zero") == S_IFCHR)
        #expect(mkfifo(project.url("reports/nobody").path, 0o644) == 0)
        let dead = try base.runBounded(project, ["export", "F001", "--format", "junit", "--output", "reports/nobody"])
        #expect(dead.exitCode == 5, "\(dead.exitCode) \(dead.stderr)")
        #expect(dead.stderr.contains("nothing is reading"))
    }

    /// A hand edit by `mv` while writers hold the lock is respected: writers start over instead
    /// of failing. (The editor itself may overwrite a writer's change made between its `cp` and
    /// its `mv`: it takes no lock, docs/reliability.md "Limits".)
    @Test func writersStartOverWhenTheFileIsReplacedUnderThem() throws {
        let project = try base.project()
        let status = project.statusURL("F001").path
        let editor = try base.runProcessInBackground("/bin/sh", ["-c",
            "while :; do cp '\(status)' '\(status).edit' 2>/dev/null && mv '\(status).edit' '\(status)'; sleep 0.01; done"])
        var failures: [String] = []
        for i in 0..<40 {
            let result = try project.run(["warn", "F001", "w\(i)"])
            if result.exitCode != 0 { failures.append(result.stderr) }
        }
        editor.terminate()
        editor.waitUntilExit()
        #expect(failures.isEmpty, "\(failures.count) of 40 failed: \(failures.prefix(3))")
        #expect(try project.run(["validate", "F001"]).exitCode == 0)
    }

    /// Stale-temp clean-up in a user's directory touches only the temp files of the file written.
    @Test func cleanupLeavesOtherProgramsFilesAlone() throws {
        let project = try base.project()
        let old = Date().addingTimeInterval(-300)
        var others: [URL] = []
        for name in [".notes.md.tmp.99999.abc", ".config.tmp.4000000.zz", ".a.b.tmp.12.q9.swp"] {
            let url = project.url("out/\(name)")
            try project.write("out/\(name)", "theirs")
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url.path)
            others.append(url)
        }
        let ours = project.url("out/.report.xml.tmp.999999.1")
        try project.write("out/.report.xml.tmp.999999.1", "half")
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: ours.path)
        #expect(try project.run(["export", "F001", "--format", "junit", "--output", "out/report.xml"]).exitCode == 0)
        for url in others { #expect(FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent) was removed") }
        #expect(!FileManager.default.fileExists(atPath: ours.path))
    }

    @Test func messagesAndArgumentsFoundInReview() throws {
        let project = try base.project()
        // A dangling link at the status file is named as such, not "did you mean F001?".
        try FileManager.default.removeItem(at: project.statusURL("F001"))
        try FileManager.default.createSymbolicLink(atPath: project.statusURL("F001").path, withDestinationPath: "/nonexistent/x")
        let dangling = try project.run(["report", "F001"])
        #expect(dangling.stderr.contains("is a symlink to nothing"), "\(dangling.stderr)")
        #expect(!dangling.stderr.contains("did you mean"))
        try FileManager.default.removeItem(at: project.statusURL("F001"))
        // Tasks from a pipe, named by the user; a directory named as the tasks file.
        let piped = try runProcess(URL(fileURLWithPath: "/bin/sh"),
                                   ["-c", "cat specs/F001/layered-tasks.md | \"$0\" init F001 --tasks-file /dev/stdin && \"$0\" parse F001 --tasks-file - < specs/F001/layered-tasks.md", exectrackBinary.path],
                                   environment: [:], in: project.root)
        #expect(piped.exitCode == 0, "\(piped.stderr)")
        let directory = try project.run(["parse", "F001", "--tasks-file", "specs"])
        #expect(directory.exitCode == 2)
        #expect(directory.stderr.contains("is a directory"))
        // The root itself, with a trailing slash, is shown as ".".
        let root = try project.run(["export", "F001", "--format", "junit", "--output", project.root.path + "/"])
        #expect(root.exitCode == 1)
        #expect(root.stderr.contains(". is a directory"), "\(root.stderr)")
        // --root alone, and twice.
        #expect(try project.run(["--root"]).stderr.contains("--root needs a value"))
        #expect(try project.run(["--root", project.root.path]).stderr.contains("missing command"))
        #expect(try project.run(["--root", "/nonexistent", "--root", project.root.path, "list"]).exitCode == 0)
        // Numbers: decimal digits only, and limits that make sense.
        for value in ["0x10", "+5", " 5", "inf", "nan", "1e3", ""] {
            #expect(try project.run(["next", "F001", "--limit", value]).exitCode == 1, "--limit \(value)")
            #expect(try project.run(["watch", "F001", "--interval", value]).exitCode == 1, "--interval \(value)")
            #expect(try project.run(["warn", "F001", "x"], environment: ["EXECTRACK_LOCK_TIMEOUT": value]).exitCode == (value.isEmpty ? 0 : 1),
                    "EXECTRACK_LOCK_TIMEOUT=\(value)")
        }
        #expect(try project.run(["next", "F001", "--limit", "0"]).exitCode == 1)
    }
}
