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
    /// The holder renewed its lease (`heartbeat`, or `update … in_progress` by the holder).
    case taskHeartbeat = "dev.exectrack.task.heartbeat"
    /// `reap` (or `claim`) took a task from a dead or long-stale agent; `data` names it.
    case agentReaped = "dev.exectrack.agent.reaped"
    /// Tokens and cost added to a task (docs/usage.md); nothing else about it changed.
    case taskUsage = "dev.exectrack.task.usage"
    /// A gate attempt was recorded (docs/gates.md), by how it ended.
    case gatePassed = "dev.exectrack.gate.passed"
    case gateFailed = "dev.exectrack.gate.failed"
    case gateWarned = "dev.exectrack.gate.warned"
    /// `complete-layer --force --reason`: a layer's required gates were waived.
    case gateOverridden = "dev.exectrack.gate.overridden"
    /// The known spend went over `budget_usd`: once per crossing.
    case budgetExceeded = "dev.exectrack.budget.exceeded"
    case errorLogged = "dev.exectrack.error.logged"
    case warningLogged = "dev.exectrack.warning.logged"
    case layerCompleted = "dev.exectrack.layer.completed"
    /// Every task is done (the spec's derived `status` became `complete`).
    case specCompleted = "dev.exectrack.spec.completed"
    /// An unresolved critical error stops the spec (its derived `status` became `failed`).
    case specFailed = "dev.exectrack.spec.failed"
    case specPaused = "dev.exectrack.spec.paused"
    case specBlocked = "dev.exectrack.spec.blocked"
    case specResumed = "dev.exectrack.spec.resumed"
    case specRestored = "dev.exectrack.spec.restored"
    case specUpdated = "dev.exectrack.spec.updated"
    /// `archive`: the last event of a log, which then moves to `archive/` with the status file.
    case specArchived = "dev.exectrack.spec.archived"
    /// The first event of a log begun while the status file already existed (after `archive`, or
    /// for a spec tracked before the log): the whole state, so the log replays on its own.
    case logStarted = "dev.exectrack.log.started"
    /// The status file was changed by something other than exectrack since the last write: the
    /// whole state as found, so the audit trail has no silent gap.
    case statusEditedExternally = "dev.exectrack.status.edited_externally"
    /// Events appended by a write that never published its status file (a crash between the
    /// two): they describe nothing that happened and are never applied.
    case eventVoided = "dev.exectrack.event.voided"
    /// A notification rule's command failed, timed out or could not start (docs/notifications.md).
    /// Appended after the write it is about; the status file does not reflect it.
    case notifyFailed = "dev.exectrack.notify.failed"
    /// `notify --test`: the sample event rules receive; never written to a log.
    case notifyTest = "dev.exectrack.notify.test"
    /// `merge`: an event another machine logged (`data.event`, with `data.machine`), kept in this
    /// machine's log once (docs/worktrees.md). Its change reaches the status file through the
    /// merge's own write, so it is never applied again.
    case eventMerged = "dev.exectrack.event.merged"

    /// The type's name without the common prefix (`task.completed`), as `events --type` takes it.
    public var shortName: String { String(rawValue.dropFirst("dev.exectrack.".count)) }

    /// Events that record something that happened beside the state (a notification that failed):
    /// the status file never reflects them, so the write-ahead rule does not void them.
    public var isAnnotation: Bool { Self.annotations.contains(self) }

    static let annotations: [EventType] = [.notifyFailed, .eventMerged]

    /// Events whose write publishes a status file as it was read, not as the writer writes it
    /// (`restore` puts the `.bak` back, `archive` keeps the file): the digest they record vouches
    /// for the file's content, not for its layout, so a later write copies no task from it
    /// (Coding/TaskReuse.swift).
    public var publishesBytesAsRead: Bool { self == .specRestored || self == .specArchived }

    /// The type of a name. Written out because the synthesized initializer of a long list of
    /// string cases builds a `[String: Int]` on its first call, and making that type checks
    /// `String: Hashable` by scanning every conformance record in the binary: 150,000
    /// instructions, more than a 13-task write spends on its log. The types are grouped by the
    /// length of their names, so a lookup compares one to four names.
    public init?(rawValue: String) {
        let length = rawValue.utf8.count
        guard length < Self.byLength.count,
              let found = Self.byLength[length].first(where: { $0.rawValue == rawValue }) else { return nil }
        self = found
    }

    private static let byLength: [[EventType]] = {
        var groups = [[EventType]](repeating: [], count: allCases.map { $0.rawValue.utf8.count }.max()! + 1)
        for type in allCases { groups[type.rawValue.utf8.count].append(type) }
        return groups
    }()
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
    /// layers completed, the spec completed or failed, pause, block and resume. A change that none of these names (a
    /// rewrite of stale counters, an edit of unknown fields) is one `spec.updated`. `announced`
    /// events (`agent.reaped`), which say why a change was made, come first.
    public func changeEvents(since before: StatusFile?, announcing announced: [ChangeEvent] = []) -> [ChangeEvent] {
        var events = announced + eventsOfTasksAndEntries(since: before)
        if events.isEmpty { events = [ChangeEvent(.specUpdated)] }
        for (key, value) in stateChanges(since: before).entries { events[events.count - 1].data.append(key, value) }
        return events
    }

    private func eventsOfTasksAndEntries(since before: StatusFile?) -> [ChangeEvent] {
        guard let before else { return [ChangeEvent(.specInitialized, data: planData())] }
        var events: [ChangeEvent] = []
        if !hasSameTaskList(as: before) {
            events.append(ChangeEvent(.specReparsed, data: planData()))
        } else {
            for (l, layer) in layers.enumerated() {
                for t in layer.tasks.indicesDiffering(from: before.layers[l].tasks) {
                    events.append(taskEvent(layer.tasks[t], was: before.layers[l].tasks[t], layer: layer.key))
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
        for layer in layers {
            let old = before.layers.first { $0.key == layer.key }
            for result in (layer.gates ?? []).dropFirst(old?.gates?.count ?? 0) {
                let type: EventType = switch result.status {
                case .passed: .gatePassed
                case .failed: .gateFailed
                case .warn: .gateWarned
                }
                events.append(ChangeEvent(type, subject: layer.key, data: JSONObject([("layer", .string(layer.key)), ("gate", result.json)])))
            }
            if let at = layer.gatesOverriddenAt, old?.gatesOverriddenAt == nil {
                events.append(ChangeEvent(.gateOverridden, subject: layer.key, data: JSONObject([
                    ("layer", .string(layer.key)), ("reason", .optional(layer.gatesOverrideReason)), ("at", .string(at.iso8601)),
                    ("gates", .strings(layer.allRequiredGates)),
                ])))
            }
        }
        let completedBefore = Set(before.layers.filter { $0.status == .complete }.map { $0.key })
        for layer in layers where layer.status == .complete && !completedBefore.contains(layer.key) {
            events.append(ChangeEvent(.layerCompleted, subject: layer.key, data: JSONObject([("layer", .string(layer.key))])))
        }
        if status != before.status, status == .complete || status == .failed {
            events.append(ChangeEvent(status == .complete ? .specCompleted : .specFailed, data: JSONObject([
                ("total_tasks", .int(totalTasks)), ("completed_tasks", .int(completedTasks)), ("failed_tasks", .int(failedTasks)),
            ])))
        }
        if let exceeded = budgetExceededAt, before.budgetExceededAt == nil {
            events.append(ChangeEvent(.budgetExceeded, data: JSONObject([
                ("budget_usd", .double(budgetUsd)), ("spent_usd", .double(knownSpendUsd)), ("at", .string(exceeded.iso8601)),
            ])))
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
        return events
    }

    /// What the events of a write leave out, carried by its last event so that the log replays
    /// to the file exactly (docs/events.md, "Replaying"): `fields`, the spec's own fields that
    /// changed as a merge patch (a value replaces, `null` removes), with `layers` holding one
    /// such patch per layer; `errors_changed` and `warnings_changed`, entries changed in place
    /// (an error resolved by a retry) with their positions.
    func stateChanges(since before: StatusFile?) -> JSONObject {
        var fields = Self.ownPatch(from: before, to: self)
        var layerPatches = JSONObject()
        for layer in layers {
            let old = before?.layers.first { $0.key == layer.key }
            let patch = ExecutionLayer.ownPatch(from: old, to: layer)
            if !patch.isEmpty { layerPatches.append(layer.key, .object(patch)) }
        }
        if !layerPatches.isEmpty { fields.append("layers", .object(layerPatches)) }
        var result = JSONObject()
        func entries<Entry: ModelObject>(_ name: String, _ now: [Entry], _ old: [Entry]) {
            if now.count < old.count {
                fields.append(name, .array(now.map { $0.json }))
                return
            }
            let changed = zip(now, old).enumerated().filter { $0.element.0 != $0.element.1 }
            if changed.isEmpty { return }
            result.append("\(name)_changed", .array(changed.map { i, pair in
                .object(JSONObject([("index", .int(i)), (String(name.dropLast()), pair.0.json)]))
            }))
        }
        entries("errors", errors, before?.errors ?? [])
        entries("warnings", warnings, before?.warnings ?? [])
        if !fields.isEmpty { result.insert("fields", .object(fields), at: 0) }
        return result
    }

    /// The top-level fields that are neither derived nor lists (with unknown ones), as written.
    var ownFields: JSONObject {
        var header = self
        header.layers = []
        header.errors = []
        header.warnings = []
        return (header.json.objectValue ?? JSONObject()).removing(Self.notOwnKeys)
    }

    /// `ownFields`' merge patch from `old` to `new` (`FieldTable.patch`).
    static func ownPatch(from old: StatusFile?, to new: StatusFile) -> JSONObject { fields.patch(from: old, to: new, own: ownRows) }

    private static let listKeys = ["event_seq", "layers", "errors", "warnings"]
    private static let notOwnKeys = Set(fields.derivedKeys + listKeys)
    private static let ownRows = fields.storedRows(excluding: listKeys)

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

    /// The whole plan with each task's state, its `layers` as the status file has them: enough
    /// to rebuild the file from this event.
    private func planData() -> JSONObject {
        var header = self
        header.errors = []
        header.warnings = []
        return JSONObject([
            ("feature", .string(feature)),
            ("feature_name", .string(featureName)),
            ("layers", header.json.objectValue?["layers"] ?? .object(JSONObject())),
        ])
    }

    private func taskEvent(_ task: ExecutionTask, was old: ExecutionTask, layer: String) -> ChangeEvent {
        let type: EventType = switch task.status == old.status ? nil : task.status {
        case .inProgress?: .taskStarted
        case .complete?: .taskCompleted
        case .failed?: .taskFailed
        case .skipped?: .taskSkipped
        case .pending?: .taskReset
        case nil: task.isLeaseRenewal(of: old) ? .taskHeartbeat : task.isUsageChange(of: old) ? .taskUsage : .taskUpdated
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

extension ExecutionTask {
    /// Whether the only change from `old` is a renewed lease: heartbeat, holder, TTL.
    func isLeaseRenewal(of old: ExecutionTask) -> Bool {
        heartbeatAt != old.heartbeatAt && differsOnly(from: old) {
            $0.heartbeatAt = old.heartbeatAt
            $0.claimedBy = old.claimedBy
            $0.leaseTtlS = old.leaseTtlS
        }
    }

    /// Whether the only change from `old` is its usage.
    func isUsageChange(of old: ExecutionTask) -> Bool {
        usage != old.usage && differsOnly(from: old) { $0.usage = old.usage }
    }

    /// Whether this task equals `old` once `restore` puts back the fields a kind of change may
    /// touch (and the `changed_at` every write stamps).
    private func differsOnly(from old: ExecutionTask, _ restore: (inout ExecutionTask) -> Void) -> Bool {
        var same = self
        restore(&same)
        same.changedAt = old.changedAt
        return same == old
    }
}

extension ExecutionLayer {
    /// The layer's fields that are neither derived nor its tasks (with unknown ones), as written.
    var ownFields: JSONObject {
        var header = self
        header.tasks = []
        return (header.json.objectValue ?? JSONObject()).removing(Self.notOwnKeys)
    }

    /// `ownFields`' merge patch from `old` to `new` (`FieldTable.patch`).
    static func ownPatch(from old: ExecutionLayer?, to new: ExecutionLayer) -> JSONObject { fields.patch(from: old, to: new, own: ownRows) }

    /// `gates` grows by one attempt at a time, each logged in its own gate event.
    private static let listKeys = ["tasks", "gates"]
    private static let notOwnKeys = Set(fields.derivedKeys + listKeys)
    private static let ownRows = fields.storedRows(excluding: listKeys)
}
