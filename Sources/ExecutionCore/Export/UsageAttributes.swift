/// The usage figures the exports carry (docs/usage.md, "Exports"): OpenTelemetry's GenAI
/// attribute names, and `exectrack.cost_usd`. One list, so OTLP spans and JUnit properties say
/// the same thing under the same names.
enum UsageAttributes {
    enum Value {
        case int(Int64)
        case double(Double)
        case string(String)

        var text: String {
            switch self {
            case .int(let n): String(n)
            case .double(let d): JSONNumber(d)?.literal ?? "0"
            case .string(let s): s
            }
        }
    }

    /// Nothing when `usage` is nil or empty. The model is the one that did most of the work
    /// (most tokens) when there were several.
    static func of(_ usage: TokenUsage?, agent: String?) -> [(key: String, value: Value)] {
        guard let usage, !usage.isNothing else { return [] }
        var list: [(key: String, value: Value)] = [
            ("gen_ai.usage.input_tokens", .int(usage.inputTokens)),
            ("gen_ai.usage.output_tokens", .int(usage.outputTokens)),
            ("gen_ai.usage.cache_read.input_tokens", .int(usage.cacheReadInputTokens)),
            ("gen_ai.usage.cache_creation.input_tokens", .int(usage.cacheCreationInputTokens)),
        ]
        if let model = usage.models.filter({ !$0.model.isEmpty }).max(by: { $0.totalTokens < $1.totalTokens })?.model {
            list.append(("gen_ai.request.model", .string(model)))
        }
        if let agent { list.append(("gen_ai.agent.name", .string(agent))) }
        if let cost = usage.costUsd { list.append(("exectrack.cost_usd", .double(cost))) }
        return list
    }
}
