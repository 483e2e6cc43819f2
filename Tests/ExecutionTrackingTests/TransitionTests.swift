import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("Task status transitions")
struct TaskTransitionTests {
    @Test func inProgressStampsStartAndCountsAttempts() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(1, 2), now: t0)
        var task = s.task(at: loc(1, 2))
        #expect(task.status == .inProgress)
        #expect(task.startedAt == t0)
        #expect(task.completedAt == nil)
        #expect(task.durationMs == nil)
        #expect(task.attempts == 1)

        // Finished, then restarted: timing starts over, attempts grow.
        s.setTaskStatus(.complete, at: loc(1, 2), now: t0.plus(seconds: 30))
        s.setTaskStatus(.inProgress, at: loc(1, 2), now: t0.plus(seconds: 90))
        task = s.task(at: loc(1, 2))
        #expect(task.startedAt == t0.plus(seconds: 90))
        #expect(task.completedAt == nil)
        #expect(task.durationMs == nil)
        #expect(task.attempts == 2)
        // Other tasks are untouched.
        #expect(s.task(at: loc(1, 1)).attempts == 0)
        #expect(s.task(at: loc(1, 1)).startedAt == nil)
    }

    @Test func completeMeasuresDurationExactly() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: ts("2026-11-21T10:00:00.000Z"))
        s.setTaskStatus(.complete, at: loc(0, 0), now: ts("2026-11-21T10:02:00.250Z"))
        let task = s.task(at: loc(0, 0))
        #expect(task.status == .complete)
        #expect(task.completedAt == ts("2026-11-21T10:02:00.250Z"))
        #expect(task.durationMs == 120_250)
        #expect(task.attempts == 1)
    }

    @Test func failedAndSkippedAlsoMeasure() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.failed, at: loc(0, 0), now: t0.plus(seconds: 5))
        #expect(s.task(at: loc(0, 0)).durationMs == 5000)
        #expect(s.task(at: loc(0, 0)).completedAt == t0.plus(seconds: 5))
        s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0)
        s.setTaskStatus(.skipped, at: loc(0, 1), now: t0.plus(seconds: 7))
        #expect(s.task(at: loc(0, 1)).durationMs == 7000)
    }

    @Test func completeWithoutStartHasNoDurationUnlessGiven() {
        var s = f001Status()
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        #expect(s.task(at: loc(0, 0)).durationMs == nil)
        #expect(s.task(at: loc(0, 0)).completedAt == t0)
        #expect(s.task(at: loc(0, 0)).startedAt == nil)
        #expect(s.task(at: loc(0, 0)).attempts == 0)

        s.setTaskStatus(.complete, at: loc(0, 1), details: TaskUpdateDetails(durationMs: 4_321), now: t0)
        #expect(s.task(at: loc(0, 1)).durationMs == 4_321)
    }

    @Test func explicitDurationOverridesMeasuredOne() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(durationMs: 99), now: t0.plus(seconds: 60))
        #expect(s.task(at: loc(0, 0)).durationMs == 99)
    }

    @Test func clockGoingBackwardsNeverGivesNegativeDuration() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0.plus(seconds: 10))
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        #expect(s.task(at: loc(0, 0)).durationMs == 0)
    }

    @Test func pendingResetsTimingAndError() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0)
        s.logError("boom", at: loc(1, 0), severity: .high, now: t0.plus(seconds: 3))
        #expect(s.task(at: loc(1, 0)).error == "boom")
        s.setTaskStatus(.pending, at: loc(1, 0), now: t0.plus(seconds: 10))
        let task = s.task(at: loc(1, 0))
        #expect(task.status == .pending)
        #expect(task.startedAt == nil)
        #expect(task.completedAt == nil)
        #expect(task.durationMs == nil)
        #expect(task.error == nil)
        // The retry resolves the error entry but keeps it in the log.
        #expect(s.errors.count == 1)
        #expect(s.errors[0].resolvedAt == t0.plus(seconds: 10))
    }

    @Test func failedKeepsTheTaskError() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0)
        s.logError("Database connection timeout", at: loc(1, 0), severity: .high, now: t0.plus(seconds: 1))
        s.setTaskStatus(.failed, at: loc(1, 0), details: TaskUpdateDetails(output: "gave up"), now: t0.plus(seconds: 2))
        let task = s.task(at: loc(1, 0))
        #expect(task.status == .failed)
        #expect(task.error == "Database connection timeout")
        #expect(task.output == "gave up")
        #expect(s.errors[0].resolvedAt == nil)
    }

    @Test func detailsAreRecordedAndFileListsDeduplicated() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0),
                        details: TaskUpdateDetails(filesCreated: ["a.sql"], agent: "db-agent"), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0),
                        details: TaskUpdateDetails(output: "migrated", filesCreated: ["a.sql", "b.sql"],
                                                   filesModified: ["schema.rb", "schema.rb"]),
                        now: t0.plus(seconds: 1))
        let task = s.task(at: loc(0, 0))
        #expect(task.filesCreated == ["a.sql", "b.sql"])
        #expect(task.filesModified == ["schema.rb"])
        #expect(task.output == "migrated")
        #expect(task.agent == "db-agent")
    }

    @Test func statusNamesAndAliases() {
        let cases: [(String, TaskStatus?)] = [
            ("pending", .pending), ("todo", .pending), ("in_progress", .inProgress), ("in-progress", .inProgress),
            ("running", .inProgress), ("started", .inProgress), ("complete", .complete), ("completed", .complete),
            ("done", .complete), ("  DONE ", .complete), ("Completed", .complete), ("failed", .failed),
            ("skipped", .skipped), ("finished", nil), ("", nil), ("in progress", nil), ("fail", nil),
        ]
        for (input, expected) in cases {
            #expect(TaskStatus(normalizing: input) == expected, "\(input)")
        }
        #expect(TaskStatus.validValuesList == "pending, in_progress, complete, failed, skipped")
        #expect(Severity(normalizing: " Critical") == .critical)
        #expect(Severity(normalizing: "urgent") == nil)
        #expect(ErrorCategory(normalizing: "not-found") == .notFound)
    }
}

