/// One agent as seed 003 keeps it, in the status file's top-level `agents` list (docs/agents.md):
/// who it is, when it came and went, how it ended, and the tasks it took.
public struct AgentRecord: ModelObject {
    public var id = ""
    public var type: String?
    public var pid: Int64?
    public var spawnedAt: Timestamp?
    public var startedAt: Timestamp?
    public var endedAt: Timestamp?
    /// `running`, `finished`, `dead` (reaped), or what another tool wrote.
    public var status = "running"
    public var exitCode: Int64?
    public var idleTimeMs: Int64?
    /// The subjects of the tasks it took (`L1/T012`), in order.
    public var tasks: [String] = []
    public var extra = JSONObject()

    public init() {}

    public static let fields = FieldTable<AgentRecord>([
        .field("id", \.id),
        .field("type", \.type),
        .field("pid", \.pid),
        .field("spawned_at", \.spawnedAt),
        .field("started_at", \.startedAt),
        .field("ended_at", \.endedAt),
        .field("status", \.status),
        .field("exit_code", \.exitCode),
        .field("idle_time_ms", \.idleTimeMs, check: { ms in ms.map { $0 < 0 ? "must not be negative" : nil } ?? nil }),
        .field("tasks", \.tasks),
    ])
}

extension StatusFile {
    /// The id an agent is kept under: its name, else `pid-<pid>`, else nil (nothing to keep).
    static func agentID(_ holder: AgentProcess) -> String? {
        holder.agent ?? holder.pid.map { "pid-\($0)" }
    }

    /// Records that `holder` took or holds the task `subject`: its record is made on first sight,
    /// marked running, and lists the task once.
    mutating func noteAgent(_ holder: AgentProcess, took subject: String, now: Timestamp) {
        guard let id = Self.agentID(holder) else { return }
        let i = startAgent(id, type: nil, pid: holder.pid, now: now)
        if let pid = holder.pid { agents![i].pid = pid }
        noteTask(subject, at: i)
    }

    /// The record `id` marked running: made on first sight (with `type` and `pid`), given its
    /// `type` when it had none. Returns its position in `agents`.
    @discardableResult
    mutating func startAgent(_ id: String, type: String?, pid: Int64?, now: Timestamp) -> Int {
        var list = agents ?? []
        let i: Int
        if let found = list.firstIndex(where: { $0.id == id }) {
            i = found
            list[i].status = "running"
            list[i].endedAt = nil
            if list[i].type == nil { list[i].type = type }
        } else {
            var record = AgentRecord()
            record.id = id
            record.type = type
            record.pid = pid
            record.spawnedAt = now
            record.startedAt = now
            list.append(record)
            i = list.count - 1
        }
        agents = list
        return i
    }

    /// The record `id` marked finished (made first when it was never seen).
    mutating func finishAgent(_ id: String, type: String?, now: Timestamp) {
        let i = startAgent(id, type: type, pid: nil, now: now)
        agents![i].status = "finished"
        agents![i].endedAt = now
    }

    /// Lists `subject` once among the tasks of the record at `i`.
    mutating func noteTask(_ subject: String, at i: Int) {
        if !agents![i].tasks.contains(subject) { agents![i].tasks.append(subject) }
    }

    /// Records that `holder` was found dead (or stale past the grace) and its tasks reaped.
    /// Both records are marked when a hook linked the lease to a Claude Code subagent.
    mutating func noteAgentLost(_ holder: AgentProcess, now: Timestamp) {
        guard var list = agents else { return }
        for id in [Self.agentID(holder), holder.agentId].compactMap({ $0 }) {
            guard let i = list.firstIndex(where: { $0.id == id }) else { continue }
            list[i].status = "dead"
            list[i].endedAt = now
        }
        agents = list
    }
}
