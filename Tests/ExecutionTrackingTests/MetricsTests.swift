import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// docs/reports.md, "Figures" metrics: the calculator, its JSON export and its text view.
enum MetricsTests {}

extension MetricsTests {
    /// docs/reports.md, "Figures": the metrics of F001 at each step of its workflow, figure by figure, to the
    /// millisecond. Expected values are worked out by hand from the timeline in `F001Run`.
    @Suite("Metrics: F001 workflow")
    struct MetricsWorkflowTests {
        // MARK: Step 1: L0 complete

        @Test func afterL0Complete() {
            let m = ExecutionMetrics(F001Run.afterL0(), now: F001Run.afterL0Now)
            #expect(m.spec == "F001")
            #expect(m.featureName == "AI Chat Interface")
            #expect(m.status == .inProgress)
            #expect(m.generatedAt == F001Run.afterL0Now)
            #expect(m.totalTasks == 13)
            #expect(m.completedTasks == 2)
            #expect(m.failedTasks == 0)
            #expect(m.skippedTasks == 0)
            #expect(m.inProgressTasks == 0)
            #expect(m.pendingTasks == 11)
            // 2 / 13 = 15.38 %, floored.
            #expect(m.completionPercentage == 15)
            // (1,000 + 250,000) / 2.
            #expect(m.averageDurationMs == 125_500)
            // Sorted [1,000, 250,000]: p50 rank ⌈1⌉ = 1, p95 rank ⌈1.9⌉ = 2, p99 rank ⌈1.98⌉ = 2.
            #expect(m.p50DurationMs == 1_000)
            #expect(m.p95DurationMs == 250_000)
            #expect(m.p99DurationMs == 250_000)
            #expect(m.totalDurationMs == 251_000)
            // 125,500 × 11 tasks neither complete nor skipped.
            #expect(m.estimatedRemainingMs == 1_380_500)
            #expect(m.successRate == 100)
            #expect(m.startedAt == t0)
            #expect(m.completedAt == nil)
            #expect(m.elapsedMs == 300_000)
            // 2 tasks / (300,000 ms / 3,600,000 ms per hour) = 24.
            #expect(m.throughputPerHour == 24)
            // now + 1,380,500 ms = t0 + 1,680,500 ms.
            #expect(m.estimatedCompletionAt == ts("2026-11-21T10:28:00.500Z"))
            #expect(m.layers == [
                layerFigures("L0", "Infrastructure", .complete, total: 2, completed: 2, percent: 100,
                             duration: 250_000, average: 125_500, startedAt: t0, completedAt: F001Run.at(250)),
                layerFigures("L1", "Core Services", .pending, total: 5, percent: 0),
                layerFigures("L2", "Features", .pending, total: 4, percent: 0),
                layerFigures("L3", "Integration", .pending, total: 2, percent: 0),
            ])
            #expect(m.agents == [
                groupFigures("ai-engineer", total: 1),
                groupFigures("backend-dev", total: 4, completed: 1, average: 250_000),
                groupFigures("db-architect", total: 1, completed: 1, average: 1_000),
                groupFigures("devops", total: 1),
                groupFigures("frontend-dev", total: 4),
                groupFigures("qa-engineer", total: 1),
                groupFigures("unassigned", total: 1),
            ])
            #expect(m.complexities == [
                groupFigures("complex", total: 4),
                groupFigures("moderate", total: 5, completed: 1, average: 250_000),
                groupFigures("simple", total: 3, completed: 1, average: 1_000),
                groupFigures("unassigned", total: 1),
            ])
            #expect(m.slowestTasks == [
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
            ])
            #expect(m.fastestTasks == [
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
            ])
            #expect(m.errorCount == 0)
            #expect(m.unresolvedErrorCount == 0)
            #expect(severityCounts(m) == ["low 0", "medium 0", "high 0", "critical 0"])
            #expect(categoryCounts(m) == ["timeout 0", "connection 0", "permission 0", "not_found 0", "auth 0",
                                          "syntax 0", "dependency 0", "other 0", "agent_lost 0"])
            #expect(m.warningCount == 0)
        }

        // MARK: Step 2: mid-L1, one running, one failed

        @Test func midL1WithRunningAndFailedTask() {
            let m = ExecutionMetrics(F001Run.midL1(), now: F001Run.midL1Now)
            #expect(m.status == .inProgress)
            #expect(m.totalTasks == 13)
            #expect(m.completedTasks == 3)
            #expect(m.failedTasks == 1)
            #expect(m.skippedTasks == 0)
            #expect(m.inProgressTasks == 1)
            #expect(m.pendingTasks == 8)
            // 3 / 13 = 23.08 %, floored.
            #expect(m.completionPercentage == 23)
            // Durations 1,000, 250,000, 60,000 and the failed task's 120,000; the running task has none.
            #expect(m.averageDurationMs == 107_750)
            // Sorted [1,000, 60,000, 120,000, 250,000]: ranks ⌈2⌉ = 2, ⌈3.8⌉ = 4, ⌈3.96⌉ = 4.
            #expect(m.p50DurationMs == 60_000)
            #expect(m.p95DurationMs == 250_000)
            #expect(m.p99DurationMs == 250_000)
            #expect(m.totalDurationMs == 431_000)
            // 107,750 × 10 (1 failed + 1 running + 8 pending).
            #expect(m.estimatedRemainingMs == 1_077_500)
            // 3 / (3 + 1) × 100.
            #expect(m.successRate == 75)
            #expect(m.startedAt == t0)
            #expect(m.completedAt == nil)
            #expect(m.elapsedMs == 450_000)
            // 3 × 3,600,000 / 450,000.
            #expect(m.throughputPerHour == 24)
            // t0 + 450,000 + 1,077,500 ms.
            #expect(m.estimatedCompletionAt == ts("2026-11-21T10:25:27.500Z"))
            #expect(m.layers == [
                layerFigures("L0", "Infrastructure", .complete, total: 2, completed: 2, percent: 100,
                             duration: 250_000, average: 125_500, startedAt: t0, completedAt: F001Run.at(250)),
                // Running task keeps a layer with a failure in progress; average (60,000 + 120,000) / 2.
                layerFigures("L1", "Core Services", .inProgress, total: 5, completed: 1, failed: 1, percent: 20,
                             average: 90_000, startedAt: F001Run.at(300)),
                layerFigures("L2", "Features", .pending, total: 4, percent: 0),
                layerFigures("L3", "Integration", .pending, total: 2, percent: 0),
            ])
            #expect(m.agents == [
                groupFigures("ai-engineer", total: 1),
                // (250,000 + 60,000 + 120,000) / 3 = 143,333.3.
                groupFigures("backend-dev", total: 4, completed: 2, failed: 1, average: 143_333),
                groupFigures("db-architect", total: 1, completed: 1, average: 1_000),
                groupFigures("devops", total: 1),
                groupFigures("frontend-dev", total: 4),
                groupFigures("qa-engineer", total: 1),
                groupFigures("unassigned", total: 1),
            ])
            #expect(m.complexities == [
                // "complex" and "Complex" are one group.
                groupFigures("complex", total: 4, failed: 1, average: 120_000),
                groupFigures("moderate", total: 5, completed: 2, average: 155_000),
                groupFigures("simple", total: 3, completed: 1, average: 1_000),
                groupFigures("unassigned", total: 1),
            ])
            #expect(m.slowestTasks == [
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
                taskRef("L1", 1, "Conversation service", agent: "backend-dev", 120_000),
                taskRef("L1", 0, "Message storage", agent: "backend-dev", 60_000),
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
            ])
            #expect(m.fastestTasks == [
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
                taskRef("L1", 0, "Message storage", agent: "backend-dev", 60_000),
                taskRef("L1", 1, "Conversation service", agent: "backend-dev", 120_000),
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
            ])
            #expect(m.errorCount == 1)
            #expect(m.unresolvedErrorCount == 1)
            #expect(severityCounts(m) == ["low 0", "medium 0", "high 1", "critical 0"])
            #expect(categoryCounts(m) == ["timeout 0", "connection 1", "permission 0", "not_found 0", "auth 0",
                                          "syntax 0", "dependency 0", "other 0", "agent_lost 0"])
        }

        // MARK: Step 3: after the retry

        @Test func afterRetry() {
            let m = ExecutionMetrics(F001Run.afterRetry(), now: F001Run.afterRetryNow)
            #expect(m.status == .inProgress)
            #expect(m.completedTasks == 5)
            #expect(m.failedTasks == 0)
            #expect(m.inProgressTasks == 0)
            #expect(m.pendingTasks == 8)
            // 5 / 13 = 38.46 %.
            #expect(m.completionPercentage == 38)
            // The retry replaced the failed attempt's 120,000 with 60,000:
            // (1,000 + 250,000 + 60,000 + 60,000 + 100,000) / 5 = 94,200.
            #expect(m.averageDurationMs == 94_200)
            // Sorted [1,000, 60,000, 60,000, 100,000, 250,000]: ranks ⌈2.5⌉ = 3, ⌈4.75⌉ = 5, ⌈4.95⌉ = 5.
            #expect(m.p50DurationMs == 60_000)
            #expect(m.p95DurationMs == 250_000)
            #expect(m.p99DurationMs == 250_000)
            #expect(m.totalDurationMs == 471_000)
            #expect(m.estimatedRemainingMs == 753_600)
            #expect(m.successRate == 100)
            #expect(m.elapsedMs == 540_000)
            // 5 × 3,600,000 / 540,000 = 33.333…
            #expect(m.throughputPerHour == 33.33)
            // t0 + 540,000 + 753,600 ms.
            #expect(m.estimatedCompletionAt == ts("2026-11-21T10:21:33.600Z"))
            #expect(m.layers[1] == layerFigures(
                "L1", "Core Services", .inProgress, total: 5, completed: 3, percent: 60,
                // (60,000 + 60,000 + 100,000) / 3 = 73,333.3.
                average: 73_333, startedAt: F001Run.at(300)))
            #expect(m.agents == [
                groupFigures("ai-engineer", total: 1, completed: 1, average: 100_000),
                // (250,000 + 60,000 + 60,000) / 3 = 123,333.3.
                groupFigures("backend-dev", total: 4, completed: 3, average: 123_333),
                groupFigures("db-architect", total: 1, completed: 1, average: 1_000),
                groupFigures("devops", total: 1),
                groupFigures("frontend-dev", total: 4),
                groupFigures("qa-engineer", total: 1),
                groupFigures("unassigned", total: 1),
            ])
            #expect(m.complexities == [
                groupFigures("complex", total: 4, completed: 2, average: 80_000),
                groupFigures("moderate", total: 5, completed: 2, average: 155_000),
                groupFigures("simple", total: 3, completed: 1, average: 1_000),
                groupFigures("unassigned", total: 1),
            ])
            // L1.0 and L1.1 tie at 60,000: document order in both lists.
            #expect(m.slowestTasks == [
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
                taskRef("L1", 2, "LLM client", agent: "ai-engineer", 100_000),
                taskRef("L1", 0, "Message storage", agent: "backend-dev", 60_000),
                taskRef("L1", 1, "Conversation service", agent: "backend-dev", 60_000),
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
            ])
            #expect(m.fastestTasks == [
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
                taskRef("L1", 0, "Message storage", agent: "backend-dev", 60_000),
                taskRef("L1", 1, "Conversation service", agent: "backend-dev", 60_000),
                taskRef("L1", 2, "LLM client", agent: "ai-engineer", 100_000),
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
            ])
            // The error stays logged but is resolved by the retry.
            #expect(m.errorCount == 1)
            #expect(m.unresolvedErrorCount == 0)
            #expect(severityCounts(m) == ["low 0", "medium 0", "high 1", "critical 0"])
            #expect(categoryCounts(m)[1] == "connection 1")
        }

        // MARK: Step 4: 100 %

        @Test func complete() {
            let m = ExecutionMetrics(F001Run.complete(), now: F001Run.completeNow)
            #expect(m.status == .complete)
            #expect(m.completedTasks == 13)
            #expect(m.failedTasks == 0)
            #expect(m.inProgressTasks == 0)
            #expect(m.pendingTasks == 0)
            #expect(m.completionPercentage == 100)
            // Sum 2,016,000 / 13 = 155,076.9.
            #expect(m.averageDurationMs == 155_077)
            // Sorted [1k, 30k, 45k, 60k, 60k, 60k, 90k, 100k, 120k, 250k, 300k, 300k, 600k]:
            // ranks ⌈6.5⌉ = 7, ⌈12.35⌉ = 13, ⌈12.87⌉ = 13.
            #expect(m.p50DurationMs == 90_000)
            #expect(m.p95DurationMs == 600_000)
            #expect(m.p99DurationMs == 600_000)
            #expect(m.totalDurationMs == 2_016_000)
            #expect(m.estimatedRemainingMs == 0)
            #expect(m.estimatedCompletionAt == nil)
            #expect(m.successRate == 100)
            #expect(m.startedAt == t0)
            #expect(m.completedAt == F001Run.at(1800))
            // To completed_at, not to "now" (t0 + 2,000 s).
            #expect(m.elapsedMs == 1_800_000)
            // 13 × 3,600,000 / 1,800,000.
            #expect(m.throughputPerHour == 26)
            #expect(m.layers == [
                layerFigures("L0", "Infrastructure", .complete, total: 2, completed: 2, percent: 100,
                             duration: 250_000, average: 125_500, startedAt: t0, completedAt: F001Run.at(250)),
                layerFigures("L1", "Core Services", .complete, total: 5, completed: 5, percent: 100,
                             duration: 300_000, average: 62_000, startedAt: F001Run.at(300), completedAt: F001Run.at(600)),
                layerFigures("L2", "Features", .complete, total: 4, completed: 4, percent: 100,
                             duration: 300_000, average: 138_750, startedAt: F001Run.at(600), completedAt: F001Run.at(900)),
                layerFigures("L3", "Integration", .complete, total: 2, completed: 2, percent: 100,
                             duration: 900_000, average: 450_000, startedAt: F001Run.at(900), completedAt: F001Run.at(1800)),
            ])
            #expect(m.agents == [
                groupFigures("ai-engineer", total: 1, completed: 1, average: 100_000),
                groupFigures("backend-dev", total: 4, completed: 4, average: 107_500),
                groupFigures("db-architect", total: 1, completed: 1, average: 1_000),
                groupFigures("devops", total: 1, completed: 1, average: 300_000),
                groupFigures("frontend-dev", total: 4, completed: 4, average: 138_750),
                groupFigures("qa-engineer", total: 1, completed: 1, average: 600_000),
                groupFigures("unassigned", total: 1, completed: 1, average: 30_000),
            ])
            #expect(m.complexities == [
                groupFigures("complex", total: 4, completed: 4, average: 265_000),
                groupFigures("moderate", total: 5, completed: 5, average: 158_000),
                // 136,000 / 3 = 45,333.3.
                groupFigures("simple", total: 3, completed: 3, average: 45_333),
                groupFigures("unassigned", total: 1, completed: 1, average: 30_000),
            ])
            // Top five only; L2.0 and L3.1 tie at 300,000, L1.0/L1.1/L1.3 at 60,000: document order.
            #expect(m.slowestTasks == [
                taskRef("L3", 0, "E2E tests", agent: "qa-engineer", 600_000),
                taskRef("L2", 0, "Chat window", agent: "frontend-dev", 300_000),
                taskRef("L3", 1, "Deployment", agent: "devops", 300_000),
                taskRef("L0", 1, "Initialize API structure", agent: "backend-dev", 250_000),
                taskRef("L2", 1, "Message list", agent: "frontend-dev", 120_000),
            ])
            #expect(m.fastestTasks == [
                taskRef("L0", 0, "Setup database schema", agent: "db-architect", 1_000),
                taskRef("L1", 4, "Auth middleware", agent: nil, 30_000),
                taskRef("L2", 3, "Markdown rendering", agent: "frontend-dev", 45_000),
                taskRef("L1", 0, "Message storage", agent: "backend-dev", 60_000),
                taskRef("L1", 1, "Conversation service", agent: "backend-dev", 60_000),
            ])
            #expect(m.errorCount == 1)
            #expect(m.unresolvedErrorCount == 0)
        }

        /// Figures that need rounding: 2 of 3 done is 66.67 % done but 66 % complete (floored), and
        /// throughput over an awkward elapsed time keeps two decimals.
        @Test func roundingOfRatesAndPercentages() {
            var s = makeStatus(feature: "F777", featureName: "F777", layers: [("L0", "Only", ["a", "b", "c"])])
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.setTaskStatus(.complete, at: loc(0, 0), now: t0.adding(milliseconds: 1_001))
            s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0)
            s.setTaskStatus(.complete, at: loc(0, 1), now: t0.adding(milliseconds: 1_002))
            s.setTaskStatus(.inProgress, at: loc(0, 2), now: t0)
            s.logError("boom", at: loc(0, 2), severity: .low, category: .other, now: t0.adding(milliseconds: 1_004))
            let now = t0.adding(milliseconds: 7_000_000)
            let m = ExecutionMetrics(s, now: now)
            #expect(m.completionPercentage == 66)
            // 2 / 3 × 100 = 66.666…
            #expect(m.successRate == 66.67)
            // 2 × 3,600,000 / 7,000,000 = 1.0285…
            #expect(m.throughputPerHour == 1.03)
            // (1,001 + 1,002 + 1,004) / 3 = 1,002.33.
            #expect(m.averageDurationMs == 1_002)
            // Only the failed task is neither complete nor skipped.
            #expect(m.estimatedRemainingMs == 1_002)
            #expect(m.estimatedCompletionAt == now.adding(milliseconds: 1_002))
            // Layer: 2 complete, 1 failed and nothing running: failed.
            #expect(m.layers[0].status == .failed)
            #expect(m.layers[0].completionPercentage == 66)
            #expect(m.layers[0].durationMs == nil)
            #expect(m.layers[0].averageDurationMs == 1_002)

            let json = try? metricsExportObject(m)
            #expect(json?["success_rate"] == .number(JSONNumber("66.67")!))
            #expect(json?["throughput_tasks_per_hour"] == .number(JSONNumber("1.03")!))
            #expect(json?["completion_percentage"] == .number(JSONNumber("66")!))
        }

        /// Skipped tasks count as done for progress, but not for the success rate or throughput
        /// (no work was done), and tasks neither complete nor skipped are what remains.
        @Test func skippedTasksCountAsDoneButNotAsSuccesses() {
            var s = makeStatus(feature: "F778", featureName: "F778", layers: [("L0", "Only", ["a", "b", "c", "d"])])
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 40))
            s.setTaskStatus(.skipped, at: loc(0, 1), now: t0.plus(seconds: 50))
            let m = ExecutionMetrics(s, now: t0.plus(seconds: 3600))
            #expect(m.completedTasks == 1)
            #expect(m.skippedTasks == 1)
            #expect(m.pendingTasks == 2)
            #expect(m.completionPercentage == 50)
            #expect(m.successRate == 100)
            #expect(m.throughputPerHour == 1)
            #expect(m.averageDurationMs == 40_000)
            #expect(m.estimatedRemainingMs == 80_000)
        }
    }
}

