import Foundation

/// One model request a generated transcript holds, with its final token counts: what a
/// correct reader must count, known without reading the transcript back.
public struct GeneratedRequest: Equatable, Sendable {
    public var messageID: String
    public var model: String
    public var sessionID: String
    public var sidechain: Bool
    public var input: Int64
    public var output: Int64
    public var cacheWrite5m: Int64
    public var cacheWrite1h: Int64
    public var cacheRead: Int64

    public init(messageID: String, model: String, sessionID: String, sidechain: Bool, input: Int64, output: Int64,
                cacheWrite5m: Int64, cacheWrite1h: Int64, cacheRead: Int64) {
        self.messageID = messageID
        self.model = model
        self.sessionID = sessionID
        self.sidechain = sidechain
        self.input = input
        self.output = output
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
        self.cacheRead = cacheRead
    }

    public var cacheWrite: Int64 { cacheWrite5m + cacheWrite1h }
    public var prompt: Int64 { input + cacheWrite + cacheRead }
}

/// Writes transcripts in the line shapes Claude Code uses (docs/usage.md, "Sources"): user
/// prompts, tool results (some quoting `"usage"` inside their text), summaries, `<synthetic>`
/// notices, and assistant requests split into one line per content block (thinking, text,
/// tool use) that share `message.id` and `requestId`, the earlier lines carrying a partial
/// `output_tokens`. Seeded: the same seed writes the same bytes.
public struct TranscriptGenerator {
    var random: SplitMix64
    public let sessionID: String
    public let models: [String]
    var counter = 0

    public init(seed: UInt64, sessionID: String, models: [String]) {
        random = SplitMix64(seed: seed)
        self.sessionID = sessionID
        self.models = models
    }

    mutating func int(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &random) }

    mutating func nextID(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(sessionID.prefix(8))\(String(counter, radix: 36))\(String(random.next() % 1_000_000, radix: 36))"
    }

    static func line(_ object: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    func envelope(_ type: String, sidechain: Bool, uuid: String) -> [String: Any] {
        ["parentUuid": NSNull(), "isSidechain": sidechain, "userType": "external", "cwd": "/work/app", "sessionId": sessionID,
         "version": "2.0.31", "gitBranch": "main", "type": type, "uuid": uuid, "timestamp": "2026-12-07T10:00:00.000Z"]
    }

    /// `requests` requests (some on the sidechain when `sidechainShare` > 0), with the lines
    /// around them; some prompts above 200,000 tokens, so tiered prices are exercised.
    public mutating func conversation(requests count: Int, sidechainShare: Double = 0) -> (text: String, requests: [GeneratedRequest]) {
        var text = ""
        var requests: [GeneratedRequest] = []
        for i in 0..<count {
            var user = envelope("user", sidechain: false, uuid: nextID("u"))
            user["message"] = ["role": "user", "content": "Step \(i): implement the next part of the feature"]
            text += Self.line(user)
            let sidechain = Double(random.next() % 1000) / 1000 < sidechainShare
            let big = random.next() % 10 == 0
            let oneHour = random.next() % 3 == 0
            let write = int(0...4_000)
            let request = GeneratedRequest(
                messageID: nextID("msg"), model: models[Int(random.next() % UInt64(models.count))], sessionID: sessionID,
                sidechain: sidechain, input: int(1...600), output: int(20...3_000),
                cacheWrite5m: oneHour ? 0 : write, cacheWrite1h: oneHour ? write : 0,
                cacheRead: big ? int(200_001...400_000) : int(0...150_000))
            requests.append(request)
            text += assistantLines(request)
            if random.next() % 2 == 0 {
                var result = envelope("user", sidechain: sidechain, uuid: nextID("u"))
                result["message"] = ["role": "user", "content": [["type": "tool_result", "tool_use_id": nextID("toolu"),
                    "content": "{\"usage\": {\"input_tokens\": 999999}, \"note\": \"a file the agent read\"}"]]]
                text += Self.line(result)
            }
            if random.next() % 25 == 0 {
                var notice = envelope("assistant", sidechain: false, uuid: nextID("u"))
                notice["message"] = ["id": nextID("msg"), "model": "<synthetic>", "role": "assistant", "type": "message",
                                     "content": [["type": "text", "text": "API Error: Request was aborted."]],
                                     "usage": ["input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0]]
                text += Self.line(notice)
            }
            if random.next() % 40 == 0 { text += Self.line(["type": "summary", "summary": "Work on step \(i)", "leafUuid": nextID("u")]) }
        }
        return (text, requests)
    }

    /// One request as Claude Code writes it: a line per content block, `output_tokens`
    /// growing to its final value on the last.
    public mutating func assistantLines(_ r: GeneratedRequest) -> String {
        let blocks: [[String: Any]] = [
            ["type": "thinking", "thinking": "Let me look at the code first.", "signature": "sig"],
            ["type": "text", "text": "I will edit the service now."],
            ["type": "tool_use", "id": nextID("toolu"), "name": "Edit", "input": ["file_path": "/work/app/a.ts", "old_string": "a", "new_string": "b"]],
        ]
        let used = Int(1 + random.next() % 3)
        let requestID = nextID("req")
        var text = ""
        for b in 0..<used {
            var line = envelope("assistant", sidechain: r.sidechain, uuid: nextID("u"))
            line["requestId"] = requestID
            let output = b == used - 1 ? r.output : min(r.output, Int64(1 + b * 3))
            var usage: [String: Any] = ["input_tokens": r.input, "output_tokens": output,
                                        "cache_creation_input_tokens": r.cacheWrite, "cache_read_input_tokens": r.cacheRead,
                                        "service_tier": "standard"]
            usage["cache_creation"] = ["ephemeral_5m_input_tokens": r.cacheWrite5m, "ephemeral_1h_input_tokens": r.cacheWrite1h]
            line["message"] = ["id": r.messageID, "type": "message", "role": "assistant", "model": r.model,
                               "content": [blocks[b]], "stop_reason": b == used - 1 ? "tool_use" : NSNull(), "stop_sequence": NSNull(),
                               "usage": usage]
            text += Self.line(line)
        }
        return text
    }
}
