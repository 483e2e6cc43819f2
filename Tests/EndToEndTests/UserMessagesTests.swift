import Foundation
import Testing

/// What a new user meets: files from the original scripts, reasons when nothing is ready,
/// warnings, the remembered tasks file, watch's exit codes, and the README's facts.
@Suite struct UserMessagesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What the original scripts' `init` wrote before `parse-layered-tasks.sh` added the tasks.
    static let scriptInitFile = """
    {
      "feature": "F001",
      "feature_name": "AI Chat Interface",
      "status": "pending",
      "current_layer": "L0",
      "total_tasks": 0,
      "completed_tasks": 0,
      "completion_percentage": 0,
      "layers": {
        "L0": {"name": "Infrastructure", "status": "pending", "tasks": []},
        "L1": {"name": "Core Services", "status": "pending", "tasks": []},
        "L2": {"name": "Features", "status": "pending", "tasks": []},
        "L3": {"name": "Integration", "status": "pending", "tasks": []}
      },
      "errors": [],
      "warnings": []
    }
    """

    @Test func theOriginalScriptsInitThenTheSeedsStampThenParse() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.write(".claude/execution/F001.json", Self.scriptInitFile)
        var r = try project.run(["report", "F001"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Status: pending\n"))
        #expect(r.stdout.contains("Layer L0 (Infrastructure): ⏳ pending (0/0 tasks)"))
        #expect(!r.stdout.contains("✅"), "no layer of a spec without tasks is complete")
        #expect(r.stdout.contains("Next Action: Add tasks to F001: run exectrack parse F001\n"))
        r = try project.run(["list"])
        #expect(r.stdout.hasPrefix("F001  pending      [░░░░░░░░░░] 0%    L0 "), "\(r.stdout)")
        r = try project.run(["next", "F001"])
        #expect(r.exitCode == 0 && r.stdout.isEmpty)
        #expect(r.stderr == "nothing ready in F001: it has no tasks yet; run: exectrack parse F001\n")
        r = try project.run(["claim", "F001"])
        #expect(r.exitCode == 6)
        #expect(r.stderr.contains("it has no tasks yet"))

        // Seed step 2: the layer is stamped by hand before its first task starts.
        var object = try project.status("F001")
        var layers = object["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        l0["status"] = "in_progress"
        l0["started_at"] = "2026-01-01T00:00:00Z"
        layers["L0"] = l0
        object["layers"] = layers
        try JSONSerialization.data(withJSONObject: object).write(to: project.statusURL("F001"))
        r = try project.run(["report", "F001"])
        #expect(r.stdout.contains("Status: in_progress\nTime Elapsed: "))
        #expect(r.stdout.contains("Layer L0 (Infrastructure): 🔄 in_progress (0/0 tasks)"))

        // Seed step 1's second line fills in the tasks; the stamp still counts.
        r = try project.run(["parse", "F001"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let parsed = try project.status("F001")
        #expect(parsed["total_tasks"] as? Int == 13)
        #expect(parsed["status"] as? String == "in_progress")
        #expect(parsed["started_at"] as? String == "2026-01-01T00:00:00.000Z")
        #expect(((parsed["layers"] as! [String: Any])["L0"] as! [String: Any])["status"] as? String == "in_progress")
    }

    @Test func nextSaysWhyNothingIsReady() throws {
        let project = try Project(specs: ["N1": """
        # Feature: Why
        ## Layer 0: Base
        - [ ] T1 Model
        ## Layer 1: Top
        - [ ] T2 View
        """])
        try project.run(["init", "N1"])
        func next(_ extra: [String] = []) throws -> RunResult {
            let r = try project.run(["next", "N1"] + extra)
            #expect(r.exitCode == 0, "\(r.stderr)")
            return r
        }
        #expect(try next().stdout == "L0 0 T1 Model\n")
        #expect(try next(["--layer", "L1"]).stderr == "nothing ready in L1 of N1: L1 waits until L0 is done (--any-layer looks past it)\n")
        try project.run(["pause", "N1", "lunch"])
        var r = try next()
        #expect(r.stdout.isEmpty, "nothing is to be started while paused")
        #expect(r.stderr == "nothing ready in N1: it is paused: lunch; run: exectrack resume N1\n")
        #expect(try next(["--json"]).stdout == "[]\n")
        try project.run(["block", "N1", "API keys"])
        #expect(try next().stderr.contains("it is blocked: API keys"))
        try project.run(["resume", "N1"])
        try project.run(["claim", "N1", "--agent", "a"])
        r = try next()
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "nothing ready in N1 yet: 1 task running (L0.0 T1), and L1 waits for them; retry when one finishes\n")
        try project.run(["update", "N1", "L0", "0", "complete"])
        try project.run(["update", "N1", "L1", "0", "skipped"])
        #expect(try next().stderr == "nothing ready in N1: every task is complete or skipped\n")
    }

    @Test func initWarnsAboutAnEmptyLayer() throws {
        let project = try Project(specs: ["E1": """
        # Feature: Gaps
        ## Layer 0: Base
        - [ ] Model
        ## Layer 1: Planned later
        ## Layer 2: Top
        - [ ] View
        """])
        var r = try project.run(["init", "E1"])
        #expect(r.exitCode == 0)
        #expect(r.stderr == "warning: layer L1 (Planned later) has no tasks; it counts as complete, so later layers will not wait for it\n")
        #expect(r.stdout.contains("Initialized .claude/execution/E1.json: 2 tasks in 3 layers"))
        r = try project.run(["parse", "E1"])
        #expect(r.exitCode == 0)
        #expect(r.stderr.hasPrefix("warning: layer L1 (Planned later) has no tasks"))
        let plain = try Project(specs: ["F001": f001Tasks])
        #expect(try plain.run(["init", "F001"]).stderr.isEmpty)
    }

    @Test func warningsAndLongErrorListsInTheReport() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["warn", "F001", "disk nearly full", "--severity", "medium"])
        for task in 0..<4 { try project.run(["error", "F001", "L1", "\(task)", "timeout \(task)"]) }
        var r = try project.run(["report", "F001"])
        #expect(r.stdout.contains("Errors: 4\n"))
        #expect(r.stdout.contains("  … and 1 more (jq '.errors' .claude/execution/F001.json)\nWarnings: 1\n  ⚠️ [medium] disk nearly full"))
        r = try project.run(["report", "F001", "--format", "markdown"])
        #expect(r.stdout.contains("**Warnings:** 1\n\n- ⚠️ **medium**: disk nearly full\n"))
        r = try project.run(["report", "F001", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(json["warning_count"] as? Int == 1)
        #expect((json["recent_warnings"] as? [[String: Any]])?.first?["message"] as? String == "disk nearly full")
    }

    /// `init --tasks-file` is kept in the status file (relative to the project root), so `parse`
    /// re-reads that file, from any directory, and says so when it is gone.
    @Test func parseRemembersTheTasksFileInitWasGiven() throws {
        let project = try Project()
        try project.write("plans/custom.md", "# Feature: Custom\n## Layer 0: Base\n- One\n")
        let sub = project.url("src")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        var r = try project.run(["init", "X9", "--tasks-file", "../plans/custom.md"], in: sub)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("X9")["tasks_file"] as? String == "plans/custom.md")

        try project.write("plans/custom.md", "# Feature: Custom\n## Layer 0: Base\n- One\n- Two\n")
        r = try project.run(["parse", "X9", "--check"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("plans/custom.md"))
        r = try project.run(["parse", "X9"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("added 1"))
        #expect(try project.status("X9")["total_tasks"] as? Int == 2)

        // Another file given to parse replaces the remembered one.
        try project.write("plans/other.md", "# Feature: Other\n## Layer 0: Base\n- One\n")
        #expect(try project.run(["parse", "X9", "--tasks-file", "plans/other.md"]).exitCode == 0)
        #expect(try project.status("X9")["tasks_file"] as? String == "plans/other.md")

        try FileManager.default.removeItem(at: project.url("plans/other.md"))
        let before = try project.statusBytes("X9")
        r = try project.run(["parse", "X9"])
        #expect(r.exitCode == 2)
        #expect(r.stderrLines.count == 1)
        #expect(r.stderr.contains("tasks file not found: plans/other.md"))
        #expect(try project.statusBytes("X9") == before)

        // Files seeded from the usual place carry no tasks_file.
        let usual = try Project(specs: ["F001": f001Tasks])
        try usual.run(["init", "F001"])
        #expect(try usual.status("F001")["tasks_file"] == nil)
    }

    /// A failed spec ends `watch --exit-on-complete` with its own code, not the usage error's 1.
    @Test func watchExitsWithItsOwnCodeWhenTheSpecFails() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let process = Process()
        process.executableURL = exectrackBinary
        process.arguments = ["watch", "F001", "--interval", "0.1", "--exit-on-complete"]
        process.currentDirectoryURL = project.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.3)
        try project.run(["error", "F001", "L0", "0", "disk on fire", "--severity", "critical"])
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 8)
        let help = try project.run(["watch", "--help"]).stdout
        #expect(help.contains("exit 0 when the spec completes, 8 when it fails"))
        #expect(try project.run(["report", "--help"]).stdout.contains("8 when it fails"))
    }

    @Test func installWithARelativePrefixInstallsWhereItWasCalled() throws {
        let bash = try Tool.bash.required()
        let caller = try Project()
        let r = try runProcess(bash, [Self.repository.appendingPathComponent("scripts/install.sh").path, "rel/prefix"],
                               environment: ["EXECTRACK_BIN": exectrackBinary.path], in: caller.root)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let installed = caller.url("rel/prefix/bin/exectrack").path
        #expect(FileManager.default.isExecutableFile(atPath: installed))
        #expect(FileManager.default.fileExists(atPath: caller.url("rel/prefix/share/zsh/site-functions/_exectrack").path))
        #expect(r.stdout.contains("to \(caller.root.path)/rel/prefix/bin/exectrack"))
        #expect(!FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent("rel").path),
                "not relative to the repository")
    }

    /// The README's command table names every option each command takes, and its exit-code and
    /// `--root` facts match the tool.
    @Test func readmeMatchesTheCommandTable() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for command in commandTable {
            let row = rows.first { $0.hasPrefix("| `\(command.name) ") || $0.hasPrefix("| `\(command.name)`") }
            guard let row else {
                Issue.record("README's command table has no row for \(command.name)")
                continue
            }
            for option in command.options where option.name != "--root" && option.name != "--help" {
                #expect(row.contains(option.name), "README's row for \(command.name) does not mention \(option.name)")
            }
        }
        let withoutRoot = commandTable.filter { $0.option("--root") == nil }.map { "`\($0.name)`" }
        #expect(!withoutRoot.isEmpty)
        let sentence = try #require(readme.split(separator: "\n").first { $0.contains("`--root DIR`") })
        for name in withoutRoot { #expect(sentence.contains(name), "README should say \(name) takes no --root: \(sentence)") }
        #expect(readme.contains("| 8 | `watch --exit-on-complete`"))
    }
}