extension MetricsTests {
    /// Specs where some figures are undefined: they are nil in Swift and `null` in JSON, never NaN
    /// or infinity, and nothing crashes.
    @Suite("Metrics: undefined figures")
    struct MetricsUndefinedFigureTests {
        /// Keys of the export whose value must be `null` when nothing has a duration or a start.
        static let timingKeys = ["average_duration_ms", "estimated_remaining_ms", "throughput_tasks_per_hour",
                                 "elapsed_ms", "started_at", "completed_at", "estimated_completion_at"]

        func expectValidExport(_ m: ExecutionMetrics, nullAt keys: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let text = metricsExportText(m)
            let object = try metricsExportObject(m, sourceLocation: sourceLocation)
            for key in keys {
                #expect(object[key] == .null, "\(key) should be null", sourceLocation: sourceLocation)
            }
            #expect(nonFiniteNumbers(.object(object)).isEmpty, sourceLocation: sourceLocation)
            let bare = jsonTextOutsideStrings(text)
            #expect(!bare.contains("nan"), sourceLocation: sourceLocation)
            #expect(!bare.contains("inf"), sourceLocation: sourceLocation)
            // The text report renders too, with no NaN.
            // How Swift prints non-finite doubles, as whole words.
            let words = MetricsReport.text(m).lowercased().split { !$0.isLetter }.map(String.init)
            for bad in ["nan", "inf", "infinity"] {
                #expect(!words.contains(bad), "text report shows \(bad)", sourceLocation: sourceLocation)
            }
        }

