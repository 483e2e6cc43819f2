/// `.claude/execution/<SPEC>.json`: the whole state of one spec's execution (docs/file-format.md).
///
/// Every type keeps the fields it does not know in `extra`, so a read-modify-write never drops
/// what `jq`, an agent or a newer version added.
public struct StatusFile: Equatable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int = StatusFile.currentSchemaVersion
    public var feature: String
    public var featureName: String
    /// The tasks file named with `--tasks-file`, relative to the project root (absolute outside
    /// it), so that `parse` reads the same file again; nil when found in the usual places.
    public var tasksFile: String?
    public var createdAt: Timestamp?
    public var startedAt: Timestamp?
    public var lastUpdated: Timestamp?
    public var completedAt: Timestamp?
    public var pausedAt: Timestamp?
    public var pauseReason: String?
    public var blockedAt: Timestamp?
    public var blockReason: String?
    /// Layers in numeric order of their keys (`L2` before `L10`).
    public var layers: [ExecutionLayer]
    public var errors: [ErrorEntry]
    public var warnings: [WarningEntry]
    public var extra: JSONObject

    // Derived on every write (see `recomputingDerivedFields`); stored so `jq` readers see them.
    public var status: ExecutionStatus = .pending
    public var currentLayer: String = "L0"
    public var totalTasks = 0
    public var completedTasks = 0
    public var failedTasks = 0
    public var skippedTasks = 0
    public var completionPercentage = 0
    public var averageTaskDurationMs: Int64?
    public var estimatedRemainingMs: Int64?
    public var nextAction = ""

    public init(feature: String, featureName: String, layers: [ExecutionLayer] = [],
                errors: [ErrorEntry] = [], warnings: [WarningEntry] = [], extra: JSONObject = JSONObject()) {
        self.feature = feature
        self.featureName = featureName
        self.layers = layers
        self.errors = errors
        self.warnings = warnings
        self.extra = extra
    }

    /// Every task in document order, without copying them into a new array.
    public var allTasks: LazySequence<FlattenSequence<LazyMapSequence<[ExecutionLayer], [ExecutionTask]>>> {
        layers.lazy.flatMap(\.tasks)
    }

    /// Tasks complete or skipped (from the derived counters).
    public var doneTasks: Int { completedTasks + skippedTasks }
}

public struct ExecutionLayer: Equatable, Sendable {
    /// `L0`, `L1`, ...: the key under `layers` in the file.
    public var key: String
    public var name: String
    public var tasks: [ExecutionTask]
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    public var extra: JSONObject

    // Derived.
    public var status: LayerStatus = .pending
    public var totalTasks = 0
    public var completedTasks = 0
    public var failedTasks = 0
    public var skippedTasks = 0
    public var durationMs: Int64?

    public init(key: String, name: String, tasks: [ExecutionTask] = [], extra: JSONObject = JSONObject()) {
        self.key = key
        self.name = name
        self.tasks = tasks
        self.extra = extra
    }

    /// The number in `L<n>`, or nil for keys of another form (kept, ordered after numbered layers).
    public var number: Int? {
        guard key.first == "L" || key.first == "l" else { return nil }
        return Int(key.dropFirst())
    }

    /// Tasks complete or skipped.
    public var doneTasks: Int { completedTasks + skippedTasks }

    /// Floored; a layer without tasks is 100 % once it counts as complete, else 0 %.
    public var completionPercentage: Int {
        totalTasks == 0 ? (status == .complete ? 100 : 0) : doneTasks * 100 / totalTasks
    }
}

public struct ExecutionTask: Equatable, Sendable {
    public var index: Int
    /// The source's task id (`T012`) when it gives one.
    public var id: String?
    public var description: String
    public var command: String?
    public var agent: String?
    public var complexity: String?
    public var dependencies: [String]
    public var parallel: Bool
    public var status: TaskStatus
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    public var durationMs: Int64?
    public var attempts: Int
    public var output: String?
    public var filesCreated: [String]
    public var filesModified: [String]
    public var error: String?
    public var extra: JSONObject

    public init(index: Int = 0, id: String? = nil, description: String, command: String? = nil,
                agent: String? = nil, complexity: String? = nil, dependencies: [String] = [],
                parallel: Bool = false, status: TaskStatus = .pending, extra: JSONObject = JSONObject()) {
        self.index = index
        self.id = id
        self.description = description
        self.command = command
        self.agent = agent
        self.complexity = complexity
        self.dependencies = dependencies
        self.parallel = parallel
        self.status = status
        self.startedAt = nil
        self.completedAt = nil
        self.durationMs = nil
        self.attempts = 0
        self.output = nil
        self.filesCreated = []
        self.filesModified = []
        self.error = nil
        self.extra = extra
    }
}

public struct ErrorEntry: Equatable, Sendable {
    public var layer: String
    public var taskIndex: Int?
    public var taskId: String?
    public var taskDescription: String?
    public var message: String
    public var timestamp: Timestamp?
    public var severity: Severity
    public var category: ErrorCategory
    public var recoveryAction: String?
    /// Set when the task is retried or skipped after the error.
    public var resolvedAt: Timestamp?
    public var extra: JSONObject

    public init(layer: String, taskIndex: Int?, taskId: String? = nil, taskDescription: String?,
                message: String, timestamp: Timestamp?, severity: Severity, category: ErrorCategory,
                recoveryAction: String?, resolvedAt: Timestamp? = nil, extra: JSONObject = JSONObject()) {
        self.layer = layer
        self.taskIndex = taskIndex
        self.taskId = taskId
        self.taskDescription = taskDescription
        self.message = message
        self.timestamp = timestamp
        self.severity = severity
        self.category = category
        self.recoveryAction = recoveryAction
        self.resolvedAt = resolvedAt
        self.extra = extra
    }
}

public struct WarningEntry: Equatable, Sendable {
    public var message: String
    public var timestamp: Timestamp?
    public var severity: Severity
    public var layer: String?
    public var taskIndex: Int?
    public var extra: JSONObject

    public init(message: String, timestamp: Timestamp?, severity: Severity = .low, layer: String? = nil,
                taskIndex: Int? = nil, extra: JSONObject = JSONObject()) {
        self.message = message
        self.timestamp = timestamp
        self.severity = severity
        self.layer = layer
        self.taskIndex = taskIndex
        self.extra = extra
    }
}
