import Testing
@testable import ExecutionCore

/// The timeline behind the HTML report and the Chrome trace (docs/html-report.md): attempts from
/// the log's status changes, rows for an agent's overlapping attempts, and the escaping.
@Suite struct TimelineTests {
    let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    let minute: Int64 = 60_000

    func plan() -> StatusFile {
        StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("""
        ## Layer 0: Infra
        - [ ] T1 Schema
        - [ ] T2 Queue
        - [ ] T3 Cache
        """), now: t0)
    }

    func at(_ minutes: Int64) -> Int64 { t0.millisecondsSinceEpoch + minutes * minute }

    @Test func attemptsComeFromTheLogsStatusChanges() {
        var status = plan()
        for (i, agent) in ["a", "a", "b"].enumerated() { status.layers[0].tasks[i].agent = agent }
        // T1: started 1, failed 3, started 4, complete 6. T2: started 2 (overlapping T1 on agent a), reset 5.
        // T3: no log at all; the status file says it ran 7–9.
        status.setTaskStatus(.inProgress, at: TaskLocation(layer: 0, task: 2), now: Timestamp(millisecondsSinceEpoch: at(7)))
        status.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 2), now: Timestamp(millisecondsSinceEpoch: at(9)))
        status.setTaskStatus(.inProgress, at: TaskLocation(layer: 0, task: 0), now: Timestamp(millisecondsSinceEpoch: at(4)))
        status.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 0), now: Timestamp(millisecondsSinceEpoch: at(6)))
        let log = [TaskTransition(layer: "L0", index: 0, time: at(1), to: .inProgress), TaskTransition(layer: "L0", index: 1, time: at(2), to: .inProgress),
                   TaskTransition(layer: "L0", index: 0, time: at(3), to: .failed), TaskTransition(layer: "L0", index: 0, time: at(4), to: .inProgress),
                   TaskTransition(layer: "L0", index: 1, time: at(5), to: .pending), TaskTransition(layer: "L0", index: 0, time: at(6), to: .complete)]
        let timeline = Timeline(status, transitions: log, now: Timestamp(millisecondsSinceEpoch: at(10)))
        #expect(timeline.attempts.map { "\($0.index)#\($0.number) \($0.outcome.rawValue) \(($0.start - at(0)) / minute)-\($0.end.map { ($0 - at(0)) / minute } ?? -1)" }
            == ["0#1 failed 1-3", "0#2 complete 4-6", "1#1 pending 2-5", "2#1 complete 7-9"])
        #expect(timeline.lanes.map(\.agent) == ["a", "b"])
        #expect(timeline.lanes[0].rows == 2, "T2 overlaps T1's first attempt on agent a")
        #expect(timeline.attempts.map(\.row) == [0, 0, 1, 0])
        // Waits: each task was ready at the plan (t0); T1 waited 1 minute, T2 2, T3 7.
        #expect(timeline.waits.map { (timeline.attempts[$0.attempt].start - $0.from) / minute } == [1, 2, 7])

        let trace = ChromeTrace.json(timeline, spec: "F001", featureName: "x")
        let events = trace.objectValue?["traceEvents"]?.arrayValue ?? []
        let threads = events.filter { $0.objectValue?["name"]?.stringValue == "thread_name" }
            .compactMap { $0.objectValue?["args"]?.objectValue?["name"]?.stringValue }
        #expect(threads == ["a", "a #2", "b"])
        let complete = events.filter { $0.objectValue?["ph"]?.stringValue == "X" }
        #expect(complete.count == 4)
        #expect(complete.first?.objectValue?["ts"] == .int(60_000_000), "microseconds from the timeline's start (t0, the plan)")
    }

    @Test func aRunningAttemptHasNoEnd() {
        var status = plan()
        status.setTaskStatus(.inProgress, at: TaskLocation(layer: 0, task: 0), now: Timestamp(millisecondsSinceEpoch: at(2)))
        let timeline = Timeline(status, transitions: [TaskTransition(layer: "L0", index: 0, time: at(2), to: .inProgress)],
                                now: Timestamp(millisecondsSinceEpoch: at(5)))
        #expect(timeline.attempts.count == 1)
        #expect(timeline.attempts[0].end == nil && timeline.attempts[0].outcome == .inProgress)
        #expect(timeline.end == at(5), "the timeline reaches now")
        #expect(timeline.lanes.map(\.agent) == [Timeline.unassigned])
    }

    @Test(arguments: [
        ("plain text", "plain text"), ("a < b & c > d", "a &lt; b &amp; c &gt; d"), ("\"'", "&quot;&#39;"),
        ("line\nbreak", "line&#10;break"), ("tab\tbell\u{7}", "tab&#9225;bell&#9223;"), ("é 🎯", "é 🎯"),
    ])
    func escaping(_ text: String, _ expected: String) {
        #expect(HTMLReport.escape(text) == expected)
    }

    @Test func embeddedDataCannotCloseItsBlock() {
        let out = ByteBuffer(capacity: 64)
        HTMLReport.appendEmbedded(Array(JSONWriter.encode(.object(JSONObject([("d", .string("</script><!-- & \u{2028}\u{2029}"))]))).utf8), to: out)
        let json = String(decoding: out.taken(), as: UTF8.self)
        #expect(!json.contains("<") && !json.contains(">") && !json.contains("&") && !json.contains("\u{2028}"))
        #expect((try? JSONParser.parse(json))?.objectValue?["d"]?.stringValue == "</script><!-- & \u{2028}\u{2029}")
    }
}
