import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// Reports and figures that tell the truth about files without tasks, hand-stamped layers,
/// skipped tasks, warnings, long error lists and wide characters (docs/reports.md).
@Suite("Honest reports")
struct HonestReportTests {
    /// What the original scripts' `init` wrote before `parse` filled in the tasks: layers, no tasks.
    func seededWithoutTasks() -> StatusFile {
        makeStatus(layers: [("L0", "Infrastructure", []), ("L1", "Core Services", [])])
    }

    @Test func aFileWithLayersButNoTasksIsPendingNotComplete() {
        let s = seededWithoutTasks()
        #expect(s.status == .pending)
        #expect(s.layers.map(\.status) == [.pending, .pending])
        #expect(s.currentLayer == "L0")
        #expect(s.nextAction == "Add tasks to F001: run exectrack parse F001")
        let text = ProgressReport.text(ProgressSnapshot(s, now: t0))
        #expect(text == """
        \(rule)
        Feature F001: AI Chat Interface
        \(rule)
        Overall Progress: 0% (0/0 tasks)  [░░░░░░░░░░]
        Status: pending

        Layer L0 (Infrastructure): ⏳ pending (0/0 tasks)  [░░░░░░░░░░] 0%
        Layer L1 (Core Services):  ⏳ pending (0/0 tasks)  [░░░░░░░░░░] 0%

        Errors: 0

        Next Action: Add tasks to F001: run exectrack parse F001

        """)
        let listed = SpecList.text([.readable(spec: "F001", status: s)], now: t0, style: .plain)
        #expect(listed == "F001  pending      [░░░░░░░░░░] 0%    L0        running 0, failed 0\n")
        #expect(ExecutionMetrics(s, now: t0).layers.map(\.completionPercentage) == [0, 0])
    }

    @Test func aFileWithoutLayersHasNoCurrentLayer() {
        let s = makeStatus(layers: [])
        #expect(s.status == .pending)
        #expect(s.currentLayer == "none")
        #expect(s.nextAction == "Add tasks to F001: run exectrack parse F001")
    }

    @Test func completeLayerRefusesWhileTheSpecHasNoTasks() {
        var s = seededWithoutTasks()
        let error = trackerError { () throws(TrackerError) in try s.completeLayer(at: 0, force: true, now: t0) }
        #expect(error?.kind == .precondition)
        #expect(error?.message == "F001 has no tasks yet, so L0 cannot be complete; run: exectrack parse F001")
    }

    /// docs/file-format.md holds where the spec has tasks: an empty layer is complete and does not hold up the next.
    @Test func anEmptyLayerBesideTasksStaysComplete() {
        let s = makeStatus(layers: [("L0", "Setup", []), ("L1", "Build", ["parser"])])
        #expect(s.layers[0].status == .complete)
        #expect(s.layers[0].completionPercentage == 100)
        #expect(s.currentLayer == "L1")
        #expect(s.nextAction == "Start with L1 execution")
        #expect(s.emptyLayerWarnings == [
            "layer L0 (Setup) has no tasks; it counts as complete, so later layers will not wait for it",
        ])
    }

    /// Seed 004 step 2: `jq '.layers.L0.status = "in_progress" | .layers.L0.started_at = ...'`
    /// before the first task starts. The stamp, not the stored status, is what counts.
    @Test func aHandStampedLayerStartCountsAsStarted() {
        var s = f001Status()
        s.layers[0].startedAt = t0
        s.recomputeDerivedFields()
        #expect(s.status == .inProgress)
        #expect(s.layers[0].status == .inProgress)
        #expect(s.layers[1].status == .pending)
        #expect(s.startedAt == t0)
        #expect(s.nextAction == "Continue with L0 execution")
        let snapshot = ProgressSnapshot(s, now: t0.plus(seconds: 90))
        #expect(snapshot.elapsedMs == 90_000)
        #expect(ProgressReport.text(snapshot).contains("Status: in_progress\nTime Elapsed: 1m 30s\n"))

        // Without the stamp the same file has not started.
        var unstamped = f001Status()
        unstamped.layers[0].status = .inProgress
        unstamped.recomputeDerivedFields()
        #expect(unstamped.status == .pending)
    }

    @Test func throughputCountsCompletedTasksOnly() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.skipped, at: loc(0, 0), now: t0.plus(seconds: 30))
        s.setTaskStatus(.skipped, at: loc(0, 1), now: t0.plus(seconds: 40))
        var m = ExecutionMetrics(s, now: t0.plus(seconds: 3_600))
        #expect(m.throughputPerHour == 0)
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0.plus(seconds: 50))
        s.setTaskStatus(.complete, at: loc(1, 0), now: t0.plus(seconds: 60))
        m = ExecutionMetrics(s, now: t0.plus(seconds: 1_800))
        #expect(m.throughputPerHour == 2, "one complete task in half an hour; the two skipped ones are not work")
    }

    func withWarningsAndErrors() -> StatusFile {
        var s = f001Status()
        for i in 0..<5 {
            s.logError("error \(i)", at: loc(1, i), severity: .low, now: t0.plus(seconds: Int64(i)))
        }
        s.logWarning("disk nearly full", layer: nil, taskIndex: nil, severity: .medium, now: t0.plus(seconds: 10))
        s.logWarning("slow | query", layer: "L1", taskIndex: 2, severity: .low, now: t0.plus(seconds: 20))
        s.logWarning("flaky test", layer: "L2", taskIndex: nil, severity: .high, now: t0.plus(seconds: 30))
        s.logWarning("retry budget low", layer: "L1", taskIndex: 0, severity: .low, now: t0.plus(seconds: 40))
        s.recomputeDerivedFields()
        return s
    }

    @Test func warningsAndCutListsInText() {
        let text = ProgressReport.text(ProgressSnapshot(withWarningsAndErrors(), now: t0.plus(seconds: 100)))
        #expect(text.contains("""
        Errors: 5
        Recent Errors:
          ❌ L1.2 [low, other] error 2 (1m 38s ago)
          ❌ L1.3 [low, other] error 3 (1m 37s ago)
          ❌ L1.4 [low, other] error 4 (1m 36s ago)
          … and 2 more (jq '.errors' .claude/execution/F001.json)
        Warnings: 4
          ⚠️ L1.2 [low] slow | query (1m 20s ago)
          ⚠️ L2 [high] flaky test (1m 10s ago)
          ⚠️ L1.0 [low] retry budget low (1m 0s ago)
          … and 1 more (jq '.warnings' .claude/execution/F001.json)

        Next Action:
        """))
        // No warnings, no section: the original report's layout stays as it was.
        #expect(!ProgressReport.text(ProgressSnapshot(f001Status(), now: t0)).contains("Warnings"))
    }

    @Test func warningsAndCutListsInMarkdown() {
        let md = ProgressReport.markdown(ProgressSnapshot(withWarningsAndErrors(), now: t0.plus(seconds: 100)))
        #expect(md.contains("""
        - ❌ `L1.4` **low** (other): error 4
        - … and 2 more (jq '.errors' .claude/execution/F001.json)

        **Warnings:** 4

        - ⚠️ `L1.2` **low**: slow \\| query
        - ⚠️ `L2` **high**: flaky test
        - ⚠️ `L1.0` **low**: retry budget low
        - … and 1 more (jq '.warnings' .claude/execution/F001.json)

        """))
    }

    @Test func warningsInJSON() throws {
        let o = try #require(ProgressReport.json(ProgressSnapshot(withWarningsAndErrors(), now: t0)).objectValue)
        #expect(o["error_count"] == .int(5))
        #expect(o["warning_count"] == .int(4))
        let warnings = try #require(o["recent_warnings"]?.arrayValue)
        #expect(warnings.compactMap { $0.objectValue?["message"] } == [.string("slow | query"), .string("flaky test"),
                                                                        .string("retry budget low")])
        #expect(warnings[0].objectValue?["layer"] == .string("L1"))
    }

    // MARK: Display width

    @Test(arguments: [
        ("abc", 3), ("", 0), ("日本語", 6), ("한국어", 6), ("ｆｕｌｌ", 8), ("✅", 2), ("⏳", 2), ("😀", 2),
        ("👩‍💻", 2), ("🇩🇪", 2), ("⚠️", 2), ("⚠", 1), ("e\u{301}", 1), ("Cafe\u{301}", 4), ("a\u{200B}b", 2),
        ("━", 1), ("\u{1B}", 0),
    ])
    func displayWidth(_ text: String, _ columns: Int) {
        #expect(text.displayWidth == columns, "\(text.debugDescription)")
    }

    @Test func paddingAndClippingCountColumns() {
        #expect("日本".padded(toWidth: 6) == "日本  ")
        #expect("abc".padded(toWidth: 2) == "abc")
        #expect("日本語テキスト".clipped(toWidth: 5) == "日本")
        #expect("abc".clipped(toWidth: 5) == "abc")
        #expect("\u{1B}[32mgreen text\u{1B}[0m".clipped(toWidth: 5) == "\u{1B}[32mgreen\u{1B}[0m")
        #expect("\u{1B}[32mok\u{1B}[0m".clipped(toWidth: 5) == "\u{1B}[32mok\u{1B}[0m")
    }

    /// The icon column lines up by terminal columns whatever the layer names hold.
    @Test func layerLinesAlignUnderWideAndCombiningCharacters() {
        let s = makeStatus(layers: [("L0", "基盤", ["a"]), ("L1", "Café\u{301}", ["b"]), ("L2", "Deploy 🚀", ["c"]),
                                    ("L3", "Plain", ["d"])])
        let text = ProgressReport.text(ProgressSnapshot(s, now: t0))
        let layerLines = text.split(separator: "\n").filter { $0.hasPrefix("Layer ") }
        #expect(layerLines.count == 4)
        let iconColumns = layerLines.map { line in String(line[..<line.firstIndex(of: "⏳")!]).displayWidth }
        #expect(Set(iconColumns).count == 1, "\(layerLines)")
        let barColumns = layerLines.map { line in String(line[..<line.firstIndex(of: "[")!]).displayWidth }
        #expect(Set(barColumns).count == 1, "\(layerLines)")
        let metricsLines = MetricsReport.text(ExecutionMetrics(s, now: t0)).split(separator: "\n")
            .filter { $0.hasPrefix("  L") }
        let metricIcons = metricsLines.map { line in String(line[..<line.firstIndex(of: "⏳")!]).displayWidth }
        #expect(metricsLines.count == 4 && Set(metricIcons).count == 1, "\(metricsLines)")
    }

    // MARK: Why nothing is ready

    func chain() -> StatusFile {
        var s = StatusFile.seeded(feature: "D", from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - [ ] T1 first
        - [ ] T2 second depends on T3
        ## Layer 1: B
        - [ ] T3 third
        """), now: t0)
        s.recomputeDerivedFields()
        return s
    }

    @Test func nothingReadyNamesTheReason() {
        var s = chain()
        #expect(s.readyTasks().count == 1)
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        #expect(s.nothingReadyMessage()
            == "nothing ready in D yet: 1 task running (L0.0 T1), and L1 waits for them; retry when one finishes")
        #expect(s.nothingReadyMessage(inLayer: 1) == "nothing ready in L1 of D: L1 waits until L0 is done (--any-layer looks past it)")
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        #expect(s.nothingReadyMessage() == "nothing ready in D: L0.1 T2 waits on T3, not complete yet")
        s.setTaskStatus(.failed, at: loc(0, 1), now: t0)
        #expect(s.nothingReadyMessage()
            == "nothing ready in D: failed task L0.1 must be retried (update ... pending) or skipped first")
        s.block(reason: "waiting for keys", now: t0)
        #expect(s.nothingReadyMessage() == "nothing ready in D: it is blocked: waiting for keys; run: exectrack resume D")
        s.resume()
        s.setTaskStatus(.skipped, at: loc(0, 1), now: t0)
        s.setTaskStatus(.complete, at: loc(1, 0), now: t0)
        #expect(s.nothingReadyMessage() == "nothing ready in D: every task is complete or skipped")
        #expect(seededWithoutTasks().nothingReadyMessage()
            == "nothing ready in F001: it has no tasks yet; run: exectrack parse F001")
    }

    // MARK: The watch view on a small terminal

    @Test func watchScreenKeepsTheHeaderAndFooterAndSaysWhatIsCut() {
        let body = (1...10).map { "line \($0)" }.joined(separator: "\n")
        #expect(WatchScreen.lines(body: body, footer: ["footer"], rows: 20, columns: 80)
            == (1...10).map { "line \($0)" } + ["footer"])
        #expect(WatchScreen.lines(body: body, footer: ["footer", "⚠ warning"], rows: 6, columns: 80)
            == ["line 1", "line 2", "line 3", "… 7 more lines: enlarge the terminal", "footer", "⚠ warning"])
        #expect(WatchScreen.lines(body: body, footer: ["footer"], rows: 2, columns: 80) == ["line 1", "line 2"],
                "too short for the footer: the top of the report")
        #expect(WatchScreen.lines(body: "日本語のレイヤー名\nshort", footer: ["watching F001"], rows: 5, columns: 8)
            == ["日本語の", "short", "watching"], "lines are cut to the columns, by display width")
        #expect(WatchScreen.lines(body: body, footer: [], rows: 0, columns: 80).isEmpty)
    }

    // MARK: Suggestions for mistyped names

    @Test func nearestNameForATypo() {
        let commands = ["init", "parse", "update", "report", "metrics", "list", "claim", "complete-layer"]
        #expect(nearest(to: "reprot", among: commands) == "report", "two letters swapped cost one")
        #expect(nearest(to: "updte", among: commands) == "update")
        #expect(nearest(to: "UPDATE", among: commands) == "update", "case is ignored")
        #expect(nearest(to: "metric", among: commands) == "metrics")
        #expect(nearest(to: "complete-layr", among: commands) == "complete-layer")
        #expect(nearest(to: "frobnicate", among: commands) == nil)
        #expect(nearest(to: "ls", among: commands) == nil, "two letters of four are not a typo")
        #expect(nearest(to: "", among: commands) == nil)
        #expect(nearest(to: "--fromat", among: ["--format", "--json", "--watch"]) == "--format")
    }
}
