import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("Derived fields")
struct DerivedFieldTests {
    @Test func countersAndFlooredPercentage() {
        var s = f001Status()
        #expect(s.totalTasks == 13)
        #expect(s.completionPercentage == 0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0)
        s.recomputeDerivedFields()
        #expect(s.completedTasks == 2)
        #expect(s.completionPercentage == 15)  // 15.38 floored

        var third = makeStatus(layers: [("L0", "A", ["a", "b", "c"])])
        third.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        third.recomputeDerivedFields()
        #expect(third.completionPercentage == 33)
        third.setTaskStatus(.skipped, at: loc(0, 1), now: t0)
        third.recomputeDerivedFields()
        #expect(third.completionPercentage == 66)  // 66.67 floored, skipped counts as done
        #expect(third.completedTasks == 1)
        #expect(third.skippedTasks == 1)
        third.setTaskStatus(.failed, at: loc(0, 2), now: t0)
        third.recomputeDerivedFields()
        #expect(third.failedTasks == 1)
        #expect(third.completionPercentage == 66)
        third.setTaskStatus(.complete, at: loc(0, 2), now: t0)
        third.recomputeDerivedFields()
        #expect(third.completionPercentage == 100)
        #expect(third.failedTasks == 0)
    }

    @Test func noTasksMeansZeroPercentAndPending() {
        var s = StatusFile(feature: "F0", featureName: "F0")
        s.recomputeDerivedFields()
        #expect(s.totalTasks == 0)
        #expect(s.completionPercentage == 0)
        #expect(s.status == .pending)
        #expect(s.currentLayer == "none")
        #expect(s.averageTaskDurationMs == nil)
        #expect(s.estimatedRemainingMs == nil)
    }

    @Test func layerCounters() {
        var s = f001Status()
        s.setTaskStatus(.complete, at: loc(1, 0), now: t0)
        s.setTaskStatus(.skipped, at: loc(1, 1), now: t0)
        s.setTaskStatus(.failed, at: loc(1, 2), now: t0)
        s.setTaskStatus(.inProgress, at: loc(1, 3), now: t0)
        s.recomputeDerivedFields()
        let l1 = s.layers[1]
        #expect(l1.totalTasks == 5)
        #expect(l1.completedTasks == 1)
        #expect(l1.skippedTasks == 1)
        #expect(l1.failedTasks == 1)
        #expect(l1.doneTasks == 2)
        #expect(s.completedTasks == 1 && s.skippedTasks == 1 && s.failedTasks == 1)
    }

    @Test func layerStatusRules() {
        func layerStatus(_ statuses: [TaskStatus]) -> LayerStatus {
            var s = makeStatus(layers: [("L0", "X", statuses.indices.map { "t\($0)" })])
            for (i, status) in statuses.enumerated() { s.setTaskStatus(status, at: loc(0, i), now: t0) }
            s.recomputeDerivedFields()
            return s.layers[0].status
        }
        #expect(layerStatus([]) == .pending, "a spec without any task waits for tasks")
        #expect(layerStatus([.pending, .pending]) == .pending)
        #expect(layerStatus([.complete, .pending]) == .inProgress)
        #expect(layerStatus([.inProgress, .pending]) == .inProgress)
        #expect(layerStatus([.skipped, .pending]) == .inProgress)
        #expect(layerStatus([.complete, .skipped]) == .complete)
        #expect(layerStatus([.skipped, .skipped]) == .complete)
        #expect(layerStatus([.failed, .pending]) == .failed)
        #expect(layerStatus([.failed, .complete]) == .failed)
        #expect(layerStatus([.failed, .inProgress]) == .inProgress)
    }

