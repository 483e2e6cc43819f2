// Derived fields are a function of the tasks (docs/file-format.md): they are recomputed on every write and
// before every read-side view, so hand-edited or stale counters never mislead anyone. How layers
// without tasks and hand-stamped `started_at` values count is in docs/reports.md.

extension ExecutionLayer {
    /// `specHasTasks` is false for a file seeded with layers but no tasks yet (the original
    /// scripts' `init`): its layers are waiting for tasks, not done.
    mutating func recomputeDerivedFields(specHasTasks: Bool) {
        totalTasks = tasks.count
        completedTasks = 0
        failedTasks = 0
        skippedTasks = 0
        var running = false
        var started = false
        var firstStart: Timestamp?
        var lastCompletion: Timestamp?
        // Through the buffer, each task's fields are read in place: binding a task to a name
        // would copy (retain and release) all of its strings and lists.
        tasks.withUnsafeBufferPointer { tasks in
            for t in tasks.indices {
                switch tasks[t].status {
                case .complete: completedTasks += 1
                case .failed: failedTasks += 1
                case .skipped: skippedTasks += 1
                case .inProgress: running = true
                case .pending: break
                }
                if tasks[t].status != .pending { started = true }
                if let s = tasks[t].startedAt, firstStart.map({ s < $0 }) ?? true { firstStart = s }
                if let c = tasks[t].completedAt, lastCompletion.map({ c > $0 }) ?? true { lastCompletion = c }
            }
        }
        if let firstStart, startedAt.map({ firstStart < $0 }) ?? true { startedAt = firstStart }
        // A `started_at` written by hand counts too (the original scripts' workflow stamps the layer before its first task).
        if startedAt != nil { started = true }
        if doneTasks == totalTasks && specHasTasks {
            // Its tasks are done; its required gates decide (docs/gates.md).
            status = gatesSatisfied ? .complete
                : unsatisfiedGates.contains(where: { $0.latest?.status == .failed }) ? .failed : .inProgress
        } else if failedTasks > 0 && !running {
            status = .failed
        } else if started {
            status = .inProgress
        } else {
            status = .pending
        }
        if status == .complete {
            // Done when its last task was, or when its last required gate passed, if later.
            let gatesPassed = allRequiredGates.compactMap { latestResult(of: $0)?.executedAt }.max()
            completedAt = completedAt ?? [lastCompletion, gatesPassed].compactMap { $0 }.max()
        } else {
            completedAt = nil
        }
        if let startedAt, let completedAt {
            durationMs = completedAt.milliseconds(since: startedAt).clamped(to: 0...Limits.maxDurationMs)
        } else {
            durationMs = nil
        }
    }
}

extension StatusFile {
    /// Recomputes every derived field from the tasks, the sticky pause/block flags and the errors.
    public mutating func recomputeDerivedFields() {
        var durationSum: Int64 = 0
        var durationCount: Int64 = 0
        var anyStarted = false
        totalTasks = 0
        completedTasks = 0
        failedTasks = 0
        skippedTasks = 0
        var lastCompletion: Timestamp?
        let specHasTasks = layers.contains { !$0.tasks.isEmpty }
        for i in layers.indices {
            // Writing only when needed keeps a shared tasks array shared (no 10,000-task copy).
            for t in layers[i].tasks.indices where layers[i].tasks[t].index != t { layers[i].tasks[t].index = t }
            layers[i].tasks.withUnsafeBufferPointer { tasks in
                for t in tasks.indices {
                    if let ms = tasks[t].durationMs {
                        durationSum = durationSum.addingSaturated(ms)
                        durationCount += 1
                    }
                    if tasks[t].status != .pending { anyStarted = true }
                    if let c = tasks[t].completedAt, lastCompletion.map({ c > $0 }) ?? true { lastCompletion = c }
                }
            }
            layers[i].recomputeDerivedFields(specHasTasks: specHasTasks)
            if layers[i].startedAt != nil { anyStarted = true }
            totalTasks += layers[i].totalTasks
            completedTasks += layers[i].completedTasks
            failedTasks += layers[i].failedTasks
            skippedTasks += layers[i].skippedTasks
            if let s = layers[i].startedAt, startedAt.map({ s < $0 }) ?? true { startedAt = s }
        }
        let done = doneTasks
        completionPercentage = totalTasks == 0 ? 0 : done * 100 / totalTasks
        averageTaskDurationMs = durationCount == 0 ? nil : durationSum.addingSaturated(durationCount / 2) / durationCount
        estimatedRemainingMs = averageTaskDurationMs.map { $0.multipliedSaturated(by: Int64(totalTasks - done)) }
        // Without tasks nothing is complete: the first layer waits for them ("none" without layers).
        currentLayer = specHasTasks ? layers.first(where: { $0.status != .complete })?.key ?? "complete"
            : layers.first?.key ?? "none"

        // Complete only when every layer is: a required gate not passed keeps the spec open.
        let allDone = totalTasks > 0 && done == totalTasks && layers.allSatisfy(\.gatesSatisfied)
        if allDone {
            status = .complete
        } else if unresolvedCriticalError != nil {
            status = .failed
        } else if blockedAt != nil {
            status = .blocked
        } else if pausedAt != nil {
            status = .paused
        } else if anyStarted {
            status = .inProgress
        } else {
            status = .pending
        }
        completedAt = allDone ? (completedAt ?? ([lastCompletion] + layers.map(\.completedAt)).compactMap { $0 }.max()) : nil
        nextAction = computeNextAction()
    }

    /// The newest critical error whose task has not been retried, skipped or completed since.
    public var unresolvedCriticalError: ErrorEntry? {
        errors.last(where: { $0.severity == .critical && $0.resolvedAt == nil })
    }

    private func computeNextAction() -> String {
        if totalTasks == 0, status == .pending || status == .inProgress {
            return "Add tasks to \(feature): run exectrack parse \(feature)"
        }
        switch status {
        case .complete:
            return "Run tests with /testing:test \(feature)"
        case .failed:
            let e = unresolvedCriticalError
            let place = e.map { " in \($0.layer)" + ($0.taskIndex.map { " task \($0)" } ?? "") } ?? ""
            return "Resolve the critical error\(place), retry the task, then run: exectrack resume \(feature)"
        case .blocked:
            return "Unblock (\(blockReason ?? "no reason given")), then run: exectrack resume \(feature)"
        case .paused:
            return "Resume with: exectrack resume \(feature)"
        case .pending:
            return "Start with \(currentLayer) execution"
        case .inProgress:
            guard let layer = layers.first(where: { $0.key == currentLayer }) else {
                return "Continue with \(currentLayer) execution"
            }
            if !layer.tasks.isEmpty, layer.tasks.allInPlace({ $0.status.isDone }), !layer.gatesSatisfied {
                return "Pass the required gates of \(layer.key): \(layer.unsatisfiedGatesText) (exectrack gate \(feature) \(layer.key) NAME …)"
            }
            if layer.status == .failed {
                let failed = layer.tasks.filter { $0.status == .failed }
                if !failed.isEmpty {
                    let names = failed.map { t in t.id.map { "\(t.index) (\($0))" } ?? "\(t.index)" }
                    return "Retry or skip failed task\(failed.count == 1 ? "" : "s") in \(layer.key): "
                        + names.joined(separator: ", ")
                }
            }
            return "Continue with \(layer.key) execution"
        }
    }
}
