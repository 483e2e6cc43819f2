// Leases and liveness (docs/agents.md): a task in progress records the process that holds it, so
// a dead agent is told from a slow one by facts, not by guessing.

/// The process that holds a task: the agent's name and session, and enough about its process to
/// tell it apart from a later process that got the same pid.
public struct AgentProcess: ModelObject {
    public var agent: String?
    public var sessionId: String?
    public var pid: Int64?
    /// The process's start time in clock ticks after boot (`/proc/<pid>/stat`, field 22).
    public var pidStart: Int64?
    /// The pid namespace the pid belongs to (`pid:[4026531836]`).
    public var pidNs: String?
    public var host: String?
    /// `/proc/sys/kernel/random/boot_id`: the pid means nothing after a reboot.
    public var bootId: String?
    /// The Claude Code subagent holding the task (`agent_id` of its hook payloads); nil for a
    /// session's main agent (docs/hooks.md).
    public var agentId: String?
    /// When the agent said it stopped (SubagentStop, SessionEnd) while holding the task: a fact,
    /// so the lease is dead whatever its process does.
    public var endedAt: Timestamp?
    /// The linked git worktree the agent ran in, when it was not the main one (docs/worktrees.md).
    public var worktree: String?
    /// The MCP client the lease was taken through, as it named itself (docs/mcp.md).
    public var client: String?
    public var extra = JSONObject()

    public init() {}

    public init(agent: String?, sessionId: String? = nil, pid: Int64?, pidStart: Int64? = nil, pidNs: String? = nil,
                host: String? = nil, bootId: String? = nil) {
        self.agent = agent
        self.sessionId = sessionId
        self.pid = pid
        self.pidStart = pidStart
        self.pidNs = pidNs
        self.host = host
        self.bootId = bootId
    }

    public static let fields = FieldTable<AgentProcess>([
        .field("agent", \.agent, omittedWhenNil: true),
        .field("session_id", \.sessionId, omittedWhenNil: true),
        .field("pid", \.pid, omittedWhenNil: true),
        .field("pid_start", \.pidStart, omittedWhenNil: true),
        .field("pid_ns", \.pidNs, omittedWhenNil: true),
        .field("host", \.host, omittedWhenNil: true),
        .field("boot_id", \.bootId, omittedWhenNil: true),
        .field("agent_id", \.agentId, omittedWhenNil: true),
        .field("ended_at", \.endedAt, omittedWhenNil: true),
        .field("worktree", \.worktree, omittedWhenNil: true),
        .field("client", \.client, omittedWhenNil: true),
    ])

    /// Whether `other` is the same holder: the same agent name when both have one, else the
    /// same process (pid and start time). The Claude Code session and subagent a hook linked to
    /// the lease are kept by `keepingLinks`.
    public func isSameHolder(as other: AgentProcess) -> Bool {
        if let agent, let theirs = other.agent { return agent == theirs }
        guard let pid, pid == other.pid, host == other.host else { return false }
        return pidStart == nil || other.pidStart == nil || pidStart == other.pidStart
    }

    /// `renewed` keeping the session and subagent a hook linked to this lease when it names none.
    public func keepingLinks(_ renewed: AgentProcess) -> AgentProcess {
        var result = renewed
        if result.sessionId == nil { result.sessionId = sessionId }
        if result.agentId == nil { result.agentId = agentId }
        return result
    }

    /// `agent-2 (pid 4121 on build-7)`.
    public var shown: String {
        let name = agent ?? "an unnamed agent"
        var facts: [String] = []
        if let pid { facts.append("pid \(pid)") }
        if let host { facts.append("on \(host)") }
        if let worktree { facts.append("in worktree \(worktree.split(separator: "/").last.map(String.init) ?? worktree)") }
        return facts.isEmpty ? name : "\(name) (\(facts.joined(separator: " ")))"
    }
}

