// `exectrack hook` (docs/hooks.md): what one Claude Code hook payload changes in a status file,
// as a pure function of the payload, the file and the time.

/// The members of a Claude Code hook payload exectrack reads; the others are ignored.
public struct HookPayload: Equatable, Sendable {
    public var event: String
    public var sessionId: String?
    /// Set when the event fired inside a subagent.
    public var agentId: String?
    public var agentType: String?
    public var toolName: String?
    /// `tool_input.command` of a Bash call.
    public var command: String?
    /// `tool_response.stdout` of a Bash call (or the response itself when it is a string).
    public var output: String?
    public var source: String?
    public var reason: String?
    public var cwd: String?
    /// The session's transcript, and a stopping subagent's own (`agent_transcript_path`).
    public var transcriptPath: String?
    public var agentTranscriptPath: String?

    /// Nil with the reason when `bytes` is not a JSON object with a `hook_event_name`.
    public static func parse(_ bytes: [UInt8]) -> (payload: HookPayload?, problem: String?) {
        guard let json = try? JSONParser.parse(bytes), let object = json.objectValue else {
            return (nil, "the payload is not a JSON object")
        }
        guard let event = object["hook_event_name"]?.stringValue, !event.isEmpty else {
            return (nil, "the payload has no hook_event_name")
        }
        func text(_ key: String) -> String? { object[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        let response = object["tool_response"]
        return (HookPayload(event: event, sessionId: text("session_id"), agentId: text("agent_id"), agentType: text("agent_type"),
                            toolName: text("tool_name"), command: object["tool_input"]?.objectValue?["command"]?.stringValue,
                            output: response?.objectValue?["stdout"]?.stringValue ?? response?.stringValue,
                            source: text("source"), reason: text("reason"), cwd: text("cwd"),
                            transcriptPath: text("transcript_path"), agentTranscriptPath: text("agent_transcript_path")), nil)
    }

    /// The transcript whose usage a Stop or SubagentStop brings in (docs/usage.md): the
    /// subagent's own for SubagentStop, the session's for Stop.
    public var usageTranscript: String? {
        switch event {
        case "SubagentStop": agentTranscriptPath
        case "Stop": transcriptPath
        default: nil
        }
    }

    /// The record id of the agent the payload comes from: its subagent id, else its session's.
    public var agentRecordID: String? { agentId ?? sessionId.map { "session-\($0)" } }

    /// A Bash call that ran `exectrack … claim`.
    var isClaim: Bool { claimWords != nil }

    /// The spec a Bash `exectrack claim SPEC` named.
    public var claimedSpec: String? { claimWords?.dropFirst().first { !$0.hasPrefix("-") }.map(String.init) }

    private var claimWords: ArraySlice<Substring>? {
        guard toolName == "Bash", let command else { return nil }
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" || $0 == "&" || $0 == "|" })
        guard let tool = words.firstIndex(where: { $0 == "exectrack" || $0.hasSuffix("/exectrack") }) else { return nil }
        let rest = words[words.index(after: tool)...]
        return rest.first == "claim" ? rest : nil
    }
}

/// What a payload did to the file, for the hook log and tests.
public enum HookEffect: Equatable, Sendable {
    /// Nothing to write (why, for tests).
    case none(String)
    case changed(String)
    /// Nothing written because of what the payload says (no session, a task that does not
    /// exist): one line in the hook log.
    case problem(String)
}

extension StatusFile {
    /// Whether a task in progress is held by the payload's session and agent.
    func isHeld(_ task: ExecutionTask, by payload: HookPayload) -> Bool {
        guard task.status == .inProgress, let lease = task.claimedBy, let session = payload.sessionId else { return false }
        return lease.sessionId == session && lease.agentId == payload.agentId
    }

    /// Where the usage of the payload's agent goes: the task it holds, else the last task its
    /// agent record took; for a subagent that took none, where its session's main agent's
    /// goes (it worked for that task); else the spec itself.
    public func usageTarget(for payload: HookPayload) -> UsageTarget {
        for l in layers.indices {
            for t in layers[l].tasks.indices where isHeld(layers[l].tasks[t], by: payload) {
                return .task(TaskLocation(layer: l, task: t))
            }
        }
        if let id = payload.agentRecordID, let subject = agents?.first(where: { $0.id == id })?.tasks.last {
            let parts = subject.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2, let layer = try? layerIndex(for: parts[0]), let place = try? taskLocation(layer: layer, task: parts[1]) {
                return .task(place)
            }
        }
        if payload.agentId != nil {
            var session = payload
            session.agentId = nil
            return usageTarget(for: session)
        }
        return .spec
    }

    /// Whether a lease of the payload's session is in this file (the spec the session works on).
    public func hasLease(ofSession session: String) -> Bool {
        allTasks.contains { $0.status == .inProgress && $0.claimedBy?.sessionId == session }
    }

    /// Applies `payload` at `now`: agent records for the session and subagent lifecycle, the
    /// link between a claim made through Bash and the session that made it, heartbeats at most
    /// once per a third of a lease's TTL, and the leases of an agent that stopped while holding
    /// a task marked ended (dead) with a warning.
    public mutating func apply(hook payload: HookPayload, now: Timestamp) -> HookEffect {
        switch payload.event {
        case "SessionStart", "SubagentStart":
            guard let id = payload.agentRecordID else { return .problem("the payload has no session_id or agent_id") }
            let type = payload.event == "SessionStart" ? "session" : payload.agentType
            if let record = agents?.first(where: { $0.id == id }), record.status == "running" { return .none("\(id) is known") }
            startAgent(id, type: type, pid: nil, now: now)
            return .changed("\(id) started")
        case "SessionEnd", "SubagentStop":
            // Without its agent_id a SubagentStop would read as the whole session's end.
            if payload.event == "SubagentStop", payload.agentId == nil { return .problem("SubagentStop without agent_id: nothing recorded") }
            guard let id = payload.agentRecordID else { return .problem("the payload has no session_id or agent_id") }
            var ended: [String] = []
            for l in layers.indices {
                for t in layers[l].tasks.indices where isHeld(layers[l].tasks[t], by: payload) {
                    layers[l].tasks[t].claimedBy?.endedAt = now
                    let subject = Self.subject(layer: layers[l].key, index: t, id: layers[l].tasks[t].id)
                    ended.append(subject)
                    logWarning("\(id) stopped (\(payload.event)) while \(subject) was in progress; run: exectrack reap",
                               layer: layers[l].key, taskIndex: t, severity: .medium, now: now)
                }
            }
            let known = agents?.contains { $0.id == id && $0.status == "finished" } == true
            if known, ended.isEmpty { return .none("\(id) has finished") }
            finishAgent(id, type: payload.event == "SessionEnd" ? "session" : payload.agentType, now: now)
            return .changed("\(id) finished" + (ended.isEmpty ? "" : "; left in progress: \(ended.joined(separator: ", "))"))
        case "PostToolUse" where payload.isClaim:
            return linkClaim(payload, now: now)
        case "PostToolUse", "Stop":
            return renew(payload, now: now)
        default:
            return .none("\(payload.event) records nothing")
        }
    }

    /// The task a `claim` printed (its text line `L1 3 …` or its JSON), linked to the session.
    private mutating func linkClaim(_ payload: HookPayload, now: Timestamp) -> HookEffect {
        guard let session = payload.sessionId, let output = payload.output?.trimmingWhitespace, !output.isEmpty else {
            return .none("the claim printed nothing")
        }
        var layerKey: String?, index: Int?
        if output.hasPrefix("{"), let object = (try? JSONParser.parse(Array(output.utf8)))?.objectValue {
            layerKey = object["layer"]?.stringValue
            index = object["index"]?.intValue
        } else {
            let words = output.split(separator: "\n").first?.split(separator: " ") ?? []
            if words.count >= 2 { layerKey = String(words[0]); index = Int(words[1]) }
        }
        guard let layerKey, let index, let l = layers.firstIndex(where: { $0.key == layerKey }),
              layers[l].tasks.indices.contains(index), layers[l].tasks[index].status == .inProgress else {
            return .problem("the claim's output names no task in progress: \(output.prefix(80))")
        }
        var lease = layers[l].tasks[index].claimedBy ?? AgentProcess()
        guard lease.sessionId != session || lease.agentId != payload.agentId else { return .none("already linked") }
        lease.sessionId = session
        lease.agentId = payload.agentId
        layers[l].tasks[index].claimedBy = lease
        layers[l].tasks[index].heartbeatAt = now
        if let id = payload.agentRecordID {
            let record = startAgent(id, type: payload.agentId == nil ? "session" : payload.agentType, pid: lease.pid, now: now)
            noteTask(Self.subject(layer: layerKey, index: index, id: layers[l].tasks[index].id), at: record)
        }
        return .changed("linked \(layerKey)/\(index) to \(payload.agentRecordID ?? session)")
    }

    /// Heartbeats of the leases the payload's session and agent hold, when a third of their
    /// TTL has passed since the last one.
    private mutating func renew(_ payload: HookPayload, now: Timestamp) -> HookEffect {
        var renewed = 0, held = 0
        for l in layers.indices {
            for t in layers[l].tasks.indices where isHeld(layers[l].tasks[t], by: payload) {
                held += 1
                let task = layers[l].tasks[t]
                let due = Leases.ttlSeconds(of: task) * 1000 / 3
                if let last = Leases.lastSign(of: task), now.milliseconds(since: last) < due { continue }
                layers[l].tasks[t].heartbeatAt = now
                renewed += 1
            }
        }
        if renewed > 0 { return .changed("renewed \(renewed) lease(s)") }
        return .none(held == 0 ? "the session holds no task" : "heartbeat not due")
    }
}
