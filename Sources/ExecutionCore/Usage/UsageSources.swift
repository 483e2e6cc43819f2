// What Claude Code writes about usage (docs/usage.md, "Sources"): its transcript JSONL, where
// one model request is several lines (streaming snapshots, one per content block) sharing
// `message.id` and `requestId`, and the JSON `claude -p --output-format json` prints.

/// One model request as a transcript recorded it: its last snapshot in what was read.
public struct TranscriptRequest: Equatable, Sendable {
    /// `message.id`, else `requestId`; nil when the line names neither (counted on its own).
    public var key: String?
    public var model: String
    public var tokens: RequestTokens
    public var sessionId: String?
    /// A subagent's line (`isSidechain`).
    public var sidechain: Bool
}

/// The requests in a run of transcript lines, with counts of the lines skipped and why.
public struct TranscriptScan: Sendable {
    /// In order of first appearance, each its last snapshot: the first can carry a partial
    /// `output_tokens`.
    public private(set) var requests: [TranscriptRequest] = []
    private var positions: [String: Int] = [:]
    public private(set) var lines = 0
    public private(set) var notJSON = 0
    public private(set) var badCounts = 0

    public init() {}

    /// Lines skipped as unreadable, for the message.
    public var skipped: Int { notJSON + badCounts }

    /// A line the reader skipped without passing it here (longer than it reads).
    public mutating func countUnreadableLine() {
        lines += 1
        notJSON += 1
    }

    /// `lines` holds whole lines, separated by newlines (the reader passes only those that end in one).
    public mutating func add(_ lines: ArraySlice<UInt8>) {
        var start = lines.startIndex
        while start < lines.endIndex {
            let end = lines[start...].firstIndex(of: UInt8(ascii: "\n")) ?? lines.endIndex
            add(line: lines[start..<end])
            start = end + 1
        }
    }

    private static let usageKey = Array("\"usage\"".utf8)

    private mutating func add(line: ArraySlice<UInt8>) {
        guard let first = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        lines += 1
        let last = line.lastIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D })!
        guard line[first] == UInt8(ascii: "{"), line[last] == UInt8(ascii: "}") else { notJSON += 1; return }
        // Most lines (prompts, tool results) carry no usage: they are not parsed at all. An
        // escaped `\"usage\"` inside a string never matches the key with its quotes.
        guard Self.contains(line, Self.usageKey) else { return }
        guard let object = (try? JSONParser.parse(Array(line)))?.objectValue else { notJSON += 1; return }
        guard let message = object["message"]?.objectValue, let usage = message["usage"]?.objectValue else { return }
        // Absent is 0; nil is a count that is not a whole number of 0 or more.
        func count(_ object: JSONObject, _ key: String) -> Int64? {
            guard let value = object[key], !value.isNull else { return 0 }
            guard case .number(let number) = value, let int = number.int64, (0...UsageLimits.maxTokens).contains(int) else { return nil }
            return int
        }
        guard let input = count(usage, "input_tokens"), let output = count(usage, "output_tokens"),
              let written = count(usage, "cache_creation_input_tokens"), let read = count(usage, "cache_read_input_tokens") else {
            badCounts += 1
            return
        }
        var tokens = RequestTokens(input: input, output: output, cacheWrite5m: written, cacheRead: read)
        if let split = usage["cache_creation"]?.objectValue {
            guard let fiveMinutes = count(split, "ephemeral_5m_input_tokens"), let oneHour = count(split, "ephemeral_1h_input_tokens") else {
                badCounts += 1
                return
            }
            if fiveMinutes > 0 || oneHour > 0 {
                tokens.cacheWrite5m = fiveMinutes
                tokens.cacheWrite1h = oneHour
            }
        }
        let model = message["model"]?.stringValue ?? ""
        // Claude Code's own notices (`<synthetic>`) are not model requests.
        if model == "<synthetic>", tokens == RequestTokens() { return }
        let key = message["id"]?.stringValue ?? object["requestId"]?.stringValue
        let request = TranscriptRequest(key: key, model: model, tokens: tokens, sessionId: object["sessionId"]?.stringValue,
                                        sidechain: object["isSidechain"]?.boolValue == true)
        if let key, let i = positions[key] {
            requests[i] = request
        } else {
            if let key { positions[key] = requests.count }
            requests.append(request)
        }
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while i <= last {
            guard let found = haystack[i...last].firstIndex(of: first) else { return false }
            if haystack[found..<(found + needle.count)].elementsEqual(needle) { return true }
            i = found + 1
        }
        return false
    }
}

