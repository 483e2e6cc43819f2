// `reap` (docs/agents.md): the tasks of dead agents, and of agents stale past a grace period,
// go back to pending (attempts kept) or fail with category agent_lost.

/// Where a reaped task goes.
public enum ReapTarget: String, CaseIterable, Sendable {
    case pending, failed
}

/// A task in progress whose holder is gone.
public struct ReapCandidate: Equatable, Sendable {
    public var location: TaskLocation
    public var holder: AgentProcess?
    public var liveness: Liveness
    /// The last heartbeat (or claim, or start).
    public var lastSign: Timestamp?
}

extension StatusFile {
    /// The liveness of every task in progress at `now`.
    public func leases(now: Timestamp, here: HostFacts, probe: (Int64) -> ProcessState) -> [(location: TaskLocation, liveness: Liveness)] {
        var result: [(TaskLocation, Liveness)] = []
        for (l, layer) in layers.enumerated() {
            for (t, task) in layer.tasks.enumerated() where task.status == .inProgress {
                result.append((TaskLocation(layer: l, task: t), Leases.liveness(of: task, now: now, here: here, probe: probe)))
            }
        }
        return result
    }

    /// The tasks to reap at `now`: those of dead agents, and of stale ones whose lease is past
    /// its TTL by more than `graceMs` (nil: dead ones only).
    public func reapCandidates(now: Timestamp, graceMs: Int64?, here: HostFacts, probe: (Int64) -> ProcessState) -> [ReapCandidate] {
        leases(now: now, here: here, probe: probe).compactMap { location, liveness in
            let task = self.task(at: location)
            switch liveness {
            case .active: return nil
            case .stale:
                guard let graceMs, Leases.overdueMilliseconds(task, now: now) > graceMs else { return nil }
            case .dead: break
            }
            return ReapCandidate(location: location, holder: task.claimedBy, liveness: liveness, lastSign: Leases.lastSign(of: task))
        }
    }

    /// Takes the candidates' tasks from their holders: back to `pending` with their attempts
    /// kept, or `failed` with an `agent_lost` error. Returns one `agent.reaped` event each,
    /// naming the previous owner.
    public mutating func reap(_ candidates: [ReapCandidate], to target: ReapTarget, now: Timestamp) -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        for candidate in candidates {
            let location = candidate.location
            let key = layers[location.layer].key
            let task = self.task(at: location)
            let owner = candidate.holder?.shown ?? task.agent ?? "an unknown agent"
            let since = candidate.lastSign.map { " (last sign of life \($0.iso8601))" } ?? ""
            switch target {
            case .pending:
                setTaskStatus(.pending, at: location, now: now)
            case .failed:
                logError("agent lost: \(owner) is \(candidate.liveness.rawValue)\(since)", at: location, severity: .high,
                         category: .agentLost, recoveryAction: nil, now: now)
            }
            if let holder = candidate.holder { noteAgentLost(holder, now: now) }
            events.append(ChangeEvent(.agentReaped, subject: Self.subject(layer: key, index: location.task, id: task.id), data: JSONObject([
                ("layer", .string(key)), ("index", .int(location.task)),
                ("previous_owner", candidate.holder.map { $0.json } ?? .null), ("agent", .optional(task.agent)),
                ("liveness", .string(candidate.liveness.rawValue)), ("last_heartbeat", .optional(candidate.lastSign)),
                ("to", .string(target.rawValue)), ("attempts", .int(task.attempts)),
            ])))
        }
        return events
    }
}
