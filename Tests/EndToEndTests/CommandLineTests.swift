import Foundation
import Testing

/// Help, version, root discovery, spec discovery and the demo, as users meet them.
@Suite struct CommandLineTests {
    /// Every command of the tool's own table (`exectrack help --json`), its aliases too.
    @Test(arguments: commandTable)
    func everyCommandHasHelp(_ command: CommandInfo) throws {
        let project = try Project()
        for name in [command.name] + command.aliases {
            for flag in ["--help", "-h"] {
                let r = try project.run([name, flag])
                #expect(r.exitCode == 0)
                #expect(r.stdout.contains("Usage: exectrack \(command.name)"))
                // Every option the table lists is in the help, and only those.
                for option in command.options { #expect(r.stdout.contains("  \(option.name)"), "\(name): \(option.name)") }
                #expect(r.stdout.contains("--root") == (command.option("--root") != nil), "\(name) --root")
                #expect(r.stderr.isEmpty)
            }
            let viaHelp = try project.run(["help", name])
            #expect(viaHelp.stdout.contains("Usage: exectrack \(command.name)"))
        }
    }

    @Test func overviewAndVersion() throws {
        let project = try Project()
        let help = try project.run(["--help"])
        #expect(help.exitCode == 0)
        for command in commandTable { #expect(help.stdout.contains("  \(command.name) "), "\(command.name)") }
        // Only the commands that touch no project go without --root.
        #expect(commandTable.filter { $0.option("--root") == nil }.map(\.name).sorted() == ["completions", "demo"])
        let version = try project.run(["--version"])
        #expect(version.exitCode == 0)
        #expect(version.stdout.hasPrefix("exectrack "))
        let none = try project.run([])
        #expect(none.exitCode == 1)
        #expect(none.stderrLines.count == 1)
    }

    @Test func aliasParseLayeredTasks() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        let r = try project.run(["parse-layered-tasks", "F001"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("F001")["total_tasks"] as? Int == 13)
    }

    @Test func rootIsFoundFromASubdirectoryAndOverridable() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let deep = project.url("src/module/deeper")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        var r = try project.run(["update", "F001", "L0", "0", "in_progress"], in: deep)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let elsewhere = try Project()
        r = try elsewhere.run(["report", "F001", "--root", project.root.path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try elsewhere.run(["report", "F001"], environment: ["EXECTRACK_ROOT": project.root.path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Feature F001: AI Chat Interface"))
    }

    @Test func tasksFileDiscovery() throws {
        let project = try Project()
        try project.write("specs/F002/agent-tasks/layered-tasks.md", "# Feature: Agent Dir\n## Layer 0: Base\n- Do it (`/x`, a, easy)\n")
        try project.write("specs/007-invoice-export/layered-tasks.md", "# Feature: Invoices\n## Layer 0: Base\n- Export (`/x`, a, easy)\n")
        try project.write("specs/010-search-A/layered-tasks.md", "## Layer 0: Base\n- One (`/x`, a, easy)\n")
        try project.write("specs/011-search-B/layered-tasks.md", "## Layer 0: Base\n- Two (`/x`, a, easy)\n")
        try project.write("plans/custom.md", "# Feature: Custom\n## Layer 0: Base\n- Three (`/x`, a, easy)\n")

        var r = try project.run(["init", "F002"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("F002")["feature_name"] as? String == "Agent Dir")
        r = try project.run(["init", "invoice-export"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        // Stored under the directory's name, so one spec never gets two status files.
        #expect(try project.status("007-invoice-export")["feature_name"] as? String == "Invoices")
        r = try project.run(["init", "search"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("specs/010-search-A/layered-tasks.md"))
        #expect(r.stderr.contains("specs/011-search-B/layered-tasks.md"))
        r = try project.run(["init", "X9", "--tasks-file", "plans/custom.md"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("X9")["feature_name"] as? String == "Custom")
        r = try project.run(["init", "NOPE"])
        #expect(r.exitCode == 2)
    }

    @Test func initForceStartsOverAndKeepsBackup() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let progressed = try project.statusBytes("F001")
        let r = try project.run(["init", "F001", "--force"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("F001")["status"] as? String == "pending")
        #expect(try Data(contentsOf: project.url(".claude/execution/F001.json.bak")) == progressed)
    }

    @Test func initForceReplacesACorruptFileAndKeepsTheLastGoodBackup() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let lastGood = try Data(contentsOf: project.url(".claude/execution/F001.json.bak"))
        try Data("{\"truncated\": ".utf8).write(to: project.statusURL("F001"))
        var r = try project.run(["init", "F001"])
        #expect(r.exitCode == 6)
        r = try project.run(["report", "F001"])
        #expect(r.exitCode == 4)
        r = try project.run(["init", "F001", "--force"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("F001")["total_tasks"] as? Int == 13)
        #expect(try Data(contentsOf: project.url(".claude/execution/F001.json.bak")) == lastGood)
    }

    @Test func demoRunsTheWholeLifecycle() throws {
        let project = try Project()
        let r = try project.run(["demo", "--pace", "20", "--keep"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        // A report after each of the four layers plus one after the error.
        #expect(r.stdout.components(separatedBy: "Feature F001: AI Chat Interface").count - 1 == 5)
        #expect(r.stdout.contains("Recent Errors:\n  ❌ L1.3 [high, timeout] Database connection timeout"))
        #expect(r.stdout.contains("Overall Progress: 100% (13/13 tasks) ✅  [██████████]\nStatus: complete\nTotal Duration: "))
        // The scratch project is real: its status file holds honest durations.
        let path = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Demo project: ") })
            .dropFirst("Demo project: ".count)
        let statusURL = URL(fileURLWithPath: String(path)).appendingPathComponent(".claude/execution/F001.json")
        let status = try JSONSerialization.jsonObject(with: Data(contentsOf: statusURL)) as! [String: Any]
        defer { try? FileManager.default.removeItem(atPath: String(path)) }
        #expect(status["completion_percentage"] as? Int == 100)
        let l1 = ((status["layers"] as! [String: Any])["L1"] as! [String: Any])["tasks"] as! [[String: Any]]
        #expect(l1[3]["attempts"] as? Int == 2)
        for task in l1 { #expect((task["duration_ms"] as? Int ?? 0) >= 20) }
    }

    /// The scratch project goes away at the end unless --keep is given.
    @Test func demoRemovesItsProjectUnlessKept() throws {
        let project = try Project()
        let r = try project.run(["demo", "--pace", "0"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let path = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Demo project: ") })
            .dropFirst("Demo project: ".count)
        #expect(r.stdout.contains("Overall Progress: 100% (13/13 tasks) ✅"))
        #expect(r.stdout.hasSuffix("Removed the demo project (run with --keep to inspect it).\n"))
        #expect(!FileManager.default.fileExists(atPath: String(path)), "\(path) is left behind")
    }
}
