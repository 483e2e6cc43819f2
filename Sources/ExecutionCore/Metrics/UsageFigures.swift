/// Tokens and cost rolled up for `metrics`, `report` and the exports (docs/usage.md): the
/// spec's total, per layer, agent and model, per completed task, and the costliest tasks.
public struct UsageFigures: Equatable, Sendable {
    public struct TaskCost: Equatable, Sendable {
        public var layer: String
        public var index: Int
        public var id: String?
        public var description: String
        public var agent: String?
        public var usage: TokenUsage
    }

    public var total: TokenUsage
    /// Dollars known to be spent (a task of unknown cost adds nothing); `total.costUsd` is null
    /// when any part is unknown.
    public var knownCostUsd: Double
    public var costPerCompletedTaskUsd: Double?
    public var budgetUsd: Double?
    public var budgetExceededAt: Timestamp?
    public var byLayer: [(key: String, usage: TokenUsage)]
    /// By the task's agent, "unassigned" when it names none.
    public var byAgent: [(key: String, usage: TokenUsage)]
    public var byModel: [ModelUsage]
    /// What no task held (a session's work before it claimed one).
    public var unattributed: TokenUsage?
    /// The five with the highest known cost (`knownCostUsd`), ties in document order.
    public var mostExpensiveTasks: [TaskCost]

    public static func == (a: UsageFigures, b: UsageFigures) -> Bool {
        a.total == b.total && a.knownCostUsd == b.knownCostUsd && a.byLayer.map(\.key) == b.byLayer.map(\.key)
            && a.byLayer.map(\.usage) == b.byLayer.map(\.usage) && a.byAgent.map(\.key) == b.byAgent.map(\.key)
            && a.byAgent.map(\.usage) == b.byAgent.map(\.usage) && a.byModel == b.byModel && a.unattributed == b.unattributed
            && a.mostExpensiveTasks == b.mostExpensiveTasks && a.budgetUsd == b.budgetUsd && a.costPerCompletedTaskUsd == b.costPerCompletedTaskUsd
    }

    /// Nil when the spec has no usage and no budget.
    public init?(_ s: StatusFile) {
        let total = s.totalUsage
        guard !total.isNothing || s.budgetUsd != nil else { return nil }
        self.total = total
        knownCostUsd = s.knownSpendUsd
        costPerCompletedTaskUsd = s.completedTasks > 0 && knownCostUsd > 0
            ? TokenUsage.rounded(knownCostUsd / Double(s.completedTasks)) : nil
        budgetUsd = s.budgetUsd
        budgetExceededAt = s.budgetExceededAt
        byLayer = s.layers.compactMap { layer in
            let sum = layer.tasks.reduce(TokenUsage()) { $0.adding($1.usage) }
            return sum.isNothing ? nil : (layer.key, sum)
        }
        var agents: [String: TokenUsage] = [:]
        for task in s.allTasks where task.usage != nil {
            agents[task.agent ?? "unassigned", default: TokenUsage()] = agents[task.agent ?? "unassigned", default: TokenUsage()].adding(task.usage)
        }
        byAgent = agents.keys.sorted().map { ($0, agents[$0]!) }
        byModel = total.models.sorted { $0.model < $1.model }
        unattributed = s.usage
        var costed: [TaskCost] = []
        for layer in s.layers {
            for task in layer.tasks {
                guard let usage = task.usage, usage.knownCostUsd > 0 else { continue }
                costed.append(TaskCost(layer: layer.key, index: task.index, id: task.id, description: task.description,
                                       agent: task.agent, usage: usage))
            }
        }
        mostExpensiveTasks = Array(costed.enumerated().sorted {
            let (a, b) = ($0.element.usage.knownCostUsd, $1.element.usage.knownCostUsd)
            return a != b ? a > b : $0.offset < $1.offset
        }.prefix(5).map(\.element))
    }

