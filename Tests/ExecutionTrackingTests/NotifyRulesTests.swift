import Testing
@testable import ExecutionCore

/// Notification rules, priorities and texts (docs/notifications.md), and the secret masking
/// every stored or sent message goes through.
@Suite struct NotifyRulesTests {
    private func parse(_ text: String) -> NotifyConfig { NotifyConfig.parse(Array(text.utf8), file: "notify.json") }

    private func event(_ type: EventType, subject: String? = nil, data: JSONObject = JSONObject()) -> EventRecord {
        EventRecord(ChangeEvent(type, subject: subject, data: data), spec: "F001", id: "e1", seq: 1,
                    time: Timestamp(millisecondsSinceEpoch: 0), actor: JSONObject())
    }

    @Test func aValidFileGivesItsRulesWithDefaults() {
        let config = parse(#"{"$schema": "x", "rules": [{"events": ["task.failed", "error.", "spec.*"], "command": ["notify-send", "hi"]},"#
            + #" {"name": "all", "events": ["*"], "min_priority": "urgent", "command": ["true"], "timeout_s": 2.5, "cooldown_s": 60}]}"#)
        #expect(config.problems.isEmpty)
        #expect(config.rules.count == 2)
        #expect(config.rules[0].events == [.type(.taskFailed), .prefix("dev.exectrack.error."), .prefix("dev.exectrack.spec.")])
        #expect(config.rules[0].timeoutSeconds == NotifyRule.defaultTimeoutSeconds && config.rules[0].cooldownSeconds == 0)
        #expect(config.rules[0].origin == "notify.json#1")
        #expect(config.rules[1].name == "all" && config.rules[1].minPriority == .urgent && config.rules[1].timeoutSeconds == 2.5)
        // The list alone is accepted too.
        #expect(parse(#"[{"events": ["*"], "command": ["true"]}]"#).rules.count == 1)
    }

    @Test(arguments: [
        (#"{"rules": [ {"events": ["task.failed"], "command": ["x"]} "#, "is not valid JSON"),
        (#"{"rules": [{"events": ["task.exploded"], "command": ["x"]}]}"#, "rules[0].events[0] 'task.exploded' is no event type"),
        (#"{"rules": [{"events": ["notify.failed"], "command": ["x"]}]}"#, "rules[0].events[0] 'notify.failed' is a notify event"),
        (#"{"rules": [{"events": ["task.failed"]}]}"#, "rules[0].command must be a list of strings"),
        (#"{"rules": [{"events": ["task.failed"], "command": "curl http://x"}]}"#, "rules[0].command must be a list of strings"),
        (#"{"rules": [{"events": ["task.failed"], "command": [""]}]}"#, "rules[0].command must be"),
        (#"{"rules": [{"events": ["task.failed"], "command": ["x"], "timeout_s": -1}]}"#, "rules[0].timeout_s must be a number of seconds above 0"),
        (#"{"rules": [{"events": ["task.failed"], "command": ["x"], "timeout_s": 0}]}"#, "rules[0].timeout_s must be"),
        (#"{"rules": [{"events": ["task.failed"], "command": ["x"], "cooldown_s": "1m"}]}"#, "rules[0].cooldown_s must be"),
        (#"{"rules": [{"events": ["task.failed"], "command": ["x"], "min_priority": "critical"}]}"#, "rules[0].min_priority must be one of low, normal, high, urgent"),
        (#"{"rules": [{"events": [], "command": ["x"]}]}"#, "rules[0].events must be a non-empty list"),
        (#"{"rules": [{"events": ["*"], "command": ["x"], "cooldown": 5}]}"#, "rules[0].cooldown is not a field of a rule"),
        (#"{"rule": []}"#, "has an unknown member \"rule\""),
        (#""x""#, "must be an object with a \"rules\" list"),
    ])
    func aBadFileOrRuleIsNamedWithItsField(text: String, expected: String) {
        let config = parse(text)
        #expect(config.rules.isEmpty)
        #expect(config.problems.count == 1)
        #expect(config.problems.first?.hasPrefix("notify.json") == true)
        #expect(config.problems.first?.contains(expected) == true, "\(config.problems)")
    }

    @Test func aBadRuleLeavesTheOthersInForce() {
        let config = parse(#"{"rules": [{"events": ["nope"], "command": ["x"]}, {"events": ["*"], "command": ["y"]}]}"#)
        #expect(config.rules.map { $0.command } == [["y"]])
        #expect(config.rules.first?.origin == "notify.json#2")
        #expect(config.problems.count == 1)
    }

    @Test func routineProgressIsNotNotifiedUnlessAskedFor() {
        let wildcard = parse(#"[{"events": ["*"], "command": ["x"]}]"#).rules[0]
        #expect(!wildcard.matches(.taskStarted, priority: .low))
        #expect(!wildcard.matches(.taskCompleted, priority: .low))
        #expect(wildcard.matches(.layerCompleted, priority: .normal))
        #expect(wildcard.matches(.errorLogged, priority: .urgent))
        // A type named in full was asked for.
        let named = parse(#"[{"events": ["task.completed"], "command": ["x"]}]"#).rules[0]
        #expect(named.matches(.taskCompleted, priority: .low))
        #expect(!named.matches(.taskFailed, priority: .normal))
        let high = parse(#"[{"events": ["task.completed", "error."], "min_priority": "high", "command": ["x"]}]"#).rules[0]
        #expect(!high.matches(.taskCompleted, priority: .low))
        #expect(!high.matches(.errorLogged, priority: .normal))
        #expect(high.matches(.errorLogged, priority: .urgent))
        // notify.* runs no rule, whatever it says.
        #expect(!wildcard.matches(.notifyFailed, priority: .high))
    }

    @Test func prioritiesFollowTheEventAndTheErrorsSeverity() {
        func error(_ severity: String) -> EventRecord {
            event(.errorLogged, subject: "L1/T1", data: JSONObject([("error", .object(JSONObject([("error", .string("boom")), ("severity", .string(severity))])))]))
        }
        #expect(Notification.priority(of: error("critical")) == .urgent)
        #expect(Notification.priority(of: error("high")) == .high)
        #expect(Notification.priority(of: error("medium")) == .normal)
        #expect(Notification.priority(of: event(.specFailed)) == .high)
        #expect(Notification.priority(of: event(.layerCompleted, subject: "L1")) == .normal)
        #expect(Notification.priority(of: event(.specCompleted)) == .normal)
        #expect(Notification.priority(of: event(.taskStarted)) == .low)
        let note = Notification(error("critical"), spec: "F001")
        #expect(note.title == "F001: critical error on L1/T1")
        #expect(note.message == "boom")
    }

    @Test func textsAndPayloadAreMasked() {
        let record = event(.errorLogged, subject: "L1/T1", data: JSONObject([("error", .object(JSONObject([
            ("error", .string("auth failed for sk-ant-api03-abcdefghijklmnopqrstuvwx")), ("severity", .string("high")),
        ])))]))
        #expect(Notification(record, spec: "F001").message == "auth failed for sk-***")
        let payload = String(decoding: Notification.payload(record), as: UTF8.self)
        #expect(!payload.contains("abcdefghijklmnop") && payload.contains("sk-***"))
    }

    @Test(arguments: [
        ("key sk-proj-AbCdEfGhIjKlMnOpQrStUv012345 end", "key sk-*** end"),
        ("token ghp_0123456789abcdefghijABCDEFGHIJ012345", "token ghp_***"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_***"),
        ("aws AKIAIOSFODNN7EXAMPLE here", "aws AKIA*** here"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Authorization: Bearer ***"),
        ("curl -H 'authorization: bearer abcdefgh12345678'", "curl -H 'authorization: bearer ***'"),
        ("db password=hunter2 user=x", "db password=*** user=x"),
        (#"{"api_key": "abc123", "x": 1}"#, #"{"api_key": "***", "x": 1}"#),
        ("PASSWORD: s3cret;", "PASSWORD: ***;"),
        ("export DB_PASSWORD=hunter2", "export DB_PASSWORD=***"),
        ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "AWS_SECRET_ACCESS_KEY=***"),
        ("X-Api-Key: abc123def", "X-Api-Key: ***"),
        (#"password: "correct horse battery" ok"#, #"password: "***" ok"#),
        ("slack xoxb-123456789012-abcdefghijkl", "slack xoxb-***"),
        ("https://hooks.slack.com/services/T000/B000/XXXXXXXX failed", "https://hooks.slack.com/*** failed"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter",
         "-----BEGIN RSA PRIVATE KEY-----***\nafter"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\ncut off", "-----BEGIN OPENSSH PRIVATE KEY-----***"),
    ])
    func secretShapesAreMasked(text: String, masked: String) {
        #expect(SecretMask.mask(text) == masked)
    }

    @Test(arguments: [
        "task-ask-for-review", "risk-assessment-done", "passwords are rotated monthly", "see the token bucket",
        "AKIA is an AWS prefix", "Bearer tokens expire", "ghp_short", "desk-0123456789abcdefghij",
    ])
    func ordinaryTextIsLeftAlone(text: String) {
        #expect(SecretMask.mask(text) == text)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
