/// The figures `calculate-metrics.sh` gave, with its bugs fixed (no division by zero, durations
/// averaged over the tasks that have one), plus percentiles, per-layer/agent/complexity breakdowns,
/// throughput and ETA (docs/reports.md, "Figures"). Pure: computed from a status file and "now". Undefined
/// figures are nil, never NaN.
public struct ExecutionMetrics: Equatable, Sendable {
    public static let schemaVersion = 1

    public struct TaskRef: Equatable, Sendable {
        public var layer: String
        public var index: Int
        public var id: String?
        public var description: String
        public var agent: String?
        public var durationMs: Int64
    }

    public struct LayerFigures: Equatable, Sendable {
        public var key: String
        public var name: String
        public var status: LayerStatus
        public var totalTasks: Int
        public var completedTasks: Int
        public var failedTasks: Int
        public var skippedTasks: Int
        public var completionPercentage: Int
        public var durationMs: Int64?
        public var averageDurationMs: Int64?
        public var startedAt: Timestamp?
        public var completedAt: Timestamp?
    }

    /// Counts and average duration of one agent's or one complexity's tasks.
    public struct GroupFigures: Equatable, Sendable {
        public var name: String
        public var totalTasks: Int
        public var completedTasks: Int
        public var failedTasks: Int
        public var averageDurationMs: Int64?
    }

    public var spec: String
    public var featureName: String
    public var status: ExecutionStatus
    public var generatedAt: Timestamp
    public var totalTasks: Int
    public var completedTasks: Int
    public var failedTasks: Int
    public var skippedTasks: Int
    public var inProgressTasks: Int
    public var pendingTasks: Int
    public var completionPercentage: Int
    public var averageDurationMs: Int64?
    public var p50DurationMs: Int64?
    public var p95DurationMs: Int64?
    public var p99DurationMs: Int64?
    public var totalDurationMs: Int64
    public var estimatedRemainingMs: Int64?
    /// completed / (completed + failed) × 100.
    public var successRate: Double?
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    public var elapsedMs: Int64?
    /// Tasks completed per hour of elapsed time; skipped tasks are not work done.
    public var throughputPerHour: Double?
    public var estimatedCompletionAt: Timestamp?
    public var layers: [LayerFigures]
    public var agents: [GroupFigures]
    public var complexities: [GroupFigures]
    /// The five slowest and fastest tasks with a duration.
    public var slowestTasks: [TaskRef]
    public var fastestTasks: [TaskRef]
    public var errorCount: Int
    public var unresolvedErrorCount: Int
    public var errorsBySeverity: [(Severity, Int)]
    public var errorsByCategory: [(ErrorCategory, Int)]
    public var warningCount: Int
    /// Per layer with gates (docs/gates.md): what it requires, whether they let it through, and
    /// how many attempts failed.
    public struct GateFigures: Equatable, Sendable {
        public var layer: String
        public var required: [String]
        public var passed: Bool
        public var overridden: Bool
        public var attempts: Int
        public var failedAttempts: Int
        /// Each gate's latest state: passed, failed, warn or not_run.
        public var states: [(name: String, state: String)]

        public static func == (a: GateFigures, b: GateFigures) -> Bool {
            a.layer == b.layer && a.required == b.required && a.passed == b.passed && a.overridden == b.overridden
                && a.attempts == b.attempts && a.failedAttempts == b.failedAttempts
                && a.states.map(\.name) == b.states.map(\.name) && a.states.map(\.state) == b.states.map(\.state)
        }
    }

    public var gates: [GateFigures]
    /// Tokens and cost (docs/usage.md); nil when no usage was recorded.
    public var usage: UsageFigures?

    public static func == (lhs: ExecutionMetrics, rhs: ExecutionMetrics) -> Bool {
        MetricsExport.json(lhs) == MetricsExport.json(rhs)
    }

