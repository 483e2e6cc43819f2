import Testing
import SeededRandom
@testable import ExecutionCore

/// Tokens and cost (docs/usage.md) as pure functions: transcript lines, prices, the ledger that
/// counts each request once, results, budgets and the figures every output shows.
@Suite struct UsageTests {
    let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let sonnet = "claude-sonnet-4-5"
    static let opus = "claude-opus-4-5"

    /// Rates typed from Anthropic's published prices (dollars per million tokens), not read
    /// from the table under test.
    static let perMillion: [String: (input: Double, output: Double, write5m: Double, write1h: Double, read: Double)] = [
        sonnet: (3, 15, 3.75, 6, 0.30),
        opus: (5, 25, 6.25, 10, 0.50),
    ]

    static func expectedCost(_ r: GeneratedRequest) -> Double {
        let p = perMillion[r.model]!
        return (Double(r.input) * p.input + Double(r.output) * p.output + Double(r.cacheWrite5m) * p.write5m
            + Double(r.cacheWrite1h) * p.write1h + Double(r.cacheRead) * p.read) / 1_000_000
    }

    func spec(tasks: Int = 3) -> StatusFile {
        var file = StatusFile(feature: "F001", featureName: "Usage")
        file.layers = [ExecutionLayer(key: "L0", name: "Infra", tasks: (0..<tasks).map { i in
            ExecutionTask(index: i, id: "T\(i + 1)", description: "task \(i)", agent: i == 0 ? "impl" : "review")
        })]
        file.recomputeDerivedFields()
        return file
    }

    func scan(_ text: String) -> TranscriptScan {
        var scan = TranscriptScan()
        scan.add(Array(text.utf8)[...])
        return scan
    }

    func source(_ id: String, offset: Int64 = 0) -> UsageSource {
        UsageSource(source: "/t/\(id).jsonl", offset: offset, inode: 1, importID: id, readAt: now)
    }

    // MARK: Transcript lines

