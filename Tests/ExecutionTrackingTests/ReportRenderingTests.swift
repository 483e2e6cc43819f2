import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

let rule = String(repeating: "━", count: 45)

@Suite("Duration formatting")
struct DurationFormattingTests {
    @Test(arguments: [
        (Int64(45_000), "45 seconds"),
        (3_900_000, "1 hour 5 minutes"),
        (7_200_000, "2 hours"),
        (1_000, "1 second"),
        (61_000, "1 minute 1 second"),
        (192_000, "3 minutes 12 seconds"),
        (120_000, "2 minutes"),
        (3_601_000, "1 hour"),
        (3_660_000, "1 hour 1 minute"),
        (86_400_000, "1 day"),
        (90_061_000, "1 day 1 hour"),
        (183_600_000, "2 days 3 hours"),
        (45_999, "45 seconds"),
        (999, "under 1 second"),
        (0, "under 1 second"),
        (-5_000, "under 1 second"),
    ])
    func words(ms: Int64, expected: String) {
        #expect(DurationFormatting.words(milliseconds: ms) == expected)
    }

    @Test(arguments: [
        (Int64(300_000), "5m 0s"),
        (850, "850ms"),
        (0, "0ms"),
        (-5, "0ms"),
        (1_000, "1s"),
        (12_000, "12s"),
        (59_999, "59s"),
        (60_000, "1m 0s"),
        (303_000, "5m 3s"),
        (3_600_000, "1h 0m"),
        (3_900_000, "1h 5m"),
        (86_400_000, "1d 0h"),
        (183_600_000, "2d 3h"),
    ])
    func compact(ms: Int64, expected: String) {
        #expect(DurationFormatting.compact(milliseconds: ms) == expected)
    }

    @Test func ago() {
        #expect(DurationFormatting.ago(t0, now: t0.adding(milliseconds: 999)) == "just now")
        #expect(DurationFormatting.ago(t0, now: t0) == "just now")
        #expect(DurationFormatting.ago(t0.plus(seconds: 10), now: t0) == "just now")
        #expect(DurationFormatting.ago(t0, now: t0.plus(seconds: 120)) == "2m 0s ago")
        #expect(DurationFormatting.ago(t0, now: t0.plus(seconds: 12)) == "12s ago")
    }
}