    public init(_ file: StatusFile, now: Timestamp) {
        var s = file
        s.recomputeDerivedFields()
        spec = s.feature
        featureName = s.featureName
        status = s.status
        generatedAt = now
        totalTasks = s.totalTasks
        completedTasks = s.completedTasks
        failedTasks = s.failedTasks
        skippedTasks = s.skippedTasks
        let all = s.allTasks
        inProgressTasks = all.count { $0.status == .inProgress }
        pendingTasks = all.count { $0.status == .pending }
        completionPercentage = s.completionPercentage
        averageDurationMs = s.averageTaskDurationMs
        estimatedRemainingMs = s.status == .complete ? 0 : s.estimatedRemainingMs

        let durations = all.compactMap({ $0.durationMs }).sorted()
        p50DurationMs = Self.percentile(50, of: durations)
        p95DurationMs = Self.percentile(95, of: durations)
        p99DurationMs = Self.percentile(99, of: durations)
        totalDurationMs = durations.saturatingSum()
        let decided = completedTasks + failedTasks
        successRate = decided == 0 ? nil : Self.rounded(Double(completedTasks) * 100 / Double(decided))

        startedAt = s.startedAt
        completedAt = s.completedAt
        elapsedMs = s.startedAt.map { max(0, (s.completedAt ?? now).milliseconds(since: $0)) }
        if let elapsedMs, elapsedMs > 0 {
            throughputPerHour = Self.rounded(Double(completedTasks) * 3_600_000 / Double(elapsedMs))
        }
        if s.status != .complete, let remaining = estimatedRemainingMs {
            estimatedCompletionAt = now.adding(milliseconds: remaining)
        }

        layers = s.layers.map { layer in
            let timed = layer.tasks.compactMap({ $0.durationMs })
            return LayerFigures(
                key: layer.key, name: layer.name, status: layer.status, totalTasks: layer.totalTasks,
                completedTasks: layer.completedTasks, failedTasks: layer.failedTasks,
                skippedTasks: layer.skippedTasks,
                completionPercentage: layer.completionPercentage,
                durationMs: layer.durationMs, averageDurationMs: Self.mean(timed),
                startedAt: layer.startedAt, completedAt: layer.completedAt)
        }
        agents = Self.groups(all, by: \.agent)
        complexities = Self.groups(all, by: { $0.complexity?.lowercased() })

        let timedTasks: [TaskRef] = s.layers.flatMap { layer in
            layer.tasks.compactMap { task in
                task.durationMs.map {
                    TaskRef(layer: layer.key, index: task.index, id: task.id, description: task.description,
                            agent: task.agent, durationMs: $0)
                }
            }
        }
        // Stable order for ties: document order.
        slowestTasks = Array(timedTasks.enumerated().sorted {
            $0.element.durationMs != $1.element.durationMs ? $0.element.durationMs > $1.element.durationMs : $0.offset < $1.offset
        }.prefix(5).map({ $0.element }))
        fastestTasks = Array(timedTasks.enumerated().sorted {
            $0.element.durationMs != $1.element.durationMs ? $0.element.durationMs < $1.element.durationMs : $0.offset < $1.offset
        }.prefix(5).map({ $0.element }))

        errorCount = s.errors.count
        unresolvedErrorCount = s.errors.filter { $0.resolvedAt == nil }.count
        errorsBySeverity = Severity.allCases.map { severity in (severity, s.errors.filter { $0.severity == severity }.count) }
        errorsByCategory = ErrorCategory.allCases.map { category in (category, s.errors.filter { $0.category == category }.count) }
        warningCount = s.warnings.count
        usage = UsageFigures(s)
        gates = s.layers.filter { !GateText.names(of: $0).isEmpty }.map { layer in
            GateFigures(layer: layer.key, required: layer.allRequiredGates, passed: layer.gatesSatisfied,
                        overridden: layer.gatesOverriddenAt != nil, attempts: layer.gates?.count ?? 0,
                        failedAttempts: layer.gates?.filter { $0.status == .failed }.count ?? 0,
                        states: GateText.names(of: layer).map { ($0, layer.latestResult(of: $0)?.status.rawValue ?? "not_run") })
        }
    }

    /// Nearest-rank percentile of sorted values; nil when there are none.
    static func percentile(_ p: Int, of sorted: [Int64]) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = (p * sorted.count + 99) / 100
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    static func mean(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let n = Int64(values.count)
        return values.saturatingSum().addingSaturated(n / 2) / n
    }

    /// Two decimals: enough for rates read by people, and stable in JSON.
    static func rounded(_ value: Double) -> Double {
        (value * 100).rounded() / 100
    }

    /// Tasks grouped by a key (agent, complexity); tasks without one fall under "unassigned".
    static func groups(_ tasks: some Sequence<ExecutionTask>, by key: (ExecutionTask) -> String?) -> [GroupFigures] {
        // Tallies rather than lists of tasks: grouping 10,000 tasks copies none of them.
        var tallies: [String: (figures: GroupFigures, durations: [Int64])] = [:]
        func add(_ task: ExecutionTask, to tally: inout (figures: GroupFigures, durations: [Int64])) {
            tally.figures.totalTasks += 1
            if task.status == .complete { tally.figures.completedTasks += 1 }
            if task.status == .failed { tally.figures.failedTasks += 1 }
            if let ms = task.durationMs { tally.durations.append(ms) }
        }
        for task in tasks {
            let name = key(task) ?? "unassigned"
            add(task, to: &tallies[name, default: (GroupFigures(name: name, totalTasks: 0, completedTasks: 0,
                                                                failedTasks: 0, averageDurationMs: nil), [])])
        }
        return tallies.keys.sorted().map { name in
            var figures = tallies[name]!.figures
            figures.averageDurationMs = mean(tallies[name]!.durations)
            return figures
        }
    }
}
