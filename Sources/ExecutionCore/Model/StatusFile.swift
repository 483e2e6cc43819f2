/// `.claude/execution/<SPEC>.json`: the whole state of one spec's execution (docs/file-format.md).
///
/// Every type keeps the fields it does not know in `extra`, so a read-modify-write never drops
/// what `jq`, an agent or a newer version added. Each type's `fields` is the one place a stored
/// field is declared for coding (docs/architecture.md).
public struct StatusFile: ModelObject {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int = StatusFile.currentSchemaVersion
    public var feature: String
    public var featureName: String
    /// The tasks file named with `--tasks-file`, relative to the project root (absolute outside
    /// it), so that `parse` reads the same file again; nil when found in the usual places.
    public var tasksFile: String?
    /// The `seq` of the last event in `<SPEC>.events.jsonl` this version reflects; events after
    /// it were appended by a write that never published (docs/events.md).
    public var eventSeq: Int64?
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
    /// Seed 003's agent records (docs/agents.md); nil in files that never had one.
    public var agents: [AgentRecord]?
    /// Usage no task held (docs/usage.md); each task's is its own `usage`.
    public var usage: TokenUsage?
    /// Where usage was imported from, and how far each transcript was read.
    public var usageSources: [UsageSource]?
    /// The part of `usage` other machines recorded, per machine, as last merged.
    public var usageMerged: [MachineUsage]?
    public var budgetUsd: Double?
    /// When the known spend first went over `budget_usd` (one `budget.exceeded` event).
    public var budgetExceededAt: Timestamp?
    /// When the task list was last made or changed by `init` or `parse`: between machines, the
    /// latest plan wins (docs/worktrees.md, "Several machines").
    public var plannedAt: Timestamp?
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

    public init() { self.init(feature: "", featureName: "") }

    public static let fields = FieldTable<StatusFile>([
        .field("schema_version", \.schemaVersion, check: { $0 >= 1 ? nil : "\($0) is not a schema version (they start at 1)" }),
        .field("feature", \.feature),
        .field("feature_name", \.featureName),
        // Only when a tasks file was named: files seeded from the usual place stay as they were.
        .field("tasks_file", \.tasksFile, omittedWhenNil: true),
        .field("event_seq", \.eventSeq, omittedWhenNil: true, check: { ($0 ?? 1) >= 0 ? nil : "must not be negative" }),
        .field("status", \.status, .derivedReadForRules),
        .field("current_layer", \.currentLayer, .derived),
        .field("created_at", \.createdAt),
        .field("started_at", \.startedAt),
        .field("last_updated", \.lastUpdated),
        .field("completed_at", \.completedAt),
        .field("paused_at", \.pausedAt),
        .field("pause_reason", \.pauseReason),
        .field("blocked_at", \.blockedAt),
        .field("blocked_reason", \.blockReason),
        .field("total_tasks", \.totalTasks, .derived),
        .field("completed_tasks", \.completedTasks, .derived),
        .field("failed_tasks", \.failedTasks, .derived),
        .field("skipped_tasks", \.skippedTasks, .derived),
        .field("completion_percentage", \.completionPercentage, .derived),
        .field("average_task_duration_ms", \.averageTaskDurationMs, .derived),
        .field("estimated_remaining_ms", \.estimatedRemainingMs, .derived),
        .field("next_action", \.nextAction, .derived),
        .field("layers", \.layers, coding: LayersByKey.self),
        .field("errors", \.errors),
        .field("warnings", \.warnings),
        .field("agents", \.agents, omittedWhenNil: true),
        .field("usage", \.usage, omittedWhenNil: true),
        .field("usage_sources", \.usageSources, omittedWhenNil: true),
        .field("usage_merged", \.usageMerged, omittedWhenNil: true),
        .field("budget_usd", \.budgetUsd, omittedWhenNil: true, check: { budget in
            (0...UsageLimits.maxDollars).contains(budget ?? 0) ? nil : "must be from 0 to \(Int64(UsageLimits.maxDollars)) dollars"
        }),
        .field("budget_exceeded_at", \.budgetExceededAt, omittedWhenNil: true),
        .field("planned_at", \.plannedAt, omittedWhenNil: true),
    ])

    public mutating func didDecode(_ decoded: DecodedFields<StatusFile>) {
        if !decoded.contains(\.featureName) { featureName = feature }
        // A file paused by the original scripts carries only `"status": "paused"`.
        if pausedAt == nil, blockedAt == nil {
            if status == .paused { pausedAt = lastUpdated ?? startedAt ?? createdAt }
            if status == .blocked { blockedAt = lastUpdated ?? startedAt ?? createdAt }
        }
        layers = Self.numericallyOrdered(layers)
        recomputeDerivedFields()
    }

