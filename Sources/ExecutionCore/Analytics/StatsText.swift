// How `stats` and `estimate` print (docs/stats.md): a text dashboard, Markdown for a CI summary,
// and JSON (Schemas/stats.schema.json, Schemas/estimate.schema.json).

public enum StatsFormat: String, CaseIterable, Sendable {
    case text, markdown, json
}

public enum StatsText {
    /// What `stats` says when there is nothing to count.
    public static let noHistory = "no history yet: no status file under .claude/execution/ or archive/ (start one with: exectrack init SPEC)"

    /// The days a sparkline shows.
    static let sparkDays = 30

    /// `▁▂▅█`: each day's count against the highest of the days shown.
    public static func sparkline(_ counts: [Int]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let top = counts.max() ?? 0
        return String(counts.map { count in top == 0 ? bars[0] : bars[min(7, (count * 7 + top - 1) / top)] })
    }

    static func share(_ part: Int64, of whole: Int64) -> String { whole == 0 ? "0%" : "\(Int((Double(part) * 100 / Double(whole)).rounded()))%" }

    static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }

    static func duration(_ ms: Int64) -> String { DurationFormatting.compact(milliseconds: ms) }

    static func task(_ ref: CrossSpecStats.TaskRef) -> String {
        "\(ref.spec) \(ref.layer).\(ref.index)" + (ref.id.map { " \($0)" } ?? "") + " \(ref.description.visibleControlCharacters)"
    }

    static func split(_ s: TimeSplit) -> String {
        let total = s.total
        return "waiting \(duration(s.waiting)) (\(share(s.waiting, of: total))) · unclaimed \(duration(s.unclaimed)) (\(share(s.unclaimed, of: total)))"
            + " · retried \(duration(s.retried)) (\(share(s.retried, of: total))) · running \(duration(s.running)) (\(share(s.running, of: total)))"
    }

    static func filters(_ query: StatsQuery) -> String? {
        let parts = [query.since.map { "since \(Timestamp(millisecondsSinceEpoch: $0).iso8601)" },
                     query.specPattern.map { "specs \($0.visibleControlCharacters)" }, query.agent.map { "agent \($0.visibleControlCharacters)" }]
            .compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    public static func text(_ s: CrossSpecStats, _ query: StatsQuery, skipped: [(source: String, reason: String)]) -> String {
        var out: [String] = []
        out.append("exectrack stats — \(UsageText.grouped(Int64(s.specs))) spec\(s.specs == 1 ? "" : "s") (\(UsageText.grouped(Int64(s.archivedSpecs))) archived), "
            + "\(UsageText.grouped(Int64(s.tasks))) task\(s.tasks == 1 ? "" : "s"), \(UsageText.grouped(Int64(s.completed))) completed")
        if let filters = filters(query) { out.append(filters) }
        if s.isEmpty {
            out.append(filters(query) == nil ? noHistory : "nothing matches these filters")
        } else {
            let shown = s.days.suffix(sparkDays)
            out.append("")
            if let today = shown.last, let first = shown.first {
                out.append("Velocity — tasks completed per UTC day (\(first.day) to \(today.day))")
                out.append("  \(sparkline(shown.map(\.completed)))  last day \(today.completed) · 7-day average \(UsageText.oneDecimal(today.average7))")
                out.append("  by agent: " + s.byAgent.prefix(6).map { "\($0.name.visibleControlCharacters) \($0.completed)" }.joined(separator: " · "))
                out.append("  by complexity: " + s.byComplexity.map { "\($0.name.visibleControlCharacters) \($0.completed)" }.joined(separator: " · "))
            } else {
                out.append("Velocity — no task completed yet")
            }
            out.append("")
            out.append("Where the time of started tasks went")
            out.append("  " + split(s.split))
            for (name, one) in s.splitByLayer { out.append("  \(pad(name, 6)) " + split(one)) }
            out.append("")
            out.append("Bottlenecks")
            out.append(s.slowTasks.isEmpty ? "  no task above its complexity's p95" : "  tasks above their complexity's p95:")
            for t in s.slowTasks.prefix(5) {
                out.append("    \(task(t.task)) (\(t.complexity)) \(duration(t.elapsedMs)), p95 \(duration(t.p95Ms))")
            }
            let idle = s.idleAgents
            out.append(idle.isEmpty ? "  no agent idle more than half its active window"
                : "  agents idle more than half their active window: "
                    + idle.prefix(5).map { "\($0.agent.visibleControlCharacters) \(percent($0.idleShare))" }.joined(separator: " · "))
            if !s.waitingLayers.isEmpty {
                out.append("  longest waits: " + s.waitingLayers.prefix(5).map { "\($0.spec) \($0.layer) \(duration($0.waitMs))" }.joined(separator: " · "))
            }
            for path in s.criticalPaths.prefix(3) {
                out.append("  critical path of \(path.spec), \(duration(path.durationMs)): "
                    + path.tasks.map { "\($0.layer).\($0.index)" }.joined(separator: " → "))
            }
            out.append("")
            out.append("Failures")
            out.append(s.failures.isEmpty ? "  no error logged"
                : "  " + s.failures.prefix(6).map { "\($0.category) \($0.count) (\(percent($0.recoveryRate)) recovered)" }.joined(separator: " · "))
            out.append("  retries: \(s.retriedTasks) task(s) retried, \(s.extraAttempts) extra attempt(s)"
                + (s.mostRetried.first.map { "; most: \(task($0.task)) (\($0.attempts) attempts)" } ?? ""))
            out.append("")
            out.append("Estimate accuracy — how long finished tasks took, by complexity")
            for spread in s.spreads {
                out.append("  \(pad(spread.complexity.visibleControlCharacters, 10)) n=\(spread.count)  p25 \(duration(spread.p25Ms))  "
                    + "p50 \(duration(spread.p50Ms))  p75 \(duration(spread.p75Ms))  p90 \(duration(spread.p90Ms))  "
                    + "(\(duration(spread.minMs)) to \(duration(spread.maxMs)))")
            }
            if s.costUsd > 0 || s.tokens > 0 {
                out.append("")
                out.append("Cost")
                let week = s.days.suffix(7).map(\.costUsd).reduce(0, +)
                out.append("  \(UsageText.dollars(s.costUsd)) over \(UsageText.tokens(s.tokens)) tokens; last 7 days \(UsageText.dollars(week))")
                if !s.costBySpec.isEmpty {
                    out.append("  by spec: " + s.costBySpec.prefix(5).map { "\($0.name) \(UsageText.dollars($0.usd))" }.joined(separator: " · "))
                }
            }
        }
        for (source, reason) in skipped { out.append("skipped \(source.visibleControlCharacters): \(reason.singleLine)") }
        return out.joined(separator: "\n") + "\n"
    }

    public static func markdown(_ s: CrossSpecStats, _ query: StatsQuery, skipped: [(source: String, reason: String)]) -> String {
        var out: [String] = ["## exectrack stats", ""]
        out.append("\(s.specs) specs (\(s.archivedSpecs) archived), \(s.tasks) tasks, \(s.completed) completed"
            + (filters(query).map { " — \($0)" } ?? ""))
        if s.isEmpty {
            out.append("")
            out.append(filters(query) == nil ? noHistory : "nothing matches these filters")
        } else {
            out += ["", "### Velocity", ""]
            if s.days.isEmpty {
                out.append("No task completed yet.")
            } else {
                out += ["`\(sparkline(s.days.suffix(sparkDays).map(\.completed)))`", "", "| day | completed | 7-day average |", "|---|---:|---:|"]
                out += s.days.suffix(7).map { "| \($0.day) | \($0.completed) | \(UsageText.oneDecimal($0.average7)) |" }
            }
            out += ["", "### Where the time went", "", "| layer | waiting | unclaimed | retried | running |", "|---|---:|---:|---:|---:|"]
            out += ([("all", s.split)] + s.splitByLayer).map {
                "| \($0.0) | \(duration($0.1.waiting)) | \(duration($0.1.unclaimed)) | \(duration($0.1.retried)) | \(duration($0.1.running)) |"
            }
            out += ["", "### Bottlenecks", ""]
            out += s.slowTasks.prefix(5).map { "- \(cell(task($0.task))) (\($0.complexity)): \(duration($0.elapsedMs)), p95 \(duration($0.p95Ms))" }
            out += s.idleAgents.prefix(5).map { "- agent \(cell($0.agent)) idle \(percent($0.idleShare)) of its active window" }
            out += s.criticalPaths.prefix(3).map { path in
                "- critical path of \(path.spec) (\(duration(path.durationMs))): " + path.tasks.map { "\($0.layer).\($0.index)" }.joined(separator: " → ")
            }
            out += ["", "### Failures", "", "| category | errors | recovered |", "|---|---:|---:|"]
            out += s.failures.map { "| \($0.category) | \($0.count) | \(percent($0.recoveryRate)) |" }
            out += ["", "### Estimate accuracy", "", "| complexity | tasks | p25 | p50 | p75 | p90 |", "|---|---:|---:|---:|---:|---:|"]
            out += s.spreads.map {
                "| \(cell($0.complexity)) | \($0.count) | \(duration($0.p25Ms)) | \(duration($0.p50Ms)) | \(duration($0.p75Ms)) | \(duration($0.p90Ms)) |"
            }
            if s.costUsd > 0 { out += ["", "Cost: \(UsageText.dollars(s.costUsd)) over \(UsageText.tokens(s.tokens)) tokens"] }
        }
        if !skipped.isEmpty {
            out.append("")
            out += skipped.map { "- skipped \(cell($0.source)): \(cell($0.reason))" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Text safe in a Markdown table cell or list item.
    static func cell(_ text: String) -> String { text.singleLine.markdownInline }

    static func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

    public static func json(_ s: CrossSpecStats, _ query: StatsQuery, skipped: [(source: String, reason: String)]) -> JSONValue {
        func ref(_ r: CrossSpecStats.TaskRef) -> [(String, JSONValue)] {
            [("spec", .string(r.spec)), ("layer", .string(r.layer)), ("index", .int(r.index)), ("id", .optional(r.id)), ("description", .string(r.description))]
        }
        func split(_ t: TimeSplit) -> JSONObject {
            JSONObject([("waiting_ms", .number(JSONNumber(t.waiting))), ("unclaimed_ms", .number(JSONNumber(t.unclaimed))),
                        ("retried_ms", .number(JSONNumber(t.retried))), ("running_ms", .number(JSONNumber(t.running)))])
        }
        func splits(_ key: String, _ list: [(name: String, split: TimeSplit)]) -> JSONValue {
            .array(list.map { entry in
                var o = split(entry.split)
                o.insert(key, .string(entry.name), at: 0)
                return .object(o)
            })
        }
        func ms(_ v: Int64) -> JSONValue { .number(JSONNumber(v)) }
        return .object(JSONObject([
            ("generated_at", .string(Timestamp(millisecondsSinceEpoch: query.now).iso8601)),
            ("filters", .object(JSONObject([("since", .optional(query.since.map { Timestamp(millisecondsSinceEpoch: $0) })),
                                            ("spec", .optional(query.specPattern)), ("agent", .optional(query.agent))]))),
            ("specs", .int(s.specs)), ("archived_specs", .int(s.archivedSpecs)), ("tasks", .int(s.tasks)), ("completed", .int(s.completed)),
            ("skipped", .array(skipped.map { .object(JSONObject([("source", .string($0.source)), ("reason", .string($0.reason))])) })),
            ("velocity", .object(JSONObject([
                ("days", .array(s.days.map { .object(JSONObject([("day", .string($0.day)), ("completed", .int($0.completed)),
                                                                 ("average_7d", .double($0.average7)), ("cost_usd", .double($0.costUsd))])) })),
                ("by_agent", .array(s.byAgent.map { .object(JSONObject([("agent", .string($0.name)), ("completed", .int($0.completed))])) })),
                ("by_complexity", .array(s.byComplexity.map { .object(JSONObject([("complexity", .string($0.name)), ("completed", .int($0.completed))])) })),
            ]))),
            ("time_split", .object(JSONObject([("total", .object(split(s.split))), ("by_layer", splits("layer", s.splitByLayer)),
                                               ("by_agent", splits("agent", s.splitByAgent)), ("by_spec", splits("spec", s.splitBySpec))]))),
            ("bottlenecks", .object(JSONObject([
                ("slow_tasks", .array(s.slowTasks.map { .object(JSONObject(ref($0.task) + [("complexity", .string($0.complexity)),
                                                                                          ("elapsed_ms", ms($0.elapsedMs)), ("p95_ms", ms($0.p95Ms))])) })),
                ("agents", .array(s.agents.map { .object(JSONObject([("agent", .string($0.agent)), ("busy_ms", ms($0.busyMs)), ("window_ms", ms($0.windowMs)),
                                                                     ("idle_share", .double($0.idleShare)),
                                                                     ("idle", .bool($0.idleShare > CrossSpecStats.idleLimit))])) })),
                ("waiting_layers", .array(s.waitingLayers.map { .object(JSONObject([("spec", .string($0.spec)), ("layer", .string($0.layer)),
                                                                                    ("wait_ms", ms($0.waitMs))])) })),
                ("critical_paths", .array(s.criticalPaths.map { path in
                    .object(JSONObject([("spec", .string(path.spec)), ("duration_ms", ms(path.durationMs)),
                                        ("tasks", .array(path.tasks.map { .object(JSONObject(Array(ref($0).dropFirst()))) }))]))
                })),
            ]))),
            ("failures", .object(JSONObject([
                ("categories", .array(s.failures.map { .object(JSONObject([("category", .string($0.category)), ("count", .int($0.count)),
                                                                           ("resolved", .int($0.resolved)), ("recovery_rate", .double($0.recoveryRate))])) })),
                ("retried_tasks", .int(s.retriedTasks)), ("extra_attempts", .int(s.extraAttempts)),
                ("most_retried", .array(s.mostRetried.map { .object(JSONObject(ref($0.task) + [("attempts", .int($0.attempts))])) })),
            ]))),
            ("estimate_accuracy", .array(s.spreads.map { .object(JSONObject([
                ("complexity", .string($0.complexity)), ("count", .int($0.count)), ("min_ms", ms($0.minMs)), ("p25_ms", ms($0.p25Ms)),
                ("p50_ms", ms($0.p50Ms)), ("p75_ms", ms($0.p75Ms)), ("p90_ms", ms($0.p90Ms)), ("max_ms", ms($0.maxMs)),
            ])) })),
            ("cost", .object(JSONObject([("total_usd", .double(s.costUsd)), ("tokens", .number(JSONNumber(s.tokens))),
                                         ("by_spec", .array(s.costBySpec.map { .object(JSONObject([("spec", .string($0.name)), ("usd", .double($0.usd))])) }))]))),
        ]))
    }

    // MARK: - estimate

    public static func text(_ e: SpecEstimate) -> String {
        let left = e.remaining.map(\.tasks).reduce(0, +)
        var out = ["\(e.spec): \(left) task(s) left" + (e.remaining.isEmpty ? "" : " (" + e.remaining.map { "\($0.complexity) \($0.tasks)" }.joined(separator: ", ") + ")")]
        if let work = e.work, left > 0 {
            out.append("  work left: \(range(work))")
            if let elapsed = e.elapsed, let parallel = e.parallelism {
                out.append("  elapsed at \(UsageText.oneDecimal(parallel)) tasks at once: \(range(elapsed))")
            }
        }
        if let reason = e.reason { out.append("  " + reason) }
        if !e.learnedFrom.isEmpty {
            out.append("  learned from \(e.learnedFrom.count) similar spec(s): " + e.learnedFrom.map {
                "\($0.spec) (\($0.archived ? "archived, " : "")\(percent($0.similarity)) alike)"
            }.joined(separator: ", "))
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func range(_ r: SpecEstimate.Range) -> String {
        "\(duration(r.p25Ms)) to \(duration(r.p75Ms)) (p25–p75), median \(duration(r.p50Ms)), p90 \(duration(r.p90Ms))"
    }

    public static func json(_ e: SpecEstimate) -> JSONValue {
        func range(_ r: SpecEstimate.Range?) -> JSONValue {
            r.map { .object(JSONObject([("p25", .number(JSONNumber($0.p25Ms))), ("p50", .number(JSONNumber($0.p50Ms))),
                                         ("p75", .number(JSONNumber($0.p75Ms))), ("p90", .number(JSONNumber($0.p90Ms)))])) } ?? .null
        }
        return .object(JSONObject([
            ("spec", .string(e.spec)),
            ("remaining", .array(e.remaining.map { .object(JSONObject([("complexity", .string($0.complexity)), ("tasks", .int($0.tasks))])) })),
            ("enough_history", .bool(e.work != nil)), ("reason", .optional(e.reason)),
            ("work_ms", range(e.work)), ("elapsed_ms", range(e.elapsed)), ("parallelism", .double(e.parallelism)),
            ("learned_from", .array(e.learnedFrom.map { .object(JSONObject([("spec", .string($0.spec)), ("archived", .bool($0.archived)),
                                                                            ("similarity", .double($0.similarity)), ("tasks", .int($0.tasks))])) })),
        ]))
    }
}
