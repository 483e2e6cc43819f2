import Foundation
import Testing
import SeededRandom

/// Tokens and cost (docs/usage.md) as users get them: `usage` on generated Claude Code
/// transcripts and `claude -p` results, `budget`, the hook on Stop and SubagentStop, and every
/// output that carries the figures.
@Suite struct UsageEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/usage")

    func project() throws -> Project {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        return project
    }

    func json(_ result: RunResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
    }

    func usage(_ project: Project, _ task: Int = 0) throws -> [String: Any]? {
        let layer = (try project.status("F001")["layers"] as? [String: Any])?["L0"] as? [String: Any]
        return ((layer?["tasks"] as? [[String: Any]])?[task])?["usage"] as? [String: Any]
    }

    func int(_ value: Any?) -> Int64 { (value as? NSNumber)?.int64Value ?? -1 }

    @Test func aTranscriptIsReadOnceIncrementallyAndAfterRotationWithoutDoubleCounting() throws {
        let project = try project()
        var generator = TranscriptGenerator(seed: 21, sessionID: "sess-e2e", models: ["claude-sonnet-4-5", "claude-opus-4-5"])
        let (first, requests) = generator.conversation(requests: 400)
        try project.write("t.jsonl", first)
        let imported = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl", "--json"])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let added = try #require(try json(imported)["added"] as? [String: Any])
        #expect(int(added["input_tokens"]) == requests.map(\.input).reduce(0, +))
        #expect(int(added["output_tokens"]) == requests.map(\.output).reduce(0, +), "each request from its last snapshot")
        #expect(int(added["cache_creation_input_tokens"]) == requests.map(\.cacheWrite).reduce(0, +))
        #expect(int(added["requests"]) == 400)

        // Read again: nothing new, nothing written.
        let before = try project.statusBytes("F001")
        let again = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl", "--json"])
        #expect(try json(again)["nothing_new"] as? Bool == true)
        #expect(try project.statusBytes("F001") == before)

        // Grown: only the new part; a line still being written waits for the next read.
        let (more, newRequests) = generator.conversation(requests: 50)
        let cut = more.index(more.endIndex, offsetBy: -40)
        try project.write("t.jsonl", first + String(more[..<cut]))
        let grown = try json(try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl", "--json"]))
        try project.write("t.jsonl", first + more)
        let rest = try json(try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl", "--json"]))
        #expect(int(grown["new_requests"]) + int(rest["new_requests"]) == 50)
        let total = try #require(try usage(project))
        #expect(int(total["output_tokens"]) == (requests + newRequests).map(\.output).reduce(0, +))
        #expect(int(total["requests"]) == 450)

        // Rotated: a shorter file is read from its start; what was counted stays counted once.
        try project.write("t.jsonl", String(first.prefix(first.count / 2)))
        let rotated = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl"])
        #expect(rotated.exitCode == 0)
        #expect(rotated.stdout.contains("read again from its start"), "\(rotated.stdout)")
        #expect(try usage(project)?["requests"] as? Int == 450)
    }

    @Test func costsMatchAnIndependentComputationFromLiteLLMsOwnPriceFile() throws {
        let python = try Tool.python3.required()
        guard let prices = ProcessInfo.processInfo.environment["EXECTRACK_LITELLM_PRICES"], !prices.isEmpty else {
            try skipTest("EXECTRACK_LITELLM_PRICES is not set (.ci/run extracts model_prices_and_context_window.json from the litellm wheel)")
        }
        let project = try project()
        try FileManager.default.createDirectory(at: project.url(".claude/exectrack"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: prices), to: project.url(".claude/exectrack/pricing.json"))
        // One model with tiers above 100k prompt tokens (and a 1-hour rate in the tier), and two without.
        var generator = TranscriptGenerator(seed: 34, sessionID: "sess-py", models: ["claude-haiku-5-5", "claude-sonnet-4-5", "claude-opus-4-7"])
        let (text, _) = generator.conversation(requests: 600, sidechainShare: 0.2)
        try project.write("t.jsonl", text)
        let imported = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl", "--json"])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let ours = try #require(try json(imported)["added"] as? [String: Any])
        let theirs = try runProcess(python, [Self.fixtures.appendingPathComponent("cost.py").path, prices, project.url("t.jsonl").path],
                                    environment: [:], in: project.root)
        let independent = try #require(try JSONSerialization.jsonObject(with: Data(theirs.stdout.utf8)) as? [String: Any], "\(theirs.stderr)")
        for key in ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "requests"] {
            #expect(int(ours[key]) == int(independent[key]), "\(key)")
        }
        let cost = try #require(ours["cost_usd"] as? Double)
        let expected = try #require(independent["cost_usd"] as? Double)
        #expect((cost * 100).rounded() == (expected * 100).rounded(), "\(cost) vs \(expected)")
        #expect(abs(cost - expected) < 0.001)
        // The same figure in metrics.
        let metrics = try json(try project.run(["metrics", "F001", "--format", "json"]))
        #expect(((metrics["usage"] as? [String: Any])?["cost_usd"] as? Double).map { abs($0 - expected) < 0.001 } == true)
    }

    @Test func aReportedCostWinsAndIsTakenOnce() throws {
        let project = try project()
        var generator = TranscriptGenerator(seed: 8, sessionID: "sess-r", models: ["claude-sonnet-4-5"])
        try project.write("t.jsonl", generator.conversation(requests: 30).text)
        #expect(try project.run(["usage", "F001", "L0", "1", "--from-transcript", "t.jsonl"]).exitCode == 0)
        let result = #"""
        {"type":"result","subtype":"success","is_error":false,"num_turns":30,"session_id":"sess-r","total_cost_usd":1.25,
         "usage":{"input_tokens":900,"output_tokens":20000,"cache_creation_input_tokens":1000,"cache_read_input_tokens":50000}}
        """#
        try project.write("result.json", result)
        let taken = try project.run(["usage", "F001", "L0", "1", "--from-result", "result.json"])
        #expect(taken.exitCode == 0, "\(taken.stderr)")
        #expect(taken.stdout.contains("replaced by its reported cost"))
        let after = try #require(try usage(project, 1))
        #expect(after["cost_usd"] as? Double == 1.25)
        #expect(after["cost_source"] as? String == "reported")
        #expect(int(after["output_tokens"]) == 20000)
        // Again, from stdin: nothing added.
        let twice = try runProcess(exectrackBinary, ["usage", "F001", "L0", "1", "--from-result", "-", "--json"], environment: [:],
                                   in: project.root, stdin: project.url("result.json"))
        #expect(try json(twice)["already_imported"] as? Bool == true)
        #expect(try usage(project, 1)?["cost_usd"] as? Double == 1.25)
        // Counts given by hand with a reported cost.
        let manual = try project.run(["usage", "F001", "L0", "0", "--input-tokens", "100", "--output-tokens", "50", "--cost-usd", "0.5"])
        #expect(manual.exitCode == 0)
        #expect(try usage(project)?["cost_source"] as? String == "reported")
    }

    @Test func badInputIsRefusedWithTheRightExitCodeAndNothingChanged() throws {
        let project = try project()
        try project.write("t.jsonl", #"{"message":{"id":"m","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":1}}}"# + "\n")
        let before = try project.statusBytes("F001")
        for (arguments, code, words) in [
            (["usage", "F001", "L0", "0", "--input-tokens", "-5"], Int32(1), "--input-tokens"),
            (["usage", "F001", "L0", "0", "--input-tokens", "1.5"], 1, "whole number"),
            (["usage", "F001", "L0", "0", "--cost-usd", "nan"], 1, "--cost-usd"),
            (["usage", "F001", "L0", "0", "--input-tokens", "5", "--from-transcript", "t.jsonl"], 1, "give one of"),
            (["usage", "F001", "L0", "0", "--from-transcript", "missing.jsonl"], 2, "no transcript"),
            (["usage", "F001", "L0", "0", "--from-transcript", "."], 1, "directory"),
            (["usage", "F001", "L0", "9", "--input-tokens", "5"], 6, "out of range"),
            (["usage", "F404", "L0", "0", "--input-tokens", "5"], 2, "F404"),
            (["budget", "F001", "--usd", "-1"], 1, "--usd"),
            (["budget", "F001", "--usd", "1", "--clear"], 1, "not both"),
        ] {
            let result = try project.run(arguments)
            #expect(result.exitCode == code, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        }
        #expect(try project.statusBytes("F001") == before)
        // Nothing to add: the task's usage is shown.
        let shown = try project.run(["usage", "F001", "L0", "0"])
        #expect(shown.exitCode == 0 && shown.stdout == "L0.0: no usage recorded\n", "\(shown.stdout)")

        // A price file of the wrong shape: exit 4 naming it and the field, for what needs prices only.
        try project.write(".claude/exectrack/pricing.json", #"{"claude-sonnet-4-5": {"input_cost_per_token": "three dollars"}}"#)
        for arguments in [["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl"],
                          ["usage", "F001", "L0", "0", "--input-tokens", "5", "--model", "claude-sonnet-4-5"]] {
            let refused = try project.run(arguments)
            #expect(refused.exitCode == 4)
            #expect(refused.stderr.contains(".claude/exectrack/pricing.json") && refused.stderr.contains("claude-sonnet-4-5.input_cost_per_token"),
                    "\(refused.stderr)")
        }
        #expect(try project.statusBytes("F001") == before)
        for arguments in [["report", "F001"], ["metrics", "F001"], ["budget", "F001"],
                          ["usage", "F001", "L0", "0", "--input-tokens", "5", "--cost-usd", "0.01"]] {
            #expect(try project.run(arguments).exitCode == 0, "\(arguments)")
        }

        // An unknown model: tokens kept, cost null, one warning.
        try FileManager.default.removeItem(at: project.url(".claude/exectrack/pricing.json"))
        let unknown = try project.run(["usage", "F001", "L0", "1", "--input-tokens", "5", "--model", "gpt-imaginary"])
        #expect(unknown.exitCode == 0)
        #expect(unknown.stderr.contains("no price for model gpt-imaginary"))
        #expect(try usage(project, 1)?["cost_usd"] is NSNull)
        #expect(int(try usage(project, 1)?["input_tokens"]) == 5)

        // Lines that are not JSON or have bad counts: skipped, counted in the message.
        try project.write("bad.jsonl", "garbage\n" + #"{"message":{"id":"x","usage":{"input_tokens":-3}}}"# + "\n"
            + #"{"message":{"id":"y","model":"claude-sonnet-4-5","usage":{"input_tokens":2,"output_tokens":2}}}"# + "\n")
        let skipped = try project.run(["usage", "F001", "L0", "1", "--from-transcript", "bad.jsonl"])
        #expect(skipped.exitCode == 0)
        #expect(skipped.stdout.contains("skipped 2 lines (not JSON: 1, bad token counts: 1)"), "\(skipped.stdout)")
    }

    @Test func crossingTheBudgetIsLoggedOnceAndShownEverywhere() throws {
        let project = try project()
        #expect(try project.run(["budget", "F001", "--usd", "1"]).exitCode == 0)
        for (task, cost) in [("0", "0.6"), ("1", "0.6"), ("1", "0.3")] {
            #expect(try project.run(["usage", "F001", "L0", task, "--input-tokens", "1000", "--model", "claude-sonnet-4-5",
                                     "--cost-usd", cost]).exitCode == 0)
        }
        let events = try project.run(["events", "F001", "--type", "budget.exceeded", "--json"])
        let exceeded = try #require(try JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [[String: Any]])
        #expect(exceeded.count == 1, "\(events.stdout)")
        #expect((exceeded.first?["data"] as? [String: Any])?["spent_usd"] as? Double == 1.2)
        let budget = try json(try project.run(["budget", "F001", "--json"]))
        #expect(budget["spent_usd"] as? Double == 1.5)
        #expect(budget["exceeded_at"] is String)
        let report = try project.run(["report", "F001"]).stdout
        #expect(report.contains("Usage: ") && report.contains("$1.50 reported") && report.contains("over by $0.50"), "\(report)")
        let metrics = try project.run(["metrics", "F001"]).stdout
        #expect(metrics.contains("Tokens and Cost:") && metrics.contains("Cost per completed task") == false)
        #expect(metrics.contains("Most expensive tasks:"))
    }

    @Test func exportsCarryTheUsageOfEachTask() throws {
        let project = try project()
        #expect(try project.run(["update", "F001", "L0", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["usage", "F001", "L0", "0", "--input-tokens", "1200", "--output-tokens", "300",
                                 "--cache-read-tokens", "5000", "--cache-write-tokens", "700", "--model", "claude-sonnet-4-5"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        let junit = try project.run(["export", "F001", "--format", "junit"])
        #expect(junit.stdout.contains(#"<property name="gen_ai.usage.input_tokens" value="1200"/>"#))
        #expect(junit.stdout.contains(#"<property name="gen_ai.request.model" value="claude-sonnet-4-5"/>"#))
        #expect(junit.stdout.contains(#"<property name="exectrack.cost_usd""#))
        let otlp = try project.run(["export", "F001", "--format", "otlp"]).stdout
        for name in ["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens",
                     "gen_ai.usage.cache_creation.input_tokens", "gen_ai.request.model", "gen_ai.agent.name", "exectrack.cost_usd"] {
            #expect(otlp.contains("\"\(name)\""), "\(name)")
        }
        let metrics = try json(try project.run(["metrics", "F001", "--format", "json"]))
        let figures = try #require(metrics["usage"] as? [String: Any])
        let expected: Double = (1200.0 * 3 + 300.0 * 15 + 5000.0 * 0.3 + 700.0 * 3.75) / 1_000_000
        #expect(abs((figures["cost_usd"] as? Double ?? 0) - expected) < 1e-9)
        #expect(abs((figures["cost_per_completed_task_usd"] as? Double ?? 0) - expected) < 1e-6)
        #expect((figures["by_model"] as? [String: Any])?.keys.sorted() == ["claude-sonnet-4-5"])
        #expect(try project.run(["metrics", "F001", "--export"]).exitCode == 0)
    }

    /// Stop and SubagentStop bring in the usage of the transcripts they name, on the task the
    /// session or subagent held; the subagent's requests, also in the parent's transcript as
    /// sidechain lines, count once.
    @Test func theHookImportsUsageOnStopAndSubagentStop() throws {
        let project = try project()
        let session = "sess-hook"
        var generator = TranscriptGenerator(seed: 55, sessionID: session, models: ["claude-sonnet-4-5"])
        let (parentOwn, parentRequests) = generator.conversation(requests: 12)
        let (subagent, subRequests) = generator.conversation(requests: 8, sidechainShare: 1)
        try project.write("session.jsonl", parentOwn + subagent)
        try project.write("agent-b.jsonl", subagent)
        func payload(_ fields: [String: Any]) throws -> URL {
            var object: [String: Any] = ["session_id": session, "transcript_path": project.url("session.jsonl").path,
                                         "cwd": project.root.path, "permission_mode": "default"]
            object.merge(fields) { $1 }
            let url = project.url("payload-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: object).write(to: url)
            return url
        }
        func hook(_ fields: [String: Any]) throws {
            let result = try runProcess(exectrackBinary, ["hook"], environment: [:], in: project.root, stdin: try payload(fields))
            #expect(result.exitCode == 0 && result.stdout.isEmpty && result.stderr.isEmpty)
        }
        // The session holds L0/0; a subagent claims L0/1 through Bash.
        #expect(try project.run(["claim", "F001", "--agent", "lead", "--session", session]).exitCode == 0)
        let claim = try project.run(["claim", "F001", "--agent", "impl-b"])
        try hook(["hook_event_name": "PostToolUse", "agent_id": "agent-b", "agent_type": "implementer", "tool_name": "Bash",
                  "tool_input": ["command": "exectrack claim F001 --agent impl-b"], "tool_response": ["stdout": claim.stdout, "stderr": ""]])
        try hook(["hook_event_name": "SubagentStop", "agent_id": "agent-b", "agent_type": "implementer", "stop_hook_active": false,
                  "agent_transcript_path": project.url("agent-b.jsonl").path])
        try hook(["hook_event_name": "Stop", "stop_hook_active": false])
        let lead = try #require(try usage(project, 0))
        let sub = try #require(try usage(project, 1))
        #expect(int(lead["requests"]) == Int64(parentRequests.count))
        #expect(int(sub["requests"]) == Int64(subRequests.count))
        #expect(int(lead["output_tokens"]) == parentRequests.map(\.output).reduce(0, +))
        // Nothing new: a second Stop writes nothing.
        let before = try project.statusBytes("F001")
        try hook(["hook_event_name": "Stop", "stop_hook_active": false])
        #expect(try project.statusBytes("F001") == before)
    }

    /// The hook runs no rule itself (it must not hold the agent up): a budget it crosses is
    /// handed to `notify --deliver` in a process of its own, which runs the user's rule.
    @Test func aBudgetCrossedByTheHookIsNotified() throws {
        let project = try project()
        let config = project.url("user-config")
        let outbox = project.url("outbox.txt")
        try project.write("user-config/exectrack/notify.json", #"""
        {"rules": [{"events": ["budget.exceeded"], "command": ["sh", "-c", "printf '%s %s\\n' \"$EXECTRACK_EVENT\" \"$EXECTRACK_TITLE\" >> '\#(outbox.path)'"]}]}
        """#)
        let environment = ["XDG_CONFIG_HOME": config.path]
        #expect(try project.run(["budget", "F001", "--usd", "0.01"], environment: environment).exitCode == 0)
        #expect(try project.run(["claim", "F001", "--agent", "lead", "--session", "sess-b"], environment: environment).exitCode == 0)
        var generator = TranscriptGenerator(seed: 77, sessionID: "sess-b", models: ["claude-sonnet-4-5"])
        try project.write("session.jsonl", generator.conversation(requests: 40).text)
        let payload = project.url("stop.json")
        try JSONSerialization.data(withJSONObject: ["session_id": "sess-b", "transcript_path": project.url("session.jsonl").path,
                                                    "cwd": project.root.path, "hook_event_name": "Stop", "stop_hook_active": false])
            .write(to: payload)
        let started = Date()
        let result = try runProcess(exectrackBinary, ["hook"], environment: environment, in: project.root, stdin: payload)
        #expect(result.exitCode == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stderr)")
        var received = ""
        while Date().timeIntervalSince(started) < 20 {
            received = (try? String(contentsOf: outbox, encoding: .utf8)) ?? ""
            if !received.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(received == "dev.exectrack.budget.exceeded F001: over budget\n", "\(received)")
    }

    /// What an attacker or a runaway tool can put in a result, a transcript, a price file or the
    /// ledger's directory: refused or skipped, never a crash, never a file written elsewhere.
    @Test func hostileFiguresAndFilesAreRefusedOrSkipped() throws {
        let project = try project()
        for (json, field) in [(#"{"usage":{"input_tokens":5},"total_cost_usd":1e17}"#, "total_cost_usd"),
                              (#"{"usage":{"input_tokens":5},"num_turns":-3}"#, "num_turns"),
                              (#"{"usage":{"input_tokens":5},"num_turns":"x"}"#, "num_turns"),
                              (#"{"usage":{"input_tokens":5},"session_id":5}"#, "session_id"),
                              (#"{"usage":{"input_tokens":5000000000000}}"#, "usage.input_tokens"),
                              (#"{"usage":{"input_tokens":5},"modelUsage":{"a":{"inputTokens":3,"costUSD":-1}}}"#, "modelUsage.a.costUSD")] {
            try project.write("r.json", json)
            let refused = try project.run(["usage", "F001", "L0", "0", "--from-result", "r.json"])
            #expect(refused.exitCode == 1 && refused.stderr.contains(field), "\(json): \(refused.stderr)")
        }
        // Counts past a trillion are bad counts; the sums stay meaningful.
        try project.write("t.jsonl", #"{"message":{"id":"a","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"output_tokens":9223372036854775807}}}"# + "\n"
            + #"{"message":{"id":"b","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"output_tokens":2}}}"# + "\n")
        let skipped = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "t.jsonl"])
        #expect(skipped.exitCode == 0 && skipped.stdout.contains("bad token counts: 1"), "\(skipped.stdout)")
        #expect(try project.run(["report", "F001"]).exitCode == 0)
        // A line longer than the reader takes is skipped as one unreadable line.
        let long = String(repeating: "x", count: 17 << 20)
        try project.write("long.jsonl", "{\"pad\":\"\(long)\"}\n" + #"{"message":{"id":"c","model":"claude-sonnet-4-5","usage":{"input_tokens":3,"output_tokens":4}}}"# + "\n")
        let oversized = try project.run(["usage", "F001", "L0", "1", "--from-transcript", "long.jsonl", "--json"])
        let read = try json(oversized)
        #expect(int(read["new_requests"]) == 1 && int((read["skipped_lines"] as? [String: Any])?["not_json"]) == 1, "\(oversized.stdout)")
        // A price per token above a dollar is no price.
        try project.write(".claude/exectrack/pricing.json", #"{"m": {"input_cost_per_token": 1000000, "output_cost_per_token": 0}}"#)
        let price = try project.run(["usage", "F001", "L0", "0", "--input-tokens", "5", "--model", "m"])
        #expect(price.exitCode == 4 && price.stderr.contains("m.input_cost_per_token"), "\(price.stderr)")
        try FileManager.default.removeItem(at: project.url(".claude/exectrack/pricing.json"))
        // The ledger's directory as a symlink into another project: refused, the other file untouched.
        let victim = try self.project()
        let before = try victim.statusBytes("F001")
        try FileManager.default.removeItem(at: project.url(".claude/exectrack/usage"))
        try FileManager.default.createSymbolicLink(atPath: project.url(".claude/exectrack/usage").path,
                                                   withDestinationPath: victim.url(".claude/execution").path)
        try project.write("fresh.jsonl", #"{"message":{"id":"f","model":"claude-sonnet-4-5","usage":{"input_tokens":3,"output_tokens":4}}}"# + "\n")
        let linked = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "fresh.jsonl"])
        #expect(linked.exitCode == 5 && linked.stderr.contains("is a symlink"), "\(linked.stderr)")
        #expect(try victim.statusBytes("F001") == before)
        try FileManager.default.removeItem(at: project.url(".claude/exectrack/usage"))
        // A ledger of another version or kind is exit 4, not rewritten.
        try project.write(".claude/exectrack/usage/F001.json", #"{"schema_version": 2, "requests": []}"#)
        let versioned = try project.run(["usage", "F001", "L0", "0", "--from-transcript", "fresh.jsonl"])
        #expect(versioned.exitCode == 4 && versioned.stderr.contains("schema_version"), "\(versioned.stderr)")
        // A cost beyond any real one, written by hand, is refused on reading, not a crash.
        try FileManager.default.removeItem(at: project.url(".claude/exectrack/usage/F001.json"))
        var status = try project.status("F001")
        status["budget_usd"] = 1e300
        try JSONSerialization.data(withJSONObject: status).write(to: project.statusURL("F001"))
        let huge = try project.run(["report", "F001"])
        #expect(huge.exitCode == 4 && huge.stderr.contains("budget_usd"), "\(huge.stderr)")
    }

    /// Known dollars stay counted when another part of a task's cost is unknown.
    @Test func aKnownCostIsNotLostBesideAnUnknownOne() throws {
        let project = try project()
        #expect(try project.run(["budget", "F001", "--usd", "1"]).exitCode == 0)
        #expect(try project.run(["usage", "F001", "L0", "0", "--input-tokens", "10"]).exitCode == 0)
        #expect(try project.run(["usage", "F001", "L0", "0", "--input-tokens", "10", "--cost-usd", "5"]).exitCode == 0)
        let budget = try json(try project.run(["budget", "F001", "--json"]))
        #expect(budget["spent_usd"] as? Double == 5)
        #expect(budget["exceeded_at"] is String)
        let usage = try #require(try usage(project))
        #expect(usage["cost_usd"] is NSNull && usage["known_cost_usd"] as? Double == 5)
    }
}
