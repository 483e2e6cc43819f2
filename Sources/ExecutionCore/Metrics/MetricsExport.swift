/// The metrics as JSON (`metrics --export`, `metrics --format json`, `export --format json`):
/// the script's field names first, the new figures beside them. Described by
/// `Schemas/metrics.schema.json`.
public enum MetricsExport {
    public static func json(_ m: ExecutionMetrics) -> JSONValue {
        var o = JSONObject()
        o.append("schema_version", .int(ExecutionMetrics.schemaVersion))
        o.append("spec", .string(m.spec))
        o.append("feature_name", .string(m.featureName))
        o.append("status", .string(m.status.rawValue))
        o.append("generated_at", .string(m.generatedAt.iso8601))
        o.append("completion_percentage", .int(m.completionPercentage))
        o.append("total_tasks", .int(m.totalTasks))
        o.append("completed_tasks", .int(m.completedTasks))
        o.append("failed_tasks", .int(m.failedTasks))
        o.append("skipped_tasks", .int(m.skippedTasks))
        o.append("in_progress_tasks", .int(m.inProgressTasks))
        o.append("pending_tasks", .int(m.pendingTasks))
        o.append("average_duration_ms", .optional(m.averageDurationMs))
        o.append("estimated_remaining_ms", .optional(m.estimatedRemainingMs))
        o.append("success_rate", .double(m.successRate))
        o.append("error_count", .int(m.errorCount))
        o.append("layer_metrics", .object(JSONObject(m.layers.map { layer in
            var l = JSONObject()
            l.append("name", .string(layer.name))
            l.append("status", .string(layer.status.rawValue))
            l.append("total_tasks", .int(layer.totalTasks))
            l.append("completed_tasks", .int(layer.completedTasks))
            l.append("failed_tasks", .int(layer.failedTasks))
            l.append("skipped_tasks", .int(layer.skippedTasks))
            l.append("completion_percentage", .int(layer.completionPercentage))
            l.append("duration_ms", .optional(layer.durationMs))
            l.append("average_duration_ms", .optional(layer.averageDurationMs))
            l.append("started_at", .optional(layer.startedAt))
            l.append("completed_at", .optional(layer.completedAt))
            return (key: layer.key, value: .object(l))
        })))
        var percentiles = JSONObject()
        percentiles.append("p50", .optional(m.p50DurationMs))
        percentiles.append("p95", .optional(m.p95DurationMs))
        percentiles.append("p99", .optional(m.p99DurationMs))
        o.append("duration_percentiles_ms", .object(percentiles))
        o.append("total_task_duration_ms", .optional(m.totalDurationMs))
        o.append("started_at", .optional(m.startedAt))
        o.append("completed_at", .optional(m.completedAt))
        o.append("elapsed_ms", .optional(m.elapsedMs))
        o.append("throughput_tasks_per_hour", .double(m.throughputPerHour))
        o.append("estimated_completion_at", .optional(m.estimatedCompletionAt))
        o.append("agent_metrics", groups(m.agents))
        o.append("complexity_metrics", groups(m.complexities))
        o.append("slowest_tasks", .array(m.slowestTasks.map(task)))
        o.append("fastest_tasks", .array(m.fastestTasks.map(task)))
        o.append("unresolved_error_count", .int(m.unresolvedErrorCount))
        o.append("errors_by_severity", .object(JSONObject(m.errorsBySeverity.map { (key: $0.0.rawValue, value: .int($0.1)) })))
        o.append("errors_by_category", .object(JSONObject(m.errorsByCategory.map { (key: $0.0.rawValue, value: .int($0.1)) })))
        o.append("warning_count", .int(m.warningCount))
        o.append("gates", .object(JSONObject(m.gates.map { g in
            (key: g.layer, value: .object(JSONObject([
                ("required", .strings(g.required)), ("passed", .bool(g.passed)), ("overridden", .bool(g.overridden)),
                ("attempts", .int(g.attempts)), ("failed_attempts", .int(g.failedAttempts)),
                ("latest", .object(JSONObject(g.states.map { (key: $0.name, value: .string($0.state)) }))),
            ])))
        })))
        o.append("usage", m.usage?.json ?? .null)
        return .object(o)
    }

    static func groups(_ groups: [ExecutionMetrics.GroupFigures]) -> JSONValue {
        .object(JSONObject(groups.map { group in
            var g = JSONObject()
            g.append("total_tasks", .int(group.totalTasks))
            g.append("completed_tasks", .int(group.completedTasks))
            g.append("failed_tasks", .int(group.failedTasks))
            g.append("average_duration_ms", .optional(group.averageDurationMs))
            return (key: group.name, value: .object(g))
        }))
    }

    static func task(_ t: ExecutionMetrics.TaskRef) -> JSONValue {
        var o = TaskListing.reference(layer: t.layer, index: t.index, id: t.id, description: t.description, agent: t.agent)
        o.append("duration_ms", .optional(t.durationMs))
        return .object(o)
    }
}
