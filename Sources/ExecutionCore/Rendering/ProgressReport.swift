/// The progress report in each output format (docs/reports.md).
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, markdown, json

}

public enum ProgressReport {
    static let rule = String(repeating: "━", count: 45)

    public static func render(_ snapshot: ProgressSnapshot, as format: ReportFormat, style: TextStyle = .plain) -> String {
        switch format {
        case .text: text(snapshot, style: style)
        case .markdown: markdown(snapshot)
        case .json: JSONWriter.encode(json(snapshot))
        }
    }

    /// One line after a change: where the spec stands now.
    /// ` (2 running, 1 stale, 1 dead)` when an agent is stale or dead; nothing when all are alive.
    static func livenessCounts(_ s: ProgressSnapshot) -> String {
        guard s.count(.stale) + s.count(.dead) > 0 else { return "" }
        return " (\(s.count(.active)) running, \(s.count(.stale)) stale, \(s.count(.dead)) dead)"
    }

    /// `agent dead: pid 4121 is gone` or `stale: no heartbeat for 20m`.
    static func livenessNote(_ task: ProgressSnapshot.RunningTask, now: Timestamp) -> String {
        let last = task.heartbeatAt ?? task.startedAt
        switch task.liveness {
        case .dead: return "agent dead" + (task.holder?.pid.map { ": pid \($0) is gone; run: exectrack reap" } ?? "; run: exectrack reap")
        case .stale: return "stale: no heartbeat " + (last.map { "since \(DurationFormatting.ago($0, now: now))" } ?? "recorded")
        case .active: return "running"
        }
    }

    public static func summaryLine(_ status: StatusFile) -> String {
        "\(status.feature): \(status.completionPercentage)% (\(status.doneTasks)/"
            + "\(status.totalTasks) tasks), \(status.status.rawValue); next: \(status.nextAction.visibleControlCharacters)"
    }

    static func title(_ s: ProgressSnapshot) -> String {
        s.featureName == s.spec || s.featureName.isEmpty
            ? "Feature \(s.spec)" : "Feature \(s.spec): \(s.featureName.visibleControlCharacters)"
    }

    static func taskName(layer: String, index: Int, id: String?) -> String {
        "\(layer).\(index)" + (id.map { " \($0.visibleControlCharacters)" } ?? "")
    }

    /// Where an error or warning belongs: a task (`L1.3 T004`) or a whole layer.
    static func place(_ layer: String, _ index: Int?, _ id: String?) -> String {
        index.map { taskName(layer: layer, index: $0, id: id) } ?? layer.visibleControlCharacters
    }

    /// `… and 2 more (jq '.errors' .claude/execution/F001.json)` under a list cut to its last few
    /// entries; nil when every entry is shown.
    static func moreLine(shown: Int, of total: Int, _ field: String, spec: String) -> String? {
        total > shown ? "… and \(total - shown) more (jq '.\(field)' .claude/execution/\(spec).json)" : nil
    }

