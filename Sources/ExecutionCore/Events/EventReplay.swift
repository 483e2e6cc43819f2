// Rebuilding a status file from its event log (docs/events.md, "Replaying"): `replay`,
// `restore --from-events` and `validate` apply the events in order to an empty state.

/// An event the replay cannot apply: its data lacks what its type needs.
public struct ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    public let seq: Int64
    public let problem: String

    public var description: String { "event \(seq): \(problem)" }
}

public struct EventReplay: Sendable {
    /// The state so far; nil before the first event that sets one.
    public private(set) var state: StatusFile?
    /// Types this version does not know, passed over (a newer version wrote them).
    public private(set) var unknownTypes: Set<String> = []
    /// The `seq` of the last event applied.
    public private(set) var lastApplied: Int64?
    private let voided: [ClosedRange<Int64>]

    /// `voided`: the ranges that `event.voided` events name (`voidedRanges(in:)`); events there
    /// never happened and are not applied.
    public init(voided: [ClosedRange<Int64>] = []) {
        self.voided = voided
    }

    /// The state after the events up to `until` (all when nil); derived fields computed.
    public static func state(of events: [EventRecord], until: Timestamp? = nil) throws(ReplayError) -> EventReplay {
        var replay = EventReplay(voided: voidedRanges(in: events))
        for event in events {
            if let until, event.time > until { break }
            try replay.apply(event)
        }
        replay.state?.recomputeDerivedFields()
        return replay
    }

    public static func voidedRanges(in events: [EventRecord]) -> [ClosedRange<Int64>] {
        events.compactMap { event in
            guard event.eventType == .eventVoided, let data = event.data.objectValue,
                  let from = data["from_seq"]?.intValue, let through = data["through_seq"]?.intValue, from <= through else { return nil }
            return Int64(from)...Int64(through)
        }
    }

    public mutating func apply(_ event: EventRecord) throws(ReplayError) {
        guard !voided.contains(where: { $0.contains(event.seq) }) else { return }
        guard let type = event.eventType else {
            unknownTypes.insert(event.type)
            return
        }
        let data = event.data.objectValue ?? JSONObject()
        func fail(_ problem: String) -> ReplayError { ReplayError(seq: event.seq, problem: problem) }
        func decode<T: ModelObject>(_: T.Type, _ key: String, in object: JSONObject = data) throws(ReplayError) -> T {
            guard let value = object[key] else { throw fail("its data has no \(key)") }
            do { return try JSONTree.decode(T.self, from: value) } catch { throw fail("its \(key) is not valid: \(error)") }
        }
        func whole(_ value: JSONValue?) throws(ReplayError) -> StatusFile {
            guard let value else { throw fail("its data has no status") }
            do { return try StatusFile(json: value) } catch { throw fail("its status is not a status file: \(error)") }
        }
        switch type {
        case .specInitialized, .specReparsed:
            var plan = JSONObject([("feature", data["feature"] ?? .null), ("feature_name", data["feature_name"] ?? .null),
                                   ("layers", data["layers"] ?? .null)])
            if type == .specReparsed, state == nil { throw fail("a re-parse before the log has any state") }
            if case .array? = data["layers"] { plan["layers"] = Self.keyedLayers(data["layers"]!) }
            let planned = try whole(.object(plan))
            if type == .specReparsed {
                state!.layers = planned.layers
            } else {
                state = planned
            }
        case .taskStarted, .taskCompleted, .taskFailed, .taskSkipped, .taskReset, .taskUpdated:
            guard state != nil else { throw fail("a task change before the log has any state") }
            guard let key = data["layer"]?.stringValue, let index = data["index"]?.intValue,
                  let l = state!.layers.firstIndex(where: { $0.key == key }), state!.layers[l].tasks.indices.contains(index) else {
                throw fail("it names a task the plan does not have (\(event.subject ?? "no subject"))")
            }
            var task = try decode(ExecutionTask.self, "task")
            task.index = index
            state!.layers[l].tasks[index] = task
        case .errorLogged:
            guard state != nil else { throw fail("an error before the log has any state") }
            state!.errors.append(try decode(ErrorEntry.self, "error"))
        case .warningLogged:
            guard state != nil else { throw fail("a warning before the log has any state") }
            state!.warnings.append(try decode(WarningEntry.self, "warning"))
        case .specRestored:
            // `restore --from-events` rebuilt the state the log already has; a `.bak` goes back
            // as it was, `event_seq` included.
            if data["status"] != nil {
                state = try whole(data["status"])
                lastApplied = event.seq
                return
            }
        case .logStarted, .statusEditedExternally:
            state = try whole(data["status"])
        case .layerCompleted, .specPaused, .specBlocked, .specResumed, .specUpdated, .specArchived, .eventVoided:
            break
        }
        if data["fields"] != nil || data["errors_changed"] != nil || data["warnings_changed"] != nil {
            guard state != nil else { throw fail("a change before the log has any state") }
            try applyStateChanges(data, fail)
        }
        state?.eventSeq = event.seq
        lastApplied = event.seq
    }

