// What `stats` and `estimate` know of one spec (docs/stats.md): each task's times, read from its
// status file and the task transitions of its event log, and the spec's error tallies. Small and
// flat, so that thousands of specs fit in one summary cache.

/// One task's history. Times are milliseconds since the epoch; nil when not reached.
public struct TaskHistory: Equatable, Sendable {
    public var layer: String
    public var index: Int
    public var id: String?
    public var description: String
    public var complexity: String?
    public var agent: String?
    public var status: TaskStatus
    /// When the spec was made: the start of every task's wait.
    public var planned: Int64?
    /// When its dependencies and every earlier layer were done; nil while they are not.
    public var ready: Int64?
    /// The first attempt's start, and the last attempt's.
    public var firstStart: Int64?
    public var finalStart: Int64?
    /// When the last attempt ended (complete, failed or skipped).
    public var end: Int64?
    public var attempts: Int
    /// The known dollars of its usage (docs/usage.md), and its tokens.
    public var costUsd: Double
    public var tokens: Int64

    public init(layer: String, index: Int, id: String? = nil, description: String, complexity: String? = nil, agent: String? = nil,
                status: TaskStatus, planned: Int64? = nil, ready: Int64? = nil, firstStart: Int64? = nil, finalStart: Int64? = nil,
                end: Int64? = nil, attempts: Int = 0, costUsd: Double = 0, tokens: Int64 = 0) {
        self.layer = layer
        self.index = index
        self.id = id
        self.description = description
        self.complexity = complexity
        self.agent = agent
        self.status = status
        self.planned = planned
        self.ready = ready
        self.firstStart = firstStart
        self.finalStart = finalStart
        self.end = end
        self.attempts = attempts
        self.costUsd = costUsd
        self.tokens = tokens
    }

    /// Its complexity, "unassigned" without one (as `metrics` names it).
    public var complexityName: String { complexity ?? "unassigned" }

    /// How long the finished task took, from its first start (retries included).
    public var elapsed: Int64? {
        guard status == .complete, let firstStart, let end, end >= firstStart else { return nil }
        return end - firstStart
    }
}

/// The errors of one category in a spec: how many, and how many were resolved.
public struct ErrorTally: Equatable, Sendable {
    public var category: String
    public var count: Int
    public var resolved: Int

    public init(category: String, count: Int, resolved: Int) {
        self.category = category
        self.count = count
        self.resolved = resolved
    }
}

public struct SpecHistory: Equatable, Sendable {
    public var spec: String
    /// Read from `archive/`.
    public var archived: Bool
    public var tasks: [TaskHistory]
    public var errors: [ErrorTally]
    /// The spec's observed critical path: positions in `tasks`, first to last.
    public var criticalPath: [Int]

    public init(spec: String, archived: Bool, tasks: [TaskHistory], errors: [ErrorTally], criticalPath: [Int]) {
        self.spec = spec
        self.archived = archived
        self.tasks = tasks
        self.errors = errors
        self.criticalPath = criticalPath
    }
}

extension SpecHistory {
    /// The histories with each task once. Copies of one run arise from `archive` (which copies
    /// the file and moves its log) and `init --force` (which copies the file alone): a task with
    /// the same spec, layer, index, last start and end is one task, kept where its record is
    /// fullest (the earliest first start: the copy with the log), live before archived. A copy
    /// left with none of its tasks is dropped.
    public static func deduplicated(_ histories: [SpecHistory]) -> [SpecHistory] {
        // Among copies, the one that saw the most of the retries first (the copy with the log).
        func seen(_ h: SpecHistory) -> Int64 { h.tasks.reduce(Int64(0)) { $0.addingSaturated(max(0, ($1.finalStart ?? 0) - ($1.firstStart ?? 0))) } }
        // Grouped by spec (copies of a run share its id), live ones first in each group.
        let order = histories.indices.sorted { (histories[$0].spec, histories[$0].archived ? 1 : 0, $0) < (histories[$1].spec, histories[$1].archived ? 1 : 0, $1) }
        var result: [SpecHistory] = []
        result.reserveCapacity(histories.count)
        var i = 0
        while i < order.count {
            // Only histories of one spec can share a task: most specs have one and are kept as they are.
            var j = i + 1
            while j < order.count, histories[order[j]].spec == histories[order[i]].spec { j += 1 }
            if j == i + 1 {
                result.append(histories[order[i]])
            } else {
                let group = order[i..<j].map { histories[$0] }
                let ranks = group.indices.sorted { (group[$0].archived ? 1 : 0, -seen(group[$0]), $0) < (group[$1].archived ? 1 : 0, -seen(group[$1]), $1) }
                result += Self.unique(group, ranked: ranks)
            }
            i = j
        }
        return result
    }