@Suite("complete-layer")
struct CompleteLayerTests {
    @Test func refusesWithTheUnfinishedTasksNamed() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: t0)
        s.setTaskStatus(.complete, at: loc(1, 0), now: t0)
        s.setTaskStatus(.failed, at: loc(1, 4), now: t0)
        let before = s
        let e = trackerError { () throws(TrackerError) in try s.completeLayer(at: 1, force: false, now: t0.plus(seconds: 9)) }
        #expect(e?.kind == .precondition)
        #expect(e?.exitCode == 6)
        #expect(e?.message == "L1 has 4 unfinished tasks (1 in_progress, 2 pending, 3 pending, 4 failed); "
            + "finish them or pass --force to mark them skipped")
        #expect(s == before)
    }

    @Test func singularMessage() {
        var s = makeStatus(layers: [("L0", "Only", ["a", "b"])])
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        let e = trackerError { () throws(TrackerError) in try s.completeLayer(at: 0, force: false, now: t0) }
        #expect(e?.message == "L0 has 1 unfinished task (1 pending); finish them or pass --force to mark them skipped")
    }

    @Test func forceSkipsTheUnfinishedTasks() throws {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 60))
        try s.completeLayer(at: 0, force: true, now: t0.plus(seconds: 120))
        #expect(s.layers[0].tasks.map(\.status) == [.complete, .skipped])
        #expect(s.task(at: loc(0, 1)).completedAt == t0.plus(seconds: 120))
        #expect(s.task(at: loc(0, 1)).durationMs == nil)
        #expect(s.layers[0].status == .complete)
        #expect(s.layers[0].startedAt == t0)
        #expect(s.layers[0].completedAt == t0.plus(seconds: 120))
        #expect(s.layers[0].durationMs == 120_000)
        #expect(s.layers[0].skippedTasks == 1)
        #expect(s.layers[0].doneTasks == 2)
    }

    @Test func completeLayerWhenAllDoneStampsLastCompletion() throws {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 10))
        s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0.plus(seconds: 10))
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0.plus(seconds: 50))
        try s.completeLayer(at: 0, force: false, now: t0.plus(seconds: 300))
        #expect(s.layers[0].completedAt == t0.plus(seconds: 50))
        #expect(s.layers[0].durationMs == 50_000)
        #expect(s.layers[0].status == .complete)
    }

    @Test func emptyLayerCompletesAtNow() throws {
        var s = makeStatus(layers: [("L0", "Empty", []), ("L1", "Work", ["a"])])
        try s.completeLayer(at: 0, force: false, now: t0)
        #expect(s.layers[0].status == .complete)
        #expect(s.layers[0].completedAt == t0)
    }
}