@Suite("Progress report")
struct ReportRenderingTests {
    /// The docs/reports.md example: L0's two tasks done (checked in the source, so never timed).
    func designExample() -> StatusFile {
        var s = f001Status()
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0)
        s.recomputeDerivedFields()
        return s
    }

    @Test func textMatchesTheDesignExampleExactly() {
        let text = ProgressReport.text(ProgressSnapshot(designExample(), now: t0.plus(seconds: 60)))
        #expect(text == """
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        Feature F001: AI Chat Interface
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        Overall Progress: 15% (2/13 tasks)  [█░░░░░░░░░]
        Status: in_progress

        Layer L0 (Infrastructure): ✅ complete (2/2 tasks)  [██████████] 100%
        Layer L1 (Core Services):  ⏳ pending (0/5 tasks)   [░░░░░░░░░░] 0%
        Layer L2 (Features):       ⏳ pending (0/4 tasks)   [░░░░░░░░░░] 0%
        Layer L3 (Integration):    ⏳ pending (0/2 tasks)   [░░░░░░░░░░] 0%

        Errors: 0

        Next Action: Continue with L1 execution

        """)
        #expect(ProgressReport.render(ProgressSnapshot(designExample(), now: t0), as: .text) == text)
    }

    /// A run in the middle of L1: timing, two running tasks, four errors (one resolved by a retry),
    /// and a pause.
    func midRun() -> StatusFile {
        var s = f001Status()
        s.layers[1].tasks[0].agent = "backend-agent"
        s.layers[1].tasks[1].id = "T005"
        s.layers[1].tasks[1].agent = "ai-agent"
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 60))
        s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0.plus(seconds: 60))
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0.plus(seconds: 180))
        s.logError("ECONNREFUSED 127.0.0.1:5432", at: loc(1, 2), severity: .low, now: t0.plus(seconds: 190))
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0.plus(seconds: 200))
        s.logError("Database connection timeout", at: loc(1, 0), severity: .high, now: t0.plus(seconds: 260))
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0.plus(seconds: 300))
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: t0.plus(seconds: 310))
        s.logError("permission denied", at: loc(1, 3), severity: .medium, now: t0.plus(seconds: 330))
        s.logError("401 Unauthorized", at: loc(1, 4), severity: .high, now: t0.plus(seconds: 340))
        s.pause(reason: "waiting for review", now: t0.plus(seconds: 400))
        s.recomputeDerivedFields()
        return s
    }

    @Test func textWithRunningTasksErrorsAndPause() {
        let text = ProgressReport.text(ProgressSnapshot(midRun(), now: t0.plus(seconds: 420)))
        #expect(text == """
        \(rule)
        Feature F001: AI Chat Interface
        \(rule)
        Overall Progress: 15% (2/13 tasks)  [█░░░░░░░░░]
        Status: paused
        Paused: waiting for review (since 20s ago)
        Time Elapsed: 7m 0s
        Estimated Remaining: ~16m 30s

        Layer L0 (Infrastructure): ✅ complete (2/2 tasks)               [██████████] 100%
        Layer L1 (Core Services):  🔄 in_progress (0/5 tasks), 3 failed  [░░░░░░░░░░] 0%
        Layer L2 (Features):       ⏳ pending (0/4 tasks)                [░░░░░░░░░░] 0%
        Layer L3 (Integration):    ⏳ pending (0/2 tasks)                [░░░░░░░░░░] 0%

        Currently Executing:
          🔄 L1.0 Message storage (@backend-agent, started 2m 0s ago, attempt 2)
          🔄 L1.1 T005 Conversation service (@ai-agent, started 1m 50s ago)

        Errors: 4
        Recent Errors:
          ❌ L1.0 [high, timeout] Database connection timeout (2m 40s ago) — resolved
          ❌ L1.3 [medium, permission] permission denied (1m 30s ago)
          ❌ L1.4 [high, auth] 401 Unauthorized (1m 20s ago)
          … and 1 more (jq '.errors' .claude/execution/F001.json)

        Next Action: Resume with: exectrack resume F001

        """)
    }

    @Test func completeRunShowsTotalDurationInWords() {
        var s = makeStatus(feature: "F010", featureName: "Invoice Export",
                           layers: [("L0", "Infrastructure", ["Create exports table"]), ("L1", "Core", ["a", "b"])])
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 600))
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0.plus(seconds: 600))
        s.setTaskStatus(.complete, at: loc(1, 0), now: t0.plus(seconds: 3_900))
        s.setTaskStatus(.skipped, at: loc(1, 1), now: t0.plus(seconds: 1_000))
        s.recomputeDerivedFields()
        let text = ProgressReport.text(ProgressSnapshot(s, now: t0.plus(seconds: 99_999)))
        #expect(text == """
        \(rule)
        Feature F010: Invoice Export
        \(rule)
        Overall Progress: 100% (3/3 tasks) ✅  [██████████]
        Status: complete
        Total Duration: 1 hour 5 minutes

        Layer L0 (Infrastructure): ✅ complete (1/1 tasks)  [██████████] 100%
        Layer L1 (Core):           ✅ complete (2/2 tasks)  [██████████] 100%

        Errors: 0

        Next Action: Run tests with /testing:test F010

        """)
    }

    @Test func totalDurationInHoursAndSeconds() {
        for (seconds, words) in [(Int64(7_200), "2 hours"), (45, "45 seconds")] {
            var s = makeStatus(feature: "F2", featureName: "F2", layers: [("L0", "Only", ["a"])])
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: seconds))
            s.recomputeDerivedFields()
            let text = ProgressReport.text(ProgressSnapshot(s, now: t0.plus(seconds: 100_000)))
            #expect(text == """
            \(rule)
            Feature F2
            \(rule)
            Overall Progress: 100% (1/1 tasks) ✅  [██████████]
            Status: complete
            Total Duration: \(words)

            Layer L0 (Only): ✅ complete (1/1 tasks)  [██████████] 100%

            Errors: 0

            Next Action: Run tests with /testing:test F2

            """)
        }
    }

    @Test func blockedFailedAndEmptyLayers() {
        var s = makeStatus(feature: "F3", featureName: "Search",
                           layers: [("L0", "Setup", []), ("L1", "Build", ["parser", "ui"]), ("L10", "Ship", ["deploy"])])
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0)
        s.logError("disk full", at: loc(1, 0), severity: .critical, now: t0.plus(seconds: 30))
        s.block(reason: "needs DBA approval", now: t0.plus(seconds: 40))
        s.recomputeDerivedFields()
        let text = ProgressReport.text(ProgressSnapshot(s, now: t0.plus(seconds: 90)))
        #expect(text == """
        \(rule)
        Feature F3: Search
        \(rule)
        Overall Progress: 0% (0/3 tasks)  [░░░░░░░░░░]
        Status: failed
        Blocked: needs DBA approval
        Paused: critical error in L1 task 0: disk full (since 1m 0s ago)
        Time Elapsed: 1m 30s
        Estimated Remaining: ~1m 30s

        Layer L0 (Setup): ✅ complete (0/0 tasks)          [██████████] 100%
        Layer L1 (Build): ❌ failed (0/2 tasks), 1 failed  [░░░░░░░░░░] 0%
        Layer L10 (Ship): ⏳ pending (0/1 tasks)           [░░░░░░░░░░] 0%

        Errors: 1
        Recent Errors:
          ❌ L1.0 [critical, other] disk full (1m 0s ago)

        Next Action: Resolve the critical error in L1 task 0, retry the task, then run: exectrack resume F3

        """)
    }

    @Test func userTextCannotBreakTheReportLines() {
        var s = makeStatus(feature: "F4", featureName: "Multi\nLine \"quoted\"",
                           layers: [("L0", "Tab\there", ["desc with\nnewline and \u{01} and emoji 😀"])])
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.recomputeDerivedFields()
        let text = ProgressReport.text(ProgressSnapshot(s, now: t0))
        #expect(text == """
        \(rule)
        Feature F4: Multi\\nLine "quoted"
        \(rule)
        Overall Progress: 0% (0/1 tasks)  [░░░░░░░░░░]
        Status: in_progress
        Time Elapsed: 0ms

        Layer L0 (Tab\\there): 🔄 in_progress (0/1 tasks)  [░░░░░░░░░░] 0%

        Currently Executing:
          🔄 L0.0 desc with\\nnewline and \\u{1} and emoji 😀 (started just now)

        Errors: 0

        Next Action: Continue with L0 execution

        """)
    }

    @Test func recentErrorsAreTheLastThreeOldestFirst() {
        var s = f001Status()
        for i in 0..<5 {
            s.logError("error \(i)", at: loc(1, i), severity: .low, now: t0.plus(seconds: Int64(i)))
        }
        let snapshot = ProgressSnapshot(s, now: t0.plus(seconds: 100))
        #expect(snapshot.errorCount == 5)
        #expect(snapshot.recentErrors.map(\.message) == ["error 2", "error 3", "error 4"])
    }

    @Test func snapshotRecomputesFromTasksAndNeverTrustsStoredCounters() {
        var s = designExample()
        s.totalTasks = 99
        s.completionPercentage = 80
        s.status = .complete
        let snapshot = ProgressSnapshot(s, now: t0)
        #expect(snapshot.totalTasks == 13)
        #expect(snapshot.completionPercentage == 15)
        #expect(snapshot.status == .inProgress)
    }

    @Test func markdownForTheDesignExample() {
        let md = ProgressReport.markdown(ProgressSnapshot(designExample(), now: t0))
        #expect(md == """
        ## Feature F001: AI Chat Interface

        **Overall Progress:** 15% (2/13 tasks) `█░░░░░░░░░`  
        **Status:** in_progress  

        | Layer | Name | Status | Progress | Tasks | Failed | Duration |
        |---|---|---|---|---|---:|---|
        | L0 | Infrastructure | ✅ complete | `██████████` 100% | 2/2 | 0 | – |
        | L1 | Core Services | ⏳ pending | `░░░░░░░░░░` 0% | 0/5 | 0 | – |
        | L2 | Features | ⏳ pending | `░░░░░░░░░░` 0% | 0/4 | 0 | – |
        | L3 | Integration | ⏳ pending | `░░░░░░░░░░` 0% | 0/2 | 0 | – |

        **Errors:** 0

        **Next Action:** Continue with L1 execution

        """)
    }

    @Test func markdownWithRunningTasksAndErrors() {
        let md = ProgressReport.markdown(ProgressSnapshot(midRun(), now: t0.plus(seconds: 420)))
        #expect(md == """
        ## Feature F001: AI Chat Interface

        **Overall Progress:** 15% (2/13 tasks) `█░░░░░░░░░`  
        **Status:** paused  
        **Time Elapsed:** 7m 0s  
        **Estimated Remaining:** ~16m 30s  
        **Paused:** waiting for review  

        | Layer | Name | Status | Progress | Tasks | Failed | Duration |
        |---|---|---|---|---|---:|---|
        | L0 | Infrastructure | ✅ complete | `██████████` 100% | 2/2 | 0 | 3m 0s |
        | L1 | Core Services | 🔄 in_progress | `░░░░░░░░░░` 0% | 0/5 | 3 | – |
        | L2 | Features | ⏳ pending | `░░░░░░░░░░` 0% | 0/4 | 0 | – |
        | L3 | Integration | ⏳ pending | `░░░░░░░░░░` 0% | 0/2 | 0 | – |

        **Currently Executing:**

        - 🔄 `L1.0` Message storage (@backend-agent)
        - 🔄 `L1.1 T005` Conversation service (@ai-agent)

        **Errors:** 4

        - ❌ `L1.0` **high** (timeout): Database connection timeout — resolved
        - ❌ `L1.3` **medium** (permission): permission denied
        - ❌ `L1.4` **high** (auth): 401 Unauthorized
        - … and 1 more (jq '.errors' .claude/execution/F001.json)

        **Next Action:** Resume with: exectrack resume F001

        """)
    }

    @Test func markdownEscapesPipesNewlinesAndMarkup() {
        var s = makeStatus(feature: "F5", featureName: "A | B\nC",
                           layers: [("L0", "x|y", ["run `rm` | tee *all* <b>"])])
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.logError("bad | pipe\nsecond line", at: loc(0, 0), severity: .low, now: t0)
        s.pause(reason: "why_not #1", now: t0)
        s.recomputeDerivedFields()
        let md = ProgressReport.markdown(ProgressSnapshot(s, now: t0))
        #expect(md.hasPrefix("## Feature F5: A \\| B\\\\nC\n\n"))
        #expect(md.contains("| L0 | x\\|y | ❌ failed | `░░░░░░░░░░` 0% | 0/1 | 1 | – |\n"))
        #expect(md.contains("- ❌ `L0.0` **low** (other): bad \\| pipe\\\\nsecond line\n"))
        #expect(md.contains("**Paused:** why\\_not \\#1  \n"))
        // Every table row has exactly the seven columns' eight unescaped pipes.
        for line in md.split(separator: "\n") where line.hasPrefix("| L") {
            let unescaped = line.enumerated().filter { i, c in
                c == "|" && (i == 0 || line[line.index(line.startIndex, offsetBy: i - 1)] != "\\")
            }
            #expect(unescaped.count == 8, "\(line)")
        }
        // One line per fact: no raw newline from user text.
        #expect(!md.contains("B\nC"))
        #expect(!md.contains("pipe\nsecond"))
    }

    @Test func jsonViewKeysAndValues() throws {
        let snapshot = ProgressSnapshot(midRun(), now: t0.plus(seconds: 420))
        let value = ProgressReport.json(snapshot)
        let o = value.objectValue!
        #expect(o.keys == ["spec", "feature_name", "status", "completion_percentage", "done_tasks", "total_tasks",
                           "failed_tasks", "current_layer", "started_at", "last_updated", "elapsed_ms",
                           "estimated_remaining_ms", "paused", "pause_reason", "blocked_reason", "layers", "running", "agents",
                           "error_count", "recent_errors", "warning_count", "recent_warnings", "next_action", "usage", "generated_at"])
        #expect(o["usage"] == .null, "no usage recorded")
        #expect(o["spec"] == .string("F001"))
        #expect(o["status"] == .string("paused"))
        #expect(o["completion_percentage"] == .int(15))
        #expect(o["done_tasks"] == .int(2))
        #expect(o["total_tasks"] == .int(13))
        #expect(o["failed_tasks"] == .int(3))
        #expect(o["current_layer"] == .string("L1"))
        #expect(o["started_at"] == .string("2026-11-21T10:00:00.000Z"))
        #expect(o["last_updated"] == .null)
        #expect(o["elapsed_ms"] == .int(420_000))
        #expect(o["estimated_remaining_ms"] == .int(990_000))
        #expect(o["paused"] == .bool(true))
        #expect(o["pause_reason"] == .string("waiting for review"))
        #expect(o["blocked_reason"] == .null)
        #expect(o["error_count"] == .int(4))
        #expect(o["recent_errors"]?.arrayValue?.count == 3)
        #expect(o["generated_at"] == .string("2026-11-21T10:07:00.000Z"))
        let layer = o["layers"]!.arrayValue![0].objectValue!
        #expect(layer == JSONObject([("layer", .string("L0")), ("name", .string("Infrastructure")),
                                     ("status", .string("complete")), ("done_tasks", .int(2)), ("total_tasks", .int(2)),
                                     ("failed_tasks", .int(0)), ("duration_ms", .int(180_000)), ("gates", .null)]))
        let running = o["running"]!.arrayValue![1].objectValue!
        #expect(running == JSONObject([("layer", .string("L1")), ("index", .int(1)), ("id", .string("T005")),
                                       ("description", .string("Conversation service")), ("agent", .string("ai-agent")),
                                       ("started_at", .string("2026-11-21T10:05:10.000Z")), ("attempts", .int(1)),
                                       ("liveness", .string("active")), ("claimed_by", .null), ("heartbeat_at", .null)]))
        #expect(o["agents"] == .object(JSONObject([("active", .int(2)), ("stale", .int(0)), ("dead", .int(0))])))
        // The rendered form is that value in the jq layout, and parses back to it.
        let rendered = ProgressReport.render(snapshot, as: .json)
        #expect(rendered == JSONWriter.encode(value))
        #expect(try JSONParser.parse(rendered) == value)
    }

    @Test func summaryLine() {
        #expect(ProgressReport.summaryLine(designExample())
            == "F001: 15% (2/13 tasks), in_progress; next: Continue with L1 execution")
    }

    @Test func reportFormats() {
        #expect(ReportFormat(rawValue: "markdown") == .markdown)
        #expect(ReportFormat(rawValue: "html") == nil)
    }
}