    private struct TaskKey: Hashable {
        var layer: String
        var index: Int
        var finalStart: Int64
        var end: Int64
    }

    /// The histories of one spec, each task once: the owner of a task is the history that
    /// recorded the earliest first start for it, the first of `ranked` on a tie.
    private static func unique(_ group: [SpecHistory], ranked: [Int]) -> [SpecHistory] {
        var owner: [TaskKey: (history: Int, task: Int, firstStart: Int64)] = [:]
        for h in ranked {
            for (t, task) in group[h].tasks.enumerated() where task.finalStart != nil || task.end != nil {
                let key = TaskKey(layer: task.layer, index: task.index, finalStart: task.finalStart ?? -1, end: task.end ?? -1)
                let first = task.firstStart ?? Int64.max
                if let current = owner[key], current.firstStart <= first { continue }
                owner[key] = (h, t, first)
            }
        }
        var kept = Array(repeating: Set<Int>(), count: group.count)
        for entry in owner.values { kept[entry.history].insert(entry.task) }
        return group.indices.compactMap { h in
            var history = group[h]
            let keep = history.tasks.indices.filter { t in
                (history.tasks[t].finalStart == nil && history.tasks[t].end == nil) || kept[h].contains(t)
            }
            if keep.count == history.tasks.count { return history }
            // A copy: the tasks another history holds better go; a copy of nothing new goes whole.
            guard !kept[h].isEmpty else { return nil }
            history.criticalPath = history.criticalPath.compactMap { keep.firstIndex(of: $0) }
            history.tasks = keep.map { history.tasks[$0] }
            return history
        }
    }

    /// "Now" for this history: the current time for a live spec; for an archived one, the last
    /// time it records (a task it shows running stopped being timed when it was archived).
    func now(_ current: Int64) -> Int64 {
        guard archived else { return current }
        return tasks.compactMap { $0.end ?? $0.finalStart ?? $0.firstStart }.max() ?? current
    }
}

/// A task's status change as its event log recorded it.
public struct TaskTransition: Equatable, Sendable {
    public var layer: String
    public var index: Int
    public var time: Int64
    public var to: TaskStatus

    public init(layer: String, index: Int, time: Int64, to: TaskStatus) {
        self.layer = layer
        self.index = index
        self.time = time
        self.to = to
    }

    private static let statusChanges = [EventType.taskStarted, .taskCompleted, .taskFailed, .taskSkipped, .taskReset]
        .map { Array($0.rawValue.utf8) }

    /// Whether an event's type, as bytes, is one of a task's status changes.
    static func isStatusChange(_ type: UnsafeBufferPointer<UInt8>) -> Bool {
        statusChanges.contains { change in
            change.count == type.count && change.withUnsafeBytes { Bytes.equal($0.baseAddress!, UnsafeRawPointer(type.baseAddress), count: type.count) }
        }
    }

    /// The transition one event line records, or nil for any other line. Reads only the line's
    /// head and the first members of its `data` (the log's writer puts `type` and `time` before
    /// `data`, and `layer`, `index`, `to` before the task): a status change's line carries the
    /// whole task, which is the bulk of a long log. Keys and strings are compared as the
    /// parser's bytes: a report reads tens of thousands of lines. A line as the log's writer
    /// writes it (compact, nothing escaped before the task) is read by `CompactEventLine`, the
    /// same steps with fewer checks; anything else by the parser.
    public static func scan(_ line: UnsafeBufferPointer<UInt8>) -> TaskTransition? {
        var compact = CompactEventLine(line)
        switch compact.read() {
        case .transition(let transition): return transition
        case .none: return nil
        case .unknown: break
        }
        var parser = JSONParser(bytes: line)
        var isChange = false, time: Int64?
        /// `read` on the bytes of the string at the position; nil, past the value, for any other value.
        func string<R>(_ read: (UnsafeBufferPointer<UInt8>) -> R?) throws(JSONSyntaxError) -> R? {
            guard try parser.peek() == UInt8(ascii: "\"") else {
                try parser.skipValue()
                return nil
            }
            return try parser.text().withUTF8(read)
        }
        do throws(JSONSyntaxError) {
            guard try parser.peek() == UInt8(ascii: "{") else { return nil }
            try parser.beginObject()
            var first = true
            while let key = try parser.nextKey(&first) {
                if key.is("type") {
                    isChange = try string(isStatusChange) ?? false
                    guard isChange else { return nil }
                } else if key.is("time") {
                    time = try string { Timestamp(iso8601: $0)?.millisecondsSinceEpoch }
                } else if key.is("data") {
                    guard isChange, let time else { return nil }
                    try parser.beginObject()
                    var firstInData = true
                    var layer: String?, index: Int?
                    while let key = try parser.nextKey(&firstInData) {
                        if key.is("layer") {
                            layer = try string { String(decoding: $0, as: UTF8.self) }
                        } else if key.is("index") {
                            if let n = parser.integer() { index = Int(n) } else { index = try parser.value().intValue }
                        } else if key.is("to") {
                            guard let layer, let index,
                                  let to = try string({ TaskStatus(rawValue: String(decoding: $0, as: UTF8.self)) }) else { return nil }
                            return TaskTransition(layer: layer, index: index, time: time, to: to)
                        } else {
                            try parser.skipValue()
                        }
                    }
                    return nil
                } else {
                    // Passed over unbuilt: a log has about five events a task (docs/benchmarks.md).
                    try parser.skipValue()
                }
            }
        } catch {
            return nil
        }
        return nil
    }
}

