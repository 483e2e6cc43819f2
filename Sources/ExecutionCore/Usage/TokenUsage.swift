// Tokens and cost (docs/usage.md): what a task's work cost, per model, with where the cost came
// from. Counts only ever add up; a cost is known or null, never guessed.

/// Where a cost came from: the agent reported it (`claude -p` output, `--cost-usd`), or it was
/// calculated from tokens and a price table. A sum of both is `calculated`.
public enum CostSource: String, NamedValue, Sendable {
    case reported, calculated

    public static let kind = "cost source"

    public init?(normalizing input: String) { self.init(rawValue: input.trimmingWhitespace.lowercased()) }
}

/// The token counts of one model, and their cost when known (an entry of `by_model`).
public struct ModelUsage: ModelObject {
    public var model = ""
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cacheCreationInputTokens: Int64 = 0
    public var cacheReadInputTokens: Int64 = 0
    public var requests: Int64 = 0
    /// Nil when no price was known for a part of it.
    public var costUsd: Double?
    /// With a null cost: the dollars of the parts whose price was known.
    public var partialCostUsd: Double?
    public var extra = JSONObject()

    public init() {}

    public init(model: String, input: Int64 = 0, output: Int64 = 0, cacheCreation: Int64 = 0, cacheRead: Int64 = 0,
                requests: Int64 = 0, costUsd: Double? = nil) {
        self.model = model
        inputTokens = input
        outputTokens = output
        cacheCreationInputTokens = cacheCreation
        cacheReadInputTokens = cacheRead
        self.requests = requests
        self.costUsd = costUsd
    }

    public static let fields = FieldTable<ModelUsage>([
        .field("model", \.model),
        .field("input_tokens", \.inputTokens, check: notNegative),
        .field("output_tokens", \.outputTokens, check: notNegative),
        .field("cache_creation_input_tokens", \.cacheCreationInputTokens, check: notNegative),
        .field("cache_read_input_tokens", \.cacheReadInputTokens, check: notNegative),
        .field("requests", \.requests, check: notNegative),
        .field("cost_usd", \.costUsd, check: notNegativeCost),
        .field("known_cost_usd", \.partialCostUsd, omittedWhenNil: true, check: notNegativeCost),
    ])

    /// The dollars known: the cost, else the part whose price was known.
    public var knownCostUsd: Double { costUsd ?? partialCostUsd ?? 0 }

    /// Every token the model read or wrote.
    public var totalTokens: Int64 {
        inputTokens.addingSaturated(outputTokens).addingSaturated(cacheCreationInputTokens).addingSaturated(cacheReadInputTokens)
    }
}

/// A task's `usage` (or the spec's, for what no task held): totals, the model (`by_model` when
/// several), and the cost with its source.
public struct TokenUsage: ModelObject {
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cacheCreationInputTokens: Int64 = 0
    public var cacheReadInputTokens: Int64 = 0
    public var requests: Int64 = 0
    public var model: String?
    public var byModel: [ModelUsage]?
    /// Nil (`null`) when a price was unknown for any part.
    public var costUsd: Double?
    public var costSource: CostSource?
    /// With a null cost: the dollars of the parts whose price was known.
    public var partialCostUsd: Double?
    public var extra = JSONObject()

    public init() {}

    public static let fields = FieldTable<TokenUsage>([
        .field("input_tokens", \.inputTokens, check: notNegative),
        .field("output_tokens", \.outputTokens, check: notNegative),
        .field("cache_creation_input_tokens", \.cacheCreationInputTokens, check: notNegative),
        .field("cache_read_input_tokens", \.cacheReadInputTokens, check: notNegative),
        .field("requests", \.requests, check: notNegative),
        .field("model", \.model, omittedWhenNil: true),
        .field("by_model", \.byModel, omittedWhenNil: true),
        .field("cost_usd", \.costUsd, check: notNegativeCost),
        .field("cost_source", \.costSource),
        .field("known_cost_usd", \.partialCostUsd, omittedWhenNil: true, check: notNegativeCost),
    ])

    /// Usage of the given models (merged by name), with a total cost and its source; with a null
    /// cost, `knownCostUsd` (default: what the models know) is kept as the known part.
    public init(models: [ModelUsage], costUsd: Double?, costSource: CostSource?, knownCostUsd: Double? = nil) {
        var merged: [ModelUsage] = []
        var positions: [String: Int] = [:]
        for entry in models {
            if let i = positions[entry.model] {
                merged[i].add(entry)
            } else {
                positions[entry.model] = merged.count
                merged.append(entry)
            }
        }
        for entry in merged {
            inputTokens = inputTokens.addingSaturated(entry.inputTokens)
            outputTokens = outputTokens.addingSaturated(entry.outputTokens)
            cacheCreationInputTokens = cacheCreationInputTokens.addingSaturated(entry.cacheCreationInputTokens)
            cacheReadInputTokens = cacheReadInputTokens.addingSaturated(entry.cacheReadInputTokens)
            requests = requests.addingSaturated(entry.requests)
        }
        if merged.count == 1 {
            model = merged[0].model.isEmpty ? nil : merged[0].model
        } else if merged.count > 1 {
            byModel = merged
        }
        self.costUsd = costUsd.map(Self.rounded)
        self.costSource = costUsd == nil ? nil : costSource
        if costUsd == nil {
            let known = knownCostUsd ?? merged.map(\.knownCostUsd).reduce(0, +)
            partialCostUsd = known > 0 ? Self.rounded(known) : nil
        }
    }