        @Test func allPending() throws {
            let m = ExecutionMetrics(F001Run.base(), now: t0)
            #expect(m.status == .pending)
            #expect(m.totalTasks == 13)
            #expect(m.pendingTasks == 13)
            #expect(m.completionPercentage == 0)
            #expect(m.averageDurationMs == nil)
            #expect(m.p50DurationMs == nil)
            #expect(m.p95DurationMs == nil)
            #expect(m.p99DurationMs == nil)
            #expect(m.totalDurationMs == 0)
            #expect(m.estimatedRemainingMs == nil)
            #expect(m.successRate == nil)
            #expect(m.startedAt == nil)
            #expect(m.elapsedMs == nil)
            #expect(m.throughputPerHour == nil)
            #expect(m.estimatedCompletionAt == nil)
            #expect(m.slowestTasks.isEmpty)
            #expect(m.fastestTasks.isEmpty)
            #expect(m.layers.map(\.completionPercentage) == [0, 0, 0, 0])
            #expect(m.layers.allSatisfy { $0.durationMs == nil && $0.averageDurationMs == nil && $0.status == .pending })
            #expect(m.agents.allSatisfy { $0.averageDurationMs == nil })
            try expectValidExport(m, nullAt: Self.timingKeys + ["success_rate"])
            let object = try metricsExportObject(m)
            #expect(jsonAt(object, "duration_percentiles_ms", "p50") == .null)
            #expect(jsonAt(object, "duration_percentiles_ms", "p95") == .null)
            #expect(jsonAt(object, "duration_percentiles_ms", "p99") == .null)
            #expect(jsonAt(object, "layer_metrics", "L2", "duration_ms") == .null)
            #expect(jsonAt(object, "layer_metrics", "L2", "average_duration_ms") == .null)
            #expect(jsonAt(object, "agent_metrics", "backend-dev", "average_duration_ms") == .null)
            #expect(object["slowest_tasks"] == .array([]))
        }

