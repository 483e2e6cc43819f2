// Rebuilding a status file from its event log (docs/events.md, "Replaying"): `replay`,
// `restore --from-events` and `validate` apply the events in order to an empty state.

/// An event the replay cannot apply: its data lacks what its type needs.
public struct ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    public let seq: Int64
    public let problem: String

    public var description: String { "event \(seq): \(problem)" }
}

/// An event as replay reads it: the members it applies, decoded straight from the line by the
/// model's own readers (a 50,000-event log would spend most of a second in trees otherwise).
public struct ReplayEvent: ModelObject {
    public var type = ""
    public var seq: Int64 = 0
    public var time = Timestamp(millisecondsSinceEpoch: 0)
    public var subject: String?
    public var data = Data()
    public var extra = JSONObject()

    public init() {}

    public static let fields = FieldTable<ReplayEvent>([
        .field("type", \.type),
        .field("seq", \.seq),
        .field("time", \.time),
        .field("subject", \.subject),
        .field("data", \.data),
    ])

    public var eventType: EventType? { EventType(rawValue: type) }

    /// `data`, as the event types of docs/events.md fill it.
    public struct Data: ModelObject {
        public var feature: String?
        public var featureName: String?
        /// The plan (`spec.initialized`, `spec.reparsed`); `hasPlan` says whether there was one.
        public var layers: [ExecutionLayer] = []
        public var hasPlan = false
        public var layer: String?
        public var index: Int?
        public var task: ExecutionTask?
        public var error: ErrorEntry?
        public var warning: WarningEntry?
        /// A gate attempt (`gate.passed`, `gate.failed`, `gate.warned`).
        public var gate: GateResult?
        /// The whole file (`log.started`, `status.edited_externally`, `spec.restored` from a `.bak`).
        public var status: StatusFile?
        /// `fields` (the static `fields` is the type's table).
        public var changedFields: JSONValue?
        public var errorsChanged: [EntryChange]?
        public var warningsChanged: [EntryChange]?
        public var fromSeq: Int64?
        public var throughSeq: Int64?
        public var extra = JSONObject()

        public init() {}

        public static let fields = FieldTable<Data>([
            .field("feature", \.feature),
            .field("feature_name", \.featureName),
            .field("layers", \.layers, coding: LayersByKey.self),
            .field("layer", \.layer),
            .field("index", \.index),
            .field("task", \.task),
            .field("error", \.error),
            .field("warning", \.warning),
            .field("gate", \.gate),
            .field("status", \.status),
            .field("fields", \.changedFields),
            .field("errors_changed", \.errorsChanged),
            .field("warnings_changed", \.warningsChanged),
            .field("from_seq", \.fromSeq),
            .field("through_seq", \.throughSeq),
        ])

        public mutating func didDecode(_ decoded: DecodedFields<Data>) {
            hasPlan = decoded.contains(\.layers)
            // Logs written before the plan was keyed like the status file list its layers with a `key`.
            for l in layers.indices {
                if case .string(let key)? = layers[l].extra["key"] {
                    layers[l].key = key
                    layers[l].extra["key"] = nil
                }
            }
        }
    }

    /// An entry of `errors_changed` or `warnings_changed`.
    public struct EntryChange: ModelObject {
        public var index = 0
        public var error: ErrorEntry?
        public var warning: WarningEntry?
        public var extra = JSONObject()

        public init() {}

        public static let fields = FieldTable<EntryChange>([
            .field("index", \.index),
            .field("error", \.error),
            .field("warning", \.warning),
        ])
    }
}

public struct EventReplay: Sendable {
    /// The state so far; nil before the first event that sets one.
    public private(set) var state: StatusFile?
    /// Types this version does not know, passed over (a newer version wrote them).
    public private(set) var unknownTypes: Set<String> = []
    /// The `seq` of the last event applied.
    public private(set) var lastApplied: Int64?
    private let voided: [ClosedRange<Int64>]

    /// `voided`: the ranges that `event.voided` events name; events there never happened and
    /// are not applied.
    public init(voided: [ClosedRange<Int64>] = []) {
        self.voided = voided
    }

    /// A log read whole: the state after its events up to `until` and through `seq` (all when
    /// nil), derived fields computed; the lines that are not events (numbered from 1); and the
    /// events whose `seq` does not increase.
    public struct Outcome: Sendable {
        public var replay: EventReplay
        public var problems: [(line: Int, problem: String)] = []
        public var outOfOrder: [(seq: Int64, after: Int64)] = []
        public var events = 0
        /// The heads of the last event and of the events it may void or restore (`EventRecord.head`).
        public var last: EventRecord.Head?
    }

    /// The log's last event (annotations aside) and the ranges its voids name, from the starts
    /// of its lines only.
    public static func scan(log bytes: [UInt8]) -> (last: EventRecord.Head?, voided: [ClosedRange<Int64>]) {
        var voided: [ClosedRange<Int64>] = []
        var last: EventRecord.Head?
        EventLines.forEach(in: bytes) { _, line in
            guard let head = EventRecord.head(of: Array(line.prefix(4096))), !head.isAnnotation else { return }
            last = head
            if let range = head.voided { voided.append(range) }
        }
        return (last, voided)
    }

