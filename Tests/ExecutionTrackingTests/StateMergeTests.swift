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
            switch random.next() % 6 {
            case 0: s.setTaskStatus(.inProgress, at: place, now: now)
            case 1: s.setTaskStatus(.complete, at: place, now: now)
            case 2: s.logError("failure \(seed)-\(step)", at: place, severity: .medium, now: now)
            case 3: s.logWarning("note \(seed)-\(step)", now: now)
            case 4:
                // Tokens of a model only some machines use, priced or not, to a task or the spec.
                let model = ["opus", "sonnet", "haiku"][Int(random.next() % 3)]
                let tokens = Int64(1 + random.next() % 1_000)
                let used = TokenUsage(models: [ModelUsage(model: model, input: tokens, output: tokens / 2, requests: 1,
                                                          costUsd: model == "haiku" ? nil : Double(tokens) / 1_000_000)],
                                      costUsd: model == "haiku" ? nil : Double(tokens) / 1_000_000, costSource: .calculated)
                s.addUsage(used, to: random.next() % 4 == 0 ? .spec : .task(place), now: now)
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

    /// The states of machines A, B and C, each its own history from one plan.
    func machines(_ seed: UInt64) -> [(machine: String, status: StatusFile)] {
        let start = plan()
        return ["A", "B", "C"].enumerated().map { i, name in (name, history(seed * 10 + UInt64(i), from: start)) }
    }

    /// Compared as the files they write: the first line that differs, or "" when they are the same.
    func difference(_ a: StatusFile, _ b: StatusFile) -> String {
        let (x, y) = (String(decoding: a.jsonBytes(), as: UTF8.self).split(separator: "\n"),
                      String(decoding: b.jsonBytes(), as: UTF8.self).split(separator: "\n"))
        guard let i = zip(x, y).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return x.count == y.count ? "" : "\(x.count) lines against \(y.count)"
        }
        return "line \(i + 1): \(x[i]) against \(y[i])"
    }

    @Test(arguments: 0..<40)
    func mergingIsOrderIndependentAndIdempotent(_ seed: UInt64) {
        let machines = machines(seed)
        let merged = StatusFile.merged(machines, into: "A")
        for order in [[1, 0, 2], [2, 1, 0], [0, 2, 1], [2, 0, 1]] {
            let change = difference(StatusFile.merged(order.map { machines[$0] }, into: "A"), merged)
            #expect(change == "", "order \(order)")
        }
        let change = difference(StatusFile.merged([("A", merged), ("A", merged)], into: "A"), merged)
        #expect(change == "")
        for (i, machine) in machines.enumerated() {
            let change = difference(StatusFile.merged([("A", merged), machine], into: "A"), merged)
            #expect(change == "", "merging machine \(i) again changes nothing")
        }
        // Every task is its latest change; errors, warnings and gate attempts are all there.
        for (l, layer) in merged.layers.enumerated() {
            for (t, task) in layer.tasks.enumerated() {
                let latest = machines.compactMap { $0.status.layers[l].tasks[t].changedAt?.millisecondsSinceEpoch }.max()
                #expect(task.changedAt?.millisecondsSinceEpoch == latest)
                #expect(task.attempts == machines.map { $0.status.layers[l].tasks[t].attempts }.max())
            }
            let gates = Set(machines.flatMap { $0.status.layers[l].gates ?? [] }.map { $0.executedAt!.millisecondsSinceEpoch })
            #expect(Set((layer.gates ?? []).map { $0.executedAt!.millisecondsSinceEpoch }) == gates)
        }
        #expect(Set(merged.errors.map(\.message)) == Set(machines.flatMap(\.status.errors).map(\.message)))
        #expect(merged.warnings.count == Set(machines.flatMap(\.status.warnings).map(\.message)).count)
    }

    /// Tokens summed over every task and the spec, and the known dollars.
    func spent(_ s: StatusFile) -> (tokens: Int64, requests: Int64, dollars: Double) {
        let all = s.allTasks.compactMap(\.usage) + (s.usage.map { [$0] } ?? [])
        return (all.map(\.totalTokens).reduce(0, +), all.map(\.requests).reduce(0, +), all.map(\.knownCostUsd).reduce(0, +))
    }

    /// Machines merge one another's states in a random order, again and again, as pulls come:
    /// every token any machine recorded is counted exactly once everywhere, and once all have
    /// merged the latest states, all agree.
    @Test(arguments: 0..<40)
    func usageIsCountedOnceAcrossMachinesWhateverTheyMergedBefore(_ seed: UInt64) {
        var live = Dictionary(uniqueKeysWithValues: machines(seed).map { ($0.machine, $0.status) })
        let own = live.mapValues(spent)
        let expected = (tokens: own.values.map(\.tokens).reduce(0, +), requests: own.values.map(\.requests).reduce(0, +),
                        dollars: own.values.map(\.dollars).reduce(0, +))
        var random = SplitMix64(seed: seed &+ 7)
        // Pairwise merges: a machine pulls another's latest published state.
        for _ in 0..<10 {
            let into = ["A", "B", "C"][Int(random.next() % 3)], from = ["A", "B", "C"][Int(random.next() % 3)]
            guard into != from else { continue }
            live[into] = StatusFile.merged([(into, live[into]!), (from, live[from]!)], into: into)
        }
        for name in ["A", "B", "C"] {
            live[name] = StatusFile.merged(["A", "B", "C"].map { ($0, live[$0]!) }, into: name)
        }
        for name in ["A", "B", "C"] {
            let now = spent(live[name]!)
            #expect(now.tokens == expected.tokens, "machine \(name)")
            #expect(now.requests == expected.requests, "machine \(name)")
            #expect(abs(now.dollars - expected.dollars) < 1e-9, "machine \(name)")
            let again = StatusFile.merged(["A", "B", "C"].map { ($0, live[$0]!) }, into: name)
            let change = difference(again, live[name]!)
            #expect(change == "", "merging the same states again changes nothing on \(name)")
        }
        // The machines agree on every figure (each keeps only the others' parts in usage_merged).
        func figures(_ s: StatusFile) -> [String] {
            s.allTasks.map { ExactJSONEncoder.bytes($0.usage ?? TokenUsage(), style: .compact) }.map { String(decoding: $0, as: UTF8.self) }
                + [String(decoding: ExactJSONEncoder.bytes(s.usage ?? TokenUsage(), style: .compact), as: UTF8.self)]
        }
        #expect(figures(live["A"]!) == figures(live["B"]!))
        #expect(figures(live["B"]!) == figures(live["C"]!))
    }

    @Test func theLaterOfTwoCompletionsWins() {
        let start = plan()
        var a = start, b = start
        let place = TaskLocation(layer: 0, task: 0)
        a.setTaskStatus(.complete, at: place, details: TaskUpdateDetails(output: "from A"), now: t0.adding(milliseconds: 5_000))
        a.stampChangedTasks(since: start, now: t0.adding(milliseconds: 5_000))
        b.setTaskStatus(.complete, at: place, details: TaskUpdateDetails(output: "from B"), now: t0.adding(milliseconds: 9_000))
        b.stampChangedTasks(since: start, now: t0.adding(milliseconds: 9_000))
        #expect(StatusFile.merged([("A", a), ("B", b)], into: "A").layers[0].tasks[0].output == "from B")
        #expect(StatusFile.merged([("B", b), ("A", a)], into: "A").layers[0].tasks[0].output == "from B")
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
        let merged = StatusFile.merged([("A", worked), ("B", reparsed)], into: "A")
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
