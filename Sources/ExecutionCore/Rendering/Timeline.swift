// A spec's timeline (docs/html-report.md): every attempt of every task on the lane of the agent
// that ran it, with the waits before first attempts, layer ends, errors and gate results. Built
// from the status file and the task transitions of its event log; drawn by `HTMLReport` and
// exported by `ChromeTrace`. Pure.

public struct Timeline: Sendable {
    public struct Attempt: Equatable, Sendable {
        public var layer: String
        public var index: Int
        public var id: String?
        public var description: String
        public var agent: String
        /// 1 for the task's first attempt.
        public var number: Int
        public var start: Int64
        /// Nil while it runs.
        public var end: Int64?
        /// How the attempt ended: complete, failed, skipped, pending (reset) or in_progress (running).
        public var outcome: TaskStatus
        /// The task's known dollars, on its last attempt.
        public var costUsd: Double?
        /// The lane (agent) and the row in it: attempts of one agent that overlap take rows of their own.
        public var lane: Int
        public var row: Int
    }

    /// The time a task was ready before its first attempt started.
    public struct Wait: Equatable, Sendable {
        public var attempt: Int
        public var from: Int64
    }

    public struct Marker: Equatable, Sendable {
        public enum Kind: String, Sendable { case error, gate }
        public var kind: Kind
        public var time: Int64
        public var label: String
        /// The lane of the task it concerns; nil for a layer's gate.
        public var lane: Int?
        /// Gates: passed, failed or warn; errors: their severity.
        public var status: String
    }

    public struct Lane: Equatable, Sendable {
        public var agent: String
        public var rows: Int
    }

    public var start: Int64
    public var end: Int64
    public var lanes: [Lane]
    public var attempts: [Attempt]
    public var waits: [Wait]
    /// When each layer's last task ended (layers all of whose tasks are done).
    public var layerEnds: [(key: String, name: String, time: Int64)]
    public var markers: [Marker]
}

extension Timeline {
    /// The name of the lane for tasks no agent is named on.
    public static let unassigned = "unassigned"

    public init(_ status: StatusFile, transitions: [TaskTransition], now: Timestamp) {
        let byTask = TransitionsByTask(transitions)
        let history = SpecHistory.taskHistories(status, byTask)
        var attempts: [Attempt] = []
        var waits: [Wait] = []
        var position = 0
        for layer in status.layers {
            for task in layer.tasks {
                let agent = task.agent ?? task.claimedBy?.agent ?? Self.unassigned
                var spans: [(start: Int64, end: Int64?, outcome: TaskStatus)] = []
                var open: Int64?
                for t in byTask[layer.key, task.index] {
                    switch t.to {
                    case .inProgress:
                        // A start while one is open: the open one was restarted.
                        if let started = open { spans.append((started, t.time, .pending)) }
                        open = t.time
                    case .complete, .failed, .skipped, .pending:
                        if let started = open { spans.append((started, t.time, t.to)) }
                        open = nil
                    }
                }
                let started = task.startedAt?.millisecondsSinceEpoch, ended = task.completedAt?.millisecondsSinceEpoch
                if let started = open {
                    spans.append((started, task.status.isTerminal ? ended : nil, task.status.isTerminal ? task.status : .inProgress))
                } else if spans.isEmpty || (started ?? Int64.min) > spans.last!.start, let started, task.status != .pending {
                    // Attempts the log does not hold (an older file, a rotated log): the status file's last one.
                    spans.append((started, task.status.isTerminal ? ended : nil, task.status.isTerminal ? task.status : .inProgress))
                }
                for (n, span) in spans.enumerated() {
                    if n == 0, let ready = history.tasks[position].ready, ready < span.start { waits.append(Wait(attempt: attempts.count, from: ready)) }
                    attempts.append(Attempt(layer: layer.key, index: task.index, id: task.id, description: task.description, agent: agent,
                                            number: n + 1, start: span.start, end: span.end.map { max($0, span.start) }, outcome: span.outcome,
                                            costUsd: n == spans.count - 1 ? task.usage.map(\.knownCostUsd) : nil, lane: 0, row: 0))
                }
                position += 1
            }
        }
        let nowMs = now.millisecondsSinceEpoch
        // Lanes in order of each agent's first start; rows within a lane taken greedily.
        let agents = Dictionary(grouping: attempts.indices) { attempts[$0].agent }
        let order = agents.keys.sorted { (agents[$0]!.map { attempts[$0].start }.min()!, $0) < (agents[$1]!.map { attempts[$0].start }.min()!, $1) }
        var lanes: [Lane] = []
        for (lane, agent) in order.enumerated() {
            var rowEnds: [Int64] = []
            for i in agents[agent]!.sorted(by: { (attempts[$0].start, $0) < (attempts[$1].start, $1) }) {
                let end = attempts[i].end ?? nowMs
                let row = rowEnds.firstIndex { $0 <= attempts[i].start } ?? rowEnds.count
                if row == rowEnds.count { rowEnds.append(end) } else { rowEnds[row] = end }
                attempts[i].lane = lane
                attempts[i].row = row
            }
            lanes.append(Lane(agent: agent, rows: max(1, rowEnds.count)))
        }
        let laneOf = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        var markers: [Marker] = []
        for error in status.errors {
            guard let time = error.timestamp?.millisecondsSinceEpoch else { continue }
            let task = status.layers.first { $0.key == error.layer }.flatMap { l in error.taskIndex.flatMap { i in l.tasks.indices.contains(i) ? l.tasks[i] : nil } }
            markers.append(Marker(kind: .error, time: time, label: "\(error.layer)\(error.taskIndex.map { ".\($0)" } ?? ""): \(error.message)",
                                  lane: task.flatMap { laneOf[$0.agent ?? $0.claimedBy?.agent ?? Self.unassigned] }, status: error.severity.rawValue))
        }
        var ends: [(String, String, Int64)] = []
        for layer in status.layers {
            for gate in layer.gates ?? [] {
                guard let time = gate.executedAt?.millisecondsSinceEpoch else { continue }
                markers.append(Marker(kind: .gate, time: time, label: "\(layer.key) \(gate.name) #\(gate.attempt): \(gate.status.rawValue)", lane: nil,
                                      status: gate.status.rawValue))
            }
            let done = layer.tasks.compactMap { $0.status.isDone ? $0.completedAt?.millisecondsSinceEpoch : nil }
            if !layer.tasks.isEmpty, done.count == layer.tasks.count { ends.append((layer.key, layer.name, done.max()!)) }
        }
        let times = attempts.flatMap { [$0.start, $0.end ?? nowMs] } + markers.map(\.time) + waits.map(\.from)
        let first = [status.createdAt?.millisecondsSinceEpoch, times.min()].compactMap { $0 }.min() ?? nowMs
        let last = max(times.max() ?? first, attempts.contains { $0.end == nil } ? nowMs : first)
        self.init(start: first, end: max(last, first + 1), lanes: lanes, attempts: attempts, waits: waits, layerEnds: ends,
                  markers: markers.sorted { ($0.time, $0.label) < ($1.time, $1.label) })
    }
}
