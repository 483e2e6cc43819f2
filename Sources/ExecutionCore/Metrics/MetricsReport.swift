/// `exectrack metrics` as text: the sections of `calculate-metrics.sh`, then the new figures.
public enum MetricsReport {
    static func duration(_ ms: Int64?) -> String {
        ms.map { DurationFormatting.compact(milliseconds: $0) } ?? "n/a"
    }

    static func taskLabel(_ t: ExecutionMetrics.TaskRef) -> String {
        "\(t.layer).\(t.index)" + (t.id.map { " \($0)" } ?? "") + " \(t.description.visibleControlCharacters)"
    }

    public static func text(_ m: ExecutionMetrics) -> String {
        var lines: [String] = []
        let title = m.featureName == m.spec ? m.spec : "\(m.spec) (\(m.featureName.visibleControlCharacters))"
        lines.append("📊 Execution Metrics: \(title)")
        lines.append("")
        lines.append("Overall Progress: \(m.completionPercentage)% (\(m.completedTasks + m.skippedTasks)/\(m.totalTasks) tasks)")
        lines.append("Status: \(m.status.rawValue)")
        lines.append("Tasks: \(m.completedTasks) complete, \(m.inProgressTasks) running, \(m.pendingTasks) pending, "
            + "\(m.failedTasks) failed, \(m.skippedTasks) skipped")
        lines.append("Average Task Duration: \(duration(m.averageDurationMs))")
        lines.append("Duration p50 / p95 / p99: \(duration(m.p50DurationMs)) / \(duration(m.p95DurationMs)) / \(duration(m.p99DurationMs))")
        lines.append("Estimated Time Remaining: \(duration(m.estimatedRemainingMs))")
        lines.append("Success Rate: " + (m.successRate.map { "\(format($0))% (\(m.completedTasks) complete, \(m.failedTasks) failed)" } ?? "n/a (no task finished yet)"))
        lines.append("Time Elapsed: \(duration(m.elapsedMs))")
        lines.append("Throughput: " + (m.throughputPerHour.map { "\(format($0)) tasks/hour" } ?? "n/a"))
        if let eta = m.estimatedCompletionAt { lines.append("Estimated Completion: \(eta.iso8601)") }

        lines.append("")
        lines.append("Layer Breakdown:")
        let labels = m.layers.map { "\($0.key.visibleControlCharacters) \($0.name.visibleControlCharacters)" }
        let nameWidth = labels.map({ $0.displayWidth }).max() ?? 0
        for (layer, label) in zip(m.layers, labels) {
            lines.append("  " + label.padded(toWidth: nameWidth + 2)
                + "\(layer.status.icon) \(layer.completedTasks + layer.skippedTasks)/\(layer.totalTasks) "
                + "(\(layer.completionPercentage)%), duration \(duration(layer.durationMs)), avg task \(duration(layer.averageDurationMs))"
                + (layer.failedTasks > 0 ? ", \(layer.failedTasks) failed" : ""))
        }
        for (title, groups) in [("By Agent:", m.agents), ("By Complexity:", m.complexities)] where !groups.isEmpty {
            lines.append("")
            lines.append(title)
            for group in groups {
                lines.append("  \(group.name.visibleControlCharacters): \(counted(group.totalTasks, "task")), "
                    + "\(group.completedTasks) complete, \(group.failedTasks) failed, avg \(duration(group.averageDurationMs))")
            }
        }
        lines.append("")
        if let fastest = m.fastestTasks.first, let slowest = m.slowestTasks.first {
            lines.append("Fastest Task: \(taskLabel(fastest)) (\(duration(fastest.durationMs)))")
            lines.append("Slowest Task: \(taskLabel(slowest)) (\(duration(slowest.durationMs)))")
        } else {
            lines.append("Fastest Task: n/a (no task has a duration yet)")
            lines.append("Slowest Task: n/a")
        }
        lines.append("")
        lines.append("Errors: \(m.errorCount) (\(m.unresolvedErrorCount) unresolved)")
        if m.errorCount > 0 {
            lines.append("  by severity: " + m.errorsBySeverity.filter { $0.1 > 0 }.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
            lines.append("  by category: " + m.errorsByCategory.filter { $0.1 > 0 }.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
        }
        if m.warningCount > 0 { lines.append("Warnings: \(m.warningCount)") }
        if !m.gates.isEmpty {
            lines.append("")
            lines.append("Gates:")
            for g in m.gates {
                let state = g.passed ? (g.overridden ? "waived" : "passed") : "not passed"
                lines.append("  \(g.layer): \(state); " + g.states.map { "\($0.name.visibleControlCharacters) \($0.state)" }.joined(separator: ", ")
                    + "; \(counted(g.attempts, "attempt")), \(g.failedAttempts) failed")
            }
        }
        if let usage = m.usage {
            lines.append("")
            lines += usage.lines
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `92.31`, `100`: at most two decimals, no trailing zeros.
    static func format(_ value: Double) -> String {
        JSONNumber(value)?.literal ?? "n/a"
    }
}