    /// The original scripts' report (docs/reports.md). Progress bars follow their text on each
    /// line, so those lines stay prefixes that scripts can grep; colour only when `style` says so.
    public static func text(_ s: ProgressSnapshot, style: TextStyle = .plain) -> String {
        var lines = [rule, title(s), rule]
        let overall = "Overall Progress: \(s.completionPercentage)% (\(s.doneTasks)/\(s.totalTasks) tasks)"
            + (s.status == .complete ? " ✅" : "")
        let labels = s.layers.map { "Layer \($0.key) (\($0.name.visibleControlCharacters)):" }
        let states = s.layers.map { layer in
            "\(layer.status.rawValue) (\(layer.done)/\(layer.total) tasks)" + (layer.failed > 0 ? ", \(layer.failed) failed" : "")
        }
        // Columns, not characters: names may hold CJK or emoji (docs/reports.md).
        let labelWidth = labels.map({ $0.displayWidth }).max() ?? 0
        let stateWidth = states.map({ $0.displayWidth }).max() ?? 0
        // One bar width for every line: label, icon, state, two spaces, "[", "] 100%".
        let barWidth = style.barWidth(used: max(labelWidth + 3 + stateWidth, overall.displayWidth) + 2 + 7)
        lines.append(overall + (barWidth == 0 ? "" : "  " + style.paint(
            "[\(ProgressBar.bar(percent: s.completionPercentage, width: barWidth))]", for: s.status)))
        lines.append("Status: " + style.paint(s.status.rawValue, for: s.status))
        if s.status == .complete, let elapsed = s.elapsedMs {
            lines.append("Total Duration: \(DurationFormatting.words(milliseconds: elapsed))")
        }
        if let reason = s.blockReason { lines.append("Blocked: \(reason.visibleControlCharacters)") }
        if let pausedAt = s.pausedAt, s.status != .complete {
            lines.append("Paused: \(s.pauseReason?.visibleControlCharacters ?? "no reason given")"
                + " (since \(DurationFormatting.ago(pausedAt, now: s.now)))")
        }
        if s.status != .complete {
            if let elapsed = s.elapsedMs { lines.append("Time Elapsed: \(DurationFormatting.compact(milliseconds: elapsed))") }
            if let remaining = s.estimatedRemainingMs, remaining > 0 {
                lines.append("Estimated Remaining: ~\(DurationFormatting.compact(milliseconds: remaining))")
            }
        }
        if let usage = s.usage { lines.append("Usage: " + usage.reportLine) }
        lines.append("")
        for (i, layer) in s.layers.enumerated() {
            var line = labels[i].padded(toWidth: labelWidth + 1)
                + "\(layer.status.icon) " + style.paint(states[i], for: layer.status)
            if barWidth > 0 {
                line += String(repeating: " ", count: stateWidth - states[i].displayWidth + 2)
                    + style.paint("[\(ProgressBar.bar(percent: layer.percent, width: barWidth))]", for: layer.status)
                    + " \(layer.percent)%"
            }
            lines.append(line)
            if let gates = layer.gates { lines.append("    " + gates) }
        }
        if !s.running.isEmpty {
            lines.append("")
            lines.append("Currently Executing:" + livenessCounts(s))
            for task in s.running {
                var line = "  \(task.liveness.icon) \(taskName(layer: task.layer, index: task.index, id: task.id)) "
                    + task.description.visibleControlCharacters
                var facts: [String] = []
                if let agent = task.agent { facts.append("@\(agent.visibleControlCharacters)") }
                if let started = task.startedAt { facts.append("started \(DurationFormatting.ago(started, now: s.now))") }
                if task.attempts > 1 { facts.append("attempt \(task.attempts)") }
                if let worktree = task.holder?.worktree { facts.append("in \(worktree.split(separator: "/").last.map(String.init) ?? worktree)".visibleControlCharacters) }
                if task.liveness != .active { facts.append(livenessNote(task, now: s.now)) }
                if !facts.isEmpty { line += " (\(facts.joined(separator: ", ")))" }
                lines.append(line)
            }
        }
        lines.append("")
        lines.append("Errors: \(s.errorCount)")
        if !s.recentErrors.isEmpty {
            lines.append("Recent Errors:")
            for error in s.recentErrors {
                var line = "  ❌ " + place(error.layer, error.taskIndex, error.taskId)
                line += " [\(error.severity.rawValue), \(error.category.rawValue)] \(error.message.visibleControlCharacters)"
                if let at = error.timestamp { line += " (\(DurationFormatting.ago(at, now: s.now)))" }
                if error.resolvedAt != nil { line += " — resolved" }
                lines.append(line)
            }
            if let more = moreLine(shown: s.recentErrors.count, of: s.errorCount, "errors", spec: s.spec) { lines.append("  " + more) }
        }
        if s.warningCount > 0 {
            lines.append("Warnings: \(s.warningCount)")
            for warning in s.recentWarnings {
                var line = "  ⚠️ " + (warning.layer.map { place($0, warning.taskIndex, nil) + " " } ?? "")
                line += "[\(warning.severity.rawValue)] \(warning.message.visibleControlCharacters)"
                if let at = warning.timestamp { line += " (\(DurationFormatting.ago(at, now: s.now)))" }
                lines.append(line)
            }
            if let more = moreLine(shown: s.recentWarnings.count, of: s.warningCount, "warnings", spec: s.spec) { lines.append("  " + more) }
        }
        lines.append("")
        lines.append("Next Action: \(s.nextAction.visibleControlCharacters)")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func markdown(_ s: ProgressSnapshot) -> String {
        var out = "## \(title(s).markdownInline)\n\n"
        out += "**Overall Progress:** \(s.completionPercentage)% (\(s.doneTasks)/\(s.totalTasks) tasks)"
            + (s.status == .complete ? " ✅" : "") + " `\(ProgressBar.bar(percent: s.completionPercentage))`  \n"
        out += "**Status:** \(s.status.rawValue)  \n"
        if s.status == .complete, let elapsed = s.elapsedMs {
            out += "**Total Duration:** \(DurationFormatting.words(milliseconds: elapsed))  \n"
        } else {
            if let elapsed = s.elapsedMs { out += "**Time Elapsed:** \(DurationFormatting.compact(milliseconds: elapsed))  \n" }
            if let remaining = s.estimatedRemainingMs, remaining > 0 {
                out += "**Estimated Remaining:** ~\(DurationFormatting.compact(milliseconds: remaining))  \n"
            }
        }
        if let reason = s.blockReason { out += "**Blocked:** \(reason.markdownInline)  \n" }
        if s.pausedAt != nil, s.status != .complete { out += "**Paused:** \((s.pauseReason ?? "no reason given").markdownInline)  \n" }
        if let usage = s.usage { out += "**Usage:** \(usage.reportLine.markdownInline)  \n" }
        out += "\n| Layer | Name | Status | Progress | Tasks | Failed | Duration |\n|---|---|---|---|---|---:|---|\n"
        for layer in s.layers {
            let duration = layer.durationMs.map { DurationFormatting.compact(milliseconds: $0) } ?? "–"
            out += "| \(layer.key) | \(layer.name.markdownInline) | \(layer.status.icon) \(layer.status.rawValue) "
                + "| `\(ProgressBar.bar(percent: layer.percent))` \(layer.percent)% "
                + "| \(layer.done)/\(layer.total) | \(layer.failed) | \(duration) |\n"
        }
        let gated = s.layers.filter { $0.gates != nil }
        if !gated.isEmpty {
            out += "\n**Gates:**\n\n"
            for layer in gated { out += "- `\(layer.key)` " + String(layer.gates!.dropFirst("gates: ".count)).markdownInline + "\n" }
        }
        if !s.running.isEmpty {
            out += "\n**Currently Executing:**\(livenessCounts(s))\n\n"
            for task in s.running {
                out += "- \(task.liveness.icon) `\(taskName(layer: task.layer, index: task.index, id: task.id))` \(task.description.markdownInline)"
                if let agent = task.agent { out += " (@\(agent.markdownInline))" }
                if task.liveness != .active { out += " — \(livenessNote(task, now: s.now).markdownInline)" }
                out += "\n"
            }
        }
        out += "\n**Errors:** \(s.errorCount)\n"
        if !s.recentErrors.isEmpty {
            out += "\n"
            for error in s.recentErrors {
                out += "- ❌ `\(place(error.layer, error.taskIndex, error.taskId))` **\(error.severity.rawValue)** "
                    + "(\(error.category.rawValue)): \(error.message.markdownInline)"
                    + (error.resolvedAt == nil ? "" : " — resolved") + "\n"
            }
            if let more = moreLine(shown: s.recentErrors.count, of: s.errorCount, "errors", spec: s.spec) { out += "- \(more.markdownInline)\n" }
        }
        if s.warningCount > 0 {
            out += "\n**Warnings:** \(s.warningCount)\n\n"
            for warning in s.recentWarnings {
                out += "- ⚠️ " + (warning.layer.map { "`\(place($0, warning.taskIndex, nil))` " } ?? "")
                    + "**\(warning.severity.rawValue)**: \(warning.message.markdownInline)\n"
            }
            if let more = moreLine(shown: s.recentWarnings.count, of: s.warningCount, "warnings", spec: s.spec) { out += "- \(more.markdownInline)\n" }
        }
        out += "\n**Next Action:** \(s.nextAction.markdownInline)\n"
        return out
    }

    public static func json(_ s: ProgressSnapshot) -> JSONValue {
        var o = JSONObject()
        o.append("spec", .string(s.spec))
        o.append("feature_name", .string(s.featureName))
        o.append("status", .string(s.status.rawValue))
        o.append("completion_percentage", .int(s.completionPercentage))
        o.append("done_tasks", .int(s.doneTasks))
        o.append("total_tasks", .int(s.totalTasks))
        o.append("failed_tasks", .int(s.failedTasks))
        o.append("current_layer", .string(s.currentLayer))
        o.append("started_at", .optional(s.startedAt))
        o.append("last_updated", .optional(s.lastUpdated))
        o.append("elapsed_ms", .optional(s.elapsedMs))
        o.append("estimated_remaining_ms", .optional(s.estimatedRemainingMs))
        o.append("paused", .bool(s.pausedAt != nil))
        o.append("pause_reason", .optional(s.pauseReason))
        o.append("blocked_reason", .optional(s.blockReason))
        o.append("layers", .array(s.layers.map { layer in
            var l = JSONObject()
            l.append("layer", .string(layer.key))
            l.append("name", .string(layer.name))
            l.append("status", .string(layer.status.rawValue))
            l.append("done_tasks", .int(layer.done))
            l.append("total_tasks", .int(layer.total))
            l.append("failed_tasks", .int(layer.failed))
            l.append("duration_ms", .optional(layer.durationMs))
            l.append("gates", layer.gatesJSON ?? .null)
            return .object(l)
        }))
        o.append("running", .array(s.running.map { task in
            var t = TaskListing.reference(layer: task.layer, index: task.index, id: task.id, description: task.description, agent: task.agent)
            t.append("started_at", .optional(task.startedAt))
            t.append("attempts", .int(task.attempts))
            t.append("liveness", .string(task.liveness.rawValue))
            t.append("claimed_by", task.holder.map { $0.json } ?? .null)
            t.append("heartbeat_at", .optional(task.heartbeatAt))
            return .object(t)
        }))
        o.append("agents", .object(JSONObject(Liveness.allCases.map { ($0.rawValue, .int(s.count($0))) })))
        o.append("error_count", .int(s.errorCount))
        o.append("recent_errors", .array(s.recentErrors.map({ $0.json })))
        o.append("warning_count", .int(s.warningCount))
        o.append("recent_warnings", .array(s.recentWarnings.map({ $0.json })))
        o.append("next_action", .string(s.nextAction))
        o.append("usage", s.usage?.json ?? .null)
        o.append("generated_at", .string(s.now.iso8601))
        return .object(o)
    }
}
