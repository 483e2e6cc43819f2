/// The facts a progress report shows, computed once from a status file and "now"; the text,
/// markdown and JSON reports all render this, so they never disagree.
public struct ProgressSnapshot: Equatable, Sendable {
    public struct LayerLine: Equatable, Sendable {
        public var key: String
        public var name: String
        public var status: LayerStatus
        public var done: Int
        public var total: Int
        public var failed: Int
        public var percent: Int
        public var durationMs: Int64?
        /// `gates: ✅ tests (0.95), ❌ lint` when the layer has gates (docs/gates.md).
        public var gates: String?
        /// The layer's gates as `gates --json` gives them, when it has any.
        public var gatesJSON: JSONValue?
    }

    public struct RunningTask: Equatable, Sendable {
        public var layer: String
        public var index: Int
        public var id: String?
        public var description: String
        public var agent: String?
        public var startedAt: Timestamp?
        public var attempts: Int
        /// Whether its agent is alive (docs/agents.md, "Liveness").
        public var liveness: Liveness
        public var holder: AgentProcess?
        public var heartbeatAt: Timestamp?
    }

    public var spec: String
    public var featureName: String
    public var status: ExecutionStatus
    public var completionPercentage: Int
    public var doneTasks: Int
    public var totalTasks: Int
    public var failedTasks: Int
    public var currentLayer: String
    public var nextAction: String
    public var startedAt: Timestamp?
    public var lastUpdated: Timestamp?
    /// From the first task start to completion, or to now while running.
    public var elapsedMs: Int64?
    public var estimatedRemainingMs: Int64?
    public var layers: [LayerLine]
    public var running: [RunningTask]
    /// Tasks in progress by the liveness of their agents.
    public func count(_ liveness: Liveness) -> Int { running.filter { $0.liveness == liveness }.count }
    public var errorCount: Int
    /// The last three errors, oldest first.
    public var recentErrors: [ErrorEntry]
    public var warningCount: Int
    /// The last three warnings, oldest first.
    public var recentWarnings: [WarningEntry]
    public var pauseReason: String?
    public var pausedAt: Timestamp?
    public var blockReason: String?
    /// Tokens and cost, when any were recorded or a budget is set (docs/usage.md).
    public var usage: UsageFigures?
    public var now: Timestamp

    /// `liveness` judges each task in progress (the caller reads `/proc`; pure here).
    public init(_ file: StatusFile, now: Timestamp, liveness: (ExecutionTask) -> Liveness = { _ in .active }) {
        var status = file
        status.recomputeDerivedFields()
        spec = status.feature
        featureName = status.featureName
        self.status = status.status
        completionPercentage = status.completionPercentage
        doneTasks = status.doneTasks
        totalTasks = status.totalTasks
        failedTasks = status.failedTasks
        currentLayer = status.currentLayer
        nextAction = status.nextAction
        startedAt = status.startedAt
        lastUpdated = status.lastUpdated
        elapsedMs = status.startedAt.map { start in
            max(0, (status.status == .complete ? status.completedAt ?? now : now).milliseconds(since: start))
        }
        estimatedRemainingMs = status.status == .complete ? 0 : status.estimatedRemainingMs
        layers = status.layers.map {
            LayerLine(key: $0.key, name: $0.name, status: $0.status, done: $0.doneTasks, total: $0.totalTasks,
                      failed: $0.failedTasks, percent: $0.completionPercentage, durationMs: $0.durationMs,
                      gates: GateText.layerLine($0), gatesJSON: GateText.names(of: $0).isEmpty ? nil : GateText.json($0))
        }
        running = status.layers.flatMap { layer in
            // By index: filtering the tasks would copy each one (Support/InPlace.swift).
            layer.tasks.indices.filter { layer.tasks[$0].status == .inProgress }.map { i in
                let task = layer.tasks[i]
                return RunningTask(layer: layer.key, index: task.index, id: task.id, description: task.description,
                                   agent: task.agent, startedAt: task.startedAt, attempts: task.attempts,
                                   liveness: liveness(task), holder: task.claimedBy, heartbeatAt: task.heartbeatAt)
            }
        }
        errorCount = status.errors.count
        recentErrors = Array(status.errors.suffix(3))
        warningCount = status.warnings.count
        recentWarnings = Array(status.warnings.suffix(3))
        pausedAt = status.pausedAt
        pauseReason = status.pausedAt == nil ? nil : status.pauseReason
        blockReason = status.blockedAt == nil ? nil : (status.blockReason ?? "no reason given")
        usage = UsageFigures(status)
        self.now = now
    }
}

extension Liveness {
    public var icon: String {
        switch self {
        case .active: "🔄"
        case .stale: "⚠️"
        case .dead: "💀"
        }
    }
}

extension LayerStatus {
    public var icon: String {
        switch self {
        case .complete: "✅"
        case .inProgress: "🔄"
        case .pending: "⏳"
        case .failed: "❌"
        }
    }
}