    @Test func eachRequestIsCountedOnceFromItsLastSnapshot() {
        var generator = TranscriptGenerator(seed: 7, sessionID: "sess-1", models: [Self.sonnet, Self.opus])
        let (text, requests) = generator.conversation(requests: 200)
        let read = scan(text)
        #expect(read.requests.count == requests.count)
        #expect(read.skipped == 0)
        for (got, want) in zip(read.requests, requests) {
            #expect(got.key == want.messageID)
            #expect(got.model == want.model)
            #expect(got.tokens == RequestTokens(input: want.input, output: want.output, cacheWrite5m: want.cacheWrite5m,
                                                cacheWrite1h: want.cacheWrite1h, cacheRead: want.cacheRead))
        }
        // The first snapshot's output is a fraction of the last's: taking it would undercount.
        let firstSnapshots = text.split(separator: "\n").filter { $0.contains("\"output_tokens\":1,") }.count
        #expect(firstSnapshots > requests.count / 3)
    }

    @Test func unreadableLinesAreSkippedAndCounted() {
        let lines = [
            "not json",
            "{\"truncated\": ",
            #"{"message":{"id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":-5,"output_tokens":3}}}"#,
            #"{"message":{"id":"m2","model":"claude-sonnet-4-5","usage":{"input_tokens":1.5,"output_tokens":3}}}"#,
            #"{"message":{"id":"m3","model":"claude-sonnet-4-5","usage":{"input_tokens":"12","output_tokens":3}}}"#,
            #"{"message":{"id":"m4","model":"claude-sonnet-4-5","usage":{"input_tokens":4,"output_tokens":3,"cache_creation":{"ephemeral_1h_input_tokens":-1}}}}"#,
            #"{"type":"user","message":{"role":"user","content":"plain"}}"#,
            #"{"message":{"id":"m5","model":"claude-sonnet-4-5","usage":{"input_tokens":4,"output_tokens":3}}}"#,
            "",
        ]
        let read = scan(lines.joined(separator: "\n"))
        #expect(read.notJSON == 2)
        #expect(read.badCounts == 4)
        #expect(read.requests.map(\.key) == ["m5"])
        #expect(read.lines == 8)
    }

    @Test func syntheticNoticesAndEscapedUsageInTextAreNotRequests() {
        let lines = [
            #"{"message":{"id":"s","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}"#,
            #"{"type":"user","message":{"content":"{\"usage\": {\"input_tokens\": 99}}"}}"#,
        ]
        #expect(scan(lines.joined(separator: "\n") + "\n").requests.isEmpty)
    }

    // MARK: Prices

    @Test func pricesFollowLiteLLMsFieldsAndTiers() throws {
        let file = #"""
        {"sample_spec": {"max_tokens": "LEGACY", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
         "m": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "cache_creation_input_token_cost": 3e-06,
               "cache_creation_input_token_cost_above_1hr": 4e-06, "cache_read_input_token_cost": 5e-07,
               "input_cost_per_token_above_200k_tokens": 2e-06, "output_cost_per_token_batches": 9.0,
               "search_context_cost_per_query": {"low": 0.01}},
         "anthropic/n": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
         "no-output": {"input_cost_per_token": 1e-06}}
        """#
        let table = try PriceTable.parse(Array(file.utf8), source: "test").get()
        let m = try #require(table.price(of: "m"))
        let small = RequestTokens(input: 1000, output: 100, cacheWrite5m: 10, cacheWrite1h: 20, cacheRead: 1000)
        #expect(abs(m.cost(of: small)! - (1000e-6 + 200e-6 + 30e-6 + 80e-6 + 500e-6)) < 1e-12)
        // Above 200,000 prompt tokens: the tier's input rate, the base rates it does not name.
        let big = RequestTokens(input: 1000, output: 100, cacheRead: 200_000)
        #expect(abs(m.cost(of: big)! - (2000e-6 + 200e-6 + 100_000e-6)) < 1e-12)
        #expect(table.price(of: "n") != nil, "found under LiteLLM's anthropic/ prefix")
        #expect(table.price(of: "no-output") == nil, "half a price prices nothing")
        #expect(table.price(of: "m-2") == nil, "no guessing from a similar name")
        // A rate the request needs and the model lacks: no cost rather than a partial one.
        let noCache = try #require(table.price(of: "n"))
        #expect(noCache.cost(of: RequestTokens(input: 1, cacheRead: 5)) == nil)
        #expect(noCache.cost(of: RequestTokens(input: 1)) != nil)
    }

    @Test func aPriceFileOfTheWrongShapeNamesTheField() {
        for (file, field) in [(#"{"m": {"input_cost_per_token": "cheap"}}"#, "m.input_cost_per_token"),
                              (#"{"m": {"input_cost_per_token": 1e-6, "output_cost_per_token_above_200k_tokens": -1}}"#,
                               "m.output_cost_per_token_above_200k_tokens"),
                              (#"{"m": 3}"#, "m"), (#"[1]"#, nil), ("nope", nil)] {
            guard case .failure(let problem) = PriceTable.parse(Array(file.utf8), source: "t") else {
                Issue.record("\(file) parsed")
                continue
            }
            #expect(problem.field == field)
        }
    }

    @Test func theBuiltInTablePricesCurrentModelsAsPublished() throws {
        for (model, rates) in Self.perMillion {
            let price = try #require(PriceTable.builtIn.price(of: model))
            let cost = try #require(price.cost(of: RequestTokens(input: 1_000_000)))
            #expect(abs(cost - rates.input) < 1e-9)
            #expect(abs(price.cost(of: RequestTokens(cacheWrite1h: 1_000_000))! - rates.write1h) < 1e-9)
        }
        #expect(PriceTable.builtIn.count >= 20)
    }

    // MARK: Counting once

    @Test func reImportingAddsNothingAndCostsMatchAnIndependentSum() throws {
        var generator = TranscriptGenerator(seed: 11, sessionID: "sess-2", models: [Self.sonnet, Self.opus])
        let (text, requests) = generator.conversation(requests: 300)
        var file = spec()
        var ledger = UsageLedger()
        let first = file.importTranscript(scan(text), source: source("a"), to: .task(TaskLocation(layer: 0, task: 0)),
                                          ledger: &ledger, price: { PriceTable.builtIn.price(of: $0) }, now: now)
        #expect(first.newRequests == 300)
        let usage = try #require(file.layers[0].tasks[0].usage)
        #expect(usage.inputTokens == requests.map(\.input).reduce(0, +))
        #expect(usage.outputTokens == requests.map(\.output).reduce(0, +))
        #expect(usage.cacheCreationInputTokens == requests.map(\.cacheWrite).reduce(0, +))
        #expect(usage.cacheReadInputTokens == requests.map(\.cacheRead).reduce(0, +))
        #expect(usage.requests == 300)
        #expect(usage.byModel?.count == 2)
        // The built-in rates of these models have no tier above 200k: base rates throughout.
        let expected = requests.map(Self.expectedCost).reduce(0, +)
        #expect(abs(try #require(usage.costUsd) - expected) < 0.005, "to the cent")
        #expect(usage.costSource == .calculated)

        ledger.settle(recordedImports: file.recordedUsageImports)
        let again = file.importTranscript(scan(text), source: source("b"), to: .task(TaskLocation(layer: 0, task: 0)),
                                          ledger: &ledger, price: { PriceTable.builtIn.price(of: $0) }, now: now)
        #expect(again.newRequests == 0)
        #expect(again.alreadyCounted == 300)
        #expect(file.layers[0].tasks[0].usage == usage)
    }

    @Test func aRequestSeenInAnotherTranscriptIsNotCountedAgain() {
        var generator = TranscriptGenerator(seed: 3, sessionID: "sess-3", models: [Self.sonnet])
        let (text, _) = generator.conversation(requests: 20, sidechainShare: 1)
        var file = spec()
        var ledger = UsageLedger()
        // The subagent's own transcript first, then the same lines as sidechain lines of the parent's.
        _ = file.importTranscript(scan(text), source: source("agent"), to: .task(TaskLocation(layer: 0, task: 1)), ledger: &ledger,
                                  price: { PriceTable.builtIn.price(of: $0) }, now: now)
        ledger.settle(recordedImports: file.recordedUsageImports)
        let parent = file.importTranscript(scan(text), source: source("parent"), to: .task(TaskLocation(layer: 0, task: 0)),
                                           ledger: &ledger, price: { PriceTable.builtIn.price(of: $0) }, now: now)
        #expect(parent.newRequests == 0)
        #expect(file.layers[0].tasks[0].usage == nil)
        #expect(file.layers[0].tasks[1].usage?.requests == 20)
    }

    @Test func aSnapshotReadBeforeItsLastAddsOnlyTheRestLater() throws {
        var generator = TranscriptGenerator(seed: 5, sessionID: "sess-4", models: [Self.sonnet])
        let request = GeneratedRequest(messageID: "msg_x", model: Self.sonnet, sessionID: "sess-4", sidechain: false,
                                       input: 10, output: 900, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 100)
        let lines = generator.assistantLines(request).split(separator: "\n").map { $0 + "\n" }
        var file = spec()
        var ledger = UsageLedger()
        let partial = lines.count > 1 ? String(lines[0]) : String(lines[0]).replacingOccurrences(of: "\"output_tokens\":900", with: "\"output_tokens\":1")
        _ = file.importTranscript(scan(partial), source: source("1"), to: .spec, ledger: &ledger,
                                  price: { PriceTable.builtIn.price(of: $0) }, now: now)
        ledger.settle(recordedImports: file.recordedUsageImports)
        _ = file.importTranscript(scan(lines.joined()), source: source("2"), to: .spec, ledger: &ledger,
                                  price: { PriceTable.builtIn.price(of: $0) }, now: now)
        let usage = try #require(file.usage)
        #expect(usage.outputTokens == 900)
        #expect(usage.inputTokens == 10)
        #expect(usage.requests == 1)
        let expected: Double = (10.0 * 3 + 900.0 * 15 + 100.0 * 0.3) / 1_000_000
        #expect(abs(try #require(usage.costUsd) - expected) < 1e-9)
    }

    @Test func aPendingImportTheStatusFileNeverRecordedIsDropped() {
        var generator = TranscriptGenerator(seed: 9, sessionID: "sess-5", models: [Self.sonnet])
        let (text, _) = generator.conversation(requests: 5)
        let file = spec()
        var crashed = file
        var ledger = UsageLedger()
        _ = crashed.importTranscript(scan(text), source: source("lost"), to: .spec, ledger: &ledger,
                                     price: { PriceTable.builtIn.price(of: $0) }, now: now)
        // The ledger was written, the status file was not: settled against the old file.
        ledger.settle(recordedImports: file.recordedUsageImports)
        #expect(ledger.requests.isEmpty)
        var retried = file
        let summary = retried.importTranscript(scan(text), source: source("retry"), to: .spec, ledger: &ledger,
                                               price: { PriceTable.builtIn.price(of: $0) }, now: now)
        #expect(summary.newRequests == 5)
        ledger.settle(recordedImports: retried.recordedUsageImports)
        #expect(ledger.requests.count == 5)
        #expect(UsageLedger.parse(ledger.json) == .success(ledger))
    }

    @Test func anUnknownModelKeepsItsTokensWithoutACost() throws {
        var file = spec()
        var ledger = UsageLedger()
        let text = #"{"message":{"id":"a","model":"claude-sonnet-4-5","usage":{"input_tokens":1000,"output_tokens":10}}}"# + "\n"
            + #"{"message":{"id":"b","model":"mystery-1","usage":{"input_tokens":7,"output_tokens":3}}}"# + "\n"
        let summary = file.importTranscript(scan(text), source: source("u"), to: .spec, ledger: &ledger,
                                            price: { PriceTable.builtIn.price(of: $0) }, now: now)
        #expect(summary.unpricedModels == ["mystery-1"])
        let usage = try #require(file.usage)
        #expect(usage.costUsd == nil)
        #expect(usage.inputTokens == 1007)
        #expect(usage.byModel?.first { $0.model == "mystery-1" }?.costUsd == nil)
        #expect(abs(usage.knownCostUsd - 0.00315) < 1e-9)
    }

    // MARK: Results

    @Test func aReportedCostReplacesTheSessionsTranscriptFigures() throws {
        var generator = TranscriptGenerator(seed: 13, sessionID: "sess-6", models: [Self.sonnet])
        let (text, _) = generator.conversation(requests: 10)
        var file = spec()
        var ledger = UsageLedger()
        let task = UsageTarget.task(TaskLocation(layer: 0, task: 2))
        _ = file.importTranscript(scan(text), source: source("t"), to: task, ledger: &ledger,
                                  price: { PriceTable.builtIn.price(of: $0) }, now: now)
        ledger.settle(recordedImports: file.recordedUsageImports)
        let json = #"""
        {"type":"result","subtype":"success","is_error":false,"duration_ms":1200,"num_turns":4,"result":"done",
         "session_id":"sess-6","total_cost_usd":0.4321,
         "usage":{"input_tokens":40,"cache_creation_input_tokens":500,"cache_read_input_tokens":9000,"output_tokens":700,
                  "server_tool_use":{"web_search_requests":0},"service_tier":"standard"},
         "modelUsage":{"claude-sonnet-4-5":{"inputTokens":40,"outputTokens":700,"cacheReadInputTokens":9000,
                       "cacheCreationInputTokens":500,"webSearchRequests":0,"costUSD":0.4321}}}
        """#
        let result = try ClaudeResult.parse(Array(json.utf8)).get()
        let summary = file.importResult(result, source: UsageSource(source: "result:sess-6", importID: "r", readAt: now), to: task,
                                        ledger: &ledger, now: now)
        #expect(summary.replacedTranscriptUsage)
        let usage = try #require(file.layers[0].tasks[2].usage)
        #expect(usage.costUsd == 0.4321)
        #expect(usage.costSource == .reported)
        #expect(usage.outputTokens == 700)
        #expect(usage.requests == 4)
        #expect(usage.model == Self.sonnet)
        ledger.settle(recordedImports: file.recordedUsageImports)
        // Once more: nothing; and the transcript read again adds nothing either.
        let twice = file.importResult(result, source: UsageSource(source: "result:sess-6", importID: "r2", readAt: now), to: task,
                                      ledger: &ledger, now: now)
        #expect(twice.alreadyImported)
        ledger.settle(recordedImports: file.recordedUsageImports)
        let reread = file.importTranscript(scan(text), source: source("t2"), to: task, ledger: &ledger,
                                           price: { PriceTable.builtIn.price(of: $0) }, now: now)
        #expect(reread.newRequests == 0)
        #expect(file.layers[0].tasks[2].usage == usage)
    }

    @Test func resultsOfTheWrongShapeSayWhy() {
        for (json, field) in [(#"{"total_cost_usd": 1}"#, "usage"), (#"{"usage": {"input_tokens": -1}}"#, "usage.input_tokens"),
                              (#"{"usage": {}, "total_cost_usd": "a lot"}"#, "total_cost_usd"), ("[]", nil)] {
            guard case .failure(let problem) = ClaudeResult.parse(Array(json.utf8)) else {
                Issue.record("\(json) parsed")
                continue
            }
            #expect(problem.field == field)
        }
    }

    // MARK: Sums, budget, events

    @Test func costsAddOnlyWhenBothAreKnownAndReportedOnlyWhenBothWere() {
        let reported = TokenUsage(models: [ModelUsage(model: "a", input: 1, costUsd: 1)], costUsd: 1, costSource: .reported)
        let calculated = TokenUsage(models: [ModelUsage(model: "a", input: 2, costUsd: 2)], costUsd: 2, costSource: .calculated)
        let unknown = TokenUsage(models: [ModelUsage(model: "b", input: 3)], costUsd: nil, costSource: nil)
        #expect(reported.adding(reported).costSource == .reported)
        #expect(reported.adding(calculated).costSource == .calculated)
        #expect(reported.adding(calculated).costUsd == 3)
        #expect(reported.adding(calculated).model == "a")
        #expect(calculated.adding(unknown).costUsd == nil)
        #expect(calculated.adding(unknown).byModel?.count == 2)
        #expect(calculated.adding(unknown).knownCostUsd == 2)
        #expect(calculated.adding(reported).subtracting(reported) == calculated)
    }

    @Test func crossingTheBudgetLogsOneEventPerCrossing() {
        var file = spec()
        file.setBudget(1.0, now: now)
        let dollar = { (cost: Double) in TokenUsage(models: [ModelUsage(model: "m", input: 1, costUsd: cost)], costUsd: cost, costSource: .reported) }
        var before = file
        file.addUsage(dollar(0.6), to: .task(TaskLocation(layer: 0, task: 0)), now: now)
        #expect(!file.changeEvents(since: before).map(\.type).contains(.budgetExceeded))
        #expect(file.changeEvents(since: before).map(\.type) == [.taskUsage])
        before = file
        file.addUsage(dollar(0.6), to: .task(TaskLocation(layer: 0, task: 1)), now: now)
        #expect(file.changeEvents(since: before).map(\.type) == [.taskUsage, .budgetExceeded])
        before = file
        file.addUsage(dollar(0.6), to: .task(TaskLocation(layer: 0, task: 1)), now: now)
        #expect(!file.changeEvents(since: before).map(\.type).contains(.budgetExceeded), "once")
        // A higher budget clears the mark; crossing it again is a new crossing.
        file.setBudget(5, now: now)
        #expect(file.budgetExceededAt == nil)
        before = file
        file.setBudget(1, now: now)
        #expect(file.changeEvents(since: before).map(\.type).contains(.budgetExceeded))
    }

    @Test func figuresRollUpByLayerAgentAndModel() throws {
        var file = spec()
        let a = TokenUsage(models: [ModelUsage(model: Self.sonnet, input: 100, output: 10, requests: 2, costUsd: 0.5)], costUsd: 0.5, costSource: .calculated)
        let b = TokenUsage(models: [ModelUsage(model: Self.opus, input: 50, output: 5, requests: 1, costUsd: 2)], costUsd: 2, costSource: .calculated)
        file.addUsage(a, to: .task(TaskLocation(layer: 0, task: 0)), now: now)
        file.addUsage(b, to: .task(TaskLocation(layer: 0, task: 1)), now: now)
        file.addUsage(a, to: .spec, now: now)
        file.layers[0].tasks[0].status = .complete
        file.recomputeDerivedFields()
        let figures = try #require(UsageFigures(file))
        #expect(figures.total.inputTokens == 250)
        #expect(figures.total.costUsd == 3)
        #expect(figures.byLayer.map(\.key) == ["L0"])
        #expect(figures.byAgent.map(\.key) == ["impl", "review"])
        #expect(figures.byModel.map(\.model) == [Self.opus, Self.sonnet])
        #expect(figures.mostExpensiveTasks.map(\.id) == ["T2", "T1"])
        #expect(figures.costPerCompletedTaskUsd == 3)
        #expect(figures.unattributed == a)
        #expect(UsageFigures(spec()) == nil)
        let metrics = MetricsExport.json(ExecutionMetrics(file, now: now))
        #expect(metrics.objectValue?["usage"]?.objectValue?["cost_usd"] == .double(3))
    }

    @Test func dollarsAndTokensReadAsPeopleWriteThem() {
        #expect(UsageText.dollars(0.0042) == "$0.0042")
        #expect(UsageText.dollars(1.234) == "$1.23")
        #expect(UsageText.dollars(1234.567) == "$1,234.57")
        #expect(UsageText.dollars(0) == "$0.00")
        #expect(UsageText.tokens(812) == "812")
        #expect(UsageText.tokens(45_640) == "45.6k")
        #expect(UsageText.tokens(1_250_000) == "1.3M")
    }
}