/// What this machine is, to compare a lease with: a pid is judged only where it means the same
/// process (same host, same boot, same pid namespace).
public struct HostFacts: Equatable, Sendable {
    public var host: String?
    public var bootId: String?
    public var pidNs: String?
    /// False on a system without `/proc`: pids cannot be checked, leases go by their TTL.
    public var canReadProcesses: Bool

    public init(host: String?, bootId: String?, pidNs: String?, canReadProcesses: Bool) {
        self.host = host
        self.bootId = bootId
        self.pidNs = pidNs
        self.canReadProcesses = canReadProcesses
    }
}

/// What `/proc` says about a pid.
public enum ProcessState: Equatable, Sendable {
    case gone
    /// Running, with its start time when readable.
    case running(start: Int64?)
}

/// A lease's state.
public enum Liveness: String, CaseIterable, Sendable {
    /// Its process runs (or its heartbeat is within the TTL).
    case active
    /// No heartbeat within the TTL, and its process cannot be checked from here: shown, and
    /// cleared by the next heartbeat.
    case stale
    /// Its process is gone, or the pid now belongs to another process.
    case dead
}

public enum Leases {
    /// The TTL of a lease taken without `--ttl`.
    public static let defaultTTLSeconds: Int64 = 900
    public static let maxTTLSeconds: Int64 = 30 * 86_400

    /// A lease TTL as given (`90s`, `30m`, `2h`): from 1s to 30d, or why not.
    public static func ttlSeconds(_ text: String, named name: String) throws(TrackerError) -> Int64 {
        guard let ms = DurationText.milliseconds(text), ms >= 1000, ms / 1000 <= maxTTLSeconds else {
            throw TrackerError(.usage, "\(name) must be a duration from 1s to 30d such as 90s, 30m or 2h, got '\(text.singleLine.prefix(40))'")
        }
        return ms / 1000
    }

    /// The state of the lease of `task` (in progress) at `now`. Decided by the pid when the lease
    /// was taken here (same host, boot and pid namespace) and `/proc` is readable; otherwise by
    /// the TTL since the last heartbeat. Impossible values (pid 0, a negative TTL, a heartbeat in
    /// the future) never make a lease dead: they fall back to the TTL, a future heartbeat counts
    /// as now.
    public static func liveness(of task: ExecutionTask, now: Timestamp, here: HostFacts, probe: (Int64) -> ProcessState) -> Liveness {
        if task.claimedBy?.endedAt != nil { return .dead }
        if let holder = task.claimedBy, let pid = holder.pid, pid > 0, let start = holder.pidStart,
           here.canReadProcesses, holder.host == here.host, holder.bootId != nil, holder.bootId == here.bootId,
           holder.pidNs != nil, holder.pidNs == here.pidNs {
            switch probe(pid) {
            case .gone: return .dead
            case .running(let current?) where current != start: return .dead
            case .running: break
            }
        }
        return isWithinTTL(task, now: now) ? .active : .stale
    }

    /// The last sign of life: the heartbeat, else the claim, else the start.
    public static func lastSign(of task: ExecutionTask) -> Timestamp? { task.heartbeatAt ?? task.claimedAt ?? task.startedAt }

    public static func ttlSeconds(of task: ExecutionTask) -> Int64 {
        guard let ttl = task.leaseTtlS, ttl > 0 else { return defaultTTLSeconds }
        return min(ttl, maxTTLSeconds)
    }

    static func isWithinTTL(_ task: ExecutionTask, now: Timestamp) -> Bool {
        guard let last = lastSign(of: task) else { return false }
        return now.milliseconds(since: last) <= ttlSeconds(of: task) * 1000
    }

    /// How long the lease has been past its TTL (0 when it is not).
    public static func overdueMilliseconds(_ task: ExecutionTask, now: Timestamp) -> Int64 {
        guard let last = lastSign(of: task) else { return Int64.max }
        return max(0, now.milliseconds(since: last) - ttlSeconds(of: task) * 1000)
    }
}