    /// The `usage` object of the metrics JSON (Schemas/metrics.schema.json).
    public var json: JSONValue {
        var o = JSONObject()
        for (key, value) in Self.counts(total).entries { o.append(key, value) }
        o.append("known_cost_usd", .double(knownCostUsd))
        o.append("cost_per_completed_task_usd", .double(costPerCompletedTaskUsd))
        o.append("budget_usd", .double(budgetUsd))
        o.append("budget_exceeded_at", .optional(budgetExceededAt))
        o.append("by_layer", .object(JSONObject(byLayer.map { (key: $0.key, value: .object(Self.counts($0.usage))) })))
        o.append("by_agent", .object(JSONObject(byAgent.map { (key: $0.key, value: .object(Self.counts($0.usage))) })))
        o.append("by_model", .object(JSONObject(byModel.map { model in
            (key: model.model.isEmpty ? "unknown" : model.model,
             value: .object(Self.counts(TokenUsage(models: [model], costUsd: model.costUsd, costSource: nil))))
        })))
        o.append("unattributed", unattributed.map { .object(Self.counts($0)) } ?? .null)
        o.append("most_expensive_tasks", .array(mostExpensiveTasks.map { task in
            var t = TaskListing.reference(layer: task.layer, index: task.index, id: task.id, description: task.description, agent: task.agent)
            t.append("cost_usd", .double(task.usage.costUsd))
            t.append("known_cost_usd", .double(task.usage.knownCostUsd))
            t.append("total_tokens", .number(JSONNumber(task.usage.totalTokens)))
            return .object(t)
        }))
        return .object(o)
    }

    static func counts(_ usage: TokenUsage) -> JSONObject {
        var o = JSONObject()
        o.append("input_tokens", .number(JSONNumber(usage.inputTokens)))
        o.append("output_tokens", .number(JSONNumber(usage.outputTokens)))
        o.append("cache_creation_input_tokens", .number(JSONNumber(usage.cacheCreationInputTokens)))
        o.append("cache_read_input_tokens", .number(JSONNumber(usage.cacheReadInputTokens)))
        o.append("total_tokens", .number(JSONNumber(usage.totalTokens)))
        o.append("requests", .number(JSONNumber(usage.requests)))
        o.append("cost_usd", .double(usage.costUsd))
        return o
    }

    /// `report`'s line: `1.2M tokens (in …), $12.34; budget $20.00, $7.66 left`.
    public var reportLine: String {
        var line = UsageText.summary(total)
        if let budgetUsd { line += "; " + budgetText(budgetUsd) }
        return line
    }

    private func budgetText(_ budgetUsd: Double) -> String {
        "budget \(UsageText.dollars(budgetUsd)), " + (knownCostUsd > budgetUsd ? "over by \(UsageText.dollars(knownCostUsd - budgetUsd))"
                                                                             : "\(UsageText.dollars(budgetUsd - knownCostUsd)) left")
    }

    /// The lines of `metrics`' "Tokens and Cost" section.
    public var lines: [String] {
        var lines = ["Tokens and Cost:", "  Total: " + UsageText.summary(total) + ", \(counted(Int(total.requests), "request"))"]
        if total.costUsd == nil, knownCostUsd > 0 { lines.append("  Known cost: \(UsageText.dollars(knownCostUsd)) (some models have no price)") }
        if let perTask = costPerCompletedTaskUsd { lines.append("  Cost per completed task: \(UsageText.dollars(perTask))") }
        if let budgetUsd { lines.append("  Budget: " + budgetText(budgetUsd).dropFirst("budget ".count)) }
        func group(_ title: String, _ entries: [(String, TokenUsage)]) {
            guard !entries.isEmpty else { return }
            lines.append("  \(title):")
            for (name, usage) in entries {
                lines.append("    \(name.visibleControlCharacters): \(UsageText.tokens(usage.totalTokens)) tokens, \(UsageText.cost(usage))")
            }
        }
        group("By layer", byLayer.map { ($0.key, $0.usage) })
        group("By agent", byAgent.map { ($0.key, $0.usage) })
        group("By model", byModel.map { ($0.model.isEmpty ? "unknown" : $0.model, TokenUsage(models: [$0], costUsd: $0.costUsd, costSource: nil)) })
        if let unattributed { group("Not held by a task", [("spec", unattributed)]) }
        if !mostExpensiveTasks.isEmpty {
            lines.append("  Most expensive tasks:")
            for task in mostExpensiveTasks {
                lines.append("    \(task.layer).\(task.id ?? String(task.index)) \(task.description.visibleControlCharacters): "
                    + UsageText.cost(task.usage))
            }
        }
        return lines
    }
}
