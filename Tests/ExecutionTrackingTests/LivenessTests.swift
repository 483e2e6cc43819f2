import Testing
@testable import ExecutionCore

/// Leases and liveness (docs/agents.md), as pure functions of the lease, the time, this
/// machine's facts and what `/proc` says about a pid.
@Suite struct LivenessTests {
    let here = HostFacts(host: "build-7", bootId: "boot-1", pidNs: "pid:[4026531836]", canReadProcesses: true)
    let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    private func task(pid: Int64? = 4121, start: Int64? = 5000, ns: String? = "pid:[4026531836]", host: String? = "build-7",
                      boot: String? = "boot-1", heartbeatSecondsAgo: Int64 = 10, ttl: Int64? = 60) -> ExecutionTask {
        var task = ExecutionTask(description: "work", status: .inProgress)
        task.startedAt = now.adding(milliseconds: -3_600_000)
        task.claimedBy = AgentProcess(agent: "a1", pid: pid, pidStart: start, pidNs: ns, host: host, bootId: boot)
        task.claimedAt = task.startedAt
        task.heartbeatAt = now.adding(milliseconds: -heartbeatSecondsAgo * 1000)
        task.leaseTtlS = ttl
        return task
    }

    private func judge(_ task: ExecutionTask, _ state: ProcessState, facts: HostFacts? = nil) -> Liveness {
        Leases.liveness(of: task, now: now, here: facts ?? here, probe: { _ in state })
    }

    @Test func aGoneOrReusedPidIsDeadAtOnceWhateverTheTTL() {
        #expect(judge(task(), .gone) == .dead)
        // The pid belongs to a process started later: reused.
        #expect(judge(task(), .running(start: 9999)) == .dead)
        #expect(judge(task(), .running(start: 5000)) == .active)
        // Alive but silent past its TTL: stale, not dead.
        #expect(judge(task(heartbeatSecondsAgo: 120), .running(start: 5000)) == .stale)
    }

    @Test func aPidFromElsewhereIsNeverJudgedByPid() {
        // Another pid namespace (a container sharing the boot id), another host, another boot.
        for other in [task(ns: "pid:[4026532999]"), task(host: "build-8"), task(boot: "boot-2"), task(ns: nil), task(start: nil)] {
            #expect(judge(other, .gone) == .active)
            var silent = other
            silent.heartbeatAt = now.adding(milliseconds: -120_000)
            #expect(judge(silent, .gone) == .stale)
        }
        // No /proc: TTL only.
        let noProc = HostFacts(host: "build-7", bootId: "boot-1", pidNs: "pid:[4026531836]", canReadProcesses: false)
        #expect(judge(task(), .gone, facts: noProc) == .active)
    }

    @Test func impossibleValuesFallBackToTheTTLAndNeverCrash() {
        #expect(judge(task(pid: 0), .gone) == .active)
        #expect(judge(task(pid: -5), .gone) == .active)
        // A negative TTL means the default (15 minutes): 10 minutes of silence is fine.
        #expect(judge(task(heartbeatSecondsAgo: 600, ttl: -1), .running(start: 5000)) == .active)
        #expect(judge(task(heartbeatSecondsAgo: 1000, ttl: 0), .running(start: 5000)) == .stale)
        // A heartbeat in the future counts as now.
        #expect(judge(task(heartbeatSecondsAgo: -86_400), .running(start: 5000)) == .active)
        var noSign = task()
        noSign.heartbeatAt = nil
        noSign.claimedAt = nil
        noSign.startedAt = nil
        #expect(judge(noSign, .running(start: 5000)) == .stale)
    }