    /// Per model: `by_model`, else one entry for `model` (named "" when unknown).
    public var models: [ModelUsage] {
        if let byModel { return byModel }
        if totalTokens == 0, requests == 0, costUsd == nil, partialCostUsd == nil { return [] }
        var one = ModelUsage(model: model ?? "", input: inputTokens, output: outputTokens, cacheCreation: cacheCreationInputTokens,
                             cacheRead: cacheReadInputTokens, requests: requests, costUsd: costUsd)
        one.partialCostUsd = partialCostUsd
        return [one]
    }

    public var totalTokens: Int64 {
        inputTokens.addingSaturated(outputTokens).addingSaturated(cacheCreationInputTokens).addingSaturated(cacheReadInputTokens)
    }

    /// The dollars known: the cost, else the part whose price was known.
    public var knownCostUsd: Double { costUsd ?? partialCostUsd ?? 0 }

    /// Nothing recorded: no token, no request, no cost.
    public var isNothing: Bool { models.isEmpty }

    /// Both added: counts per model, costs when both are known (else null: a partial sum would
    /// read as the whole), `reported` only when both were.
    public func adding(_ other: TokenUsage?) -> TokenUsage {
        guard let other, !other.isNothing else { return self }
        if isNothing { return other }
        let cost: Double? = costUsd.flatMap { mine in other.costUsd.map { mine + $0 } }
        let source: CostSource = costSource == .reported && other.costSource == .reported ? .reported : .calculated
        return TokenUsage(models: models + other.models, costUsd: cost, costSource: source, knownCostUsd: knownCostUsd + other.knownCostUsd)
    }

    /// `other` taken back out (a session's transcript figures replaced by what it reported).
    public func subtracting(_ other: TokenUsage) -> TokenUsage {
        var remaining = models
        for entry in other.models {
            guard let i = remaining.firstIndex(where: { $0.model == entry.model }) else { continue }
            remaining[i].subtract(entry)
            if remaining[i].totalTokens == 0, remaining[i].requests == 0 { remaining.remove(at: i) }
        }
        // What is left is priced by its models when each has a cost (a null total may have come
        // from the part taken out); else the difference of two known totals.
        let cost: Double? = remaining.allSatisfy({ $0.costUsd != nil })
            ? remaining.compactMap(\.costUsd).reduce(0, +)
            : costUsd.flatMap { mine in other.costUsd.map { max(0, mine - $0) } }
        // A cost that was null for the part taken out is one calculated from the models now.
        return TokenUsage(models: remaining, costUsd: remaining.isEmpty ? nil : cost, costSource: costSource ?? .calculated,
                          knownCostUsd: max(0, knownCostUsd - other.knownCostUsd))
    }

    /// Micro-dollars: far below a cent, and stable in JSON after many additions.
    /// Capped at `UsageLimits.maxDollars`, so no sum becomes a figure the file refuses.
    static func rounded(_ dollars: Double) -> Double {
        min(UsageLimits.maxDollars, max(0, (dollars * 1_000_000).rounded() / 1_000_000))
    }
}

extension ModelUsage {
    mutating func add(_ other: ModelUsage) {
        inputTokens = inputTokens.addingSaturated(other.inputTokens)
        outputTokens = outputTokens.addingSaturated(other.outputTokens)
        cacheCreationInputTokens = cacheCreationInputTokens.addingSaturated(other.cacheCreationInputTokens)
        cacheReadInputTokens = cacheReadInputTokens.addingSaturated(other.cacheReadInputTokens)
        requests = requests.addingSaturated(other.requests)
        let known = knownCostUsd + other.knownCostUsd
        costUsd = costUsd.flatMap { mine in other.costUsd.map { TokenUsage.rounded(mine + $0) } }
        partialCostUsd = costUsd == nil && known > 0 ? TokenUsage.rounded(known) : nil
    }

    mutating func subtract(_ other: ModelUsage) {
        inputTokens = max(0, inputTokens - other.inputTokens)
        outputTokens = max(0, outputTokens - other.outputTokens)
        cacheCreationInputTokens = max(0, cacheCreationInputTokens - other.cacheCreationInputTokens)
        cacheReadInputTokens = max(0, cacheReadInputTokens - other.cacheReadInputTokens)
        requests = max(0, requests - other.requests)
        let known = max(0, knownCostUsd - other.knownCostUsd)
        costUsd = costUsd.flatMap { mine in other.costUsd.map { TokenUsage.rounded(max(0, mine - $0)) } }
        partialCostUsd = costUsd == nil && known > 0 ? TokenUsage.rounded(known) : nil
    }
}

private let notNegative: @Sendable (Int64) -> String? = { $0 < 0 ? "must not be negative" : nil }
private let notNegativeCost: @Sendable (Double?) -> String? = { cost in
    guard let cost else { return nil }
    return (0...UsageLimits.maxDollars).contains(cost) ? nil : "must be from 0 to \(Int64(UsageLimits.maxDollars)) dollars"
}

/// Bounds on what usage figures can be: far above any real spend, far below where sums and
/// formatting lose their meaning.
public enum UsageLimits {
    /// A count of tokens in one request, result or command line: a trillion.
    public static let maxTokens: Int64 = 1_000_000_000_000
    /// Dollars in one cost, budget or sum: a trillion.
    public static let maxDollars = 1_000_000_000_000.0
    /// Dollars per token in a price file.
    public static let maxDollarsPerToken = 1.0
}
