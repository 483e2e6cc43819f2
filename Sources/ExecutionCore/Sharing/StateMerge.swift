// Merging what several machines recorded of one spec (docs/worktrees.md, "Several machines"):
// each machine publishes its own state; merging them is a pure function that gives the same
// result in any order and changes nothing when run again.

extension StatusFile {
    /// Every state in `states` merged into one:
    /// - the task list is the latest plan's (`planned_at`; ties broken by content);
    /// - each task is its latest change's (`changed_at`), with the most attempts any state saw;
    /// - errors, warnings and gate attempts are the union of all, each once, in time order;
    /// - the spec's own fields (pause, block, budget, usage sources) are the latest write's;
    /// - derived fields are recomputed.
    /// Commutative, associative and idempotent: every choice is a maximum under a total order.
    public static func merged(_ states: [StatusFile]) -> StatusFile {
        precondition(!states.isEmpty, "nothing to merge")
        if states.count == 1 { return states[0] }
        let digests = states.map { ContentDigest.of($0.jsonBytes(capacity: 1 << 14)) }
        func latest(_ key: (StatusFile) -> Timestamp?) -> Int {
            states.indices.max { a, b in before(key(states[a]), digests[a], key(states[b]), digests[b]) }!
        }
        var result = states[latest { $0.plannedAt ?? $0.createdAt }]
        let owner = states[latest { $0.lastUpdated }]

        // Tasks: every version of each task, by its identity across machines.
        var versions: [String: [ExecutionTask]] = [:]
        for state in states {
            for layer in state.layers {
                for task in layer.tasks { versions[mergeKey(layer: layer.key, task), default: []].append(task) }
            }
        }
        for l in result.layers.indices {
            for t in result.layers[l].tasks.indices {
                let key = mergeKey(layer: result.layers[l].key, result.layers[l].tasks[t])
                guard let all = versions[key], !all.isEmpty else { continue }
                let taskDigests = all.map { ContentDigest.of(ExactJSONEncoder.bytes($0, style: .compact)) }
                let winner = all.indices.max { a, b in before(all[a].changedAt, taskDigests[a], all[b].changedAt, taskDigests[b]) }!
                var task = all[winner]
                task.index = t
                task.attempts = all.map(\.attempts).max() ?? task.attempts
                result.layers[l].tasks[t] = task
            }
            // Gate attempts of this layer from every state; its times the widest any state saw.
            let key = result.layers[l].key
            let same = states.compactMap { $0.layers.first { $0.key == key } }
            result.layers[l].startedAt = same.compactMap(\.startedAt).min()
            result.layers[l].completedAt = same.compactMap(\.completedAt).max()
            let gates = states.flatMap { $0.layers.first { $0.key == key }?.gates ?? [] }
            result.layers[l].gates = gates.isEmpty ? nil : unite(gates) { $0.executedAt }
        }
        // One error seen resolved on any machine is resolved (at its latest resolution).
        let errors = states.flatMap(\.errors)
        var resolved: [[UInt8]: Timestamp] = [:]
        for error in errors { if let at = error.resolvedAt { resolved[error.identity] = max(resolved[error.identity] ?? at, at) } }
        result.errors = unite(errors.map { error in
            var entry = error
            entry.resolvedAt = resolved[error.identity]
            return entry
        }) { $0.timestamp }
        result.warnings = unite(states.flatMap(\.warnings)) { $0.timestamp }

        // The spec's own fields: the latest write's.
        result.pausedAt = owner.pausedAt
        result.pauseReason = owner.pauseReason
        result.blockedAt = owner.blockedAt
        result.blockReason = owner.blockReason
        result.budgetUsd = owner.budgetUsd
        result.budgetExceededAt = owner.budgetExceededAt
        result.usage = owner.usage
        result.usageSources = owner.usageSources
        result.agents = owner.agents
        result.lastUpdated = states.compactMap(\.lastUpdated).max()
        result.createdAt = states.compactMap(\.createdAt).min()
        result.startedAt = states.compactMap(\.startedAt).min()
        result.completedAt = states.compactMap(\.completedAt).max()
        result.eventSeq = nil
        result.recomputeDerivedFields()
        return result
    }

    /// The total order choices are made in: by time (none first), then by content.
    static func before(_ x: Timestamp?, _ xContent: String, _ y: Timestamp?, _ yContent: String) -> Bool {
        let (a, b) = (x?.millisecondsSinceEpoch ?? Int64.min, y?.millisecondsSinceEpoch ?? Int64.min)
        return a != b ? a < b : xContent < yContent
    }

    /// Each entry once (by its JSON), in order of `time`, then of its JSON.
    static func unite<Entry: ModelObject>(_ entries: [Entry], time: (Entry) -> Timestamp?) -> [Entry] {
        var seen: [String: Entry] = [:]
        for entry in entries { seen[String(decoding: ExactJSONEncoder.bytes(entry, style: .compact), as: UTF8.self)] = entry }
        return seen.sorted { before(time($0.value), $0.key, time($1.value), $1.key) }.map(\.value)
    }
}

extension ErrorEntry {
    /// What makes two records of one error the same error: everything but its resolution.
    var identity: [UInt8] {
        var open = self
        open.resolvedAt = nil
        return ExactJSONEncoder.bytes(open, style: .compact)
    }
}
