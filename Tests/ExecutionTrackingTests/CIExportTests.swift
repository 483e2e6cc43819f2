import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// A small execution with one task in each state, and text that needs escaping everywhere.
/// Now is t0 + 30 s.
enum CIFixture {
    static let now = t0.plus(seconds: 30)
    static let failureMessage = "Timed out after 30s: \"a\" < 'b' & c\nsee log"

    static func status() -> StatusFile {
        var s = makeStatus(feature: "F900", featureName: "Tom's \"CI\" <export> & more", layers: [
            ("L0", "Build", ["Compile & link", "Run <unit> tests", "Lint\u{7}step"]),
            ("L1", "Deploy", ["Publish", "Smoke test"]),
        ])
        s.layers[0].tasks[0].id = "T001"
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(output: "built\u{1B}[0m\tok\nline2 <b>"),
                        now: t0.adding(milliseconds: 1_005))
        s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0.plus(seconds: 2))
        s.logError(failureMessage, at: loc(0, 1), severity: .high, category: .timeout,
                   recoveryAction: "Retry with --timeout 60", now: t0.adding(milliseconds: 14_345))
        s.setTaskStatus(.skipped, at: loc(0, 2), now: t0.plus(seconds: 15))
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: t0.plus(seconds: 20))
        s.recomputeDerivedFields()
        return s
    }
}

/// Exports for CI systems: JUnit XML, OTLP/JSON traces and the GitHub step summary.
enum CIExportTests {}

extension CIExportTests {
    @Suite("JUnit XML export")
    struct JUnitExportTests {
        @Test func exactXML() {
            let xml = JUnitReport.xml(CIFixture.status(), now: CIFixture.now)
            let escapedMessage = "Timed out after 30s: &quot;a&quot; &lt; &apos;b&apos; &amp; c&#10;see log"
            let expected = """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites name="F900: Tom&apos;s &quot;CI&quot; &lt;export&gt; &amp; more" tests="5" failures="1" errors="0" skipped="3" time="13.350" timestamp="2026-11-21T10:00:30.000Z">
                  <testsuite name="L0 Build" tests="3" failures="1" errors="0" skipped="1" time="13.350" timestamp="2026-11-21T10:00:00.000Z">
                    <testcase name="T001 Compile &amp; link" classname="F900.L0" time="1.005">
                      <system-out>built\\u{1b}[0m&#9;ok&#10;line2 &lt;b&gt;</system-out>
                    </testcase>
                    <testcase name="L0.1 Run &lt;unit&gt; tests" classname="F900.L0" time="12.345">
                      <failure message="\(escapedMessage)" type="timeout">\(escapedMessage)&#10;severity: high, category: timeout&#10;recovery: Retry with --timeout 60</failure>
                    </testcase>
                    <testcase name="L0.2 Lint\\u{7}step" classname="F900.L0" time="0.000">
                      <skipped message="skipped"/>
                    </testcase>
                  </testsuite>
                  <testsuite name="L1 Deploy" tests="2" failures="0" errors="0" skipped="2" time="0.000" timestamp="2026-11-21T10:00:20.000Z">
                    <testcase name="L1.0 Publish" classname="F900.L1" time="0.000">
                      <skipped message="not run yet (pending)"/>
                    </testcase>
                    <testcase name="L1.1 Smoke test" classname="F900.L1" time="0.000">
                      <skipped message="still running"/>
                    </testcase>
                  </testsuite>
                </testsuites>

                """
            #expect(xml == expected)
            #expect(xmlProblems(xml) == [])
        }

        @Test(arguments: [
            (Int64(0), "0.000"), (5, "0.005"), (45, "0.045"), (999, "0.999"), (1_000, "1.000"), (1_005, "1.005"),
            (12_345, "12.345"), (60_000, "60.000"), (3_600_001, "3600.001"),
        ])
        func timeIsSecondsWithThreeDecimals(ms: Int64, expected: String) {
            var s = makeStatus(feature: "F901", featureName: "F901", layers: [("L0", "Only", ["a"])])
            s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(durationMs: ms), now: t0)
            let xml = JUnitReport.xml(s, now: t0)
            #expect(xml.contains("<testcase name=\"L0.0 a\" classname=\"F901.L0\" time=\"\(expected)\">"))
            #expect(xml.contains(" time=\"\(expected)\" timestamp=\"2026-11-21T10:00:00.000Z\">\n  <testsuite"))
        }