    /// Logs written before the plan was keyed like the status file list layers as objects with a `key`.
    private static func keyedLayers(_ list: JSONValue) -> JSONValue {
        var keyed = JSONObject()
        for case .object(var layer) in list.arrayValue ?? [] {
            guard let key = layer["key"]?.stringValue else { continue }
            layer["key"] = nil
            keyed.append(key, .object(layer))
        }
        return .object(keyed)
    }

    /// `fields`, `errors_changed`, `warnings_changed` (`StatusFile.stateChanges`).
    private mutating func applyStateChanges(_ data: JSONObject, _ fail: (String) -> ReplayError) throws(ReplayError) {
        var current = state!
        if case .object(let patch)? = data["fields"] {
            var header = current.ownFields
            for (key, value) in patch.entries where !["layers", "errors", "warnings"].contains(key) {
                header[key] = value.isNull ? nil : value
            }
            header["layers"] = .object(JSONObject())
            var updated: StatusFile
            do { updated = try StatusFile(json: .object(header)) } catch { throw fail("its fields do not make a status file: \(error)") }
            updated.layers = current.layers
            updated.errors = current.errors
            updated.warnings = current.warnings
            if case .object(let layerPatches)? = patch["layers"] {
                for (key, value) in layerPatches.entries {
                    guard case .object(let layerPatch) = value else { throw fail("its patch of layer \(key) is not an object") }
                    let l = updated.layers.firstIndex { $0.key == key }
                    var fields = l.map { updated.layers[$0].ownFields } ?? JSONObject()
                    for (field, value) in layerPatch.entries { fields[field] = value.isNull ? nil : value }
                    fields["tasks"] = .array([])
                    var layer: ExecutionLayer
                    do { layer = try JSONTree.decode(ExecutionLayer.self, from: .object(fields)) } catch {
                        throw fail("its patch of layer \(key) does not make a layer: \(error)")
                    }
                    layer.key = key
                    if let l {
                        layer.tasks = updated.layers[l].tasks
                        updated.layers[l] = layer
                    } else {
                        updated.layers.append(layer)
                    }
                }
            }
            do {
                if let errors = patch["errors"] { updated.errors = try JSONTree.decode([ErrorEntry].self, from: errors) }
                if let warnings = patch["warnings"] { updated.warnings = try JSONTree.decode([WarningEntry].self, from: warnings) }
            } catch {
                throw fail("its errors or warnings are not valid: \(error)")
            }
            current = updated
        }
        func replaceEntries<Entry: ModelObject>(_ name: String, _ list: inout [Entry]) throws(ReplayError) {
            for case .object(let change) in data["\(name)_changed"]?.arrayValue ?? [] {
                guard let i = change["index"]?.intValue, list.indices.contains(i), let value = change[String(name.dropLast())] else {
                    throw fail("its \(name)_changed names no entry the state has")
                }
                do { list[i] = try JSONTree.decode(Entry.self, from: value) } catch { throw fail("its \(name)_changed is not valid: \(error)") }
            }
        }
        try replaceEntries("errors", &current.errors)
        try replaceEntries("warnings", &current.warnings)
        state = current
    }
}
