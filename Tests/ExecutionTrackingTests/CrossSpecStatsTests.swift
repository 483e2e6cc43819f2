import Foundation
import Testing
@testable import ExecutionCore
import SeededRandom

/// The pure figures of `stats` (docs/stats.md) where the end-to-end fixture is too small to
/// reach them: p95 outliers, readiness through dependencies, globs, the event-line scanner.
@Suite struct CrossSpecStatsTests {
    let minute: Int64 = 60_000

    func task(_ index: Int, complexity: String, start: Int64, end: Int64, agent: String = "a") -> TaskHistory {
        TaskHistory(layer: "L0", index: index, description: "task \(index)", complexity: complexity, agent: agent, status: .complete,
                    planned: 0, ready: 0, firstStart: start, finalStart: start, end: end, attempts: 1)
    }

    @Test func tasksAboveTheP95OfTheirComplexityAreTheOutliers() {
        // Twenty easy tasks of 1..20 minutes: the p95 (rank 19) is 19 minutes, so only the 20-minute one is above.
        var tasks = (1...20).map { task($0, complexity: "easy", start: 0, end: Int64($0) * minute) }
        // Two hard tasks: with so few, the p95 is the slowest and nothing is above it.
        tasks += [task(21, complexity: "hard", start: 0, end: 600 * minute), task(22, complexity: "hard", start: 0, end: 900 * minute)]
        let stats = CrossSpecStats([SpecHistory(spec: "S1", archived: false, tasks: tasks, errors: [], criticalPath: [])],
                                   StatsQuery(now: 10_000 * minute))
        #expect(stats.slowTasks.map(\.task.index) == [20])
        #expect(stats.slowTasks.first?.p95Ms == 19 * minute)
        let easy = stats.spreads.first { $0.complexity == "easy" }
        #expect(easy.map { [$0.p25Ms, $0.p50Ms, $0.p75Ms, $0.p90Ms] } == [5, 10, 15, 18].map { $0 * minute })
    }

