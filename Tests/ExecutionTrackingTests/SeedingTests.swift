import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("Seeding and re-seeding")
struct SeedingTests {
    let original = """
    # Feature: Invoice Export
    ## Layer 0: Infrastructure
    - Create exports table (`/db:migrate exports`, db-agent, easy)
    - Add storage bucket (`/infra:bucket exports`, devops-agent, easy)
    ## Layer 1: Core
    - T010 Build CSV writer (`/implement:service csv`, backend-agent, hard)
    - Build PDF writer (`/implement:service pdf`, backend-agent, medium)
    - Send email notification (`/implement:mail export`, backend-agent, easy)
    - Old obsolete task (`/old`, someone, easy)
    """

    let revised = """
    # Feature: Invoice Export v2
    ## Layer 0: Infrastructure
    - Add audit table (`/db:migrate audit`, db-agent, easy)
    - Create exports table! (`/db:migrate exports`, db-agent, easy)
    - [x] Add storage bucket (`/infra:bucket exports`, devops-agent, easy)
    ## Layer 1: Core
    - Build PDF writer (`/implement:service pdf`, backend-agent, medium)
    - T010 Write CSV exporter (`/implement:service csv`, backend-agent, hard)
    ## Layer 2: Delivery
    - Send Email Notification (`/implement:mail export`, mail-agent, easy)
    """

    @Test func seededFromDialectA() {
        let s = StatusFile.seeded(feature: "F010", from: LayeredTasksParser.parse(original), now: t0)
        #expect(s.feature == "F010")
        #expect(s.featureName == "Invoice Export")
        #expect(s.createdAt == t0)
        #expect(s.startedAt == nil)
        #expect(s.layers.map(\.key) == ["L0", "L1"])
        #expect(s.layers.map(\.name) == ["Infrastructure", "Core"])
        #expect(s.totalTasks == 6)
        #expect(s.status == .pending)
        #expect(s.currentLayer == "L0")
        #expect(s.nextAction == "Start with L0 execution")
        #expect(s.errors.isEmpty && s.warnings.isEmpty)
        var expected = ExecutionTask(index: 0, id: "T010", description: "Build CSV writer",
                                     command: "/implement:service csv", agent: "backend-agent", complexity: "hard")
        #expect(s.layers[1].tasks[0] == expected)
        expected = ExecutionTask(index: 3, description: "Old obsolete task", command: "/old", agent: "someone",
                                 complexity: "easy")
        #expect(s.layers[1].tasks[3] == expected)
        #expect(s.allTasks.allSatisfy { $0.status == .pending && $0.attempts == 0 && $0.startedAt == nil })
    }