    /// Every task in document order, without copying them into a new array.
    public var allTasks: LazySequence<FlattenSequence<LazyMapSequence<[ExecutionLayer], [ExecutionTask]>>> {
        layers.lazy.flatMap({ $0.tasks })
    }

    /// Tasks complete or skipped (from the derived counters).
    public var doneTasks: Int { completedTasks + skippedTasks }
}

public struct ExecutionLayer: ModelObject {
    /// `L0`, `L1`, ...: the key under `layers` in the file.
    public var key: String
    public var name: String
    public var tasks: [ExecutionTask]
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    /// The layers this one waits for, when the plan says so (spec-kit's phase dependencies,
    /// docs/layered-tasks-format.md); nil: every earlier layer.
    public var dependsOn: [String]?
    /// Gates the tasks file requires of this layer (its `Gates:` line; docs/gates.md).
    public var requiredGates: [String]?
    /// Every gate attempt, in order.
    public var gates: [GateResult]?
    /// `complete-layer --force --reason`: the required gates were waived.
    public var gatesOverriddenAt: Timestamp?
    public var gatesOverrideReason: String?
    /// Gates `.claude/exectrack/gates.json` requires of this layer: set by the store when it
    /// reads the file, never written to it.
    public var configuredGates: [String] = []
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

    public init() { self.init(key: "", name: "") }

    /// The key is not a field: it is the layer's key under `layers` (`LayersByKey`).
    public static let fields = FieldTable<ExecutionLayer>([
        .field("name", \.name),
        .field("status", \.status, .derived),
        .field("total_tasks", \.totalTasks, .derived),
        .field("completed_tasks", \.completedTasks, .derived),
        .field("failed_tasks", \.failedTasks, .derived),
        .field("skipped_tasks", \.skippedTasks, .derived),
        .field("started_at", \.startedAt),
        .field("completed_at", \.completedAt),
        .field("duration_ms", \.durationMs, .derived),
        .field("depends_on", \.dependsOn, omittedWhenNil: true),
        .field("required_gates", \.requiredGates, omittedWhenNil: true),
        .field("gates", \.gates, omittedWhenNil: true),
        .field("gates_overridden_at", \.gatesOverriddenAt, omittedWhenNil: true),
        .field("gates_override_reason", \.gatesOverrideReason, omittedWhenNil: true),
        .field("tasks", \.tasks, coding: TaskList.self),
    ])

    public mutating func didDecode(_ decoded: DecodedFields<ExecutionLayer>) {
        // Hand-written files that list layers in an array number them by position.
        key = decoded.key ?? decoded.index.map { "L\($0)" } ?? key
        if !decoded.contains(\.name) { name = key }
    }

    /// The number in `L<n>`, or nil for keys of another form (kept, ordered after numbered layers).
    public var number: Int? { Self.number(ofKey: key) }