@Suite("Errors, pause, block, resume")
struct ErrorAndHoldTests {
    @Test func logErrorAppendsAClassifiedEntryAndFailsTheTask() {
        var s = f001Status()
        s.layers[1].tasks[3].id = "T007"
        s.setTaskStatus(.inProgress, at: loc(1, 3), now: t0)
        s.logError("Database connection timeout", at: loc(1, 3), severity: .high, now: t0.plus(seconds: 42))
        #expect(s.errors.count == 1)
        let e = s.errors[0]
        #expect(e.layer == "L1")
        #expect(e.taskIndex == 3)
        #expect(e.taskId == "T007")
        #expect(e.taskDescription == "Streaming handler")
        #expect(e.message == "Database connection timeout")
        #expect(e.timestamp == t0.plus(seconds: 42))
        #expect(e.severity == .high)
        #expect(e.category == .timeout)
        #expect(e.recoveryAction == "Retry the task; if it times out again, raise the timeout or split the task")
        #expect(e.resolvedAt == nil)
        let task = s.task(at: loc(1, 3))
        #expect(task.status == .failed)
        #expect(task.error == "Database connection timeout")
        #expect(task.durationMs == 42_000)
        // Not critical: not paused.
        #expect(s.pausedAt == nil)
        s.recomputeDerivedFields()
        #expect(s.status == .inProgress)
    }

    @Test func explicitCategoryAndRecoveryWin() {
        var s = f001Status()
        s.logError("weird", at: loc(0, 0), severity: .low, category: .auth, recoveryAction: "Call Bob", now: t0)
        #expect(s.errors[0].category == .auth)
        #expect(s.errors[0].recoveryAction == "Call Bob")
    }

    @Test(arguments: [
        ("Database connection timeout", ErrorCategory.timeout),
        ("Request timed out after 30s", .timeout),
        ("connect ETIMEDOUT 10.0.0.1:443", .timeout),
        ("context deadline exceeded", .timeout),
        ("ECONNREFUSED 127.0.0.1:5432", .connection),
        ("Network is unreachable", .connection),
        ("socket hang up", .connection),
        ("permission denied: /var/lib/app", .permission),
        ("EACCES: open '/etc/x'", .permission),
        ("Read-only file system", .permission),
        ("ENOENT: no such file or directory, open 'x.json'", .notFound),
        ("HTTP 404 from registry", .notFound),
        ("table users does not exist", .notFound),
        ("401 Unauthorized", .auth),
        ("Authentication failed for user", .auth),
        ("403 Forbidden", .auth),
        ("token expired at 10:00", .auth),
        ("SyntaxError: Unexpected token } in JSON", .syntax),
        ("compilation failed with 3 errors", .syntax),
        ("Cannot find module 'express'", .dependency),
        ("version conflict between react 17 and 18", .dependency),
        ("ModuleNotFoundError: No module named 'requests'", .dependency),
        ("it broke", .other),
        ("", .other),
    ])
    func classification(message: String, expected: ErrorCategory) {
        #expect(ErrorCategory.classify(message) == expected)
    }

    /// A missing module is a missing dependency (what to do: install it), even though the message
    /// also says "not found". webpack and Vite print exactly this.
    @Test func moduleNotFoundIsADependencyProblem() {
        #expect(ErrorCategory.classify("Module not found: Error: Can't resolve 'lodash'") == .dependency)
    }

