// `sync` (docs/layered-tasks-format.md, "Writing checkboxes back"): which checkbox marks of a
// plan file change so that it shows the tracker's states. Pure: the status, the plan as parsed
// and its bytes in; the marks to write out. Only the character between a box's brackets ever
// changes.

public struct PlanSync: Equatable, Sendable {
    public struct Change: Equatable, Sendable {
        /// `L1.3 T004 Build the thing`, or `L2 (its item)` for a Kiro item's own box.
        public var label: String
        /// The UTF-8 offset of the mark in the file.
        public var offset: Int
        public var from: UInt8
        public var to: UInt8
    }

    public var changes: [Change] = []
    /// Boxes changed by hand since the last parse or sync: left as they are, for `parse` to take.
    public var changedByHand: [String] = []
    /// Each tracked task with a box that the sync owns, and whether it shows it complete after.
    public var checked: [(location: TaskLocation, checked: Bool)] = []

    public static func == (a: PlanSync, b: PlanSync) -> Bool {
        a.changes == b.changes && a.changedByHand == b.changedByHand && a.checked.map(\.checked) == b.checked.map(\.checked)
    }

    /// The marks to write, or the tasks that no longer match between the plan and the tracker
    /// (a task added, removed or reworded since the last `parse`): then nothing may be written.
    public static func plan(_ status: StatusFile, parsed: LayeredTasks, bytes: [UInt8]) -> Result<PlanSync, Mismatch> {
        // Keyed by their n-th occurrence as well: two tasks with one id or text pair in order.
        var tracked: [String: TaskLocation] = [:]
        var occurrences: [String: Int] = [:]
        func occurrence(_ base: String) -> String {
            occurrences[base, default: 0] += 1
            return base + "\u{0}\(occurrences[base]!)"
        }
        for (l, layer) in status.layers.enumerated() {
            for (t, task) in layer.tasks.enumerated() { tracked[occurrence(key(layer.key, task.id, task.description))] = TaskLocation(layer: l, task: t) }
        }
        occurrences = [:]
        var mismatch = Mismatch()
        var pairs: [(ParsedTask, TaskLocation, String)] = []
        var seen = Set<String>()
        for layer in parsed.layers {
            for task in layer.tasks {
                let k = occurrence(key(layer.key, task.id, task.description))
                guard let location = tracked[k] else {
                    mismatch.inPlanOnly.append("\(layer.key) " + (task.id.map { "\($0) " } ?? "") + task.description)
                    continue
                }
                seen.insert(k)
                let tracked = status.task(at: location)
                pairs.append((task, location, "\(layer.key).\(location.task)" + (tracked.id.map { " \($0)" } ?? "") + " \(tracked.description)"))
            }
        }
        for (k, location) in tracked.sorted(by: { ($0.value.layer, $0.value.task) < ($1.value.layer, $1.value.task) }) where !seen.contains(k) {
            let task = status.task(at: location)
            mismatch.trackedOnly.append("\(status.layers[location.layer].key).\(task.index)" + (task.id.map { " \($0)" } ?? "") + " \(task.description)")
        }
        guard mismatch.isEmpty else { return .failure(mismatch) }

        // A file that already marks work in progress (Kiro's `[-]`) gets it for running tasks.
        let usesDash = parsed.layers.contains { layer in
            layer.tasks.contains { $0.checkboxOffset.map { bytes.indices.contains($0) && bytes[$0] == UInt8(ascii: "-") } ?? false }
        }
        var sync = PlanSync()
        for (parsedTask, location, label) in pairs {
            guard let offset = parsedTask.checkboxOffset, bytes.indices.contains(offset) else { continue }
            let task = status.task(at: location)
            let current = bytes[offset]
            let want = mark(task.status, usesDash: usesDash)
            let ticked = current == UInt8(ascii: "x") || current == UInt8(ascii: "X")
            // Its last synced state stays recorded, so that `parse` sees the change.
            if let synced = task.planChecked, synced != ticked {
                sync.changedByHand.append(label)
                continue
            }
            sync.checked.append((location, want == UInt8(ascii: "x")))
            if current != want, !(ticked && want == UInt8(ascii: "x")) {
                sync.changes.append(Change(label: label, offset: offset, from: current, to: want))
            }
        }
        // Kiro items whose sub-tasks are the tasks: ticked when all are complete.
        for layer in parsed.layers {
            guard let offset = layer.checkboxOffset, bytes.indices.contains(offset),
                  let tracked = status.layers.first(where: { $0.key == layer.key }) else { continue }
            let state: TaskStatus = tracked.tasks.allSatisfy { $0.status == .complete } ? .complete
                : tracked.tasks.contains { $0.status != .pending } ? .inProgress : .pending
            let want = mark(state, usesDash: usesDash)
            let current = bytes[offset]
            let ticked = current == UInt8(ascii: "x") || current == UInt8(ascii: "X")
            if current != want, !(ticked && want == UInt8(ascii: "x")) {
                sync.changes.append(Change(label: "\(layer.key) (its item)", offset: offset, from: current, to: want))
            }
        }
        sync.changes.sort { $0.offset < $1.offset }
        return .success(sync)
    }

    /// `x` for complete, `-` for running where the file uses it, else a space.
    static func mark(_ status: TaskStatus, usesDash: Bool) -> UInt8 {
        switch status {
        case .complete: UInt8(ascii: "x")
        case .inProgress where usesDash: UInt8(ascii: "-")
        default: UInt8(ascii: " ")
        }
    }

    /// Tasks are matched by layer and id, else by layer and description (as `parse` matches them).
    static func key(_ layer: String, _ id: String?, _ description: String) -> String {
        layer + "\u{0}" + (id.map { "#" + $0.lowercased() } ?? StatusFile.normalised(description))
    }

    /// `bytes` with the changes made.
    public func applied(to bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for change in changes { out[change.offset] = change.to }
        return out
    }

    public struct Mismatch: Error, Equatable, Sendable {
        /// In the plan, not tracked: added or reworded in the plan since the last parse.
        public var inPlanOnly: [String] = []
        /// Tracked, not in the plan: removed or reworded in the plan.
        public var trackedOnly: [String] = []

        public var isEmpty: Bool { inPlanOnly.isEmpty && trackedOnly.isEmpty }
    }
}
