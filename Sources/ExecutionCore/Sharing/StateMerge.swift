// Merging what several machines recorded of one spec (docs/worktrees.md, "Several machines"):
// each machine publishes its own state; merging them is a pure function that gives the same
// result in any order and changes nothing when run again.

extension StatusFile {
    /// Every state in `states` merged into one:
    /// - the task list is the latest plan's (`planned_at`; ties broken by content);
    /// - each task is its latest change's (`changed_at`), with the most attempts any state saw;
    /// - errors, warnings and gate attempts are the union of all, each once, in time order;
    /// - usage (each task's and the spec's own) is the sum of what each machine recorded itself,
    ///   each machine's part counted once (`usage_merged` keeps the others' parts);
    /// - the spec's own fields (pause, block, budget) are the latest write's; the usage sources
    ///   (this machine's transcripts) are `machine`'s;
    /// - derived fields are recomputed.
    /// `states` are the states of the machines they name; the result is `machine`'s. For any one
    /// `machine` it is commutative, associative and idempotent: every choice is a maximum under a
    /// total order, and each sum is taken in one order.
    public static func merged(_ states: [(machine: String, status: StatusFile)], into machine: String) -> StatusFile {
        precondition(!states.isEmpty, "nothing to merge")
        if states.count == 1, states[0].machine == machine { return states[0].status }
        let digests = states.map { ContentDigest.of($0.status.jsonBytes(capacity: 1 << 14)) }
        func latest(_ indices: [Int], _ key: (StatusFile) -> Timestamp?) -> Int {
            indices.max { a, b in before(key(states[a].status), digests[a], key(states[b].status), digests[b]) }!
        }
        let all = Array(states.indices)
        var result = states[latest(all) { $0.plannedAt ?? $0.createdAt }].status
        let owner = states[latest(all) { $0.lastUpdated }].status
        // Each machine's latest state: its own usage is read from there.
        let byMachine = Dictionary(grouping: all) { states[$0].machine }.mapValues { latest($0) { $0.lastUpdated } }
        let usage = UsageUnion(states: states.map(\.status), latest: byMachine, into: machine,
                               order: all.sorted { before(states[$0].status.lastUpdated, digests[$0], states[$1].status.lastUpdated, digests[$1]) })

        // Tasks: every version of each task, by its identity across machines.
        var versions: [String: [ExecutionTask]] = [:]
        var tasksByState: [[String: ExecutionTask]] = states.map { _ in [:] }
        for (i, state) in states.enumerated() {
            for layer in state.status.layers {
                for task in layer.tasks {
                    let key = mergeKey(layer: layer.key, task)
                    versions[key, default: []].append(task)
                    tasksByState[i][key] = task
                }
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
                (task.usage, task.usageMerged) = usage.united { tasksByState[$0][key].map { ($0.usage, $0.usageMerged) } ?? (nil, nil) }
                result.layers[l].tasks[t] = task
            }
            // Gate attempts of this layer from every state; its times the widest any state saw.
            let key = result.layers[l].key
            let same = states.compactMap { $0.status.layers.first { $0.key == key } }
            result.layers[l].startedAt = same.compactMap(\.startedAt).min()
            result.layers[l].completedAt = same.compactMap(\.completedAt).max()
            let gates = states.flatMap { $0.status.layers.first { $0.key == key }?.gates ?? [] }
            result.layers[l].gates = gates.isEmpty ? nil : unite(gates) { $0.executedAt }
        }
        // One error seen resolved on any machine is resolved (at its latest resolution).
        let errors = states.flatMap(\.status.errors)
        var resolved: [[UInt8]: Timestamp] = [:]
        for error in errors { if let at = error.resolvedAt { resolved[error.identity] = max(resolved[error.identity] ?? at, at) } }
        result.errors = unite(errors.map { error in
            var entry = error
            entry.resolvedAt = resolved[error.identity]
            return entry
        }) { $0.timestamp }
        result.warnings = unite(states.flatMap(\.status.warnings)) { $0.timestamp }

        // The spec's own fields: the latest write's.
        result.pausedAt = owner.pausedAt
        result.pauseReason = owner.pauseReason
        result.blockedAt = owner.blockedAt
        result.blockReason = owner.blockReason
        result.budgetUsd = owner.budgetUsd
        result.budgetExceededAt = owner.budgetExceededAt
        (result.usage, result.usageMerged) = usage.united { (states[$0].status.usage, states[$0].status.usageMerged) }
        result.usageSources = byMachine[machine].flatMap { states[$0].status.usageSources }
        result.agents = owner.agents
        result.lastUpdated = states.compactMap(\.status.lastUpdated).max()
        result.createdAt = states.compactMap(\.status.createdAt).min()
        result.startedAt = states.compactMap(\.status.startedAt).min()
        result.completedAt = states.compactMap(\.status.completedAt).max()
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

/// Usage across machines (docs/worktrees.md, "Usage across machines"): a machine's state holds
/// what it recorded itself plus, in `usage_merged`, the parts of other machines it last merged.
/// Summing each machine's own part once counts every token once, however often states went
/// back and forth.
struct UsageUnion {
    let states: [StatusFile]
    /// Each machine's latest state.
    let latest: [String: Int]
    /// The machine whose state the result is.
    let machine: String
    /// The states from earliest to latest: a later one's record of a part wins.
    let order: [Int]

    init(states: [StatusFile], latest: [String: Int], into machine: String, order: [Int]) {
        self.states = states
        self.latest = latest
        self.machine = machine
        self.order = order
    }

    /// One subject's usage (a task's or the spec's), given how each state has it: the total of
    /// every machine's own part, and the parts of machines other than `machine`.
    func united(_ usage: (Int) -> (TokenUsage?, [MachineUsage]?)) -> (TokenUsage?, [MachineUsage]?) {
        var parts: [String: TokenUsage?] = [:]
        // A machine's own part is its latest state's usage less what that state merged.
        for (name, i) in latest {
            let (total, merged) = usage(i)
            parts[name] = total.map { whole in
                (merged ?? []).filter { $0.machine != name }.reduce(whole) { $0.subtracting($1.usage) }
            }
        }
        // A machine with no state here counts as it was last merged: by `machine`'s own state
        // first (what it merged before), else by the latest state that merged it.
        let carriers = order.filter { latest[machine] != $0 } + (latest[machine].map { [$0] } ?? [])
        var carried: [String: TokenUsage] = [:]
        for i in carriers {
            for part in usage(i).1 ?? [] where latest[part.machine] == nil { carried[part.machine] = part.usage }
        }
        for (name, part) in carried { parts[name] = part }
        let named = parts.compactMapValues { $0.flatMap { $0.isNothing ? nil : $0 } }.sorted { $0.key < $1.key }
        var total = named.reduce(TokenUsage()) { $0.adding($1.value) }
        total.byModel?.sort { $0.model < $1.model }
        let others = named.filter { $0.key != machine }.map { MachineUsage(machine: $0.key, usage: $0.value) }
        return (total.isNothing ? nil : total, others.isEmpty ? nil : others)
    }
}

/// One machine's part of a usage (an entry of `usage_merged`).
public struct MachineUsage: ModelObject {
    public var machine = ""
    public var usage = TokenUsage()
    public var extra = JSONObject()

    public init() {}

    public init(machine: String, usage: TokenUsage) {
        self.machine = machine
        self.usage = usage
    }

    public static let fields = FieldTable<MachineUsage>([
        .field("machine", \.machine),
        .field("usage", \.usage),
    ])
}

extension ErrorEntry {
    /// What makes two records of one error the same error: everything but its resolution.
    var identity: [UInt8] {
        var open = self
        open.resolvedAt = nil
        return ExactJSONEncoder.bytes(open, style: .compact)
    }
}
