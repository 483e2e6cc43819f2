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
}

extension Tracker {
    /// Writes this machine's snapshot of `spec`: its status file and its event log.
    public func publish(_ spec: SpecID) throws(TrackerError) -> (path: String, machine: String, events: Int) {
        let status = try store.load(spec)
        let machine = try store.machineID()
        let events = try store.readEvents(spec).events.map(\.json)
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
            var merged = StatusFile.merged((status.map { [$0] } ?? []) + snapshots.map(\.status))
            merged.eventSeq = status?.eventSeq
            status = merged
        }
        return MergeOutcome(spec: spec, status: commit.status, machines: snapshots.map(\.machine).sorted(), skipped: skipped,
                            changed: commit.written)
    }
}
