// Tokens and dollars as people read them, in reports, metrics and messages.

public enum UsageText {
    /// `$0.0042`, `$1.23`, `$1,234.57`: cents once there are any, four decimals below a cent,
    /// `<$0.0001` below that.
    public static func dollars(_ value: Double) -> String {
        // Beyond what cents in an Int64 hold (never a real spend): the number as JSON writes it.
        guard value.isFinite, abs(value) < 1e15 else { return "$" + (JSONNumber(value)?.literal ?? "?") }
        if value > 0, value < 0.00005 { return "<$0.0001" }
        if value != 0, abs(value) < 0.01 {
            let tenThousandths = Int64((value * 10_000).rounded())
            return "$0." + zeroPadded(tenThousandths, 4)
        }
        let cents = Int64((value * 100).rounded())
        return "$" + grouped(cents / 100) + "." + zeroPadded(cents % 100, 2)
    }

    /// `1.2M`, `45.6k`, `812`.
    public static func tokens(_ count: Int64) -> String {
        if count >= 1_000_000 { return oneDecimal(Double(count) / 1_000_000) + "M" }
        if count >= 1_000 { return oneDecimal(Double(count) / 1_000) + "k" }
        return String(count)
    }

    /// `1.2M tokens (in 12.0k, out 3.4k, cache write 100k, cache read 1.1M), $1.23`.
    public static func summary(_ usage: TokenUsage) -> String {
        "\(tokens(usage.totalTokens)) tokens (in \(tokens(usage.inputTokens)), out \(tokens(usage.outputTokens)), "
            + "cache write \(tokens(usage.cacheCreationInputTokens)), cache read \(tokens(usage.cacheReadInputTokens))), "
            + cost(usage)
    }

    /// `$1.23`, `$1.23 reported`, `cost unknown`.
    public static func cost(_ usage: TokenUsage) -> String {
        guard let cost = usage.costUsd else {
            return usage.knownCostUsd > 0 ? "\(dollars(usage.knownCostUsd)) known, some models unpriced" : "cost unknown"
        }
        return dollars(cost) + (usage.costSource == .reported ? " reported" : "")
    }

    static func grouped(_ value: Int64) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    static func zeroPadded(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension UsageText {
    /// What `usage` prints: what was added and to what, what was read and skipped.
    public static func lines(_ outcome: UsageOutcome) -> [String] {
        let status = outcome.status
        let subject = subject(outcome)
        if outcome.shownOnly {
            return ["\(subject): " + (status.usage(of: outcome.target).map(summary) ?? "no usage recorded")]
        }
        if outcome.nothingNew { return ["Nothing new in the transcript since the last read; \(subject) unchanged"] }
        let s = outcome.summary
        var lines: [String] = []
        if s.alreadyImported {
            lines.append("This session's reported usage was already recorded; nothing added")
        } else if s.added.isNothing {
            lines.append("Nothing to add to \(subject): no model request in what was read")
        } else {
            lines.append("Added to \(subject): " + summary(s.added))
        }
        if s.requestsRead > 0 || outcome.linesRead > 0 {
            var read = "  read \(counted(outcome.linesRead, "line")), \(counted(s.requestsRead, "request")): \(s.newRequests) new"
            if s.alreadyCounted > 0 { read += ", \(s.alreadyCounted) already counted" }
            if s.coveredByReport > 0 { read += ", \(s.coveredByReport) covered by a reported cost" }
            lines.append(read)
        }
        let skipped = outcome.skippedNotJSON + outcome.skippedBadCounts
        if skipped > 0 {
            lines.append("  skipped \(counted(skipped, "line")) (not JSON: \(outcome.skippedNotJSON), bad token counts: \(outcome.skippedBadCounts))")
        }
        if outcome.restarted { lines.append("  the transcript shrank or was replaced: read again from its start (requests already counted were not)") }
        if s.replacedTranscriptUsage { lines.append("  the session's transcript figures were replaced by its reported cost") }
        if let total = status.usage(of: outcome.target) { lines.append("\(subject) now: " + summary(total)) }
        return lines
    }

    /// Models without a price, for stderr: tokens kept, cost unknown. Five at most, then a count.
    public static func warnings(_ outcome: UsageOutcome) -> [String] {
        let models = outcome.summary.unpricedModels
        var lines = models.prefix(5).map { model -> String in
            if model == noModel { return "usage without a model name: its cost is unknown (with counts, pass --model M or --cost-usd X)" }
            return "no price for model \(model.visibleControlCharacters.prefix(100)) in \(outcome.priceSource ?? "the price table") "
                + "(or none for some kind of its tokens): its tokens are kept, its cost is unknown "
                + "(add it to .claude/exectrack/pricing.json, or pass --cost-usd)"
        }
        if models.count > 5 { lines.append("and \(models.count - 5) more models without a price") }
        return lines
    }

    /// How a summary names usage given without a model.
    public static let noModel = "(no model named)"

    public static func json(_ outcome: UsageOutcome) -> JSONValue {
        let s = outcome.summary
        var o = JSONObject()
        o.append("spec", .string(outcome.status.feature))
        switch outcome.target {
        case .spec: o.append("task", .null)
        case .task(let at): o.append("task", TaskListing.json(outcome.status, at))
        }
        o.append("nothing_new", .bool(outcome.nothingNew))
        o.append("already_imported", .bool(s.alreadyImported))
        o.append("added", s.added.json)
        o.append("total", outcome.status.usage(of: outcome.target)?.json ?? .null)
        o.append("lines_read", .int(outcome.linesRead))
        o.append("requests_read", .int(s.requestsRead))
        o.append("new_requests", .int(s.newRequests))
        o.append("already_counted", .int(s.alreadyCounted))
        o.append("covered_by_report", .int(s.coveredByReport))
        o.append("skipped_lines", .object(JSONObject([("not_json", .int(outcome.skippedNotJSON)), ("bad_counts", .int(outcome.skippedBadCounts))])))
        o.append("restarted", .bool(outcome.restarted))
        o.append("replaced_transcript_usage", .bool(s.replacedTranscriptUsage))
        o.append("unpriced_models", .strings(s.unpricedModels))
        o.append("prices", .optional(outcome.priceSource))
        return .object(o)
    }

    private static func subject(_ outcome: UsageOutcome) -> String {
        switch outcome.target {
        case .spec: return "\(outcome.status.feature) (no task)"
        case .task(let at): return "\(outcome.status.layers[at.layer].key).\(outcome.status.task(at: at).id ?? String(at.task))"
        }
    }

    /// What `budget` prints.
    public static func budgetLines(_ status: StatusFile) -> [String] {
        let spent = status.knownSpendUsd
        guard let budget = status.budgetUsd else {
            return ["\(status.feature): no budget; spent \(dollars(spent)) (set one with: exectrack budget \(status.feature) --usd X)"]
        }
        var line = "\(status.feature): spent \(dollars(spent)) of \(dollars(budget))"
        line += spent > budget ? ", over by \(dollars(spent - budget))" : ", \(dollars(budget - spent)) left"
        if let at = status.budgetExceededAt { line += " (exceeded at \(at.iso8601))" }
        return [line]
    }

    public static func budgetJSON(_ status: StatusFile) -> JSONValue {
        let spent = status.knownSpendUsd
        return .object(JSONObject([
            ("spec", .string(status.feature)),
            ("budget_usd", .double(status.budgetUsd)),
            ("spent_usd", .double(spent)),
            ("remaining_usd", .double(status.budgetUsd.map { TokenUsage.rounded($0 - spent) })),
            ("exceeded_at", .optional(status.budgetExceededAt)),
        ]))
    }
}