        @Test func emptySpecWithoutLayers() throws {
            let s = makeStatus(feature: "F404", featureName: "Nothing yet", layers: [])
            let m = ExecutionMetrics(s, now: t0)
            #expect(m.status == .pending)
            #expect(m.totalTasks == 0)
            #expect(m.completionPercentage == 0)
            #expect(m.averageDurationMs == nil)
            #expect(m.p50DurationMs == nil)
            #expect(m.estimatedRemainingMs == nil)
            #expect(m.successRate == nil)
            #expect(m.elapsedMs == nil)
            #expect(m.throughputPerHour == nil)
            #expect(m.estimatedCompletionAt == nil)
            #expect(m.layers.isEmpty)
            #expect(m.agents.isEmpty)
            #expect(m.complexities.isEmpty)
            try expectValidExport(m, nullAt: Self.timingKeys + ["success_rate"])
            let object = try metricsExportObject(m)
            #expect(object["layer_metrics"] == .object(JSONObject()))
            #expect(jsonAt(object, "duration_percentiles_ms", "p50") == .null)
            #expect(object["total_tasks"] == .number(JSONNumber("0")!))

            let report = MetricsReport.text(m)
            #expect(report.contains("Overall Progress: 0% (0/0 tasks)\n"))
            #expect(report.contains("Average Task Duration: n/a\n"))
            #expect(report.contains("Success Rate: n/a (no task finished yet)\n"))
            #expect(report.contains("Throughput: n/a\n"))
        }