    @Test func layerTimingFollowsTasks() {
        var s = makeStatus(layers: [("L0", "X", ["a", "b"])])
        s.setTaskStatus(.inProgress, at: loc(0, 1), now: t0.plus(seconds: 5))
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0.plus(seconds: 10))
        s.recomputeDerivedFields()
        #expect(s.layers[0].startedAt == t0.plus(seconds: 5))
        #expect(s.layers[0].completedAt == nil)
        #expect(s.layers[0].durationMs == nil)
        #expect(s.startedAt == t0.plus(seconds: 5))
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0.plus(seconds: 65))
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 35))
        s.recomputeDerivedFields()
        #expect(s.layers[0].status == .complete)
        #expect(s.layers[0].completedAt == t0.plus(seconds: 65))
        #expect(s.layers[0].durationMs == 60_000)
        #expect(s.completedAt == t0.plus(seconds: 65))
        // Reopening a task reopens the layer.
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0.plus(seconds: 100))
        s.recomputeDerivedFields()
        #expect(s.layers[0].status == .inProgress)
        #expect(s.layers[0].completedAt == nil)
        #expect(s.layers[0].durationMs == nil)
        #expect(s.completedAt == nil)
    }

    @Test func currentLayerInNumericOrder() throws {
        let doc = try JSONParser.parse("""
        {"feature": "F9", "layers": {
          "L10": {"name": "Ten", "tasks": [{"description": "x"}]},
          "L2": {"name": "Two", "tasks": [{"description": "y", "status": "complete"}]},
          "L1": {"name": "One", "tasks": []},
          "L3": {"name": "Three", "tasks": [{"description": "z"}]}
        }}
        """)
        var s = try StatusFile(json: doc)
        #expect(s.layers.map(\.key) == ["L1", "L2", "L3", "L10"])
        s.recomputeDerivedFields()
        #expect(s.currentLayer == "L3")
        s.setTaskStatus(.complete, at: loc(2, 0), now: t0)
        s.recomputeDerivedFields()
        #expect(s.currentLayer == "L10")
        s.setTaskStatus(.complete, at: loc(3, 0), now: t0)
        s.recomputeDerivedFields()
        #expect(s.currentLayer == "complete")
        #expect(s.status == .complete)
        // Keys are written in the same order.
        #expect(s.json.objectValue?["layers"]?.objectValue?.keys == ["L1", "L2", "L3", "L10"])
    }

    @Test func unnumberedLayerKeysComeAfterNumberedOnes() {
        let layers = [ExecutionLayer(key: "extra", name: "E"), ExecutionLayer(key: "L10", name: "T"),
                      ExecutionLayer(key: "L2", name: "W"), ExecutionLayer(key: "misc", name: "M")]
        #expect(StatusFile.numericallyOrdered(layers).map(\.key) == ["L2", "L10", "extra", "misc"])
        #expect(ExecutionLayer(key: "L7", name: "").number == 7)
        #expect(ExecutionLayer(key: "l7", name: "").number == 7)
        #expect(ExecutionLayer(key: "Layer7", name: "").number == nil)
    }

    @Test func averageOverTasksWithDurationRounded() {
        var s = makeStatus(layers: [("L0", "X", ["a", "b", "c", "d", "e"])])
        s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(durationMs: 1000), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 1), details: TaskUpdateDetails(durationMs: 2000), now: t0)
        // Complete without a duration: not part of the average.
        s.setTaskStatus(.complete, at: loc(0, 2), now: t0)
        s.recomputeDerivedFields()
        #expect(s.averageTaskDurationMs == 1500)
        #expect(s.estimatedRemainingMs == 3000)  // 2 tasks left

        s.setTaskStatus(.failed, at: loc(0, 3), details: TaskUpdateDetails(durationMs: 2500), now: t0)
        s.recomputeDerivedFields()
        #expect(s.averageTaskDurationMs == 1833)  // 5500 / 3 = 1833.33
        #expect(s.estimatedRemainingMs == 3666)  // 1833 × 2: the failed task still has to be done

        var half = makeStatus(layers: [("L0", "X", ["a", "b", "c"])])
        half.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(durationMs: 1), now: t0)
        half.setTaskStatus(.complete, at: loc(0, 1), details: TaskUpdateDetails(durationMs: 2), now: t0)
        half.recomputeDerivedFields()
        #expect(half.averageTaskDurationMs == 2)  // 1.5 rounds half up
        #expect(half.estimatedRemainingMs == 2)

        var twoThirds = makeStatus(layers: [("L0", "X", ["a", "b", "c", "d"])])
        for (i, ms) in [1000, 1000, 1001].enumerated() {
            twoThirds.setTaskStatus(.complete, at: loc(0, i), details: TaskUpdateDetails(durationMs: Int64(ms)), now: t0)
        }
        twoThirds.recomputeDerivedFields()
        #expect(twoThirds.averageTaskDurationMs == 1000)  // 1000.33
        #expect(twoThirds.estimatedRemainingMs == 1000)
    }

    @Test func nothingMeasuredMeansNoEstimate() {
        var s = f001Status()
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.recomputeDerivedFields()
        #expect(s.averageTaskDurationMs == nil)
        #expect(s.estimatedRemainingMs == nil)
    }

    @Test func allDoneMeansNoTimeRemaining() {
        var s = makeStatus(layers: [("L0", "X", ["a"])])
        s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(durationMs: 500), now: t0)
        s.recomputeDerivedFields()
        #expect(s.estimatedRemainingMs == 0)
        #expect(s.averageTaskDurationMs == 500)
    }

    @Test func taskIndexesAreRenumbered() {
        var s = f001Status()
        s.layers[1].tasks.remove(at: 0)
        s.recomputeDerivedFields()
        #expect(s.layers[1].tasks.map(\.index) == [0, 1, 2, 3])
    }
}