    @Test func theHolderRenewsWithinItsAttemptAndRestartCountsAnother() throws {
        var status = StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("## Layer 0: A\n- one\n- two\n"), now: now)
        let me = AgentProcess(agent: "a1", pid: 10, pidStart: 1)
        let at = TaskLocation(layer: 0, task: 0)
        status.setTaskStatus(.inProgress, at: at, details: TaskUpdateDetails(holder: me, leaseTTLSeconds: 60), now: now)
        let later = now.adding(milliseconds: 30_000)
        status.setTaskStatus(.inProgress, at: at, details: TaskUpdateDetails(holder: me, leaseTTLSeconds: 60), now: later)
        #expect(status.task(at: at).attempts == 1)
        #expect(status.task(at: at).startedAt == now && status.task(at: at).heartbeatAt == later)
        status.setTaskStatus(.inProgress, at: at, details: TaskUpdateDetails(holder: me, restart: true), now: later)
        #expect(status.task(at: at).attempts == 2)
        // Someone else's in_progress is a new attempt under their lease.
        let other = AgentProcess(agent: "a2", pid: 11, pidStart: 1)
        status.setTaskStatus(.inProgress, at: at, details: TaskUpdateDetails(holder: other), now: later)
        #expect(status.task(at: at).attempts == 3 && status.task(at: at).claimedBy?.agent == "a2")
        #expect(throws: TrackerError.self) { try status.heartbeat(me, at: at, ttlSeconds: nil, now: later) }
        #expect(try status.heartbeat(other, at: nil, ttlSeconds: 120, now: later) == [at])
        // Finishing drops the lease; the agents list keeps who took what.
        status.setTaskStatus(.complete, at: at, now: later)
        #expect(status.task(at: at).claimedBy == nil && status.task(at: at).leaseTtlS == nil)
        #expect(status.agents?.map { $0.id } == ["a1", "a2"])
        #expect(status.agents?.first?.tasks == ["L0/0"])
    }

    @Test func reapingReturnsTasksAndNamesTheOwner() {
        var status = StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("## Layer 0: A\n- one\n- two\n- three\n"), now: now)
        let dead = AgentProcess(agent: "gone", pid: 10, pidStart: 1, pidNs: here.pidNs, host: here.host, bootId: here.bootId)
        let alive = AgentProcess(agent: "alive", pid: 11, pidStart: 1, pidNs: here.pidNs, host: here.host, bootId: here.bootId)
        let silent = AgentProcess(agent: "silent", pid: nil)
        for (i, holder) in [dead, alive, silent].enumerated() {
            status.setTaskStatus(.inProgress, at: TaskLocation(layer: 0, task: i), details: TaskUpdateDetails(holder: holder, leaseTTLSeconds: 60),
                                 now: now.adding(milliseconds: -700_000))
        }
        _ = try? status.heartbeat(alive, at: nil, ttlSeconds: nil, now: now)
        let probe: (Int64) -> ProcessState = { $0 == 10 ? .gone : .running(start: 1) }
        // Dead ones only without a grace; the silent one is stale, 10m40s past its TTL.
        #expect(status.reapCandidates(now: now, graceMs: nil, here: here, probe: probe).map { $0.location.task } == [0])
        #expect(status.reapCandidates(now: now, graceMs: 3_600_000, here: here, probe: probe).map { $0.location.task } == [0])
        let candidates = status.reapCandidates(now: now, graceMs: 60_000, here: here, probe: probe)
        #expect(candidates.map { $0.location.task } == [0, 2])
        var failed = status
        let events = status.reap(candidates, to: .pending, now: now)
        #expect(events.map { $0.type } == [.agentReaped, .agentReaped])
        #expect(events[0].data["previous_owner"]?.objectValue?["agent"] == .string("gone"))
        #expect(status.task(at: TaskLocation(layer: 0, task: 0)).status == .pending)
        #expect(status.task(at: TaskLocation(layer: 0, task: 0)).attempts == 1)
        #expect(status.agents?.first { $0.id == "gone" }?.status == "dead")
        _ = failed.reap(candidates, to: .failed, now: now)
        #expect(failed.task(at: TaskLocation(layer: 0, task: 2)).status == .failed)
        #expect(failed.errors.map { $0.category } == [.agentLost, .agentLost])
    }
}