        @Test func emptySpecWithEmptyLayers() throws {
            let s = makeStatus(feature: "F405", featureName: "Layers only", layers: [("L0", "Setup", []), ("L1", "Core", [])])
            let m = ExecutionMetrics(s, now: t0)
            #expect(m.totalTasks == 0)
            #expect(m.completionPercentage == 0)
            #expect(m.averageDurationMs == nil)
            #expect(m.successRate == nil)
            #expect(m.throughputPerHour == nil)
            #expect(m.layers.count == 2)
            // A layer without tasks has nothing left to do; its duration and average are undefined.
            for layer in m.layers {
                #expect(layer.totalTasks == 0)
                #expect(layer.durationMs == nil)
                #expect(layer.averageDurationMs == nil)
                #expect((0...100).contains(layer.completionPercentage))
            }
            try expectValidExport(m, nullAt: Self.timingKeys + ["success_rate"])
            let object = try metricsExportObject(m)
            #expect(jsonAt(object, "layer_metrics", "L0", "duration_ms") == .null)
            #expect(jsonAt(object, "layer_metrics", "L1", "average_duration_ms") == .null)
            #expect(jsonAt(object, "duration_percentiles_ms", "p99") == .null)
        }

        /// Every task ran and failed: the success rate is defined (0 %), throughput is 0 tasks/hour,
        /// and the remaining work is every task.
        @Test func everyTaskFailedAfterRunning() throws {
            var s = makeStatus(feature: "F500", featureName: "Doomed", layers: [("L0", "Setup", ["a", "b"]), ("L1", "Core", ["c"])])
            s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
            s.logError("Timeout waiting for DB", at: loc(0, 0), severity: .medium, category: .timeout, now: t0.plus(seconds: 10))
            s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0)
            s.logError("401 Unauthorized", at: loc(0, 1), severity: .high, category: .auth, now: t0.plus(seconds: 20))
            s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0.plus(seconds: 30))
            s.logError("Cannot find module 'x'", at: loc(1, 0), severity: .critical, category: .dependency, now: t0.plus(seconds: 60))
            let now = t0.plus(seconds: 120)
            let m = ExecutionMetrics(s, now: now)
            #expect(m.status == .failed)
            #expect(m.failedTasks == 3)
            #expect(m.completedTasks == 0)
            #expect(m.completionPercentage == 0)
            #expect(m.averageDurationMs == 20_000)
            #expect(m.p50DurationMs == 20_000)
            #expect(m.p95DurationMs == 30_000)
            #expect(m.p99DurationMs == 30_000)
            #expect(m.estimatedRemainingMs == 60_000)
            #expect(m.estimatedCompletionAt == now.adding(milliseconds: 60_000))
            #expect(m.successRate == 0)
            #expect(m.elapsedMs == 120_000)
            #expect(m.throughputPerHour == 0)
            #expect(m.layers.map(\.status) == [.failed, .failed])
            #expect(m.layers.map(\.completionPercentage) == [0, 0])
            #expect(m.errorCount == 3)
            #expect(m.unresolvedErrorCount == 3)
            #expect(severityCounts(m) == ["low 0", "medium 1", "high 1", "critical 1"])
            #expect(categoryCounts(m) == ["timeout 1", "connection 0", "permission 0", "not_found 0", "auth 1",
                                          "syntax 0", "dependency 1", "other 0", "agent_lost 0"])
            try expectValidExport(m, nullAt: ["completed_at"])
            let object = try metricsExportObject(m)
            #expect(object["success_rate"] == .number(JSONNumber("0")!))
            #expect(object["throughput_tasks_per_hour"] == .number(JSONNumber("0")!))
            #expect(jsonAt(object, "errors_by_severity", "critical") == .number(JSONNumber("1")!))
            #expect(jsonAt(object, "errors_by_category", "auth") == .number(JSONNumber("1")!))
        }

        /// Every task marked failed without ever starting: no durations and no start, so every
        /// timing figure is undefined; the success rate is still 0 %.
        @Test func everyTaskFailedWithoutTiming() throws {
            var s = makeStatus(feature: "F501", featureName: "Doomed early", layers: [("L0", "Setup", ["a", "b", "c"])])
            for t in 0..<3 {
                s.logError("broken \(t)", at: loc(0, t), severity: .high, category: .other, now: t0.plus(seconds: Int64(t)))
            }
            let m = ExecutionMetrics(s, now: t0.plus(seconds: 60))
            #expect(m.failedTasks == 3)
            #expect(m.averageDurationMs == nil)
            #expect(m.p50DurationMs == nil)
            #expect(m.estimatedRemainingMs == nil)
            #expect(m.estimatedCompletionAt == nil)
            #expect(m.successRate == 0)
            #expect(m.startedAt == nil)
            #expect(m.elapsedMs == nil)
            #expect(m.throughputPerHour == nil)
            #expect(m.slowestTasks.isEmpty)
            try expectValidExport(m, nullAt: Self.timingKeys)
            let object = try metricsExportObject(m)
            #expect(object["success_rate"] == .number(JSONNumber("0")!))
            #expect(jsonAt(object, "duration_percentiles_ms", "p50") == .null)
            #expect(jsonAt(object, "layer_metrics", "L0", "average_duration_ms") == .null)
        }

        /// A start at "now" gives zero elapsed time: throughput is undefined, not infinite.
        @Test func zeroElapsedHasNoThroughput() throws {
            var s = makeStatus(feature: "F502", featureName: "Instant", layers: [("L0", "Setup", ["a", "b"])])
            s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(durationMs: 0), now: t0)
            s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0)
            let m = ExecutionMetrics(s, now: t0)
            #expect(m.elapsedMs == 0)
            #expect(m.throughputPerHour == nil)
            #expect(m.averageDurationMs == 0)
            try expectValidExport(m, nullAt: ["throughput_tasks_per_hour"])
        }
    }
}