    /// Keywords such as "401" are HTTP status codes only as whole words, not digits inside a number.
    @Test func statusCodeDigitsInsideNumbersDoNotClassify() {
        #expect(ErrorCategory.classify("SyntaxError: Unexpected token } in JSON at position 1401") == .syntax)
    }

    @Test func criticalErrorPausesAndFailsUntilRetried() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.logError("disk full", at: loc(0, 0), severity: .critical, now: t0.plus(seconds: 5))
        #expect(s.pausedAt == t0.plus(seconds: 5))
        #expect(s.pauseReason == "critical error in L0 task 0: disk full")
        s.recomputeDerivedFields()
        #expect(s.status == .failed)
        #expect(s.unresolvedCriticalError?.message == "disk full")
        #expect(s.nextAction == "Resolve the critical error in L0 task 0, retry the task, then run: exectrack resume F001")

        // Retrying resolves the error; the pause stays until resume.
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0.plus(seconds: 60))
        #expect(s.errors[0].resolvedAt == t0.plus(seconds: 60))
        s.recomputeDerivedFields()
        #expect(s.unresolvedCriticalError == nil)
        #expect(s.status == .paused)
        #expect(s.nextAction == "Resume with: exectrack resume F001")

        let resumed = s.resume()
        #expect(resumed == true)
        #expect(s.pausedAt == nil)
        #expect(s.pauseReason == nil)
        s.recomputeDerivedFields()
        #expect(s.status == .inProgress)
        let resumedAgain = s.resume()
        #expect(resumedAgain == false)
    }

    @Test func errorsResolveOnlyForTheirOwnTask() {
        var s = f001Status()
        s.logError("a", at: loc(1, 0), severity: .medium, now: t0)
        s.logError("b", at: loc(1, 1), severity: .medium, now: t0)
        s.logError("c", at: loc(2, 0), severity: .medium, now: t0)
        s.setTaskStatus(.complete, at: loc(1, 1), now: t0.plus(seconds: 1))
        #expect(s.errors.map { $0.resolvedAt != nil } == [false, true, false])
        // Logging another error on a task does not resolve earlier ones.
        s.logError("a2", at: loc(1, 0), severity: .medium, now: t0.plus(seconds: 2))
        #expect(s.errors.map { $0.resolvedAt != nil } == [false, true, false, false])
        s.setTaskStatus(.skipped, at: loc(1, 0), now: t0.plus(seconds: 3))
        #expect(s.errors.map(\.resolvedAt) == [t0.plus(seconds: 3), t0.plus(seconds: 1), nil, t0.plus(seconds: 3)])
    }

    @Test func pauseKeepsFirstTimeAndTakesNewReason() {
        var s = f001Status()
        s.pause(reason: "lunch", now: t0)
        s.pause(reason: "meeting", now: t0.plus(seconds: 60))
        #expect(s.pausedAt == t0)
        #expect(s.pauseReason == "meeting")
        s.pause(reason: nil, now: t0.plus(seconds: 120))
        #expect(s.pauseReason == "meeting")
        s.recomputeDerivedFields()
        #expect(s.status == .paused)
    }

    @Test func blockIsStickyAndResumeClearsIt() {
        var s = f001Status()
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.block(reason: "waiting for API keys", now: t0.plus(seconds: 1))
        s.recomputeDerivedFields()
        #expect(s.status == .blocked)
        #expect(s.nextAction == "Unblock (waiting for API keys), then run: exectrack resume F001")
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 2))
        s.recomputeDerivedFields()
        #expect(s.status == .blocked)
        let resumed = s.resume()
        #expect(resumed)
        #expect(s.blockedAt == nil && s.blockReason == nil)
        s.recomputeDerivedFields()
        #expect(s.status == .inProgress)
    }

    @Test func warningsAreAppended() {
        var s = f001Status()
        s.logWarning("slow", layer: "L1", taskIndex: 2, severity: .medium, now: t0)
        s.logWarning("note", now: t0.plus(seconds: 1))
        #expect(s.warnings == [
            WarningEntry(message: "slow", timestamp: t0, severity: .medium, layer: "L1", taskIndex: 2),
            WarningEntry(message: "note", timestamp: t0.plus(seconds: 1)),
        ])
    }
}