    @Test func seededKeepsCheckedTasksComplete() {
        let s = StatusFile.seeded(feature: "F1", from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - [x] done already
        - [ ] not yet
        """), now: t0)
        #expect(s.layers[0].tasks.map(\.status) == [.complete, .pending])
        #expect(s.completionPercentage == 50)
        #expect(s.featureName == "F1")
        #expect(s.status == .inProgress)
    }

    @Test func seededFileIsWrittenInTheDocumentedShape() throws {
        let s = StatusFile.seeded(feature: "F010", from: LayeredTasksParser.parse("""
        # Feature: Tiny
        ## Layer 0: Setup
        - Do it (`/do it`, agent-a, easy)
        """), now: t0)
        #expect(JSONWriter.encode(s.json) == """
        {
          "schema_version": 1,
          "feature": "F010",
          "feature_name": "Tiny",
          "status": "pending",
          "current_layer": "L0",
          "created_at": "2026-11-21T10:00:00.000Z",
          "started_at": null,
          "last_updated": null,
          "completed_at": null,
          "paused_at": null,
          "pause_reason": null,
          "blocked_at": null,
          "blocked_reason": null,
          "total_tasks": 1,
          "completed_tasks": 0,
          "failed_tasks": 0,
          "skipped_tasks": 0,
          "completion_percentage": 0,
          "average_task_duration_ms": null,
          "estimated_remaining_ms": null,
          "next_action": "Start with L0 execution",
          "layers": {
            "L0": {
              "name": "Setup",
              "status": "pending",
              "total_tasks": 1,
              "completed_tasks": 0,
              "failed_tasks": 0,
              "skipped_tasks": 0,
              "started_at": null,
              "completed_at": null,
              "duration_ms": null,
              "tasks": [
                {
                  "index": 0,
                  "id": null,
                  "description": "Do it",
                  "command": "/do it",
                  "agent": "agent-a",
                  "complexity": "easy",
                  "dependencies": [],
                  "parallel": false,
                  "status": "pending",
                  "started_at": null,
                  "completed_at": null,
                  "duration_ms": null,
                  "attempts": 0,
                  "output": null,
                  "files_created": [],
                  "files_modified": [],
                  "error": null
                }
              ]
            }
          },
          "errors": [],
          "warnings": [],
          "planned_at": "2026-11-21T10:00:00.000Z"
        }

        """)
    }

    /// The original plan with progress: L0.0 done, L0.1 running, T010 failed, PDF done, email done
    /// with an error logged before its retry, the obsolete task pending with an error.
    func withProgress() -> StatusFile {
        var s = StatusFile.seeded(feature: "F010", from: LayeredTasksParser.parse(original), now: t0)
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(output: "table created"), now: t0.plus(seconds: 60))
        s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0.plus(seconds: 60))
        s.setTaskStatus(.inProgress, at: loc(1, 0), now: t0.plus(seconds: 100))
        s.logError("CSV library missing", at: loc(1, 0), severity: .high, now: t0.plus(seconds: 130))
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: t0.plus(seconds: 100))
        s.setTaskStatus(.complete, at: loc(1, 1), now: t0.plus(seconds: 200))
        s.setTaskStatus(.inProgress, at: loc(1, 2), now: t0.plus(seconds: 200))
        s.logError("SMTP connection refused", at: loc(1, 2), severity: .medium, now: t0.plus(seconds: 210))
        s.setTaskStatus(.inProgress, at: loc(1, 2), now: t0.plus(seconds: 220))
        s.setTaskStatus(.complete, at: loc(1, 2), now: t0.plus(seconds: 250))
        s.logError("never started", at: loc(1, 3), severity: .low, now: t0.plus(seconds: 260))
        s.setTaskStatus(.pending, at: loc(1, 3), now: t0.plus(seconds: 270))
        s.layers[1].tasks[1].extra = JSONObject([("reviewer", .string("ana"))])
        s.layers[1].extra = JSONObject([("owner", .string("team-core"))])
        s.recomputeDerivedFields()
        return s
    }

    @Test func reseedKeepsProgressOfMatchedTasks() {
        var s = withProgress()
        let before = s
        let summary = s.reseed(from: LayeredTasksParser.parse(revised), now: t0.plus(seconds: 300))

        #expect(s.featureName == "Invoice Export v2")
        #expect(s.layers.map(\.key) == ["L0", "L1", "L2"])
        #expect(s.layers.map { $0.tasks.map(\.description) } == [
            ["Add audit table", "Create exports table!", "Add storage bucket"],
            ["Build PDF writer", "Write CSV exporter"],
            ["Send Email Notification"],
        ])

        // Matched by layer and description (punctuation differs), moved from index 0 to 1.
        let exports = s.task(at: loc(0, 1))
        let oldExports = before.task(at: loc(0, 0))
        #expect(exports.status == .complete)
        #expect(exports.startedAt == oldExports.startedAt)
        #expect(exports.completedAt == oldExports.completedAt)
        #expect(exports.durationMs == 60_000)
        #expect(exports.attempts == 1)
        #expect(exports.output == "table created")
        #expect(exports.index == 1)

        // Running task stays running although the source now checks it.
        #expect(s.task(at: loc(0, 2)).status == .inProgress)
        #expect(s.task(at: loc(0, 2)).startedAt == t0.plus(seconds: 60))

        // New task: pending, untouched.
        #expect(s.task(at: loc(0, 0)) == ExecutionTask(index: 0, description: "Add audit table",
                                                          command: "/db:migrate audit", agent: "db-agent",
                                                          complexity: "easy"))

        // Matched by id although the description changed; the description comes from the source.
        let csv = s.task(at: loc(1, 1))
        #expect(csv.id == "T010")
        #expect(csv.status == .failed)
        #expect(csv.error == "CSV library missing")
        #expect(csv.attempts == 1)

        // Unknown fields of kept tasks and layers survive.
        #expect(s.task(at: loc(1, 0)).extra == JSONObject([("reviewer", .string("ana"))]))
        #expect(s.layers[1].extra == JSONObject([("owner", .string("team-core"))]))

        // Matched by description in another layer; agent comes from the source.
        let email = s.task(at: loc(2, 0))
        #expect(email.status == .complete)
        #expect(email.attempts == 2)
        #expect(email.durationMs == 30_000)
        #expect(email.agent == "mail-agent")

        #expect(summary.kept == 5)
        #expect(summary.added == ["L0.0 Add audit table"])
        #expect(summary.removed == ["L1.3 Old obsolete task"])
        #expect(summary.moved == [
            "L0.0 Create exports table → L0.1",
            "L0.1 Add storage bucket → L0.2",
            "L1.1 Build PDF writer → L1.0",
            "L1.0 (T010) Build CSV writer → L1.1",
            "L1.2 Send email notification → L2.0",
        ])
        #expect(summary.changedAnything)
    }

    @Test func reseedWarnsAboutRemovedTasks() {
        var s = withProgress()
        _ = s.reseed(from: LayeredTasksParser.parse(revised), now: t0.plus(seconds: 300))
        #expect(s.warnings == [
            WarningEntry(message: "task removed from the tasks file: L1.3 Old obsolete task (was pending)",
                         timestamp: t0.plus(seconds: 300), severity: .low, layer: "L1", taskIndex: 3),
        ])
    }

    @Test func errorsFollowTheirTasks() {
        var s = withProgress()
        _ = s.reseed(from: LayeredTasksParser.parse(revised), now: t0.plus(seconds: 300))
        let places = s.errors.map { "\($0.message) @ \($0.layer).\($0.taskIndex.map(String.init) ?? "-")" }
        #expect(places == [
            "CSV library missing @ L1.1",
            "SMTP connection refused @ L2.0",
            "never started @ L1.3",  // its task is gone: the entry keeps the old place
        ])
        // A later retry of T010 at its new place resolves its error.
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: t0.plus(seconds: 400))
        #expect(s.errors[0].resolvedAt == t0.plus(seconds: 400))
    }

    @Test func derivedFieldsAfterReseed() {
        var s = withProgress()
        _ = s.reseed(from: LayeredTasksParser.parse(revised), now: t0.plus(seconds: 300))
        #expect(s.totalTasks == 6)
        #expect(s.completedTasks == 3)
        #expect(s.failedTasks == 1)
        #expect(s.completionPercentage == 50)
        #expect(s.status == .inProgress)
        #expect(s.currentLayer == "L0")
        #expect(s.layers.map(\.status) == [.inProgress, .failed, .complete])
        #expect(s.layers[2].startedAt == t0.plus(seconds: 220))
    }

    @Test func reseedWithTheSameSourceChangesNothing() {
        var s = withProgress()
        let before = s
        let summary = s.reseed(from: LayeredTasksParser.parse(original), now: t0.plus(seconds: 300))
        #expect(summary == ReseedSummary(kept: 6, moved: [], added: [], removed: []))
        #expect(!summary.changedAnything)
        #expect(JSONWriter.encode(s.json) == JSONWriter.encode(before.json))
    }

    @Test func checkedInSourceCompletesAPendingTask() {
        var s = StatusFile.seeded(feature: "F1", from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - first
        - second
        """), now: t0)
        let summary = s.reseed(from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - [x] first
        - second
        """), now: t0)
        #expect(s.layers[0].tasks.map(\.status) == [.complete, .pending])
        #expect(summary.kept == 2)
    }

    @Test func duplicateDescriptionsMatchInOrder() {
        var s = StatusFile.seeded(feature: "F1", from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - Write tests
        - Write tests
        """), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.setTaskStatus(.failed, at: loc(0, 1), now: t0)
        let summary = s.reseed(from: LayeredTasksParser.parse("""
        ## Layer 0: A
        - Write tests
        - Write tests
        - Write tests
        """), now: t0)
        #expect(s.layers[0].tasks.map(\.status) == [.complete, .failed, .pending])
        #expect(summary.added == ["L0.2 Write tests"])
        #expect(summary.kept == 2)
    }

    @Test func normalisedDescriptions() {
        #expect(StatusFile.normalised("  Create   Exports-Table! ") == "create exports table")
        #expect(StatusFile.normalised("Émoji 😀 test") == "émoji test")
    }
}
