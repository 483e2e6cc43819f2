import Foundation
import Testing

/// Notification rules end to end (docs/notifications.md): trust, timeout, cooldown, failure and
/// no-loop behaviour, and the shipped examples against a local HTTP listener.
@Suite struct NotificationTests {
    /// A project with F001 seeded and its own user configuration directory.
    final class Setup {
        let project: Project
        let config: URL
        let outbox: URL

        init() throws {
            project = try Project(specs: ["F001": f001Tasks])
            config = project.url("user-config")
            outbox = project.url("outbox")
            try FileManager.default.createDirectory(at: config.appendingPathComponent("exectrack"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
            #expect(try run(["init", "F001"]).exitCode == 0)
        }

        var environment: [String: String] { ["XDG_CONFIG_HOME": config.path] }

        @discardableResult
        func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> RunResult {
            try project.run(arguments, environment: environment.merging(extra) { $1 })
        }

        func userRules(_ json: String) throws { try project.write("user-config/exectrack/notify.json", json) }
        func repositoryRules(_ json: String) throws { try project.write(".claude/exectrack/notify.json", json) }

        /// A command that appends its event type, subject, priority and title to `outbox/<name>`,
        /// and its stdin to `outbox/<name>.stdin`.
        func recorder(_ name: String) -> String {
            let file = outbox.appendingPathComponent(name).path
            return #"["sh", "-c", "cat >> '\#(file).stdin'; printf '%s|%s|%s|%s|%s\\n' \"$EXECTRACK_EVENT\" \"$EXECTRACK_SUBJECT\" \"$EXECTRACK_PRIORITY\" \"$EXECTRACK_TITLE\" \"$EXECTRACK_SPEC\" >> '\#(file)'"]"#
        }

        func received(_ name: String) -> [String] {
            let text = (try? String(contentsOf: outbox.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init)
        }

        func events() throws -> [[String: Any]] {
            let data = try Data(contentsOf: project.url(".claude/execution/F001.events.jsonl"))
            return try data.split(separator: 0x0A).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
        }

        func events(_ type: String) throws -> [[String: Any]] {
            try events().filter { $0["type"] as? String == "dev.exectrack.\(type)" }
        }
    }

    @Test func aMatchingRuleGetsTheEventOnStdinAndItsVariables() throws {
        let s = try Setup()
        try s.userRules(#"{"rules": [{"events": ["task.failed", "error."], "command": \#(s.recorder("out"))}]}"#)
        let result = try s.run(["error", "F001", "L1", "0", "login fails with key sk-live-0123456789abcdefghijkl", "--severity", "high"])
        #expect(result.exitCode == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        // Rules and events run side by side: in any order.
        let lines = s.received("out").sorted()
        #expect(lines == ["dev.exectrack.error.logged|L1/0|high|F001: high error on L1/0|F001",
                          "dev.exectrack.task.failed|L1/0|normal|F001: task L1/0 failed|F001"])
        let stdin = try String(contentsOf: s.outbox.appendingPathComponent("out.stdin"), encoding: .utf8)
        let sent = try stdin.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let logged = try s.events()
        #expect(Set(sent.compactMap { $0["id"] as? String }) == Set(logged.suffix(2).compactMap { $0["id"] as? String }))
        #expect(sent.allSatisfy { $0["specversion"] as? String == "1.0" })
        // The secret never reaches the file, the log or the command.
        #expect(!stdin.contains("0123456789abcdef") && stdin.contains("sk-***"))
        #expect(try !String(contentsOf: s.project.statusURL("F001"), encoding: .utf8).contains("0123456789abcdef"))
    }

    @Test func routineProgressRunsNoRuleByDefault() throws {
        let s = try Setup()
        try s.userRules(#"{"rules": [{"events": ["*"], "command": \#(s.recorder("all"))}]}"#)
        try s.run(["update", "F001", "L0", "0", "in_progress"])
        try s.run(["update", "F001", "L0", "0", "complete"])
        #expect(s.received("all").isEmpty)
        try s.run(["update", "F001", "L0", "1", "complete"])
        #expect(s.received("all").map { $0.split(separator: "|")[0] } == ["dev.exectrack.layer.completed"])
    }

    @Test func theRepositorysRulesRunOnlyOnceTrustedAndUntilTheyChange() throws {
        let s = try Setup()
        try s.repositoryRules(#"{"rules": [{"events": ["warning.logged"], "command": \#(s.recorder("repo"))}]}"#)
        let untrusted = try s.run(["warn", "F001", "first"])
        #expect(untrusted.exitCode == 0)
        #expect(s.received("repo").isEmpty)
        let notices = untrusted.stderrLines.filter { $0.contains("is not trusted") }
        #expect(notices.count == 1 && notices[0].contains(".claude/exectrack/notify.json") && notices[0].contains("exectrack notify --trust"),
                "\(untrusted.stderr)")
        // Reported once per command, however many events it logs.
        let manyEvents = try s.run(["error", "F001", "L0", "0", "boom"])
        #expect(manyEvents.stderrLines.filter { $0.contains("is not trusted") }.count == 1)

        let trusted = try s.run(["notify", "--trust"])
        #expect(trusted.exitCode == 0)
        #expect(trusted.stdout.contains("Trusted .claude/exectrack/notify.json"))
        // Trust lives outside the repository.
        #expect(FileManager.default.fileExists(atPath: s.config.appendingPathComponent("exectrack/trusted.json").path))
        #expect(try s.run(["warn", "F001", "second"]).stderr.isEmpty)
        #expect(s.received("repo").count == 1)
        #expect(try s.run(["notify", "--json"]).stdout.contains(#""state": "active""#))

        // A change (a pull, a hostile commit) needs trusting again.
        try s.repositoryRules(#"{"rules": [{"events": ["*"], "min_priority": "low", "command": \#(s.recorder("repo"))}]}"#)
        let changed = try s.run(["warn", "F001", "third"])
        #expect(changed.stderrLines.filter { $0.contains("changed since it was trusted") }.count == 1)
        #expect(s.received("repo").count == 1)
        #expect(try s.run(["notify"]).stdout.contains("changed since trusted"))
        #expect(try s.run(["notify", "--trust"]).exitCode == 0)
        try s.run(["warn", "F001", "fourth"])
        #expect(s.received("repo").count == 2)
        #expect(try s.run(["notify", "--untrust"]).exitCode == 0)
        try s.run(["warn", "F001", "fifth"])
        #expect(s.received("repo").count == 2)

        // A symlink at the name (to a file trusted elsewhere) is never followed.
        let elsewhere = s.project.url("trusted-elsewhere.json")
        try FileManager.default.moveItem(at: s.project.url(".claude/exectrack/notify.json"), to: elsewhere)
        try FileManager.default.createSymbolicLink(at: s.project.url(".claude/exectrack/notify.json"), withDestinationURL: elsewhere)
        #expect(try s.run(["notify", "--trust"]).exitCode == 4)
        let linked = try s.run(["warn", "F001", "sixth"])
        #expect(linked.stderr.contains("is a symlink"))
        #expect(s.received("repo").count == 2)
    }

    @Test func aCommandPastItsTimeoutIsKilledWithItsGroupAndTheCallerGoesOn() throws {
        let s = try Setup()
        let pids = s.outbox.appendingPathComponent("pids").path
        // The command leaves a grandchild behind; both must die with the group.
        try s.userRules(#"{"rules": [{"events": ["layer.completed"], "timeout_s": 1, "command": ["sh", "-c", "sleep 60 & echo $! > '\#(pids)'; sleep 60"]}]}"#)
        try s.run(["update", "F001", "L0", "0", "complete"])
        let started = Date()
        let result = try s.run(["update", "F001", "L0", "1", "complete"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.exitCode == 0)
        #expect(elapsed < 5, "the caller waited \(elapsed)s for a rule with timeout_s 1")
        #expect(result.stderr.contains("timed out after 1s"))
        let grandchild = try #require(Int32(String(contentsOfFile: pids, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Dead: no longer there, or a zombie waiting for its new parent to reap it.
        func isDead() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8) else { return kill(grandchild, 0) != 0 }
            return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
        }
        var gone = false
        for _ in 0..<50 where !gone {
            gone = isDead()
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the rule's background process \(grandchild) survived the timeout")
        let failed = try s.events("notify.failed")
        #expect(failed.count == 1)
        let data = failed.first?["data"] as? [String: Any]
        #expect((data?["reason"] as? String)?.hasPrefix("timed out") == true)
        #expect(data?["event_type"] as? String == "dev.exectrack.layer.completed")
    }

    @Test func aFailingOrMissingCommandIsLoggedAndNeverTheCallersError() throws {
        let s = try Setup()
        try s.userRules(#"""
        {"rules": [
          {"events": ["warning.logged"], "command": ["sh", "-c", "echo 'upstream said: token=abc123secret'; exit 3"]},
          {"events": ["warning.logged"], "command": ["no-such-notifier-command", "--x"]}
        ]}
        """#)
        let result = try s.run(["warn", "F001", "disk nearly full"])
        #expect(result.exitCode == 0)
        #expect(try s.project.status("F001")["warnings"] as? [Any] != nil)
        let failed = try s.events("notify.failed")
        #expect(failed.count == 2)
        let first = failed[0]["data"] as? [String: Any]
        #expect(first?["exit_code"] as? Int == 3 && first?["reason"] as? String == "exit 3")
        #expect((first?["output"] as? String)?.contains("token=***") == true, "\(first ?? [:])")
        #expect((first?["rule"] as? String)?.hasSuffix("notify.json#1") == true)
        let second = failed[1]["data"] as? [String: Any]
        #expect(second?["reason"] as? String == "command not found: no-such-notifier-command")
        #expect(failed.allSatisfy { $0["subject"] == nil && ($0["seq"] as? Int ?? 0) > 0 })
        // The annotations are beside the state: the next write voids nothing, the log still checks.
        #expect(try s.run(["update", "F001", "L0", "0", "in_progress"]).exitCode == 0)
        #expect(try s.events("event.voided").isEmpty)
        #expect(try s.events("status.edited_externally").isEmpty)
        let validate = try s.run(["validate", "F001"])
        #expect(validate.exitCode == 0, "\(validate.stdout)\(validate.stderr)")
        let replayed = try s.run(["replay", "F001"])
        #expect(replayed.stdout == (try String(contentsOf: s.project.statusURL("F001"), encoding: .utf8)))
    }

    @Test func noLoops() throws {
        let s = try Setup()
        // A rule for every event, failing each time, whose command also writes the spec: neither
        // its write nor the notify.failed it causes runs a rule again; the lock is free for it.
        try s.userRules(#"""
        {"rules": [{"events": ["*"], "min_priority": "low", "command": ["sh", "-c",
          "echo \"$EXECTRACK_EVENT\" >> '\#(s.outbox.path)/loop'; '\#(exectrackBinary.path)' warn F001 \"from the rule\" >/dev/null 2>&1; exit 1"]}]}
        """#)
        let result = try s.run(["update", "F001", "L0", "0", "in_progress"])
        #expect(result.exitCode == 0)
        #expect(s.received("loop") == ["dev.exectrack.task.started"])
        let types = try s.events().compactMap { ($0["type"] as? String)?.replacingOccurrences(of: "dev.exectrack.", with: "") }
        #expect(types == ["spec.initialized", "task.started", "warning.logged", "notify.failed"])
    }

    @Test func theSameEventFiresOnceWithinTheCooldownAcrossProcesses() throws {
        let s = try Setup()
        try s.userRules(#"{"rules": [{"events": ["warning.logged"], "cooldown_s": 600, "command": \#(s.recorder("cool"))}]}"#)
        // Eight processes at once, each logging the same kind of event.
        let processes = try (0..<8).map { i in
            let process = Process()
            process.executableURL = exectrackBinary
            process.arguments = ["warn", "F001", "warning \(i)"]
            process.currentDirectoryURL = s.project.root
            process.environment = ProcessInfo.processInfo.environment.merging(s.environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        processes.forEach { $0.waitUntilExit() }
        #expect(processes.map { $0.terminationStatus } == Array(repeating: 0, count: 8))
        #expect(s.received("cool").count == 1)
        try s.run(["warn", "F001", "later"])
        #expect(s.received("cool").count == 1)
        // Another subject is another event.
        try s.run(["warn", "F001", "on a layer", "--layer", "L1"])
        #expect(s.received("cool").count == 2)
        let stateURL = s.project.url(".claude/exectrack/notify-state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: stateURL)) as? [String: Any]
        #expect((state?["cooldowns"] as? [String: Any])?.count == 2)
        // A cooldown ending further away than the rule's own (a state file shipped in a clone)
        // silences nothing.
        var cooldowns = state?["cooldowns"] as? [String: Any] ?? [:]
        for key in cooldowns.keys { cooldowns[key] = "2099-01-01T00:00:00.000Z" }
        state?["cooldowns"] = cooldowns
        try JSONSerialization.data(withJSONObject: state!).write(to: stateURL)
        try s.run(["warn", "F001", "after the planted state"])
        #expect(s.received("cool").count == 3)
    }

    @Test func aMalformedFileIsReportedOnceAndNeverBlocksTheWrite() throws {
        let s = try Setup()
        for (json, expected) in [
            ("{ not json", "is not valid JSON"),
            (#"{"rules": [{"events": ["task.exploded"], "command": ["true"]}]}"#, "rules[0].events[0]"),
            (#"{"rules": [{"events": ["task.failed"]}]}"#, "rules[0].command"),
            (#"{"rules": [{"events": ["task.failed"], "command": ["true"], "timeout_s": -5}]}"#, "rules[0].timeout_s"),
        ] {
            try s.userRules(json)
            let result = try s.run(["error", "F001", "L0", "0", "boom"])
            #expect(result.exitCode == 0)
            let reports = result.stderrLines.filter { $0.contains("notify.json") }
            #expect(reports.count == 1 && reports[0].contains(expected), "\(result.stderr)")
            #expect(reports.first?.contains("user-config/exectrack/notify.json") == true)
        }
        #expect((try s.project.status("F001")["errors"] as? [Any])?.count == 4)
    }

    @Test func noNotifySilencesEveryRule() throws {
        let s = try Setup()
        try s.userRules(#"{"rules": [{"events": ["*"], "min_priority": "low", "command": \#(s.recorder("quiet"))}]}"#)
        try s.run(["update", "F001", "L0", "0", "in_progress"], ["EXECTRACK_NO_NOTIFY": "1"])
        #expect(s.received("quiet").isEmpty)
        try s.run(["update", "F001", "L0", "0", "complete"])
        #expect(s.received("quiet").count == 1)
    }

    @Test func notifyTestSendsASampleToEveryActiveRule() throws {
        let s = try Setup()
        try s.userRules(#"{"rules": [{"events": ["layer.completed"], "min_priority": "urgent", "command": \#(s.recorder("sample"))}]}"#)
        let result = try s.run(["notify", "F001", "--test"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("notify.json#1: ok"))
        #expect(s.received("sample").first?.hasPrefix("dev.exectrack.notify.test||urgent|F001: test notification|F001") == true)
        // Nothing is logged by a test.
        #expect(try s.events("notify.test").isEmpty)
        try s.userRules(#"{"rules": [{"events": ["*"], "command": ["false"]}]}"#)
        let failing = try s.run(["notify", "F001", "--test", "--json"])
        #expect(failing.exitCode == 6)
        #expect(failing.stdout.contains(#""result": "exit 1""#))
        try s.userRules(#"{"rules": []}"#)
        #expect(try s.run(["notify", "F001", "--test"]).exitCode == 6)
        #expect(try s.run(["notify", "--test"]).exitCode == 1)
        #expect(try s.run(["notify", "--trust", "--untrust"]).exitCode == 1)
        #expect(try s.run(["notify", "--trust"]).exitCode == 2)
    }

    // MARK: - The shipped examples

    private func example(_ name: String, events: String, environment: (HTTPListener) -> [String: String],
                         check: (HTTPListener.Request) -> Void) throws {
        _ = try Tool.curl.required()
        if name == "slack" { _ = try Tool.jq.required() }
        let s = try Setup()
        let listener = try HTTPListener()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/notify/\(name).sh").path
        try s.userRules(#"{"rules": [{"events": \#(events), "command": ["\#(script)"], "timeout_s": 10}]}"#)
        let result = try s.run(["error", "F001", "L1", "0", "Database connection timeout", "--severity", "critical"], environment(listener))
        #expect(result.exitCode == 0)
        #expect(!result.stderr.contains("failed"), "\(result.stderr)")
        #expect(try s.events("notify.failed").isEmpty)
        let requests = listener.requests
        #expect(requests.count == 1)
        if let request = requests.first { check(request) }
    }

    @Test func theSlackExamplePostsIncomingWebhookJSON() throws {
        try example("slack", events: #"["error.logged"]"#, environment: { ["SLACK_WEBHOOK_URL": $0.url + "/services/T0/B0/x"] }) { request in
            #expect(request.method == "POST" && request.path == "/services/T0/B0/x")
            #expect(request.headers["content-type"] == "application/json")
            let body = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            #expect(body?.keys.sorted() == ["text"])
            #expect(body?["text"] as? String == "*F001: critical error on L1/0* (urgent)\nDatabase connection timeout")
        }
    }

    @Test func theNtfyExampleSetsTitlePriorityAndTags() throws {
        try example("ntfy", events: #"["error.logged"]"#, environment: { ["NTFY_URL": $0.url + "/builds"] }) { request in
            #expect(request.method == "POST" && request.path == "/builds")
            #expect(request.headers["title"] == "F001: critical error on L1/0")
            #expect(request.headers["priority"] == "urgent")
            #expect(request.headers["tags"] == "exectrack,error.logged")
            #expect(String(decoding: request.body, as: UTF8.self) == "Database connection timeout")
        }
    }

    @Test func theWebhookExamplePostsTheCloudEvent() throws {
        try example("webhook", events: #"["error.logged"]"#, environment: { ["WEBHOOK_URL": $0.url + "/hook"] }) { request in
            #expect(request.method == "POST" && request.path == "/hook")
            #expect(request.headers["content-type"] == "application/cloudevents+json")
            #expect(request.headers["x-exectrack-priority"] == "urgent")
            let event = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            #expect(event?["type"] as? String == "dev.exectrack.error.logged")
            #expect(event?["specversion"] as? String == "1.0" && event?["source"] as? String == "exectrack/F001")
            #expect(((event?["data"] as? [String: Any])?["error"] as? [String: Any])?["error"] as? String == "Database connection timeout")
        }
    }
}
