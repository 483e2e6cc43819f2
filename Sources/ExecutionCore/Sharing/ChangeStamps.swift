// `changed_at` (docs/worktrees.md, "Several machines"): when each task last changed on the
// machine that changed it, which is what decides between two machines' versions of a task.

extension StatusFile {
    /// Sets `changed_at` to `now` on each task that differs from its version in `before`, or is
    /// new in it. A new file stamps nothing: a task untouched since its plan has no `changed_at`,
    /// and any change wins over it. Tasks are matched by place when the task lists are the same,
    /// else by layer and id (or description).
    public mutating func stampChangedTasks(since before: StatusFile?, now: Timestamp) {
        guard let before else { return }
        let samePlaces = layers.count == before.layers.count
            && zip(layers, before.layers).allSatisfy { $0.key == $1.key && $0.tasks.count == $1.tasks.count }
        var byKey: [String: ExecutionTask] = [:]
        if !samePlaces {
            for layer in before.layers { for task in layer.tasks { byKey[Self.mergeKey(layer: layer.key, task)] = task } }
        }
        for l in layers.indices {
            let candidates = samePlaces ? layers[l].tasks.indicesDiffering(from: before.layers[l].tasks)
                : Array(layers[l].tasks.indices)
            for t in candidates {
                let old = samePlaces ? before.layers[l].tasks[t] : byKey[Self.mergeKey(layer: layers[l].key, layers[l].tasks[t])]
                guard let old else {
                    layers[l].tasks[t].changedAt = now
                    continue
                }
                if layers[l].tasks[t] == old { continue }
                var unstamped = layers[l].tasks[t]
                unstamped.changedAt = old.changedAt
                if unstamped != old { layers[l].tasks[t].changedAt = now }
            }
        }
    }

    /// A task's identity across machines: its layer and its id, else its description.
    static func mergeKey(layer: String, _ task: ExecutionTask) -> String {
        "\(layer)/" + (task.id.map { "#" + $0.lowercased() } ?? normalised(task.description))
    }
}