    static func number(ofKey key: String) -> Int? {
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

public struct ExecutionTask: ModelObject {
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
    /// The lease of a task in progress (docs/agents.md): who holds it, since when, its last
    /// heartbeat and how long it lives without one.
    public var claimedBy: AgentProcess? {
        get { claimedByStorage.value }
        set { claimedByStorage = Indirect(newValue) }
    }
    var claimedByStorage: Indirect<AgentProcess>
    public var claimedAt: Timestamp?
    public var heartbeatAt: Timestamp?
    public var leaseTtlS: Int64?
    /// spec-kit's user story (`US1`) and Kiro's requirements (`1.1`), as the plan gives them.
    public var story: String?
    public var requirements: [String]?
    /// The plan file's checkbox as last parsed or synced (docs/layered-tasks-format.md, `sync`):
    /// a box that differs from it was changed by hand.
    public var planChecked: Bool?
    /// Tokens and cost of the task's work (docs/usage.md).
    public var usage: TokenUsage? {
        get { usageStorage.value }
        set { usageStorage = Indirect(newValue) }
    }
    var usageStorage: Indirect<TokenUsage>
    /// The part of `usage` other machines recorded, per machine, as last merged.
    public var usageMerged: [MachineUsage]?
    /// When the task last changed on the machine that changed it: between machines, the later
    /// change wins (docs/worktrees.md, "Several machines").
    public var changedAt: Timestamp?
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
        self.claimedByStorage = Indirect(nil)
        self.claimedAt = nil
        self.heartbeatAt = nil
        self.leaseTtlS = nil
        self.story = nil
        self.requirements = nil
        self.planChecked = nil
        self.usageStorage = Indirect(nil)
        self.usageMerged = nil
        self.changedAt = nil
        self.extra = extra
    }

    public init() { self.init(description: "") }

    public static let fields = FieldTable<ExecutionTask>([
        // The task's position in its layer, whatever the file says.
        .field("index", \.index, .derived),
        .field("id", \.id),
        .field("description", \.description),
        .field("command", \.command),
        .field("agent", \.agent),
        .field("complexity", \.complexity),
        .field("dependencies", \.dependencies),
        .field("parallel", \.parallel),
        .field("status", \.status),
        .field("started_at", \.startedAt),
        .field("completed_at", \.completedAt),
        .field("duration_ms", \.durationMs, check: { ms in
            guard let ms else { return nil }
            if ms < 0 { return "must not be negative" }
            return ms <= Limits.maxDurationMs ? nil : "\(ms) is more than \(Limits.maxDurationMs) (100 years in milliseconds)"
        }),
        .field("attempts", \.attempts, check: { $0 <= Limits.maxAttempts ? nil : "\($0) is more than \(Limits.maxAttempts)" }),
        .field("output", \.output),
        .field("files_created", \.filesCreated),
        .field("files_modified", \.filesModified),
        .field("error", \.error),
        .field("claimed_by", \.claimedByStorage, omittedWhenNil: true),
        .field("claimed_at", \.claimedAt, omittedWhenNil: true),
        .field("heartbeat_at", \.heartbeatAt, omittedWhenNil: true),
        .field("lease_ttl_s", \.leaseTtlS, omittedWhenNil: true),
        .field("story", \.story, omittedWhenNil: true),
        .field("requirements", \.requirements, omittedWhenNil: true),
        .field("plan_checked", \.planChecked, omittedWhenNil: true),
        .field("usage", \.usageStorage, omittedWhenNil: true),
        .field("usage_merged", \.usageMerged, omittedWhenNil: true),
        .field("changed_at", \.changedAt, omittedWhenNil: true),
    ])

    public static var recordsSpans: Bool { true }

    public mutating func didDecode(_ decoded: DecodedFields<ExecutionTask>) {
        index = decoded.index ?? index
        // Files from before attempts were counted: a started task has had one.
        attempts = decoded.contains(\.attempts) ? max(0, attempts) : (startedAt == nil ? 0 : 1)
    }
}

public struct ErrorEntry: ModelObject {
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

    public init() {
        self.init(layer: "", taskIndex: nil, taskDescription: nil, message: "", timestamp: nil, severity: .medium,
                  category: .other, recoveryAction: nil)
    }

    public static let fields = FieldTable<ErrorEntry>([
        .field("layer", \.layer),
        .field("task_index", \.taskIndex, check: notNegative),
        .field("task_id", \.taskId),
        .field("task_description", \.taskDescription),
        .field("error", \.message),
        .field("timestamp", \.timestamp),
        .field("severity", \.severity),
        .field("category", \.category),
        .field("recovery_action", \.recoveryAction),
        .field("resolved_at", \.resolvedAt),
    ])

    public mutating func didDecode(_ decoded: DecodedFields<ErrorEntry>) {
        if !decoded.contains(\.category) { category = ErrorCategory.classify(message) }
    }
}

public struct WarningEntry: ModelObject {
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

    public init() { self.init(message: "", timestamp: nil) }

    public static let fields = FieldTable<WarningEntry>([
        .field("message", \.message),
        .field("timestamp", \.timestamp),
        .field("severity", \.severity),
        .field("layer", \.layer),
        .field("task_index", \.taskIndex, check: notNegative),
    ])

    // The original scripts may have logged warnings as bare strings.
    public init(from decoder: any Decoder) throws {
        if let exact = decoder as? ExactJSONDecoder {
            self = try Self.read(exact)
        } else if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(message: text, timestamp: nil)
        } else {
            self = try Self.decodeFields(from: decoder)
        }
    }

    public static func read(_ decoder: ExactJSONDecoder) throws -> WarningEntry {
        if try decoder.parser.peek() == UInt8(ascii: "\"") { return WarningEntry(message: try String.read(decoder), timestamp: nil) }
        return try decoder.inField { try fields.read(decoder) }
    }
}

/// For indexes into arrays.
private let notNegative: @Sendable (Int?) -> String? = { ($0 ?? 0) < 0 ? "must not be negative" : nil }