        @Test func escapesEverySpecialAndControlCharacter() {
            // Every character that needs care, in every place user text lands.
            let nasty = "a&b<c>d\"e'f\ng\rh\ti\u{0}j\u{1}k\u{1F}l\u{7F}m\u{FFFE}n"
            var s = makeStatus(feature: "F902", featureName: nasty, layers: [("L0", nasty, [nasty, nasty])])
            s.layers[0].tasks[0].id = nasty
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(output: nasty), now: t0.plus(seconds: 1))
            s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0)
            s.logError(nasty, at: loc(0, 1), severity: .low, category: .other, recoveryAction: nasty, now: t0.plus(seconds: 2))
            let xml = JUnitReport.xml(s, now: t0.plus(seconds: 3))
            #expect(xmlProblems(xml) == [])
            let escaped = "a&amp;b&lt;c&gt;d&quot;e&apos;f&#10;g&#13;h&#9;i\\u{0}j\\u{1}k\\u{1f}l\u{7F}m\\u{fffe}n"
            #expect(xml.contains("<testsuites name=\"F902: \(escaped)\""))
            #expect(xml.contains("<testsuite name=\"L0 \(escaped)\""))
            #expect(xml.contains("<testcase name=\"\(escaped) \(escaped)\""))
            #expect(xml.contains("<system-out>\(escaped)</system-out>"))
            #expect(xml.contains("<failure message=\"\(escaped)\" type=\"other\">\(escaped)&#10;severity: low, category: other&#10;recovery: \(escaped)</failure>"))
            // No raw control characters survive, except the newlines between elements.
            #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        }

        @Test func failedTaskWithoutLoggedErrorStillFails() {
            var s = makeStatus(feature: "F903", featureName: "F903", layers: [("L0", "Only", ["a"])])
            s.setTaskStatus(.failed, at: loc(0, 0), now: t0)
            let xml = JUnitReport.xml(s, now: t0)
            #expect(xml.contains("      <failure message=\"task failed\" type=\"failed\">task failed</failure>\n"))
            #expect(xmlProblems(xml) == [])
        }

        @Test func emptySpecIsValidXML() {
            let xml = JUnitReport.xml(makeStatus(feature: "F904", featureName: "F904", layers: []), now: t0)
            #expect(xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites name="F904" tests="0" failures="0" errors="0" skipped="0" time="0.000" timestamp="2026-11-21T10:00:00.000Z">
                </testsuites>

                """)
            #expect(xmlProblems(xml) == [])
        }

        @Test func workflowStepsAreValidXML() {
            for (status, now) in [(F001Run.base(), t0), (F001Run.midL1(), F001Run.midL1Now),
                                  (F001Run.complete(), F001Run.completeNow)] {
                #expect(xmlProblems(JUnitReport.xml(status, now: now)) == [])
            }
        }
    }
}

extension CIExportTests {
    @Suite("OTLP trace export")
    struct OTLPExportTests {
        static let version = "9.9.9"

        func exportSpans(_ status: StatusFile, now: Timestamp) -> [JSONObject] {
            let value = OTLPTraceExport.json(status, now: now, toolVersion: Self.version)
            // What is written must parse back to the same document.
            let reparsed = try? JSONParser.parse(JSONWriter.encode(value))
            #expect(reparsed == value)
            return otlpSpans(value)
        }

        /// Nanoseconds since the epoch of `t0 + seconds`, as OTLP/JSON writes them.
        func nanos(_ seconds: Int64) -> JSONValue {
            // t0 = 1,795,255,200,000 ms.
            .string(String(1_795_255_200_000 + seconds * 1000) + "000000")
        }

        @Test func midL1SpanTree() {
            let spans = exportSpans(F001Run.midL1(), now: F001Run.midL1Now)
            // Feature, L0 (2 tasks), L1 (3 started tasks); L2 and L3 never started; L1.3 and L1.4 neither.
            #expect(spans.map { $0["name"]?.stringValue ?? "?" } == [
                "F001: AI Chat Interface",
                "Setup database schema", "Initialize API structure", "L0 Infrastructure",
                "Message storage", "Conversation service", "LLM client", "L1 Core Services",
            ])
            guard spans.count == 8 else { return }
            let feature = spans[0], l0 = spans[3], l1 = spans[7]
            let l0Tasks = [spans[1], spans[2]], l1Tasks = [spans[4], spans[5], spans[6]]

            let traceID = feature["traceId"]?.stringValue ?? ""
            #expect(isLowercaseHex(traceID, length: 32))
            #expect(traceID != String(repeating: "0", count: 32))
            for span in spans {
                #expect(span["traceId"]?.stringValue == traceID)
                let id = span["spanId"]?.stringValue ?? ""
                #expect(isLowercaseHex(id, length: 16))
                #expect(id != String(repeating: "0", count: 16))
                #expect(span["kind"] == .number(JSONNumber("1")!))
            }
            #expect(Set(spans.compactMap { $0["spanId"]?.stringValue }).count == 8)

            // Parents: feature ← layers ← tasks.
            #expect(feature["parentSpanId"] == nil)
            #expect(l0["parentSpanId"] == feature["spanId"])
            #expect(l1["parentSpanId"] == feature["spanId"])
            for task in l0Tasks { #expect(task["parentSpanId"] == l0["spanId"]) }
            for task in l1Tasks { #expect(task["parentSpanId"] == l1["spanId"]) }

            // Times: the task timestamps × 1,000,000; running work ends "now" (t0 + 450 s).
            #expect(feature["startTimeUnixNano"] == nanos(0))
            #expect(feature["endTimeUnixNano"] == nanos(450))
            #expect(feature["startTimeUnixNano"] == .string("1795255200000000000"))
            #expect(l0["startTimeUnixNano"] == nanos(0))
            #expect(l0["endTimeUnixNano"] == nanos(250))
            #expect(spans[1]["startTimeUnixNano"] == nanos(0))
            #expect(spans[1]["endTimeUnixNano"] == .string("1795255201000000000"))
            #expect(spans[2]["endTimeUnixNano"] == nanos(250))
            #expect(l1["startTimeUnixNano"] == nanos(300))
            #expect(l1["endTimeUnixNano"] == nanos(450))
            #expect(spans[4]["startTimeUnixNano"] == nanos(300))
            #expect(spans[4]["endTimeUnixNano"] == nanos(360))
            #expect(spans[5]["startTimeUnixNano"] == nanos(300))
            #expect(spans[5]["endTimeUnixNano"] == nanos(420))
            #expect(spans[6]["startTimeUnixNano"] == nanos(400))
            #expect(spans[6]["endTimeUnixNano"] == nanos(450))

            // Status: complete OK (1), failed ERROR (2) with the message, running UNSET (0).
            let code = { (span: JSONObject) in span["status"]?.objectValue?["code"] }
            #expect(code(feature) == .number(JSONNumber("0")!))
            #expect(code(l0) == .number(JSONNumber("1")!))
            #expect(code(l1) == .number(JSONNumber("0")!))
            #expect(code(spans[4]) == .number(JSONNumber("1")!))
            #expect(code(spans[5]) == .number(JSONNumber("2")!))
            #expect(spans[5]["status"]?.objectValue?["message"] == .string(F001Run.connectionError))
            #expect(code(spans[6]) == .number(JSONNumber("0")!))
            #expect(spans[6]["status"]?.objectValue?["message"] == nil)

            // Attributes.
            #expect(otlpAttribute(spans[5], "exectrack.agent") == "backend-dev")
            #expect(otlpAttribute(spans[5], "exectrack.complexity") == "complex")
            #expect(otlpAttribute(spans[5], "exectrack.task.attempts") == "1")
            #expect(otlpAttribute(spans[5], "exectrack.task.status") == "failed")
            #expect(otlpAttribute(spans[5], "exectrack.layer") == "L1")
            #expect(otlpAttribute(spans[5], "exectrack.task.index") == "1")
            #expect(otlpAttribute(spans[6], "exectrack.agent") == "ai-engineer")
            #expect(otlpAttribute(spans[6], "exectrack.complexity") == "Complex")
            #expect(otlpAttribute(feature, "exectrack.spec") == "F001")
            #expect(otlpAttribute(feature, "exectrack.total_tasks") == "13")
            #expect(otlpAttribute(feature, "exectrack.completion_percentage") == "23")
            #expect(otlpAttribute(l1, "exectrack.layer.total_tasks") == "5")
        }

        @Test func resourceAndScope() throws {
            let value = OTLPTraceExport.json(F001Run.midL1(), now: F001Run.midL1Now, toolVersion: Self.version)
            let resourceSpans = value.objectValue?["resourceSpans"]?.arrayValue?.first?.objectValue
            let scope = resourceSpans?["scopeSpans"]?.arrayValue?.first?.objectValue?["scope"]?.objectValue
            #expect(scope?["name"] == .string("exectrack"))
            #expect(scope?["version"] == .string(Self.version))
            let resource = resourceSpans?["resource"]?.objectValue ?? JSONObject()
            #expect(otlpAttribute(resource, "service.name") == "exectrack")
            #expect(otlpAttribute(resource, "exectrack.spec") == "F001")
        }

        @Test func retryCountsAttempts() {
            let spans = exportSpans(F001Run.afterRetry(), now: F001Run.afterRetryNow)
            let retried = spans.first { $0["name"]?.stringValue == "Conversation service" }
            #expect(retried.flatMap { otlpAttribute($0, "exectrack.task.attempts") } == "2")
            #expect(retried?["status"]?.objectValue?["code"] == .number(JSONNumber("1")!))
            #expect(retried?["startTimeUnixNano"] == nanos(460))
            #expect(retried?["endTimeUnixNano"] == nanos(520))
        }

        @Test func idsAreStable() {
            let status = F001Run.midL1()
            let first = exportSpans(status, now: F001Run.midL1Now)
            let again = exportSpans(status, now: F001Run.midL1Now)
            let later = exportSpans(status, now: F001Run.at(9_999))
            let ids = { (spans: [JSONObject]) in spans.map { [$0["traceId"], $0["spanId"], $0["parentSpanId"]] } }
            #expect(ids(first) == ids(again))
            #expect(ids(first) == ids(later))
            #expect(first.count == 8)
            // Only the ends of running work moved.
            #expect(later[6]["endTimeUnixNano"] == nanos(9_999))

            // Same content under another spec id: a different trace, different span ids.
            var other = status
            other.feature = "F002"
            let otherSpans = exportSpans(other, now: F001Run.midL1Now)
            #expect(otherSpans.count == first.count)
            #expect(otherSpans.first?["traceId"] != first.first?["traceId"])
            let firstIDs = Set(first.compactMap { $0["spanId"]?.stringValue })
            #expect(otherSpans.allSatisfy { !firstIDs.contains($0["spanId"]?.stringValue ?? "") })
        }

        @Test func pendingSpecHasNoSpans() {
            let spans = exportSpans(F001Run.base(), now: t0)
            #expect(spans.isEmpty)
        }

        @Test func completeSpecEndsAtCompletion() {
            let spans = exportSpans(F001Run.complete(), now: F001Run.completeNow)
            // 1 feature + 4 layers + 13 tasks.
            #expect(spans.count == 18)
            #expect(spans.first?["endTimeUnixNano"] == nanos(1800))
            #expect(spans.first?["status"]?.objectValue?["code"] == .number(JSONNumber("1")!))
            #expect(Set(spans.compactMap { $0["spanId"]?.stringValue }).count == 18)
            #expect(spans.allSatisfy { $0["status"]?.objectValue?["code"] == .number(JSONNumber("1")!) })
        }

        @Test func criticalFailureMarksTheFeatureSpan() {
            var s = makeStatus(feature: "F500", featureName: "F500", layers: [("L0", "Setup", ["a"])])
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.logError("disk full", at: loc(0, 0), severity: .critical, category: .other, now: t0.plus(seconds: 5))
            let spans = exportSpans(s, now: t0.plus(seconds: 10))
            #expect(spans.count == 3)
            #expect(spans.first?["status"]?.objectValue?["code"] == .number(JSONNumber("2")!))
            #expect(spans.first?["status"]?.objectValue?["message"] == .string("disk full"))
            #expect(spans.last?["status"]?.objectValue?["code"] == .number(JSONNumber("2")!))
        }

        /// Tasks without ids and with the same description (a layer with two "Write tests" tasks)
        /// still get distinct span ids: OTLP span ids must be unique within a trace.
        @Test func spanIdsAreUniqueForDuplicateDescriptions() {
            var s = makeStatus(feature: "F600", featureName: "F600", layers: [("L0", "Setup", ["Write tests", "Write tests"])])
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0.plus(seconds: 1))
            let spans = exportSpans(s, now: t0.plus(seconds: 10))
            #expect(spans.count == 4)
            let ids = spans.compactMap { $0["spanId"]?.stringValue }
            #expect(Set(ids).count == ids.count, "duplicate span ids: \(ids)")
        }
    }
}

extension CIExportTests {
    @Suite("GitHub step summary")
    struct StepSummaryTests {
        @Test func midL1WithAFailure() {
            let md = StepSummary.markdown(F001Run.midL1(), now: F001Run.midL1Now)
            // Progress bar: 23 % fills 2 of 10 cells.
            #expect(md.contains("**Overall Progress:** 23% (3/13 tasks) `██░░░░░░░░`  \n"))
            // Layer table.
            #expect(md.contains("| Layer | Name | Status | Progress | Tasks | Failed | Duration |\n|---|---|---|---|---|---:|---|\n"))
            #expect(md.contains("| L0 | Infrastructure | ✅ complete | `██████████` 100% | 2/2 | 0 | 4m 10s |\n"))
            #expect(md.contains("| L1 | Core Services | 🔄 in_progress | `██░░░░░░░░` 20% | 1/5 | 1 | – |\n"))
            #expect(md.contains("| L3 | Integration | ⏳ pending | `░░░░░░░░░░` 0% | 0/2 | 0 | – |\n"))
            // Failed tasks.
            #expect(md.contains("\n### Failed tasks\n\n| Task | Description | Error | Attempts |\n|---|---|---|---:|\n"
                + "| `L1.1` | Conversation service | Connection refused by database | 1 |\n"))
            // Metrics, after the failed tasks.
            #expect(md.contains("""

                ### Metrics

                | Metric | Value |
                |---|---|
                | Average task duration | 1m 47s |
                | p50 / p95 / p99 | 1m 0s / 4m 10s / 4m 10s |
                | Success rate | 75% |
                | Elapsed | 7m 30s |
                | Throughput | 24 tasks/hour |
                | Estimated remaining | 17m 57s |
                | Errors | 1 (1 unresolved) |
                | Slowest task | `L0.1` Initialize API structure (4m 10s) |

                """))
            #expect(md.hasSuffix("| Slowest task | `L0.1` Initialize API structure (4m 10s) |\n"))
            let failedAt = md.range(of: "### Failed tasks")?.lowerBound
            let metricsAt = md.range(of: "### Metrics")?.lowerBound
            #expect(failedAt != nil && metricsAt != nil && failedAt! < metricsAt!)
        }

        @Test func noFailedTasksSectionWithoutFailures() {
            let afterRetry = StepSummary.markdown(F001Run.afterRetry(), now: F001Run.afterRetryNow)
            #expect(!afterRetry.contains("Failed tasks"))
            #expect(afterRetry.contains("**Overall Progress:** 38% (5/13 tasks) `███░░░░░░░`  \n"))
            #expect(afterRetry.contains("| Success rate | 100% |\n"))
            #expect(afterRetry.contains("| Throughput | 33.33 tasks/hour |\n"))
            #expect(afterRetry.contains("| Errors | 1 (0 unresolved) |\n"))

            let complete = StepSummary.markdown(F001Run.complete(), now: F001Run.completeNow)
            #expect(!complete.contains("Failed tasks"))
            #expect(complete.contains("`██████████`"))
            #expect(complete.contains("| L1 | Core Services | ✅ complete | `██████████` 100% | 5/5 | 0 | 5m 0s |\n"))
            #expect(complete.contains("| Estimated remaining | 0ms |\n"))
            #expect(complete.contains("| Slowest task | `L3.0` E2E tests (10m 0s) |\n"))
        }

        @Test func allPendingShowsNotApplicable() {
            let md = StepSummary.markdown(F001Run.base(), now: t0)
            #expect(md.contains("`░░░░░░░░░░`"))
            #expect(!md.contains("Failed tasks"))
            #expect(md.contains("| Average task duration | n/a |\n"))
            #expect(md.contains("| p50 / p95 / p99 | n/a / n/a / n/a |\n"))
            #expect(md.contains("| Success rate | n/a |\n"))
            #expect(md.contains("| Throughput | n/a |\n"))
            #expect(!md.contains("Slowest task"))
            #expect(!md.lowercased().contains("nan"))
        }

        @Test func failedTaskTextIsEscaped() {
            let md = StepSummary.markdown(CIFixture.status(), now: CIFixture.now)
            #expect(md.contains("### Failed tasks"))
            #expect(md.contains("| `L0.1` | Run \\<unit\\> tests | Timed out after 30s: \"a\" \\< 'b' & c\\\\nsee log | 1 |\n"))
        }
    }
}