/// What `claude -p --output-format json` printed: the session's usage and the cost it reported.
public struct ClaudeResult: Equatable, Sendable {
    public var sessionId: String?
    public var usage: TokenUsage
    public var turns: Int64?

    /// Nil with the reason when `bytes` is not such a result. The cost reported wins over one
    /// calculated: `total_cost_usd` is the total, `modelUsage` (when present) gives the models.
    public static func parse(_ bytes: [UInt8]) -> Result<ClaudeResult, FieldProblem> {
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else { return .failure(FieldProblem("is not a JSON object")) }
        guard let usage = object["usage"]?.objectValue else {
            return .failure(FieldProblem("has no usage object (is it `claude -p --output-format json` output?)", field: "usage"))
        }
        func count(_ object: JSONObject, _ key: String, in path: String?, what: String = "tokens") -> Result<Int64, FieldProblem> {
            guard let value = object[key], !value.isNull else { return .success(0) }
            guard case .number(let number) = value, let int = number.int64, (0...UsageLimits.maxTokens).contains(int) else {
                return .failure(FieldProblem("expected a whole number of \(what) from 0 to \(UsageLimits.maxTokens)",
                                             field: path.map { "\($0).\(key)" } ?? key))
            }
            return .success(int)
        }
        func dollars(_ value: JSONValue?, at field: String) -> Result<Double?, FieldProblem> {
            guard let value, !value.isNull else { return .success(nil) }
            guard let dollars = value.numberValue, (0...UsageLimits.maxDollars).contains(dollars) else {
                return .failure(FieldProblem("expected a number of dollars from 0 to \(Int64(UsageLimits.maxDollars))", field: field))
            }
            return .success(dollars)
        }
        if let session = object["session_id"], !session.isNull, session.stringValue == nil {
            return .failure(FieldProblem("expected a string", field: "session_id"))
        }
        if let models = object["modelUsage"], !models.isNull, models.objectValue == nil {
            return .failure(FieldProblem("expected an object of models", field: "modelUsage"))
        }
        do {
            let cost = try dollars(object["total_cost_usd"], at: "total_cost_usd").get()
            let turns: Int64? = object["num_turns"] == nil || object["num_turns"]!.isNull ? nil
                : try count(object, "num_turns", in: nil, what: "turns").get()
            var models: [ModelUsage] = []
            // Per model, in the camel-case names Claude Code uses there.
            for (name, value) in object["modelUsage"]?.objectValue?.entries ?? [] {
                guard let entry = value.objectValue else { continue }
                let path = "modelUsage.\(name)"
                models.append(ModelUsage(model: name, input: try count(entry, "inputTokens", in: path).get(),
                                         output: try count(entry, "outputTokens", in: path).get(),
                                         cacheCreation: try count(entry, "cacheCreationInputTokens", in: path).get(),
                                         cacheRead: try count(entry, "cacheReadInputTokens", in: path).get(),
                                         costUsd: try dollars(entry["costUSD"], at: "\(path).costUSD").get()))
            }
            let totals = ModelUsage(model: models.count == 1 ? models[0].model : "",
                                    input: try count(usage, "input_tokens", in: "usage").get(),
                                    output: try count(usage, "output_tokens", in: "usage").get(),
                                    cacheCreation: try count(usage, "cache_creation_input_tokens", in: "usage").get(),
                                    cacheRead: try count(usage, "cache_read_input_tokens", in: "usage").get(),
                                    requests: turns ?? 0)
            // The per-model split when it adds up to the totals (the turns counted under the
            // first model: the output does not split them); else the totals alone.
            if models.count > 1, models.map(\.totalTokens).saturatingSum() == totals.totalTokens {
                models[0].requests = turns ?? 0
            } else {
                models = [totals]
            }
            return .success(ClaudeResult(sessionId: object["session_id"]?.stringValue,
                                         usage: TokenUsage(models: models, costUsd: cost, costSource: .reported), turns: turns))
        } catch {
            return .failure(error)
        }
    }
}