/// `TaskTransition.scan` for a line in the writer's own form: keys and the strings it reads are
/// plain ASCII, no whitespace, no escape before the task. The same decisions in the same order
/// as the parser path; `read()` is `.unknown` at the first byte outside that form,
/// and the parser path reads the line (Tests/ExecutionTrackingTests/FastPathTests.swift holds
/// the two to the same results). A quarter of an HTML report's time went to these lines.
struct CompactEventLine {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Where the line is read (`position`), and its scans of numbers, strings and brackets.
    private var parser: JSONParser

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        parser = JSONParser(bytes: bytes)
    }

    enum Reading {
        case transition(TaskTransition)
        /// The line is known to record no transition.
        case none
        /// The line is not in the writer's form: the parser reads it.
        case unknown
    }

    mutating func read() -> Reading {
        guard take(UInt8(ascii: "{")) else { return .unknown }
        var isChange = false, time: Int64?
        repeat {
            guard let key = plain(ascii: true), take(UInt8(ascii: ":")) else { return .unknown }
            if Bytes.equal(key, "data") {
                guard isChange, let time else { return .none }
                return transition(in: time)
            }
            let isType = Bytes.equal(key, "type"), isTime = Bytes.equal(key, "time")
            if isType || isTime {
                // Strings the parser path would decode, or values it would pass over: its turn.
                guard let text = plain(ascii: true) else { return .unknown }
                if isType {
                    isChange = TaskTransition.isStatusChange(text)
                    if !isChange { return .none }
                } else {
                    time = Timestamp(iso8601: text)?.millisecondsSinceEpoch
                }
            } else {
                guard skipScalar() else { return .unknown }
            }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}")) ? .none : .unknown
    }

    /// The members of `data` up to `to`.
    private mutating func transition(in time: Int64) -> Reading {
        guard take(UInt8(ascii: "{")) else { return .unknown }
        if take(UInt8(ascii: "}")) { return .none }
        var layer: String?, index: Int?
        repeat {
            guard let key = plain(ascii: true), take(UInt8(ascii: ":")) else { return .unknown }
            if Bytes.equal(key, "layer") {
                guard let text = plain(ascii: true) else { return .unknown }
                layer = String(decoding: text, as: UTF8.self)
            } else if Bytes.equal(key, "index") {
                guard let n = parser.integer() else { return .unknown }
                index = Int(n)
            } else if Bytes.equal(key, "to") {
                guard let text = plain(ascii: true) else { return .unknown }
                guard let layer, let index, let to = TaskStatus(rawValue: String(decoding: text, as: UTF8.self)) else { return .none }
                return .transition(TaskTransition(layer: layer, index: index, time: time, to: to))
            } else if next == UInt8(ascii: "{") || next == UInt8(ascii: "[") {
                // The actor: passed over by its brackets, as the parser path passes over it.
                guard (try? parser.skipValue()) != nil else { return .unknown }
            } else {
                guard skipScalar() else { return .unknown }
            }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}")) ? .none : .unknown
    }

    /// The byte at the position; nil at the end.
    private var next: UInt8? { parser.position < bytes.count ? bytes[parser.position] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard next == byte else { return false }
        parser.position += 1
        return true
    }

    /// The string at the position when nothing in it needs decoding (no escape; with `ascii`,
    /// only printable ASCII), moving past it.
    private mutating func plain(ascii: Bool) -> UnsafeBufferPointer<UInt8>? {
        guard next == UInt8(ascii: "\"") else { return nil }
        let start = parser.position + 1
        var end = parser.plainRunEnd(from: start)
        if end == bytes.count || bytes[end] != UInt8(ascii: "\"") {
            // Not ASCII: a string still needs no decoding to be passed over when it has no escape.
            guard !ascii, let close = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                  bytes[close] == UInt8(ascii: "\"") else { return nil }
            end = close
        }
        parser.position = end + 1
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// Moves past a string without escapes or a plain integer (an id, a subject, a sequence
    /// number); false for anything else.
    private mutating func skipScalar() -> Bool {
        plain(ascii: false) != nil || parser.integer() != nil
    }
}

