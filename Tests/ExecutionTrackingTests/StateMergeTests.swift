import Testing
import SeededRandom
@testable import ExecutionCore

/// Merging machines' states (docs/worktrees.md, "Several machines"): the later change of each
/// task wins, unions are unions, and the result depends neither on the order nor on repeats.
@Suite struct StateMergeTests {
    let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    func plan() -> StatusFile {
        var s = StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("""
        ## Layer 0: Infra
        \((1...6).map { "- [ ] T\($0) Part \($0)" }.joined(separator: "\n"))

        ## Layer 1: Core
        \((7...12).map { "- [ ] T\($0) Part \($0)" }.joined(separator: "\n"))
        """), now: t0)
        return s
    }

    /// One machine's history: random transitions at its own times, stamped as a write stamps them.
    func history(_ seed: UInt64, from start: StatusFile) -> StatusFile {
        var random = SplitMix64(seed: seed)
        var s = start
        for step in 0..<12 {
            let before = s
            let now = t0.adding(milliseconds: Int64(1 + random.next() % 100_000) + Int64(step) * 100_000)
            let l = Int(random.next() % 2), t = Int(random.next() % 6)
            let place = TaskLocation(layer: l, task: t)
            switch random.next() % 5 {
            case 0: s.setTaskStatus(.inProgress, at: place, now: now)
            case 1: s.setTaskStatus(.complete, at: place, now: now)
            case 2: s.logError("failure \(seed)-\(step)", at: place, severity: .medium, now: now)
            case 3: s.logWarning("note \(seed)-\(step)", now: now)
            default:
                var gate = GateResult()
                gate.name = "tests"
                gate.status = random.next() % 2 == 0 ? .passed : .failed
                gate.executedAt = now
                s.recordGate(gate, at: l, now: now)
            }
            s.recomputeDerivedFields()
            s.lastUpdated = now
            s.stampChangedTasks(since: before, now: now)
        }
        return s
    }

    @Test(arguments: 0..<40)
    func mergingIsOrderIndependentAndIdempotent(_ seed: UInt64) {
        let start = plan()
        let machines = (0..<3).map { history(seed * 10 + UInt64($0), from: start) }
        let merged = StatusFile.merged(machines)
        // Compared as the files they write: a difference shows as a line, not a dump of the model.
        func same(_ a: StatusFile, _ b: StatusFile) -> Bool { a.jsonBytes() == b.jsonBytes() }
        for order in [[1, 0, 2], [2, 1, 0], [0, 2, 1], [2, 0, 1]] {
            #expect(same(StatusFile.merged(order.map { machines[$0] }), merged), "order \(order)")
        }
        #expect(same(StatusFile.merged([merged, merged]), merged))
        for (i, machine) in machines.enumerated() {
            #expect(same(StatusFile.merged([merged, machine]), merged), "merging machine \(i) again changes nothing")
        }
        // Every task is its latest change; errors, warnings and gate attempts are all there.
        for (l, layer) in merged.layers.enumerated() {
            for (t, task) in layer.tasks.enumerated() {
                let latest = machines.compactMap { $0.layers[l].tasks[t].changedAt?.millisecondsSinceEpoch }.max()
                #expect(task.changedAt?.millisecondsSinceEpoch == latest)
                #expect(task.attempts == machines.map { $0.layers[l].tasks[t].attempts }.max())
            }
            let gates = Set(machines.flatMap { $0.layers[l].gates ?? [] }.map { $0.executedAt!.millisecondsSinceEpoch })
            #expect(Set((layer.gates ?? []).map { $0.executedAt!.millisecondsSinceEpoch }) == gates)
        }
        #expect(Set(merged.errors.map(\.message)) == Set(machines.flatMap(\.errors).map(\.message)))
        #expect(merged.warnings.count == Set(machines.flatMap(\.warnings).map(\.message)).count)
    }

    @Test func theLaterOfTwoCompletionsWins() {
        let start = plan()
        var a = start, b = start
        let place = TaskLocation(layer: 0, task: 0)
        a.setTaskStatus(.complete, at: place, details: TaskUpdateDetails(output: "from A"), now: t0.adding(milliseconds: 5_000))
        a.stampChangedTasks(since: start, now: t0.adding(milliseconds: 5_000))
        b.setTaskStatus(.complete, at: place, details: TaskUpdateDetails(output: "from B"), now: t0.adding(milliseconds: 9_000))
        b.stampChangedTasks(since: start, now: t0.adding(milliseconds: 9_000))
        #expect(StatusFile.merged([a, b]).layers[0].tasks[0].output == "from B")
        #expect(StatusFile.merged([b, a]).layers[0].tasks[0].output == "from B")
    }

    @Test func theLatestPlansTaskListIsKept() {
        let start = plan()
        var reparsed = start
        _ = reparsed.reseed(from: LayeredTasksParser.parse("""
        ## Layer 0: Infra
        \((1...6).map { "- [ ] T\($0) Part \($0)" }.joined(separator: "\n"))
        - [ ] T13 A new part

        ## Layer 1: Core
        \((7...12).map { "- [ ] T\($0) Part \($0)" }.joined(separator: "\n"))
        """), now: t0.adding(milliseconds: 60_000))
        reparsed.stampChangedTasks(since: start, now: t0.adding(milliseconds: 60_000))
        var worked = start
        worked.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 2), now: t0.adding(milliseconds: 30_000))
        worked.stampChangedTasks(since: start, now: t0.adding(milliseconds: 30_000))
        let merged = StatusFile.merged([worked, reparsed])
        #expect(merged.layers[0].tasks.map(\.id) == ["T1", "T2", "T3", "T4", "T5", "T6", "T13"])
        #expect(merged.layers[0].tasks[2].status == .complete, "the work done under the old plan is kept")
    }

    @Test func aWriteStampsOnlyTheTasksItChanged() {
        let start = plan()
        var s = start
        s.setTaskStatus(.complete, at: TaskLocation(layer: 1, task: 3), now: t0.adding(milliseconds: 1_000))
        s.stampChangedTasks(since: start, now: t0.adding(milliseconds: 1_000))
        #expect(s.layers[1].tasks[3].changedAt == t0.adding(milliseconds: 1_000))
        #expect(s.allTasks.filter { $0.changedAt == nil }.count == 11, "untouched since the plan")
    }
}
