import ExecutionCore
import ExecutionTracking

/// The options that name the process taking or renewing a lease (docs/agents.md), declared once
/// for `claim`, `update` and `heartbeat`.
enum LeaseOptionSet {
    static let pid = Option<Int64?>.integer("--pid", "PID", "the agent's process (default: $EXECTRACK_AGENT_PID, else the nearest ancestor that is not a shell)",
                                            in: 1...Int64(Int32.max))
    static let ttl = Option<String?>.text("--ttl", "DUR", "how long the lease lives without a heartbeat (90s, 30m, 2h; default 15m)")
    static let session = Option<String?>.text("--session", "ID", "the agent's session id (default: $EXECTRACK_SESSION_ID)")

    static var specs: [OptionSpec] { [pid.spec, ttl.spec, session.spec] }

    static func read(_ arguments: ParsedArguments, agent: String?, restart: Bool = false) throws(TrackerError) -> LeaseOptions {
        var pidValue = try arguments.read(pid)
        if pidValue == nil, let text = Console.environment("EXECTRACK_AGENT_PID"), !text.isEmpty {
            guard ParsedArguments.isDigits(text[...]), let value = Int64(text), value >= 1, value <= Int64(Int32.max) else {
                throw TrackerError(.usage, "EXECTRACK_AGENT_PID must be a process id, got '\(text.prefix(40))'")
            }
            pidValue = value
        }
        let seconds = try arguments.read(ttl).map { (text: String) throws(TrackerError) in try Leases.ttlSeconds(text, named: "--ttl") }
        let sessionValue = try arguments.read(session) ?? Console.environment("EXECTRACK_SESSION_ID").flatMap { $0.isEmpty ? nil : $0 }
        return LeaseOptions(agent: agent, session: sessionValue, pid: pidValue, ttlSeconds: seconds, restart: restart)
    }
}