/// Transitions grouped by task (its layer's key and its index), each group in log order. A
/// group is a chain through the log's transitions, not an array of its own: an HTML report groups
/// 30,000 transitions of 10,000 tasks, and an array each was a third of its timeline's time.
struct TransitionsByTask {
    private struct Key: Hashable {
        var layer: String
        var index: Int
    }

    private let transitions: [TaskTransition]
    /// Each task's first transition, as a place in `transitions`.
    private var first: [Key: Int] = [:]
    /// The place of the task's next transition after each one; -1 after its last.
    private var next: [Int]

    init(_ transitions: [TaskTransition]) {
        self.transitions = transitions
        next = Array(repeating: -1, count: transitions.count)
        // Backwards, each transition put in front of the ones after it: the chains run in log order.
        for i in transitions.indices.reversed() {
            if let after = first.updateValue(i, forKey: Key(layer: transitions[i].layer, index: transitions[i].index)) { next[i] = after }
        }
    }

    struct Group: Sequence, IteratorProtocol {
        fileprivate let byTask: TransitionsByTask
        fileprivate var place: Int

        mutating func next() -> TaskTransition? {
            guard place >= 0 else { return nil }
            defer { place = byTask.next[place] }
            return byTask.transitions[place]
        }
    }

    subscript(layer: String, index: Int) -> Group { Group(byTask: self, place: first[Key(layer: layer, index: index)] ?? -1) }
}

extension SpecHistory {
    /// The history of `status`, its attempts taken from `transitions` (in log order) where the log
    /// has them; the status file has the last word on the final attempt.
    public init(_ status: StatusFile, transitions: [TaskTransition], archived: Bool) {
        let (tasks, needs) = Self.taskHistories(status, TransitionsByTask(transitions))
        var tallies: [String: ErrorTally] = [:]
        for error in status.errors {
            let category = error.category.rawValue
            tallies[category, default: ErrorTally(category: category, count: 0, resolved: 0)].count += 1
            if error.resolvedAt != nil { tallies[category]!.resolved += 1 }
        }
        self.init(spec: status.feature, archived: archived, tasks: tasks, errors: tallies.values.sorted { $0.category < $1.category },
                  criticalPath: [])
        criticalPath = observedCriticalPath(status, needs: needs)
    }

    /// Each task's history in plan order, with when it became ready, and each task's
    /// dependencies as positions: what a timeline needs of the history.
    static func taskHistories(_ status: StatusFile, _ byTask: TransitionsByTask) -> (tasks: [TaskHistory], needs: [[Int]]) {
        let planned = (status.createdAt ?? status.plannedAt)?.millisecondsSinceEpoch
        var tasks: [TaskHistory] = []
        for layer in status.layers {
            for task in layer.tasks {
                var history = TaskHistory(layer: layer.key, index: task.index, id: task.id, description: task.description,
                                          complexity: task.complexity?.lowercased(), agent: task.agent, status: task.status,
                                          planned: planned, attempts: task.attempts,
                                          costUsd: task.usage?.knownCostUsd ?? 0, tokens: task.usage?.totalTokens ?? 0)
                for transition in byTask[layer.key, task.index] {
                    switch transition.to {
                    case .inProgress:
                        history.firstStart = min(history.firstStart ?? transition.time, transition.time)
                        history.finalStart = max(history.finalStart ?? transition.time, transition.time)
                    case .complete, .failed, .skipped: history.end = transition.time
                    case .pending: history.end = nil
                    }
                }
                if let started = task.startedAt?.millisecondsSinceEpoch {
                    history.firstStart = min(history.firstStart ?? started, started)
                    history.finalStart = max(history.finalStart ?? started, started)
                }
                history.end = task.status.isTerminal ? task.completedAt?.millisecondsSinceEpoch ?? history.end : nil
                tasks.append(history)
            }
        }
        let needs = dependencies(status)
        stampReadiness(&tasks, status, needs: needs)
        return (tasks, needs)
    }

