import Foundation
import Testing

/// Quality gates end to end (docs/gates.md): a real command gate that fails, blocks the layer
/// and then passes; gates.json and its trust; the Stop hook's verdict; bad input.
@Suite struct GateEndToEndTests {
    static let tasks = """
    # Feature: Gated

    ## Layer 0: Infrastructure
    Gates: tests
    - [ ] T001 Set up the database
    - [ ] T002 Add the cache

    ## Layer 1: Core
    - [ ] T003 Build the service
    """

    func project() throws -> Project {
        let project = try Project(specs: ["F001": Self.tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        for task in ["0", "1"] { #expect(try project.run(["update", "F001", "L0", task, "complete"]).exitCode == 0) }
        return project
    }

    func layer(_ project: Project, _ key: String = "L0") throws -> [String: Any] {
        try #require((try project.status("F001")["layers"] as? [String: Any])?[key] as? [String: Any])
    }

    /// A check that fails until `ok` exists, printing a secret the record must not keep.
    func writeCheck(_ project: Project) throws {
        try project.write("check.sh", """
        #!/bin/sh
        if [ -f ok ]; then echo "12 tests passed"; exit 0; fi
        echo "FAIL test_login: token ghp_abcdefghijklmnopqrstuvwxyz0123456789"
        exit 1
        """)
        chmod(project.url("check.sh").path, 0o755)
    }

    @Test func aFailingCommandGateBlocksTheLayerUntilItsRetryPasses() throws {
        let project = try project()
        try writeCheck(project)
        // Tasks done, gate not run: later layers wait, complete-layer refuses naming the gate.
        let next = try project.run(["next", "F001"])
        #expect(next.stdout.isEmpty && next.stderr.contains("required gates have not passed: tests (not run)"), "\(next.stderr)")
        let refused = try project.run(["complete-layer", "F001", "L0"])
        #expect(refused.exitCode == 6 && refused.stderr.contains("tests (not run)"), "\(refused.stderr)")

        let failed = try project.run(["gate", "F001", "L0", "tests", "--run", "--", "./check.sh"])
        #expect(failed.exitCode == 9, "\(failed.stdout) \(failed.stderr)")
        #expect(failed.stdout.contains("❌ tests failed (attempt 1, exit 1"))
        #expect(try project.run(["claim", "F001", "--agent", "a"]).exitCode == 6, "L1 is not handed out")
        let blocked = try project.run(["complete-layer", "F001", "L0"])
        #expect(blocked.exitCode == 6 && blocked.stderr.contains("tests (failed)"), "\(blocked.stderr)")
        #expect(try project.run(["report", "F001"]).stdout.contains("gates: ❌ tests"))

        FileManager.default.createFile(atPath: project.url("ok").path, contents: Data())
        let passed = try project.run(["gate", "F001", "L0", "tests", "--run", "--", "./check.sh"])
        #expect(passed.exitCode == 0, "\(passed.stderr)")
        #expect(passed.stdout.contains("L0's required gates have passed"))
        #expect(try project.run(["complete-layer", "F001", "L0"]).exitCode == 0)
        #expect(try project.run(["claim", "F001", "--agent", "a"]).stdout.hasPrefix("L1 0"))

        // Both attempts in the file, the secret masked; the events; the report; JUnit.
        let gates = try #require(try layer(project)["gates"] as? [[String: Any]])
        #expect(gates.map { $0["status"] as? String } == ["failed", "passed"])
        #expect(gates.map { ($0["attempt"] as? NSNumber)?.intValue } == [1, 2])
        #expect(gates[0]["exit_code"] as? Int == 1)
        let details = try #require(gates[0]["details"] as? String)
        #expect(details.contains("FAIL test_login") && !details.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "\(details)")
        let events = try project.run(["events", "F001", "--type", "gate.failed,gate.passed"]).stdout
        #expect(events.contains("gate.failed L0") && events.contains("gate.passed L0"), "\(events)")
        #expect(try project.run(["report", "F001"]).stdout.contains("gates: ✅ tests"))
        // The log replays to the file: each attempt comes back from its own event.
        let validated = try project.run(["validate", "F001"])
        #expect(validated.exitCode == 0, "\(validated.stdout) \(validated.stderr)")
        let replayed = try project.run(["replay", "F001"]).stdout
        #expect(replayed == String(decoding: try project.statusBytes("F001"), as: UTF8.self))
        let junit = try project.run(["export", "F001", "--format", "junit", "--output", "junit.xml"])
        #expect(junit.exitCode == 0)
        let xml = try String(contentsOf: project.url("junit.xml"), encoding: .utf8)
        #expect(xml.contains(#"name="gate tests (attempt 1)""#) && xml.contains(#"name="gate tests (attempt 2)""#))
        let python = try Tool.python3.required()
        let check = try runProcess(python, ["-c", """
            import sys, junitparser
            xml = junitparser.JUnitXml.fromfile(sys.argv[1])
            cases = [c for s in xml for c in s if c.name.startswith("gate ")]
            print(len(cases), sum(1 for c in cases if not c.is_passed))
            """, project.url("junit.xml").path], environment: [:], in: project.root)
        if check.stderr.contains("No module named 'junitparser'") { try skipTest("junitparser is not installed (pip install junitparser)") }
        #expect(check.stdout == "2 1\n", "\(check.stdout) \(check.stderr)")
    }

    @Test func waivingTheGatesIsLoggedWithTheReason() throws {
        let project = try project()
        #expect(try project.run(["gate", "F001", "L0", "tests", "--status", "failed", "--issues", "3"]).exitCode == 0)
        let noReason = try project.run(["complete-layer", "F001", "L0", "--force"])
        #expect(noReason.exitCode == 6 && noReason.stderr.contains("--force --reason"))
        #expect(try project.run(["complete-layer", "F001", "L0", "--reason", "x"]).exitCode == 1, "--reason needs --force")
        #expect(try project.run(["complete-layer", "F001", "L0", "--force", "--reason", "known flaky test, ticket 42"]).exitCode == 0)
        let events = try project.run(["events", "F001", "--type", "gate.overridden", "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1)
        #expect((list.first?["data"] as? [String: Any])?["reason"] as? String == "known flaky test, ticket 42")
        #expect(try layer(project)["status"] as? String == "complete")
    }

    @Test func scoresJUnitAndTheHookVerdict() throws {
        let project = try project()
        let scored = try project.run(["gate", "F001", "L0", "tests", "--score", "0.8", "--threshold", "0.9", "--json"])
        let attempt = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        #expect(attempt["status"] as? String == "failed")
        #expect(attempt["layer_gates_passed"] as? Bool == false)
        // The Stop hook holds the agent while the gate fails, and never loops it.
        let payload = project.url("stop.json")
        try Data(#"{"session_id":"s","hook_event_name":"Stop","stop_hook_active":false}"#.utf8).write(to: payload)
        let held = try runProcess(exectrackBinary, ["gates", "F001", "--hook"], environment: [:], in: project.root, stdin: payload)
        #expect(held.exitCode == 2 && held.stderr.contains("required gate tests failed"), "\(held.stderr)")
        try Data(#"{"session_id":"s","hook_event_name":"Stop","stop_hook_active":true}"#.utf8).write(to: payload)
        #expect(try runProcess(exectrackBinary, ["gates", "F001", "--hook"], environment: [:], in: project.root, stdin: payload).exitCode == 0)
        #expect(try runProcess(exectrackBinary, ["gates", "F404", "--hook"], environment: [:], in: project.root, stdin: payload).exitCode == 0,
                "a tracking problem never blocks the agent")

        try project.write("report.xml", """
        <testsuite name="unit" tests="4"><testcase name="a"/><testcase name="b"/><testcase name="c"/>
        <testcase name="d"><failure message="boom"/></testcase></testsuite>
        """)
        let junit = try project.run(["gate", "F001", "L0", "tests", "--from-junit", "report.xml", "--threshold", "0.7"])
        #expect(junit.exitCode == 0, "\(junit.stdout) \(junit.stderr)")
        let latest = try #require((try layer(project)["gates"] as? [[String: Any]])?.last)
        #expect(latest["score"] as? Double == 0.75 && latest["issues"] as? Int == 1 && latest["status"] as? String == "passed")
        #expect(try runProcess(exectrackBinary, ["gates", "F001", "--hook"], environment: [:], in: project.root, stdin: payload).exitCode == 0)
        let strict = try project.run(["gate", "F001", "L0", "tests", "--from-junit", "report.xml"])
        #expect(strict.exitCode == 9, "without a threshold any failure fails the gate")
        let annotations = try project.run(["export", "F001", "--format", "annotations"]).stdout
        #expect(annotations.hasPrefix("::error title=F001 L0 required gate tests::❌ tests failed"), "\(annotations)")
    }

    @Test func configuredGatesRunOnlyOnceTrusted() throws {
        let project = try project()
        let config = project.url("user-config")
        let environment = ["XDG_CONFIG_HOME": config.path]
        try project.write(".claude/exectrack/gates.json", #"{"gates": [{"name": "lint", "layers": ["L0"], "run": ["sh", "-c", "echo lint ok"]}]}"#)
        let gates = try project.run(["gates", "F001"], environment: environment)
        #expect(gates.stdout.contains("L0 Infrastructure: waiting on tests (not run), lint (not run)"), "\(gates.stdout)")
        let untrusted = try project.run(["gates", "F001", "--run"], environment: environment)
        #expect(untrusted.exitCode == 6 && untrusted.stderr.contains("not trusted"), "\(untrusted.stderr)")
        #expect(try project.run(["gates", "--trust"], environment: environment).exitCode == 0)
        let ran = try project.run(["gates", "F001", "--run"], environment: environment)
        #expect(ran.exitCode == 0 && ran.stdout.contains("✅ lint passed"), "\(ran.stdout) \(ran.stderr)")
        // A changed file needs trusting again.
        try project.write(".claude/exectrack/gates.json", #"{"gates": [{"name": "lint", "layers": ["L0"], "run": ["sh", "-c", "touch pwned"]}]}"#)
        #expect(try project.run(["gates", "F001", "--run"], environment: environment).exitCode == 6)
        #expect(!FileManager.default.fileExists(atPath: project.url("pwned").path))
        // A gates.json of the wrong shape: exit 4 naming it and the field, for every reader.
        try project.write(".claude/exectrack/gates.json", #"{"gates": [{"name": "lint", "run": "make lint"}]}"#)
        for arguments in [["report", "F001"], ["gates", "F001"], ["next", "F001"]] {
            let bad = try project.run(arguments, environment: environment)
            #expect(bad.exitCode == 4 && bad.stderr.contains(".claude/exectrack/gates.json: gates[0].run"), "\(arguments): \(bad.stderr)")
        }
    }

    @Test func badInputIsRefusedAndChangesNothing() throws {
        let project = try project()
        try project.write("page.html", "<html><body>not junit</body></html>")
        let before = try project.statusBytes("F001")
        for (arguments, code, words) in [
            (["gate", "F001", "L9", "tests", "--status", "passed"], Int32(6), "L9"),
            (["gate", "F001", "L0", " ", "--status", "passed"], 1, "needs a name"),
            (["gate", "F001", "L0", "tests", "--score", "1.5"], 1, "--score"),
            (["gate", "F001", "L0", "tests", "--threshold", "0.5", "--status", "passed"], 1, "--threshold needs --score"),
            (["gate", "F001", "L0", "tests"], 1, "give --status"),
            (["gate", "F001", "L0", "tests", "--status", "maybe"], 1, "--status"),
            (["gate", "F001", "L0", "tests", "--run"], 1, "--run needs the command"),
            (["gate", "F001", "L0", "tests", "--status", "passed", "--run", "--", "true"], 1, "give one of"),
            (["gate", "F001", "L0", "tests", "--timeout", "5s", "--status", "passed"], 1, "--timeout needs --run"),
            (["gate", "F001", "L0", "tests", "--from-junit", "page.html"], 4, "not JUnit"),
            (["gate", "F001", "L0", "tests", "--from-junit", "missing.xml"], 2, "missing.xml"),
            (["gates", "F001", "--run", "--hook"], 1, "cannot be combined"),
        ] {
            let result = try project.run(arguments)
            #expect(result.exitCode == code, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(words) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(try project.statusBytes("F001") == before)
        // A command that cannot start: recorded failed with the reason, exit 10.
        let missing = try project.run(["gate", "F001", "L0", "tests", "--run", "--", "./no-such-check"])
        #expect(missing.exitCode == 10, "\(missing.stdout) \(missing.stderr)")
        #expect(missing.stdout.contains("command not found: ./no-such-check") || missing.stdout.contains("./no-such-check"), "\(missing.stdout)")
        let latest = try #require((try layer(project)["gates"] as? [[String: Any]])?.last)
        #expect(latest["status"] as? String == "failed" && latest["exit_code"] == nil)
        // A command past its timeout is killed with its process group.
        let started = Date()
        let slow = try project.run(["gate", "F001", "L0", "tests", "--run", "--timeout", "1s", "--", "sh", "-c", "sleep 30 & sleep 30"])
        #expect(slow.exitCode == 9 && Date().timeIntervalSince(started) < 10, "\(slow.stdout)")
        let timedOut = try #require((try layer(project)["gates"] as? [[String: Any]])?.last?["details"] as? String)
        #expect(timedOut.contains("timed out"), "\(timedOut)")
    }
}
