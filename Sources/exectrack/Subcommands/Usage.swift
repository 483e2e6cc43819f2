import ExecutionCore
import ExecutionTracking

enum UsageCommand: Subcommand {
    static let inputTokens = Option<Int64?>.integer("--input-tokens", "N", "input tokens to add", in: 0...UsageLimits.maxTokens)
    static let outputTokens = Option<Int64?>.integer("--output-tokens", "N", "output tokens to add", in: 0...UsageLimits.maxTokens)
    static let cacheReadTokens = Option<Int64?>.integer("--cache-read-tokens", "N", "cache-read input tokens to add", in: 0...UsageLimits.maxTokens)
    static let cacheWriteTokens = Option<Int64?>.integer("--cache-write-tokens", "N", "cache-write (creation) input tokens to add",
                                                         in: 0...UsageLimits.maxTokens)
    static let model = Option<String?>.text("--model", "M", "the model the counts are for (prices them)")
    static let cost = Option<Double?>.decimal("--cost-usd", "X", "the cost reported for them, in dollars (wins over a calculated one)",
                                              in: 0...1_000_000, noun: "a number of dollars")
    static let transcript = Option<String?>.text("--from-transcript", "PATH", "read a Claude Code transcript (JSONL) from where the last read stopped", .path)
    static let result = Option<String?>.text("--from-result", "FILE", "read `claude -p --output-format json` output ('-' for stdin)", .path)
    static let json = Option<Bool>.flag("--json", "print what was added as JSON")

    static let name = "usage"
    static let spec = CommandSpec(
        name: name,
        summary: "Add tokens and cost to a task (counts, a transcript or a claude -p result), or show them",
        positionals: [.spec, .layer, .task],
        options: [inputTokens.spec, outputTokens.spec, cacheReadTokens.spec, cacheWriteTokens.spec, model.spec, cost.spec,
                  transcript.spec, result.spec, json.spec],
        discussion: """
        Give counts, --from-transcript or --from-result (docs/usage.md); with none of them, shows
        the task's usage. A transcript is read from
        where the last read stopped; each request is counted once, from its last line, even when
        it also appears in another transcript of the spec. Costs are calculated from
        .claude/exectrack/pricing.json (LiteLLM's shape) or the built-in table; a model without a
        price keeps its tokens with cost null and a warning. A reported cost wins over a calculated one.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let counts = [try arguments.read(inputTokens), try arguments.read(outputTokens), try arguments.read(cacheWriteTokens),
                      try arguments.read(cacheReadTokens)]
        let given = counts.contains { $0 != nil } || arguments.isGiven(cost.spec.name)
        if arguments.isGiven(model.spec.name), !given {
            throw TrackerError(.usage, "--model goes with token counts (--input-tokens …); a transcript or result names its models")
        }
        let sources = [given, arguments.isGiven(transcript.spec.name), arguments.isGiven(result.spec.name)].filter { $0 }.count
        guard sources <= 1 else { throw TrackerError(.usage, "give one of token counts, --from-transcript or --from-result") }
        let input: UsageInput?
        if sources == 0 {
            input = nil
        } else if let path = try arguments.read(transcript) {
            input = .transcript(path)
        } else if let path = try arguments.read(result) {
            input = .result(path == "-" ? "/dev/stdin" : path)
        } else {
            input = .counts(RequestTokens(input: counts[0] ?? 0, output: counts[1] ?? 0, cacheWrite5m: counts[2] ?? 0, cacheRead: counts[3] ?? 0),
                            model: try arguments.read(model), costUsd: try arguments.read(cost))
        }
        let outcome = try context.tracker.recordUsage(spec, layer: arguments.positionals[1], task: arguments.positionals[2], input: input)
        for warning in UsageText.warnings(outcome) { Console.error("warning: " + warning) }
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(UsageText.json(outcome)))
        } else {
            for line in UsageText.lines(outcome) { Console.line(line) }
        }
        return 0
    }
}
