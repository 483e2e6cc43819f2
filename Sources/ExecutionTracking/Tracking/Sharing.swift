import ExecutionCore

// `publish` and `merge` (docs/worktrees.md, "Several machines"): a spec's state carried between
// machines through git, each machine writing only its own snapshot.

/// What a `merge` did.
public struct MergeOutcome: Sendable {
    public var spec: SpecID
    public var status: StatusFile?
    /// The machines whose snapshots were merged.
    public var machines: [String]
    /// Snapshots that could not be merged, each with why.
    public var skipped: [String]
    /// False when the merge changed nothing (or there was nothing to merge).
    public var changed: Bool
    /// Other machines' events added to this machine's log.
    public var eventsMerged = 0
}

extension Tracker {
    /// Writes this machine's snapshot of `spec`: its status file and its event log.
    public func publish(_ spec: SpecID) throws(TrackerError) -> (path: String, machine: String, events: Int) {
        let status = try store.load(spec)
        let machine = try store.machineID()
        // Its own events: those merged from other machines are theirs to publish.
        let events = try store.readEvents(spec).events.filter { $0.eventType != .eventMerged }.map(\.json)
        let path = try store.writeSnapshot(SharedSnapshot(spec: spec.rawValue, machine: machine, publishedAt: clock(), status: status,
                                                          events: events), spec)
        return (path, machine, events.count)
    }

    /// Folds every other machine's snapshot of `spec` into the live state, through the locked
    /// write (the merged tasks keep the times they changed at). A snapshot that cannot be read,
    /// is of a newer schema or names another spec is skipped with its reason.
    public func merge(_ spec: SpecID) throws(TrackerError) -> MergeOutcome {
        // A machine that never published has no snapshot of its own to leave out (and gets no id here).
        let machine = try store.existingMachineID()
        let (snapshots, skipped) = store.otherSnapshots(spec, except: machine)
        guard !snapshots.isEmpty else {
            // Nothing to build from: the spec must be there, as for any command.
            return MergeOutcome(spec: spec, status: try store.load(spec), machines: [], skipped: skipped, changed: false)
        }
        let commit = try store.mutate(spec, mustExist: false, stampChanges: false, now: clock) { (status: inout StatusFile?, _) throws(TrackerError) in
            let mine = machine ?? ""
            var merged = StatusFile.merged((status.map { [(mine, $0)] } ?? []) + snapshots.map { ($0.machine, $0.status) }, into: mine)
            merged.eventSeq = status?.eventSeq
            status = merged
        }
        let added = try appendOtherMachinesEvents(spec, snapshots)
        return MergeOutcome(spec: spec, status: commit.status, machines: snapshots.map(\.machine).sorted(), skipped: skipped,
                            changed: commit.written || added > 0, eventsMerged: added)
    }

    /// Each event of the snapshots that this log does not have yet (by id), appended once as an
    /// `event.merged` annotation, in time order. Returns how many.
    private func appendOtherMachinesEvents(_ spec: SpecID, _ snapshots: [SharedSnapshot]) throws(TrackerError) -> Int {
        var known = Set<String>()
        for record in try store.readEvents(spec).events {
            known.insert(record.id)
            if record.eventType == .eventMerged, let original = record.data.objectValue?["event"]?.objectValue?["id"]?.stringValue {
                known.insert(original)
            }
        }
        var fresh: [(time: String, id: String, change: ChangeEvent)] = []
        for snapshot in snapshots {
            for event in snapshot.events {
                guard let object = event.objectValue, let id = object["id"]?.stringValue, !known.contains(id),
                      object["type"]?.stringValue != EventType.eventMerged.rawValue else { continue }
                known.insert(id)
                fresh.append((object["time"]?.stringValue ?? "", id, ChangeEvent(.eventMerged, subject: object["subject"]?.stringValue,
                                                                                  data: JSONObject([("machine", .string(snapshot.machine)), ("event", event)]))))
            }
        }
        guard !fresh.isEmpty else { return 0 }
        let ordered = fresh.sorted { ($0.time, $0.id) < ($1.time, $1.id) }.map(\.change)
        try store.appendAnnotations(ordered, spec, now: clock())
        return ordered.count
    }
}
