// The event log's vocabulary (docs/events.md): what changed between two versions of a status
// file, as a closed list of event types, each with the data needed to apply it again.

/// The types of the event log, a closed list. Each is a CloudEvents `type`.
public enum EventType: String, CaseIterable, Sendable {
    case specInitialized = "dev.exectrack.spec.initialized"
    case specReparsed = "dev.exectrack.spec.reparsed"
    case taskStarted = "dev.exectrack.task.started"
    case taskCompleted = "dev.exectrack.task.completed"
    case taskFailed = "dev.exectrack.task.failed"
    case taskSkipped = "dev.exectrack.task.skipped"
    case taskReset = "dev.exectrack.task.reset"
    case taskUpdated = "dev.exectrack.task.updated"
    case errorLogged = "dev.exectrack.error.logged"
    case warningLogged = "dev.exectrack.warning.logged"
    case layerCompleted = "dev.exectrack.layer.completed"
    case specPaused = "dev.exectrack.spec.paused"
    case specBlocked = "dev.exectrack.spec.blocked"
    case specResumed = "dev.exectrack.spec.resumed"
    case specRestored = "dev.exectrack.spec.restored"
    case specUpdated = "dev.exectrack.spec.updated"
    /// Events appended by a write that never published its status file (a crash between the
    /// two): they describe nothing that happened and are never applied.
    case eventVoided = "dev.exectrack.event.voided"

    /// The type's name without the common prefix (`task.completed`), as `events --type` takes it.
    public var shortName: String { String(rawValue.dropFirst("dev.exectrack.".count)) }
}

/// One change, before the log gives it its place (`seq`, `id`, `time`).
public struct ChangeEvent: Equatable, Sendable {
    public var type: EventType
    /// What it is about: `L1/T012` (a task with an id), `L1/3`, `L1` (a layer); nil for the spec.
    public var subject: String?
    public var data: JSONObject

    public init(_ type: EventType, subject: String? = nil, data: JSONObject = JSONObject()) {
        self.type = type
        self.subject = subject
        self.data = data
    }
}

extension StatusFile {
    /// The events that take `before` (nil: there was no file) to this version, in a fixed
    /// order: the spec's task list, then each task in document order, new errors and warnings,
    /// layers completed, pause, block and resume. A change that none of these names (a
    /// rewrite of stale counters, an edit of unknown fields) is one `spec.updated`.
    public func changeEvents(since before: StatusFile?) -> [ChangeEvent] {
        guard let before else { return [ChangeEvent(.specInitialized, data: planData())] }
        var events: [ChangeEvent] = []
        if !hasSameTaskList(as: before) {
            events.append(ChangeEvent(.specReparsed, data: planData()))
        } else {
            for (l, layer) in layers.enumerated() where layer.tasks != before.layers[l].tasks {
                for (t, task) in layer.tasks.enumerated() where task != before.layers[l].tasks[t] {
                    events.append(taskEvent(task, was: before.layers[l].tasks[t], layer: layer.key))
                }
            }
        }
        for entry in errors.dropFirst(min(before.errors.count, errors.count)) {
            events.append(ChangeEvent(.errorLogged, subject: Self.subject(layer: entry.layer, index: entry.taskIndex, id: entry.taskId),
                                      data: JSONObject([("error", entry.json)])))
        }
        for entry in warnings.dropFirst(min(before.warnings.count, warnings.count)) {
            events.append(ChangeEvent(.warningLogged, subject: entry.layer.map { Self.subject(layer: $0, index: entry.taskIndex, id: nil) },
                                      data: JSONObject([("warning", entry.json)])))
        }
        let completedBefore = Set(before.layers.filter { $0.status == .complete }.map { $0.key })
        for layer in layers where layer.status == .complete && !completedBefore.contains(layer.key) {
            events.append(ChangeEvent(.layerCompleted, subject: layer.key, data: JSONObject([("layer", .string(layer.key))])))
        }
        if pausedAt != nil, before.pausedAt == nil {
            events.append(ChangeEvent(.specPaused, data: JSONObject([("reason", .optional(pauseReason))])))
        }
        if blockedAt != nil, before.blockedAt == nil {
            events.append(ChangeEvent(.specBlocked, data: JSONObject([("reason", .optional(blockReason))])))
        }
        if pausedAt == nil, blockedAt == nil, before.pausedAt != nil || before.blockedAt != nil {
            events.append(ChangeEvent(.specResumed))
        }
        return events.isEmpty ? [ChangeEvent(.specUpdated)] : events
    }

    /// Whether the layers and their tasks (ids and descriptions) are the same: a re-parse changes
    /// them, a status update does not. Read in place, without copying a task.
    private func hasSameTaskList(as before: StatusFile) -> Bool {
        guard layers.count == before.layers.count else { return false }
        for (layer, old) in zip(layers, before.layers) {
            guard layer.key == old.key, layer.name == old.name, layer.tasks.count == old.tasks.count else { return false }
            let same = layer.tasks.withUnsafeBufferPointer { tasks in
                old.tasks.withUnsafeBufferPointer { oldTasks in
                    tasks.indices.allSatisfy { tasks[$0].id == oldTasks[$0].id && tasks[$0].description == oldTasks[$0].description }
                }
            }
            guard same else { return false }
        }
        return true
    }

    /// The whole plan with each task's state: enough to rebuild the file from this event.
    private func planData() -> JSONObject {
        JSONObject([
            ("feature", .string(feature)),
            ("feature_name", .string(featureName)),
            ("layers", .array(layers.map { layer in
                .object(JSONObject([("key", .string(layer.key)), ("name", .string(layer.name)),
                                    ("tasks", .array(layer.tasks.map { $0.json }))]))
            })),
        ])
    }

    private func taskEvent(_ task: ExecutionTask, was old: ExecutionTask, layer: String) -> ChangeEvent {
        let type: EventType = switch task.status == old.status ? nil : task.status {
        case .inProgress?: .taskStarted
        case .complete?: .taskCompleted
        case .failed?: .taskFailed
        case .skipped?: .taskSkipped
        case .pending?: .taskReset
        case nil: .taskUpdated
        }
        return ChangeEvent(type, subject: Self.subject(layer: layer, index: task.index, id: task.id), data: JSONObject([
            ("layer", .string(layer)), ("index", .int(task.index)),
            ("from", .string(old.status.rawValue)), ("to", .string(task.status.rawValue)),
            ("task", task.json),
        ]))
    }

    /// `L1/T012` when the task has an id, else `L1/3`; `L1` for the layer alone.
    static func subject(layer: String, index: Int?, id: String?) -> String {
        if let id, !id.isEmpty { return "\(layer)/\(id)" }
        return index.map { "\(layer)/\($0)" } ?? layer
    }
}
