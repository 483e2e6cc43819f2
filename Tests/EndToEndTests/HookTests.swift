import Foundation
import Testing

/// `exectrack hook` fed Claude Code hook payloads (docs/hooks.md), built from the published hook
/// reference in `Fixtures/hooks/` (with fields a later version may add), and `setup hooks`.
@Suite struct HookTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hooks")

    /// A fixture with its placeholders filled in.
    private func payload(_ name: String, session: String = "sess-1", agent: String = "agent-a", project: Project,
                         stdout: String = "") throws -> Data {
        var text = try String(contentsOf: Self.fixtures.appendingPathComponent("\(name).json"), encoding: .utf8)
        let escaped = String(data: try JSONSerialization.data(withJSONObject: [stdout]), encoding: .utf8)!.dropFirst(2).dropLast(2)
        text = text.replacingOccurrences(of: "SESSION", with: session).replacingOccurrences(of: "AGENT", with: agent)
            .replacingOccurrences(of: "PROJECT", with: project.root.path).replacingOccurrences(of: "STDOUT", with: String(escaped))
        return Data(text.utf8)
    }

    /// Runs `exectrack hook` with `input` on stdin (from a file: a pipe's end inherited by a
    /// long-lived process of a test running alongside would keep it open).
    @discardableResult
    private func hook(_ project: Project, _ input: Data, environment: [String: String] = [:]) throws -> RunResult {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-hook-\(UUID().uuidString).json")
        try input.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try runProcess(exectrackBinary, ["hook"], environment: environment, in: project.root, stdin: file)
    }

    private func tasks(_ project: Project) throws -> [[String: Any]] {
        let layers = try project.status("F001")["layers"] as? [String: Any] ?? [:]
        return layers.keys.sorted().flatMap { ((layers[$0] as? [String: Any])?["tasks"] as? [[String: Any]]) ?? [] }
    }

    private func agents(_ project: Project) throws -> [String: [String: Any]] {
        let list = try project.status("F001")["agents"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as? String ?? "", $0) })
    }

    private func hookLog(_ project: Project) -> [String] {
        ((try? String(contentsOf: project.url(".claude/exectrack/hook.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// A process standing for one agent (a `claude -p` of its own), so that it can be killed:
    /// started detached, so no handle of the test waits for it.
    private func agentProcess(_ project: Project) throws -> Int32 {
        // Foundation's Process can miss the exit of a program that leaves a child running.
        let started = try spawnAndWait(["sh", "-c", "sleep 300 >/dev/null 2>&1 </dev/null & echo $!"], in: project.root)
        return try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func aRealisticSessionIsTrackedByItsHooks() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        try project.run(["update", "F001", "L0", "0", "complete"])
        // The session starts; two subagents start and each claims a task through Bash.
        for result in [try hook(project, payload("SessionStart", project: project)),
                       try hook(project, payload("SubagentStart", agent: "agent-a", project: project)),
                       try hook(project, payload("SubagentStart", agent: "agent-b", project: project))] {
            #expect(result.exitCode == 0 && result.stdout.isEmpty && result.stderr.isEmpty)
        }
        let a = try agentProcess(project), b = try agentProcess(project)
        defer { kill(a, SIGKILL); kill(b, SIGKILL) }
        var claimed: [String: String] = [:]
        for (agent, pid) in [("agent-a", a), ("agent-b", b)] {
            let claim = try project.run(["claim", "F001", "--agent", "implementer-\(agent.suffix(1))", "--any-layer"],
                                        environment: ["EXECTRACK_AGENT_PID": "\(pid)"])
            #expect(claim.exitCode == 0)
            claimed[agent] = claim.stdout
            #expect(try hook(project, payload("PostToolUse-claim", agent: agent, project: project, stdout: claim.stdout)).exitCode == 0)
        }
        var running = try tasks(project).filter { $0["status"] as? String == "in_progress" }
        #expect(running.count == 2)
        let leases = running.compactMap { $0["claimed_by"] as? [String: Any] }
        #expect(Set(leases.compactMap { $0["agent_id"] as? String }) == ["agent-a", "agent-b"])
        #expect(leases.allSatisfy { $0["session_id"] as? String == "sess-1" })

        // Tool calls right after a claim write nothing (the heartbeat is not due).
        let before = try project.statusBytes("F001")
        #expect(try hook(project, payload("PostToolUse-edit", agent: "agent-a", project: project)).exitCode == 0)
        #expect(try project.statusBytes("F001") == before)

        // agent-a finishes its task and stops; agent-b is killed without a SubagentStop.
        let aTask = try #require(claimed["agent-a"]?.split(separator: " "))
        try project.run(["update", "F001", String(aTask[0]), String(aTask[1]), "complete", "--agent", "implementer-a"])
        #expect(try hook(project, payload("SubagentStop", agent: "agent-a", project: project)).exitCode == 0)
        kill(b, SIGKILL)
        // Gone once its parent (init) reaps it; a zombie counts as dead already.
        usleep(100_000)
        let listed = try project.run(["agents", "F001", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.first { $0["id"] as? String == "implementer-b" }?["state"] as? String == "dead", "\(listed.stdout)")
        let reap = try project.run(["reap", "F001"])
        #expect(reap.exitCode == 0 && reap.stdout.contains("reaped"), "\(reap.stdout)")
        running = try tasks(project).filter { $0["status"] as? String == "in_progress" }
        #expect(running.isEmpty)
        let records = try agents(project)
        #expect(records["session-sess-1"]?["type"] as? String == "session")
        #expect(records["agent-a"]?["status"] as? String == "finished" && records["agent-a"]?["type"] as? String == "implementer")
        #expect(records["agent-b"]?["status"] as? String == "dead")
        #expect((records["agent-b"]?["tasks"] as? [String])?.count == 1)
        let events = try Data(contentsOf: project.url(".claude/execution/F001.events.jsonl")).split(separator: 0x0A)
            .map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
        let reaped = events.filter { $0["type"] as? String == "dev.exectrack.agent.reaped" }
        #expect(reaped.count == 1)
        #expect(((reaped.first?["data"] as? [String: Any])?["previous_owner"] as? [String: Any])?["agent_id"] as? String == "agent-b")
        #expect(try hook(project, payload("SessionEnd", project: project)).exitCode == 0)
        #expect(try agents(project)["session-sess-1"]?["status"] as? String == "finished")
        #expect(hookLog(project).isEmpty, "\(hookLog(project))")
        #expect(try project.run(["validate", "F001"]).exitCode == 0)
    }

    @Test func aSubagentThatStopsHoldingATaskLeavesItDeadAndFlagged() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try hook(project, payload("SubagentStart", project: project))
        let claim = try project.run(["claim", "F001", "--agent", "impl"])
        try hook(project, payload("PostToolUse-claim", project: project, stdout: claim.stdout))
        #expect(try hook(project, payload("SubagentStop", project: project)).exitCode == 0)
        let held = try #require(try tasks(project).first { $0["status"] as? String == "in_progress" })
        #expect((held["claimed_by"] as? [String: Any])?["ended_at"] is String)
        #expect((try project.status("F001")["warnings"] as? [[String: Any]])?.last?["message"] as? String ?? "" != "")
        #expect(try project.run(["agents", "F001"]).stdout.contains("impl  dead"))
        #expect(try project.run(["reap", "F001", "--to", "failed"]).stdout.contains("reaped"))
    }

    @Test func heartbeatsAreWrittenOncePerAThirdOfTheTTL() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let claim = try project.run(["claim", "F001", "--agent", "impl", "--ttl", "3s"])
        try hook(project, payload("PostToolUse-claim", project: project, stdout: claim.stdout))
        let linked = try tasks(project).first { $0["status"] as? String == "in_progress" }?["heartbeat_at"] as? String
        try hook(project, payload("PostToolUse-edit", project: project))
        #expect(try tasks(project).first { $0["status"] as? String == "in_progress" }?["heartbeat_at"] as? String == linked)
        usleep(1_100_000)
        try hook(project, payload("PostToolUse-edit", project: project))
        let renewed = try tasks(project).first { $0["status"] as? String == "in_progress" }?["heartbeat_at"] as? String
        #expect(renewed != nil && renewed != linked)
        // Another session's tool calls renew nothing of this one.
        usleep(1_100_000)
        try hook(project, payload("PostToolUse-edit", session: "sess-2", project: project))
        #expect(try tasks(project).first { $0["status"] as? String == "in_progress" }?["heartbeat_at"] as? String == renewed)
    }

    @Test(arguments: ["SessionStart", "SubagentStart", "PostToolUse-claim", "PostToolUse-edit", "SubagentStop", "Stop", "SessionEnd",
                      "UserPromptSubmit", "PreToolUse", "Notification", "PreCompact"])
    func everyEventKindExitsZeroAndPrintsNothing(kind: String) throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let result = try hook(project, payload(kind, project: project, stdout: "L0 0 Setup database schema"))
        #expect(result.exitCode == 0)
        #expect(result.stdout.isEmpty && result.stderr.isEmpty)
        #expect(try project.run(["validate", "F001"]).exitCode == 0)
    }

    @Test(arguments: [
        ("not JSON", Data("SessionStart please".utf8)),
        ("a JSON list", Data("[1, 2]".utf8)),
        ("no hook_event_name", Data(#"{"session_id": "s"}"#.utf8)),
        ("no session", Data(#"{"hook_event_name": "SubagentStart"}"#.utf8)),
        ("a SubagentStop without agent_id", Data(#"{"hook_event_name": "SubagentStop", "session_id": "s"}"#.utf8)),
        ("10 MB", Data(#"{"hook_event_name": "PostToolUse", "tool_response": ""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 10_000_000) + Data(#""}"#.utf8)),
        ("a claim naming no task", Data(#"{"hook_event_name": "PostToolUse", "session_id": "s", "tool_name": "Bash", "tool_input": {"command": "exectrack claim F001"}, "tool_response": {"stdout": "L9 42 nothing"}}"#.utf8)),
    ])
    func badPayloadsChangeNothingAndLogOneLine(name: String, input: Data) throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let before = try project.statusBytes("F001")
        let result = try hook(project, input)
        #expect(result.exitCode == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stderr)")
        #expect(try project.statusBytes("F001") == before)
        #expect(hookLog(project).count == 1, "\(hookLog(project))")
    }

    @Test func aSpecThatDoesNotExistIsLoggedAndChangesNothing() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let before = try project.statusBytes("F001")
        // F001 is not in progress, the hint names no spec: nothing to record on.
        #expect(try hook(project, payload("SubagentStart", project: project), environment: ["EXECTRACK_SPEC": "F404"]).exitCode == 0)
        #expect(try project.statusBytes("F001") == before)
        #expect(hookLog(project).count == 1)
        // With the hint naming it, the spec is found.
        #expect(try hook(project, payload("SubagentStart", project: project), environment: ["EXECTRACK_SPEC": "F001"]).exitCode == 0)
        #expect(try agents(project)["agent-a"] != nil)
    }

    @Test func theHookNeverWaitsForTheLock() throws {
        _ = try Tool.flock.required()
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let lock = project.url(".claude/execution/F001.json.lock").path
        let holder = Process()
        holder.executableURL = try Tool.flock.required()
        holder.arguments = [lock, "sleep", "5"]
        try holder.run()
        defer { holder.terminate() }
        usleep(200_000)
        let started = Date()
        let result = try hook(project, payload("SubagentStart", project: project), environment: ["EXECTRACK_SPEC": "F001"])
        #expect(result.exitCode == 0)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(hookLog(project).last?.contains("another writer holds the lock") == true, "\(hookLog(project))")
    }

    @Test func setupHooksKeepsTheUsersHooksAndIsIdempotent() throws {
        let project = try Project()
        try project.write(".claude/settings.json", """
        {
          "permissions": {"allow": ["Bash(npm test)"]},
          "hooks": {
            "PostToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "npx prettier --write"}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "/opt/bin/exectrack hook"}]}]
          },
          "model": "sonnet"
        }
        """)
        let dry = try project.run(["setup", "hooks", "--dry-run"])
        #expect(dry.exitCode == 0 && dry.stdout.contains("would add to .claude/settings.json: hooks.SessionStart"))
        let setup = try project.run(["setup", "hooks", "--json"])
        #expect(setup.exitCode == 0)
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: project.url(".claude/settings.json"))) as! [String: Any]
        #expect(settings["model"] as? String == "sonnet")
        #expect((settings["permissions"] as? [String: Any])?["allow"] as? [String] == ["Bash(npm test)"])
        let hooks = settings["hooks"] as! [String: Any]
        #expect(Set(hooks.keys) == ["PostToolUse", "Stop", "SessionStart", "SessionEnd", "SubagentStart", "SubagentStop"])
        let post = hooks["PostToolUse"] as! [[String: Any]]
        #expect(post.count == 2 && post[0]["matcher"] as? String == "Write|Edit")
        #expect(((post[1]["hooks"] as? [[String: Any]])?.first)?["command"] as? String == "exectrack hook")
        #expect((hooks["Stop"] as! [[String: Any]]).count == 1, "a hook already wired is kept, not doubled")
        let again = try project.run(["setup", "hooks"])
        #expect(again.stdout.contains("nothing to change"))
        try project.write(".claude/settings.json", "{ \"hooks\": [] }")
        #expect(try project.run(["setup", "hooks"]).exitCode == 6)
    }
}
