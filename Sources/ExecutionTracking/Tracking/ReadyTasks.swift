// Which tasks an agent may start now, and taking one (`next`, `claim`).

/// Why nothing is ready, for `claim`'s exit-6 message.
public enum NothingReadyReason: Equatable, Sendable {
    case allDone
    case held(String)
    case waitingOnRunning(Int)
    case blockedByFailures([String])
    case waitingOnDependencies
}

extension StatusFile {
    /// Pending tasks whose dependencies are complete (or skipped) and, unless `anyLayer`, whose
    /// earlier layers are all done — in document order. Dependencies naming no task (a typo,
    /// a phrase) do not hold a task back; `validate` reports them.
    public func readyTasks(anyLayer: Bool = false) -> [TaskLocation] {
        // Dependencies are ids (T001) or descriptions; the description index is built only when
        // some dependency is not an id, since normalising every description is the costly part.
        var doneByID: [String: Bool] = [:]
        for task in allTasks {
            if let id = task.id?.lowercased() { doneByID[id] = task.status.isDone && (doneByID[id] ?? true) }
        }
        var doneByDescription: [String: Bool]?
        func satisfied(_ dependency: String) -> Bool {
            if let done = doneByID[dependency.lowercased()] { return done }
            if doneByDescription == nil {
                var index: [String: Bool] = [:]
                for task in allTasks {
                    let d = Self.normalised(task.description)
                    index[d] = task.status.isDone && (index[d] ?? true)
                }
                doneByDescription = index
            }
            return doneByDescription![Self.normalised(dependency)] ?? true
        }
        var ready: [TaskLocation] = []
        for (l, layer) in layers.enumerated() {
            for (t, task) in layer.tasks.enumerated()
            where task.status == .pending && task.dependencies.allSatisfy(satisfied) {
                ready.append(TaskLocation(layer: l, task: t))
            }
            // Layers run in order: nothing later is ready until this one is done.
            if !anyLayer, layer.tasks.contains(where: { !$0.status.isDone }) { break }
        }
        return ready
    }

    /// Why `readyTasks` is empty.
    public func nothingReadyReason(anyLayer: Bool = false) -> NothingReadyReason {
        if let reason = heldReason { return .held(reason) }
        let tasks = allTasks
        if tasks.allSatisfy(\.status.isDone) { return .allDone }
        let scope = anyLayer ? layers : Array(layers.prefix(currentLayerPosition + 1))
        let failed = scope.flatMap { layer in layer.tasks.filter { $0.status == .failed }.map { "\(layer.key).\($0.index)" } }
        let running = scope.flatMap(\.tasks).filter { $0.status == .inProgress }.count
        if running > 0 { return .waitingOnRunning(running) }
        if !failed.isEmpty { return .blockedByFailures(failed) }
        return .waitingOnDependencies
    }

    /// Set while paused or blocked: agents should not start new work.
    var heldReason: String? {
        if blockedAt != nil { return "blocked: \(blockReason ?? "no reason given")" }
        if pausedAt != nil { return "paused: \(pauseReason ?? "no reason given")" }
        return nil
    }

    /// Position in `layers` of the first layer with unfinished tasks (the last layer if none).
    var currentLayerPosition: Int {
        layers.firstIndex { $0.tasks.contains { !$0.status.isDone } } ?? max(0, layers.count - 1)
    }

    /// Takes the first ready task for `agent`: marks it in_progress. Refuses with the reason when
    /// nothing is ready (exit 6).
    public mutating func claimNextTask(agent: String?, anyLayer: Bool = false, inLayer layer: Int? = nil,
                                       now: Timestamp) throws(TrackerError) -> TaskLocation {
        let reason = heldReason
        let ready = readyTasks(anyLayer: anyLayer || layer != nil).filter { layer == nil || $0.layer == layer }
        if reason == nil, ready.isEmpty, let layer {
            throw TrackerError(.precondition, "nothing ready in \(layers[layer].key) of \(feature): "
                + (layers[layer].tasks.allSatisfy(\.status.isDone) ? "every task of the layer is complete or skipped"
                    : "its pending tasks are running, failed or wait on dependencies"))
        }
        guard reason == nil, let location = ready.first else {
            let message: String
            switch nothingReadyReason(anyLayer: anyLayer) {
            case .allDone: message = "nothing to claim in \(feature): every task is complete or skipped"
            case .held(let why): message = "nothing to claim in \(feature): it is \(why); run: exectrack resume \(feature)"
            case .waitingOnRunning(let n): message = "nothing ready in \(feature) yet: \(counted(n, "task")) running; retry when one finishes"
            case .blockedByFailures(let tasks):
                message = "nothing ready in \(feature): failed task\(tasks.count == 1 ? "" : "s") \(tasks.joined(separator: ", ")) "
                    + "must be retried (update ... pending) or skipped first"
            case .waitingOnDependencies: message = "nothing ready in \(feature): pending tasks wait on dependencies that are not complete"
            }
            throw TrackerError(.precondition, message)
        }
        setTaskStatus(.inProgress, at: location, details: TaskUpdateDetails(agent: agent), now: now)
        return location
    }
}
