/// `agents`: every agent of a spec with its state (docs/agents.md): from the leases of the tasks in
/// progress, and from the agent records of those that hold none.
public struct AgentOverview: Equatable, Sendable {
    public enum State: String, Sendable {
        case active, stale, dead, finished
    }

    public struct Row: Equatable, Sendable {
        public var spec: String
        public var id: String
        public var state: State
        /// Tasks it holds now (subjects), or took (when it holds none).
        public var tasks: [String]
        public var pid: Int64?
        public var host: String?
        /// The linked git worktree it runs in (docs/worktrees.md).
        public var worktree: String?
        public var lastHeartbeat: Timestamp?
        public var record: AgentRecord?
        /// Whether `tasks` are leases it holds now (else the tasks its record says it took).
        public var holds = true
    }

    public var rows: [Row] = []

    public init(_ status: StatusFile, spec: String, liveness: (ExecutionTask) -> Liveness) {
        var order: [String] = []
        var byID: [String: Row] = [:]
        for layer in status.layers {
            for task in layer.tasks where task.status == .inProgress {
                let holder = task.claimedBy
                let id = holder.flatMap(StatusFile.agentID) ?? task.agent ?? "unknown"
                let subject = StatusFile.subject(layer: layer.key, index: task.index, id: task.id)
                let state: State = switch liveness(task) {
                case .active: .active
                case .stale: .stale
                case .dead: .dead
                }
                if var row = byID[id] {
                    row.tasks.append(subject)
                    // The agent is as alive as its liveliest lease.
                    if state == .active || (state == .stale && row.state == .dead) { row.state = state }
                    row.lastHeartbeat = [row.lastHeartbeat, Leases.lastSign(of: task)].compactMap { $0 }.max()
                    byID[id] = row
                } else {
                    order.append(id)
                    byID[id] = Row(spec: spec, id: id, state: state, tasks: [subject], pid: holder?.pid, host: holder?.host,
                                   worktree: holder?.worktree, lastHeartbeat: Leases.lastSign(of: task))
                }
            }
        }
        for record in status.agents ?? [] {
            if var row = byID[record.id] {
                row.record = record
                byID[record.id] = row
                continue
            }
            order.append(record.id)
            byID[record.id] = Row(spec: spec, id: record.id, state: record.status == "dead" ? .dead : .finished, tasks: record.tasks,
                                  pid: record.pid, host: nil, lastHeartbeat: nil, record: record, holds: false)
        }
        rows = order.compactMap { byID[$0] }
    }

    public static func text(_ rows: [Row], now: Timestamp, showSpec: Bool) -> String {
        guard !rows.isEmpty else { return "No agents.\n" }
        var out = ""
        for row in rows {
            var facts: [String] = [row.state.rawValue]
            if !row.tasks.isEmpty { facts.append((row.holds ? "holds " : "took ") + row.tasks.joined(separator: ", ")) }
            if let pid = row.pid { facts.append("pid \(pid)" + (row.host.map { " on \($0)" } ?? "")) }
            if let worktree = row.worktree { facts.append("worktree \(worktree)") }
            if let last = row.lastHeartbeat { facts.append("heartbeat \(DurationFormatting.ago(last, now: now))") }
            if let ended = row.record?.endedAt { facts.append("ended \(DurationFormatting.ago(ended, now: now))") }
            out += (showSpec ? "\(row.spec)  " : "") + "\(row.id.visibleControlCharacters)  " + facts.joined(separator: ", ").visibleControlCharacters + "\n"
        }
        return out
    }

    public static func json(_ rows: [Row]) -> JSONValue {
        .array(rows.map { row in
            .object(JSONObject([
                ("spec", .string(row.spec)), ("id", .string(row.id)), ("state", .string(row.state.rawValue)),
                ("tasks", .strings(row.tasks)), ("pid", .optional(row.pid)), ("host", .optional(row.host)), ("worktree", .optional(row.worktree)),
                ("last_heartbeat", .optional(row.lastHeartbeat)), ("record", row.record.map { $0.json } ?? .null),
            ]))
        })
    }
}