    /// The critical path walks back from the task that ended last through what each task
    /// waited for; on random plans (dependencies by id, every earlier layer waited for) and
    /// random end times with many ties, it is the path the definition gives, checked against
    /// every task's candidates rather than the layers' ranges the implementation keeps.
    @Test func theCriticalPathIsTheOneItsDefinitionGives() {
        var random = SplitMix64(seed: 2039)
        let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        var longest = 0
        for _ in 0..<300 {
            var markdown = "", layerOf: [Int] = [], needs: [[Int]] = []
            for layer in 0..<Int.random(in: 1...4, using: &random) {
                markdown += "## Layer \(layer): Part \(layer)\n"
                for _ in 0..<Int.random(in: 1...5, using: &random) {
                    let n = layerOf.count
                    let deps = n == 0 ? [] : (0..<Int.random(in: 0...2, using: &random)).map { _ in Int.random(in: 0..<n, using: &random) }
                    markdown += "- [ ] T\(n + 1) Task \(n)" + (deps.isEmpty ? "" : " (depends on \(deps.map { "T\($0 + 1)" }.joined(separator: ", ")))") + "\n"
                    layerOf.append(layer)
                    needs.append(deps)
                }
            }
            var status = StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse(markdown), now: t0)
            var clock: Int64 = 0
            for (l, layer) in status.layers.enumerated() {
                for t in layer.tasks.indices where Int.random(in: 0..<5, using: &random) > 0 {
                    clock += Int64.random(in: 0...2, using: &random) * minute
                    status.setTaskStatus(.inProgress, at: TaskLocation(layer: l, task: t), now: t0.adding(milliseconds: clock))
                    clock += Int64.random(in: 0...2, using: &random) * minute
                    status.setTaskStatus(.complete, at: TaskLocation(layer: l, task: t), now: t0.adding(milliseconds: clock))
                }
            }
            let history = SpecHistory(status, transitions: [], archived: false)
            let tasks = history.tasks
            let later = { (a: Int, b: Int) in (tasks[a].end!, -a) < (tasks[b].end!, -b) }
            var expected: [Int] = []
            if var current = tasks.indices.filter({ tasks[$0].end != nil }).max(by: later) {
                expected = [current]
                while expected.count <= tasks.count {
                    let waitedFor = needs[current] + tasks.indices.filter { layerOf[$0] < layerOf[current] }
                    guard let ready = tasks[current].ready,
                          let previous = waitedFor.filter({ tasks[$0].end.map { $0 <= ready } == true }).max(by: later),
                          tasks[previous].end == ready, previous != current else { break }
                    expected.append(previous)
                    current = previous
                }
                expected.reverse()
            }
            #expect(history.criticalPath == expected, "\(markdown)")
            longest = max(longest, expected.count)
        }
        #expect(longest >= 4, "paths of several steps are among the cases")
    }

    @Test func readinessFollowsDependenciesAndEarlierLayers() throws {
        let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        var status = StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("""
        ## Layer 0: Infra
        - [ ] T1 Schema
        - [ ] T2 Queue

        ## Layer 1: Core
        - [ ] T3 Service (depends on T1)
        - [ ] T4 Worker
        """), now: t0)
        status.setTaskStatus(.inProgress, at: TaskLocation(layer: 0, task: 0), now: t0.adding(milliseconds: 10 * minute))
        status.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 0), now: t0.adding(milliseconds: 20 * minute))
        status.setTaskStatus(.inProgress, at: TaskLocation(layer: 0, task: 1), now: t0.adding(milliseconds: 15 * minute))
        let running = SpecHistory(status, transitions: [], archived: false)
        #expect(running.tasks[0].ready == t0.millisecondsSinceEpoch, "L0 is ready when planned")
        #expect(running.tasks[2].ready == nil, "L1 waits while T2 runs")
        status.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 1), now: t0.adding(milliseconds: 40 * minute))
        let done = SpecHistory(status, transitions: [], archived: false)
        #expect(done.tasks[2].ready == t0.millisecondsSinceEpoch + 40 * minute, "the later of T1 (its dependency) and the end of L0")
        #expect(done.tasks[3].ready == t0.millisecondsSinceEpoch + 40 * minute)
        #expect(done.criticalPath == [1], "T2 ended last; it waited for nothing")
    }

    @Test func theEventScannerReadsOnlyStatusChanges() {
        func scan(_ line: String) -> TaskTransition? { Array(line.utf8).withUnsafeBufferPointer { TaskTransition.scan($0) } }
        let started = #"{"specversion":"1.0","type":"dev.exectrack.task.started","time":"2026-11-02T10:00:00.000Z","seq":3,"#
            + #""data":{"actor":{"pid":1,"host":"h"},"layer":"L1","index":4,"from":"pending","to":"in_progress","task":{}}}"#
        #expect(scan(started) == TaskTransition(layer: "L1", index: 4, time: 1_793_613_600_000, to: .inProgress))
        #expect(scan(started.replacingOccurrences(of: "task.started", with: "task.heartbeat")) == nil)
        #expect(scan("not json") == nil)
        #expect(scan(#"{"type":"dev.exectrack.task.completed","data":{"layer":"L1","index":4,"to":"complete"}}"#) == nil, "no time")
        #expect(scan(#"{"type":"dev.exectrack.task.completed","time":"2026-11-02T10:00:00.000Z","data":{"layer":"L1","to":"done"}}"#) == nil)
    }

    @Test(arguments: [
        ("F0*", "F012", true), ("F0*", "G012", false), ("*", "", true), ("F00?", "F001", true), ("F00?", "F0010", false),
        ("F00[1-3]", "F002", true), ("F00[1-3]", "F004", false), ("F00[!1-3]", "F004", true), ("*-api", "billing-api", true),
        ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false), ("[", "[", true), ("F[]]", "F]", true),
    ])
    func specGlobs(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(SpecPattern.matches(pattern, text) == expected)
    }
}