    /// The dependencies of each task, as positions in `tasks` (names that match no task are
    /// left out, as `next` ignores them).
    private static func dependencies(_ status: StatusFile) -> [[Int]] {
        var byID: [String: [Int]] = [:]
        var position = 0
        for task in status.allTasks {
            if let id = task.id?.lowercased() { byID[id, default: []].append(position) }
            position += 1
        }
        // Descriptions are normalised only when some dependency names no id (the costly part).
        var byDescription: [String: [Int]]?
        func described(_ text: String) -> [Int] {
            if byDescription == nil {
                var index: [String: [Int]] = [:]
                for (i, task) in status.allTasks.enumerated() { index[StatusFile.normalised(task.description), default: []].append(i) }
                byDescription = index
            }
            return byDescription![StatusFile.normalised(text)] ?? []
        }
        return status.layers.flatMap { layer in
            layer.tasks.map { task in task.dependencies.flatMap { byID[$0.lowercased()] ?? described($0) } }
        }
    }

    /// Ready: when the last of its dependencies and of the tasks of the layers it waits for
    /// (every earlier one, unless the plan names others) ended, all done; never before the spec
    /// was planned; nil while one of them is not done.
    private static func stampReadiness(_ tasks: inout [TaskHistory], _ status: StatusFile, needs: [[Int]]) {
        let ranges = layerRanges(status)
        // Each layer's end, when all its tasks are done; nil while one is not.
        let layerDone: [Int64??] = ranges.map { range in
            range.allSatisfy { tasks[$0].status.isDone && tasks[$0].end != nil } ? .some(range.map { tasks[$0].end! }.max()) : nil
        }
        for (l, range) in ranges.enumerated() {
            let waitsFor = status.prerequisites(of: l)
            guard waitsFor.allSatisfy({ layerDone[$0] != nil }) else { continue }
            let layersDone = waitsFor.compactMap { layerDone[$0]! }.max()
            for i in range {
                var ready = [layersDone, tasks[i].planned].compactMap { $0 }.max()
                var waiting = false
                for d in needs[i] {
                    guard tasks[d].status.isDone, let end = tasks[d].end else {
                        waiting = true
                        break
                    }
                    ready = max(ready ?? end, end)
                }
                tasks[i].ready = waiting ? nil : ready
            }
        }
    }

    /// From the task that ended last, back through what it waited for: the dependency or
    /// earlier-layer task that ended last before it became ready, until a task that waited for
    /// nothing. Empty when no task has ended.
    private func observedCriticalPath(_ status: StatusFile, needs: [[Int]]) -> [Int] {
        let ranges = Self.layerRanges(status)
        // The positions of the tasks of the layers each layer waits for.
        let waitedLayers = status.layers.indices.map { status.prerequisites(of: $0).map { ranges[$0] } }
        guard var current = tasks.indices.filter({ tasks[$0].end != nil }).max(by: { (tasks[$0].end!, -$0) < (tasks[$1].end!, -$1) }) else {
            return []
        }
        var path = [current]
        while path.count <= tasks.count, let ready = tasks[current].ready {
            // What it waited for that ended last, by then (the earlier position on a tie).
            var previous: (index: Int, end: Int64)?
            func consider(_ i: Int) {
                guard let end = tasks[i].end, end <= ready else { return }
                if let best = previous, (end, -i) <= (best.end, -best.index) { return }
                previous = (i, end)
            }
            needs[current].forEach(consider)
            let layer = ranges.firstIndex { $0.contains(current) }!
            for range in waitedLayers[layer] { range.forEach(consider) }
            guard let previous, previous.end == ready, previous.index != current else { break }
            path.append(previous.index)
            current = previous.index
        }
        return path.reversed()
    }

    /// The positions in `tasks` of each layer's tasks.
    private static func layerRanges(_ status: StatusFile) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for layer in status.layers { ranges.append((ranges.last?.upperBound ?? 0)..<((ranges.last?.upperBound ?? 0) + layer.tasks.count)) }
        return ranges
    }
}