extension MetricsTests {
    @Suite("Metrics export JSON")
    struct MetricsExportTests {
        /// The field names `calculate-metrics.sh --export` wrote.
        static let scriptFields = ["spec", "completion_percentage", "total_tasks", "completed_tasks", "failed_tasks",
                                   "average_duration_ms", "estimated_remaining_ms", "success_rate", "layer_metrics",
                                   "error_count"]

        @Test func keepsTheScriptsFieldNamesAndCarriesSchemaVersion() throws {
            let m = ExecutionMetrics(F001Run.midL1(), now: F001Run.midL1Now)
            let object = try metricsExportObject(m)
            for field in Self.scriptFields {
                #expect(object[field] != nil, "missing \(field)")
            }
            #expect(object["schema_version"] == .number(JSONNumber("1")!))
            #expect(object.keys.first == "schema_version")
            #expect(object["spec"] == .string("F001"))
            #expect(object["completion_percentage"] == .number(JSONNumber("23")!))
            #expect(object["total_tasks"] == .number(JSONNumber("13")!))
            #expect(object["completed_tasks"] == .number(JSONNumber("3")!))
            #expect(object["failed_tasks"] == .number(JSONNumber("1")!))
            #expect(object["skipped_tasks"] == .number(JSONNumber("0")!))
            #expect(object["in_progress_tasks"] == .number(JSONNumber("1")!))
            #expect(object["pending_tasks"] == .number(JSONNumber("8")!))
            #expect(object["average_duration_ms"] == .number(JSONNumber("107750")!))
            #expect(object["estimated_remaining_ms"] == .number(JSONNumber("1077500")!))
            #expect(object["success_rate"] == .number(JSONNumber("75")!))
            #expect(object["error_count"] == .number(JSONNumber("1")!))
            #expect(object["unresolved_error_count"] == .number(JSONNumber("1")!))
            #expect(object["generated_at"] == .string("2026-11-21T10:07:30.000Z"))
            #expect(object["started_at"] == .string("2026-11-21T10:00:00.000Z"))
            #expect(object["completed_at"] == .null)
            #expect(object["elapsed_ms"] == .number(JSONNumber("450000")!))
            #expect(object["throughput_tasks_per_hour"] == .number(JSONNumber("24")!))
            #expect(object["estimated_completion_at"] == .string("2026-11-21T10:25:27.500Z"))
            #expect(object["total_task_duration_ms"] == .number(JSONNumber("431000")!))
            #expect(jsonAt(object, "duration_percentiles_ms", "p50") == .number(JSONNumber("60000")!))
            #expect(jsonAt(object, "duration_percentiles_ms", "p95") == .number(JSONNumber("250000")!))
            #expect(jsonAt(object, "duration_percentiles_ms", "p99") == .number(JSONNumber("250000")!))
            #expect(jsonAt(object, "errors_by_severity", "high") == .number(JSONNumber("1")!))
            #expect(jsonAt(object, "errors_by_category", "connection") == .number(JSONNumber("1")!))
            #expect(jsonAt(object, "errors_by_category", "not_found") == .number(JSONNumber("0")!))

            // layer_metrics is keyed by layer, as the script wrote it.
            #expect(jsonAt(object, "layer_metrics")?.objectValue?.keys == ["L0", "L1", "L2", "L3"])
            let l1 = jsonAt(object, "layer_metrics", "L1")?.objectValue
            #expect(l1?["name"] == .string("Core Services"))
            #expect(l1?["status"] == .string("in_progress"))
            #expect(l1?["total_tasks"] == .number(JSONNumber("5")!))
            #expect(l1?["completed_tasks"] == .number(JSONNumber("1")!))
            #expect(l1?["failed_tasks"] == .number(JSONNumber("1")!))
            #expect(l1?["completion_percentage"] == .number(JSONNumber("20")!))
            #expect(l1?["duration_ms"] == .null)
            #expect(l1?["average_duration_ms"] == .number(JSONNumber("90000")!))
            #expect(l1?["started_at"] == .string("2026-11-21T10:05:00.000Z"))
            #expect(jsonAt(object, "layer_metrics", "L0", "duration_ms") == .number(JSONNumber("250000")!))

            let backend = jsonAt(object, "agent_metrics", "backend-dev")?.objectValue
            #expect(backend?["total_tasks"] == .number(JSONNumber("4")!))
            #expect(backend?["completed_tasks"] == .number(JSONNumber("2")!))
            #expect(backend?["failed_tasks"] == .number(JSONNumber("1")!))
            #expect(backend?["average_duration_ms"] == .number(JSONNumber("143333")!))
            #expect(jsonAt(object, "complexity_metrics")?.objectValue?.keys == ["complex", "moderate", "simple", "unassigned"])

            let slowest = object["slowest_tasks"]?.arrayValue
            #expect(slowest?.count == 4)
            let first = slowest?.first?.objectValue
            #expect(first?["layer"] == .string("L0"))
            #expect(first?["index"] == .number(JSONNumber("1")!))
            #expect(first?["id"] == .null)
            #expect(first?["description"] == .string("Initialize API structure"))
            #expect(first?["agent"] == .string("backend-dev"))
            #expect(first?["duration_ms"] == .number(JSONNumber("250000")!))
        }