@Suite("Overall status and next action")
struct OverallStatusTests {
    @Test func pendingUntilSomethingHappens() {
        var s = f001Status()
        #expect(s.status == .pending)
        #expect(s.currentLayer == "L0")
        #expect(s.nextAction == "Start with L0 execution")
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.recomputeDerivedFields()
        #expect(s.status == .inProgress)
        #expect(s.nextAction == "Continue with L0 execution")
    }

    @Test func continueWithNextLayerAfterOneIsDone() {
        var s = f001Status()
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0)
        s.recomputeDerivedFields()
        #expect(s.currentLayer == "L1")
        #expect(s.nextAction == "Continue with L1 execution")
    }

    @Test func failedTasksInCurrentLayerAreNamed() {
        var s = f001Status()
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 1), now: t0)
        s.setTaskStatus(.failed, at: loc(1, 3), now: t0)
        s.recomputeDerivedFields()
        #expect(s.status == .inProgress)
        #expect(s.nextAction == "Retry or skip failed task in L1: 3")
        s.layers[1].tasks[0].id = "T004"
        s.setTaskStatus(.failed, at: loc(1, 0), now: t0)
        s.recomputeDerivedFields()
        #expect(s.nextAction == "Retry or skip failed tasks in L1: 0 (T004), 3")
        // While another task of the layer runs, the layer is in progress: keep going.
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: t0)
        s.recomputeDerivedFields()
        #expect(s.nextAction == "Continue with L1 execution")
    }

    @Test func completeWhenEveryTaskIsDone() {
        var s = makeStatus(feature: "F042", layers: [("L0", "A", ["a"]), ("L1", "B", ["b"])])
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0)
        s.setTaskStatus(.skipped, at: loc(1, 0), now: t0.plus(seconds: 1))
        s.recomputeDerivedFields()
        #expect(s.status == .complete)
        #expect(s.currentLayer == "complete")
        #expect(s.completionPercentage == 100)
        #expect(s.nextAction == "Run tests with /testing:test F042")
        #expect(s.completedAt == t0.plus(seconds: 1))
    }

    @Test func precedenceCompleteFailedBlockedPausedInProgressPending() {
        let critical = ErrorEntry(layer: "L0", taskIndex: 0, taskDescription: "a", message: "fatal", timestamp: t0,
                                  severity: .critical, category: .other, recoveryAction: nil)
        func status(allDone: Bool = false, started: Bool = false, critical hasCritical: Bool = false,
                    blocked: Bool = false, paused: Bool = false) -> ExecutionStatus {
            var s = makeStatus(layers: [("L0", "A", ["a", "b"])])
            if started { s.layers[0].tasks[0].status = .inProgress }
            if allDone { s.layers[0].tasks[0].status = .complete; s.layers[0].tasks[1].status = .skipped }
            if hasCritical { s.errors.append(critical) }
            if blocked { s.block(reason: "r", now: t0) }
            if paused { s.pause(reason: "p", now: t0) }
            s.recomputeDerivedFields()
            return s.status
        }
        #expect(status(allDone: true, critical: true, blocked: true, paused: true) == .complete)
        #expect(status(started: true, critical: true, blocked: true, paused: true) == .failed)
        #expect(status(started: true, blocked: true, paused: true) == .blocked)
        #expect(status(started: true, paused: true) == .paused)
        #expect(status(paused: true) == .paused)
        #expect(status(started: true) == .inProgress)
        #expect(status() == .pending)
        // A resolved critical error no longer fails the run.
        var s = makeStatus(layers: [("L0", "A", ["a", "b"])])
        var resolved = critical
        resolved.resolvedAt = t0
        s.errors = [resolved]
        s.recomputeDerivedFields()
        #expect(s.status == .pending)
        // Non-critical errors never fail the run.
        s.errors = [ErrorEntry(layer: "L0", taskIndex: 0, taskDescription: nil, message: "x", timestamp: t0,
                               severity: .high, category: .other, recoveryAction: nil)]
        s.recomputeDerivedFields()
        #expect(s.status == .pending)
    }

    @Test func failedNextActionWithoutTaskIndex() {
        var s = f001Status()
        s.errors = [ErrorEntry(layer: "L2", taskIndex: nil, taskDescription: nil, message: "x", timestamp: t0,
                               severity: .critical, category: .other, recoveryAction: nil)]
        s.recomputeDerivedFields()
        #expect(s.nextAction == "Resolve the critical error in L2, retry the task, then run: exectrack resume F001")
    }

    @Test func blockedWithoutReason() {
        var s = f001Status()
        s.blockedAt = t0
        s.recomputeDerivedFields()
        #expect(s.nextAction == "Unblock (no reason given), then run: exectrack resume F001")
    }

    @Test func handEditedCountersConverge() throws {
        let doc = try JSONParser.parse("""
        {
          "feature": "F001",
          "status": "complete",
          "current_layer": "L7",
          "total_tasks": 99,
          "completed_tasks": 98,
          "failed_tasks": 5,
          "skipped_tasks": 3,
          "completion_percentage": 97,
          "average_task_duration_ms": 1,
          "estimated_remaining_ms": 2,
          "next_action": "nonsense",
          "layers": {
            "L0": {"name": "A", "status": "pending", "total_tasks": 0, "completed_tasks": 7, "failed_tasks": 1,
                   "tasks": [
                     {"description": "a", "status": "complete", "duration_ms": 1000},
                     {"description": "b", "status": "pending"}
                   ]},
            "L1": {"name": "B", "status": "complete", "total_tasks": 1, "completed_tasks": 1,
                   "tasks": [{"description": "c", "status": "pending"}]}
          }
        }
        """)
        var s = try StatusFile(json: doc)
        s.recomputeDerivedFields()
        // Recomputed from the tasks, whatever the stored counters said.
        #expect(s.totalTasks == 3)
        #expect(s.completedTasks == 1)
        #expect(s.failedTasks == 0)
        #expect(s.skippedTasks == 0)
        #expect(s.completionPercentage == 33)
        #expect(s.status == .inProgress)
        #expect(s.currentLayer == "L0")
        #expect(s.averageTaskDurationMs == 1000)
        #expect(s.estimatedRemainingMs == 2000)
        #expect(s.nextAction == "Continue with L0 execution")
        #expect(s.layers[0].status == .inProgress)
        #expect(s.layers[0].totalTasks == 2)
        #expect(s.layers[0].completedTasks == 1)
        #expect(s.layers[0].failedTasks == 0)
        #expect(s.layers[1].status == .pending)
        #expect(s.layers[1].completedTasks == 0)
        let written = s.json.objectValue!
        #expect(written["total_tasks"] == .int(3))
        #expect(written["completion_percentage"] == .int(33))
        #expect(written["layers"]?.objectValue?["L1"]?.objectValue?["status"] == .string("pending"))
    }
}
