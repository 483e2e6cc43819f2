/// A GitHub step summary (`export --format markdown`, for `>> $GITHUB_STEP_SUMMARY`): the
/// markdown report, then the failed tasks and the metrics.
public enum StepSummary {
    public static func markdown(_ file: StatusFile, now: Timestamp) -> String {
        let metrics = ExecutionMetrics(file, now: now)
        var out = ProgressReport.markdown(ProgressSnapshot(file, now: now))
        // Task statuses are stored, not derived: the file as read lists the failed tasks.
        let failed = file.layers.flatMap { layer in layer.tasks.filter { $0.status == .failed }.map { (layer, $0) } }
        if !failed.isEmpty {
            out += "\n### Failed tasks\n\n| Task | Description | Error | Attempts |\n|---|---|---|---:|\n"
            for (layer, task) in failed {
                out += "| `\(layer.key).\(task.index)`\(task.id.map { " \($0.markdownInline)" } ?? "") "
                    + "| \(task.description.markdownInline) | \((task.error ?? "").markdownInline) | \(task.attempts) |\n"
            }
        }
        let duration = MetricsReport.duration
        out += "\n### Metrics\n\n| Metric | Value |\n|---|---|\n"
        out += "| Average task duration | \(duration(metrics.averageDurationMs)) |\n"
        out += "| p50 / p95 / p99 | \(duration(metrics.p50DurationMs)) / \(duration(metrics.p95DurationMs)) / \(duration(metrics.p99DurationMs)) |\n"
        out += "| Success rate | \(metrics.successRate.map { "\(MetricsReport.format($0))%" } ?? "n/a") |\n"
        out += "| Elapsed | \(duration(metrics.elapsedMs)) |\n"
        out += "| Throughput | \(metrics.throughputPerHour.map { "\(MetricsReport.format($0)) tasks/hour" } ?? "n/a") |\n"
        out += "| Estimated remaining | \(duration(metrics.estimatedRemainingMs)) |\n"
        out += "| Errors | \(metrics.errorCount) (\(metrics.unresolvedErrorCount) unresolved) |\n"
        if let slowest = metrics.slowestTasks.first {
            out += "| Slowest task | `\(slowest.layer).\(slowest.index)` \(slowest.description.markdownInline) (\(duration(slowest.durationMs))) |\n"
        }
        return out
    }
}
