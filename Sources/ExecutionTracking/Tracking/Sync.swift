import ExecutionCore

// `sync` (docs/layered-tasks-format.md, "Writing checkboxes back"): the tracker's states into
// the plan file's checkboxes.

/// What a `sync` found and did.
public struct Synced: Sendable {
    public var path: String
    public var sync: PlanSync
    /// False with `check`, or when no mark had to change.
    public var written: Bool
}

extension Tracker {
    /// Writes each task's state into its checkbox in the plan the spec is parsed from. With
    /// `check`, only says what would change. Under the spec's lock, so no state changes between
    /// reading the plan and recording what was written.
    public func sync(_ spec: SpecID, check: Bool) throws(TrackerError) -> Synced {
        // The spec first: without its status file there is nothing to write back.
        let current = try store.load(spec)
        let path: String
        if let stored = try tasksFileToParse(spec, explicit: nil) { path = stored } else { path = try store.locateTasksFile(for: spec, explicit: nil).path }
        if check { return Synced(path: path, sync: try planSync(current, path: path).sync, written: false) }
        let commit = try store.mutate(spec, now: clock) { (status: inout StatusFile?, _) throws(TrackerError) -> PlanSync in
            let (sync, bytes) = try planSync(status!, path: path)
            if !sync.changes.isEmpty { try store.rewritePlanFile(path, sync.applied(to: bytes)) }
            for (location, checked) in sync.checked { status!.layers[location.layer].tasks[location.task].planChecked = checked }
            return sync
        }
        return Synced(path: path, sync: commit.result, written: !commit.result.changes.isEmpty)
    }

    private func planSync(_ status: StatusFile, path: String) throws(TrackerError) -> (sync: PlanSync, bytes: [UInt8]) {
        let bytes = try store.readPlanBytes(path)
        switch PlanSync.plan(status, parsed: LayeredTasksParser.parse(String(decoding: bytes, as: UTF8.self)), bytes: bytes) {
        case .success(let sync): return (sync, bytes)
        case .failure(let mismatch):
            func list(_ items: [String]) -> String {
                items.prefix(10).joined(separator: "; ") + (items.count > 10 ? "; and \(items.count - 10) more" : "")
            }
            let parts = [mismatch.inPlanOnly.isEmpty ? nil : "in the plan, not tracked: " + list(mismatch.inPlanOnly),
                         mismatch.trackedOnly.isEmpty ? nil : "tracked, not in the plan: " + list(mismatch.trackedOnly)].compactMap { $0 }
            throw TrackerError(.precondition, "\(store.display(path)) no longer matches the tracked tasks of \(status.feature) ("
                + parts.joined(separator: "; ") + "); nothing was written; run: exectrack parse \(status.feature)")
        }
    }
}