        /// Every key the export writes is declared in `Schemas/metrics.schema.json`, and every key
        /// the schema requires is written, at each step of the workflow and for the edge cases.
        @Test func matchesTheSchemasFieldList() throws {
            var components = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            components.removeLast(3)
            let schemaText = try readFile((components + ["Schemas", "metrics.schema.json"]).joined(separator: "/"))
            let schema = try JSONParser.parse(schemaText).objectValue
            let required = schema?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let declared = schema?["properties"]?.objectValue?.keys ?? []
            #expect(!required.isEmpty)
            let layerRequired = jsonAt(schema ?? JSONObject(), "properties", "layer_metrics", "additionalProperties")?
                .objectValue?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!layerRequired.isEmpty)

            let cases: [(StatusFile, Timestamp)] = [
                (F001Run.base(), t0), (F001Run.afterL0(), F001Run.afterL0Now), (F001Run.midL1(), F001Run.midL1Now),
                (F001Run.afterRetry(), F001Run.afterRetryNow), (F001Run.complete(), F001Run.completeNow),
                (makeStatus(feature: "F404", featureName: "x", layers: []), t0),
            ]
            for (status, now) in cases {
                let object = try metricsExportObject(ExecutionMetrics(status, now: now))
                for key in required { #expect(object[key] != nil, "required \(key) missing") }
                for key in object.keys { #expect(declared.contains(key), "\(key) not in the schema") }
                for layer in jsonAt(object, "layer_metrics")?.objectValue?.entries ?? [] {
                    for key in layerRequired { #expect(layer.value.objectValue?[key] != nil, "layer \(layer.key) lacks \(key)") }
                }
                #expect(nonFiniteNumbers(.object(object)).isEmpty)
                if let pct = object["completion_percentage"]?.intValue { #expect((0...100).contains(pct)) }
            }
        }

        @Test func exportIsDeterministic() {
            let a = metricsExportText(ExecutionMetrics(F001Run.complete(), now: F001Run.completeNow))
            let b = metricsExportText(ExecutionMetrics(F001Run.complete(), now: F001Run.completeNow))
            #expect(a == b)
        }
    }
}

extension MetricsTests {
    @Suite("Metrics text report")
    struct MetricsReportTests {
        @Test func midL1FullText() {
            let m = ExecutionMetrics(F001Run.midL1(), now: F001Run.midL1Now)
            let expected = """
                📊 Execution Metrics: F001 (AI Chat Interface)

                Overall Progress: 23% (3/13 tasks)
                Status: in_progress
                Tasks: 3 complete, 1 running, 8 pending, 1 failed, 0 skipped
                Average Task Duration: 1m 47s
                Duration p50 / p95 / p99: 1m 0s / 4m 10s / 4m 10s
                Estimated Time Remaining: 17m 57s
                Success Rate: 75% (3 complete, 1 failed)
                Time Elapsed: 7m 30s
                Throughput: 24 tasks/hour
                Estimated Completion: 2026-11-21T10:25:27.500Z

                Layer Breakdown:
                  L0 Infrastructure  ✅ 2/2 (100%), duration 4m 10s, avg task 2m 5s
                  L1 Core Services   🔄 1/5 (20%), duration n/a, avg task 1m 30s, 1 failed
                  L2 Features        ⏳ 0/4 (0%), duration n/a, avg task n/a
                  L3 Integration     ⏳ 0/2 (0%), duration n/a, avg task n/a

                By Agent:
                  ai-engineer: 1 task, 0 complete, 0 failed, avg n/a
                  backend-dev: 4 tasks, 2 complete, 1 failed, avg 2m 23s
                  db-architect: 1 task, 1 complete, 0 failed, avg 1s
                  devops: 1 task, 0 complete, 0 failed, avg n/a
                  frontend-dev: 4 tasks, 0 complete, 0 failed, avg n/a
                  qa-engineer: 1 task, 0 complete, 0 failed, avg n/a
                  unassigned: 1 task, 0 complete, 0 failed, avg n/a

                By Complexity:
                  complex: 4 tasks, 0 complete, 1 failed, avg 2m 0s
                  moderate: 5 tasks, 2 complete, 0 failed, avg 2m 35s
                  simple: 3 tasks, 1 complete, 0 failed, avg 1s
                  unassigned: 1 task, 0 complete, 0 failed, avg n/a

                Fastest Task: L0.0 Setup database schema (1s)
                Slowest Task: L0.1 Initialize API structure (4m 10s)

                Errors: 1 (1 unresolved)
                  by severity: high 1
                  by category: connection 1

                """
            #expect(MetricsReport.text(m) == expected)
        }

        @Test func completeShowsWholeMinutesAsMinutesAndZeroSeconds() {
            let text = MetricsReport.text(ExecutionMetrics(F001Run.complete(), now: F001Run.completeNow))
            // L1 took exactly 300,000 ms.
            #expect(text.contains("  L1 Core Services   ✅ 5/5 (100%), duration 5m 0s, avg task 1m 2s\n"))
            #expect(text.contains("  L3 Integration     ✅ 2/2 (100%), duration 15m 0s, avg task 7m 30s\n"))
            #expect(!text.contains("300s"))
            #expect(text.contains("Time Elapsed: 30m 0s\n"))
            #expect(text.contains("Average Task Duration: 2m 35s\n"))
            #expect(text.contains("Duration p50 / p95 / p99: 1m 30s / 10m 0s / 10m 0s\n"))
            #expect(text.contains("Success Rate: 100% (13 complete, 0 failed)\n"))
            #expect(text.contains("Throughput: 26 tasks/hour\n"))
            #expect(text.contains("Estimated Time Remaining: 0ms\n"))
            #expect(!text.contains("Estimated Completion:"))
            #expect(text.contains("Fastest Task: L0.0 Setup database schema (1s)\n"))
            #expect(text.contains("Slowest Task: L3.0 E2E tests (10m 0s)\n"))
            #expect(text.contains("Errors: 1 (0 unresolved)\n"))
        }

        @Test func allPendingShowsNotApplicable() {
            let text = MetricsReport.text(ExecutionMetrics(F001Run.base(), now: t0))
            #expect(text.contains("Average Task Duration: n/a\n"))
            #expect(text.contains("Duration p50 / p95 / p99: n/a / n/a / n/a\n"))
            #expect(text.contains("Estimated Time Remaining: n/a\n"))
            #expect(text.contains("Success Rate: n/a (no task finished yet)\n"))
            #expect(text.contains("Time Elapsed: n/a\n"))
            #expect(text.contains("Throughput: n/a\n"))
            #expect(!text.contains("Estimated Completion:"))
            #expect(text.contains("  L0 Infrastructure  ⏳ 0/2 (0%), duration n/a, avg task n/a\n"))
            #expect(text.contains("Fastest Task: n/a (no task has a duration yet)\nSlowest Task: n/a\n"))
            #expect(text.hasSuffix("Errors: 0 (0 unresolved)\n"))
        }
    }
}
