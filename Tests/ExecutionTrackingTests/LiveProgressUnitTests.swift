import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("Ready tasks, claims, watch state and text style")
struct LiveProgressUnitTests {
    func deps() -> StatusFile {
        var s = StatusFile.seeded(feature: "D", from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - [ ] T1 first
        - [ ] T2 second depends on T1
        - [ ] T3 third
        ## Layer 1: B
        - [ ] T4 fourth
        - [ ] T5 fifth depends on T9
        """), now: t0)
        s.recomputeDerivedFields()
        return s
    }

    @Test func readyTasksRespectDependenciesAndLayerOrder() {
        var s = deps()
        #expect(s.readyTasks().map { [$0.layer, $0.task] } == [[0, 0], [0, 2]])
        // An unknown dependency (T9) does not hold a task back.
        #expect(s.readyTasks(anyLayer: true).map { [$0.layer, $0.task] } == [[0, 0], [0, 2], [1, 0], [1, 1]])
        s.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 0), now: t0)
        #expect(s.readyTasks().map { [$0.layer, $0.task] } == [[0, 1], [0, 2]])
        s.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 1), now: t0)
        s.setTaskStatus(.skipped, at: TaskLocation(layer: 0, task: 2), now: t0)
        #expect(s.readyTasks().map { [$0.layer, $0.task] } == [[1, 0], [1, 1]])
    }

    @Test func claimTakesTheFirstReadyTaskAndExplainsWhenNoneIs() throws {
        var s = deps()
        let first = try s.claimNextTask(agent: "a", now: t0)
        #expect(first == TaskLocation(layer: 0, task: 0))
        #expect(s.task(at: first).status == .inProgress)
        #expect(s.task(at: first).agent == "a")
        #expect(s.task(at: first).attempts == 1)
        _ = try s.claimNextTask(agent: "b", now: t0)
        let error = trackerError { () throws(TrackerError) in _ = try s.claimNextTask(agent: "c", now: t0) }
        #expect(error?.kind == .precondition)
        #expect(error?.message
            == "nothing ready in D yet: 2 tasks running (L0.0 T1, L0.2 T3), and L1 waits for them; retry when one finishes")
        s.pause(reason: "review", now: t0)
        #expect(trackerError { () throws(TrackerError) in _ = try s.claimNextTask(agent: nil, now: t0) }?.message
            == "nothing ready in D: it is paused: review; run: exectrack resume D")
    }

    @Test func watchStateReportsEachVersionOnce() {
        var state = WatchState()
        let good = deps()
        let a = FileIdentity(inode: 1, size: 10, modifiedNanoseconds: 5)
        let b = FileIdentity(inode: 2, size: 10, modifiedNanoseconds: 5)
        #expect(state.observe(nil) { () throws(TrackerError) in good } == .waiting)
        #expect(state.observe(nil) { () throws(TrackerError) in good } == .unchanged)
        #expect(state.observe(a) { () throws(TrackerError) in good } == .changed(good))
        #expect(state.observe(a) { () throws(TrackerError) in good } == .unchanged)
        let broken: () throws(TrackerError) -> StatusFile = { () throws(TrackerError) in throw TrackerError(.corruptFile, "bad") }
        #expect(state.observe(b, read: broken) == .unreadable("bad"))
        #expect(state.lastGood == good, "the last good version stays")
        let c = FileIdentity(inode: 3, size: 11, modifiedNanoseconds: 6)
        #expect(state.observe(c, read: broken) == .unchanged, "the same problem is reported once")
        let d = FileIdentity(inode: 4, size: 0, modifiedNanoseconds: 7)
        let empty: () throws(TrackerError) -> StatusFile = { () throws(TrackerError) in throw TrackerError(.corruptFile, "empty") }
        #expect(state.observe(d, read: empty) == .unchanged, "so is another problem before a good version")
        #expect(state.observe(b) { () throws(TrackerError) in good } == .changed(good))
        #expect(state.observe(c, read: broken) == .unreadable("bad"), "a new problem after a good version is reported")
    }

    @Test func barsFitTheTerminal() {
        let snapshot = ProgressSnapshot(deps(), now: t0)
        func overallLine(_ style: TextStyle) -> String {
            ProgressReport.text(snapshot, style: style).split(separator: "\n")[3].description
        }
        #expect(overallLine(.plain) == "Overall Progress: 0% (0/5 tasks)  [░░░░░░░░░░]")
        #expect(overallLine(TextStyle(color: false, width: 200)) == "Overall Progress: 0% (0/5 tasks)  [" + String(repeating: "░", count: 30) + "]")
        #expect(overallLine(TextStyle(color: false, width: 40)) == "Overall Progress: 0% (0/5 tasks)")
        let coloured = ProgressReport.text(snapshot, style: TextStyle(color: true, width: 80))
        #expect(coloured.contains("\u{1B}[2m[░"))
        #expect(!ProgressReport.text(snapshot, style: .plain).contains("\u{1B}"))
    }
}