    public static func replay(log bytes: [UInt8], until: Timestamp? = nil, through: Int64? = nil) throws(ReplayError) -> Outcome {
        // A void follows the events it voids: find them all first.
        let (last, voided) = scan(log: bytes)
        var outcome = Outcome(replay: EventReplay(voided: voided), last: last)
        var previous: Int64 = 0
        var failure: ReplayError?
        EventLines.forEach(in: bytes) { number, line in
            guard failure == nil else { return }
            let event: ReplayEvent
            do {
                event = try ExactJSONDecoder.decode(ReplayEvent.self, from: Array(line))
                guard event.seq >= 1 else { throw StatusFileDecodingError.shape(StatusFileShapeError(path: "seq", problem: "must be 1 or more")) }
            } catch {
                outcome.problems.append((number, "\(error)"))
                return
            }
            outcome.events += 1
            if event.seq <= previous { outcome.outOfOrder.append((event.seq, previous)) }
            previous = max(previous, event.seq)
            if let until, event.time > until { return }
            if let through, event.seq > through { return }
            do throws(ReplayError) { try outcome.replay.apply(event) } catch { failure = error }
        }
        if let failure { throw failure }
        outcome.replay.state?.recomputeDerivedFields()
        return outcome
    }

    public mutating func apply(_ event: ReplayEvent) throws(ReplayError) {
        guard !voided.contains(where: { $0.contains(event.seq) }) else { return }
        guard let type = event.eventType else {
            unknownTypes.insert(event.type)
            return
        }
        let data = event.data
        func fail(_ problem: String) -> ReplayError { ReplayError(seq: event.seq, problem: problem) }
        func current(_ what: String) throws(ReplayError) -> StatusFile {
            guard let state else { throw fail("\(what) before the log has any state") }
            return state
        }
        switch type {
        case .specInitialized, .specReparsed:
            guard data.hasPlan else { throw fail("its data has no layers") }
            if type == .specInitialized {
                state = StatusFile(feature: data.feature ?? "", featureName: data.featureName ?? data.feature ?? "")
            } else {
                _ = try current("a re-parse")
            }
            state!.layers = StatusFile.numericallyOrdered(data.layers)
        case .taskStarted, .taskCompleted, .taskFailed, .taskSkipped, .taskReset, .taskUpdated, .taskHeartbeat, .taskUsage:
            _ = try current("a task change")
            guard let key = data.layer, let index = data.index, var task = data.task,
                  let l = state!.layers.firstIndex(where: { $0.key == key }), state!.layers[l].tasks.indices.contains(index) else {
                throw fail("it names no task the plan has (\(event.subject ?? "no subject"))")
            }
            task.index = index
            state!.layers[l].tasks[index] = task
        case .errorLogged:
            _ = try current("an error")
            guard let entry = data.error else { throw fail("its data has no error") }
            state!.errors.append(entry)
        case .warningLogged:
            _ = try current("a warning")
            guard let entry = data.warning else { throw fail("its data has no warning") }
            state!.warnings.append(entry)
        case .specRestored:
            // `restore --from-events` rebuilt the state the log already has; a `.bak` goes back
            // as it was, `event_seq` included.
            if let status = data.status {
                state = status
                lastApplied = event.seq
                return
            }
        case .logStarted, .statusEditedExternally:
            guard let status = data.status else { throw fail("its data has no status") }
            state = status
        case .gatePassed, .gateFailed, .gateWarned:
            // Each attempt is in its own event, not in the write's patch: a layer's attempts
            // would otherwise be logged again by every later attempt.
            _ = try current("a gate")
            guard let key = data.layer, let gate = data.gate, let l = state!.layers.firstIndex(where: { $0.key == key }) else {
                throw fail("it names no gate attempt of a layer the plan has")
            }
            state!.layers[l].gates = (state!.layers[l].gates ?? []) + [gate]
        case .layerCompleted, .agentReaped, .budgetExceeded, .gateOverridden, .specCompleted, .specFailed, .specPaused, .specBlocked, .specResumed, .specUpdated, .specArchived, .eventVoided:
            break
        case .notifyFailed, .notifyTest, .eventMerged:
            // Beside the state: the file's `event_seq` never names them.
            return
        }
        if data.changedFields != nil || data.errorsChanged != nil || data.warningsChanged != nil {
            _ = try current("a change")
            try applyStateChanges(data, fail)
        }
        state?.eventSeq = event.seq
        lastApplied = event.seq
    }

    /// `fields`, `errors_changed`, `warnings_changed` (`StatusFile.stateChanges`).
    private mutating func applyStateChanges(_ data: ReplayEvent.Data, _ fail: (String) -> ReplayError) throws(ReplayError) {
        // Taken out, so that changing it copies no task list (a failed replay is abandoned).
        var current = state!
        state = nil
        if case .object(let patch)? = data.changedFields {
            do {
                try StatusFile.fields.merge(patch.removing(["layers", "errors", "warnings"]), into: &current)
                if let errors = patch["errors"] { current.errors = try JSONTree.decode([ErrorEntry].self, from: errors) }
                if let warnings = patch["warnings"] { current.warnings = try JSONTree.decode([WarningEntry].self, from: warnings) }
            } catch {
                throw fail("its fields are not valid: \(error)")
            }
            if case .object(let layerPatches)? = patch["layers"] {
                for (key, value) in layerPatches.entries {
                    guard case .object(let layerPatch) = value else { throw fail("its patch of layer \(key) is not an object") }
                    var l = current.layers.firstIndex { $0.key == key }
                    if l == nil {
                        current.layers.append(ExecutionLayer(key: key, name: key))
                        l = current.layers.count - 1
                    }
                    do { try ExecutionLayer.fields.merge(layerPatch, into: &current.layers[l!]) } catch {
                        throw fail("its patch of layer \(key) is not valid: \(error)")
                    }
                }
            }
        }
        for change in data.errorsChanged ?? [] {
            guard current.errors.indices.contains(change.index), let entry = change.error else { throw fail("its errors_changed names no error the state has") }
            current.errors[change.index] = entry
        }
        for change in data.warningsChanged ?? [] {
            guard current.warnings.indices.contains(change.index), let entry = change.warning else {
                throw fail("its warnings_changed names no warning the state has")
            }
            current.warnings[change.index] = entry
        }
        state = current
    }
}
