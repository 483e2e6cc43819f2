// Which tasks an agent may start now, and taking one (`next`, `claim`).

/// Why nothing is ready, for the messages of `next` and `claim`.
public enum NothingReadyReason: Equatable, Sendable {
    /// Layers but no tasks yet (the original scripts' `init` before `parse`).
    case noTasks
    case allDone
    case held(String)
    /// A layer that cannot start before an earlier one is done.
    case layerWaiting(layer: String, on: String)
    /// Running tasks, named; `then` is the layer that waits for them, if any.
    case waitingOnRunning([String], then: String?)
    case blockedByFailures([String])
    /// A pending task and the dependencies it waits on.
    case waitingOnDependencies(task: String, on: [String])
    /// The layer's tasks are done; its required gates have not passed (docs/gates.md).
    case gatesPending(layer: String, gates: String)
}

extension StatusFile {
    /// Pending tasks whose dependencies are complete (or skipped) and, unless `anyLayer`, whose
    /// earlier layers are all done — in document order. Dependencies naming no task (a typo,
    /// a phrase) do not hold a task back; `validate` reports them.
    public func readyTasks(anyLayer: Bool = false) -> [TaskLocation] {
        let satisfied = dependencyCheck()
        // A layer starts when the layers it waits for are done, their required gates passed
        // included (docs/gates.md): every earlier layer, unless the plan names others.
        let finished = layers.map { layer in layer.gatesSatisfied && !layer.tasks.contains { !$0.status.isDone } }
        var ready: [TaskLocation] = []
        for (l, layer) in layers.enumerated() where anyLayer || prerequisites(of: l).allSatisfy({ finished[$0] }) {
            for (t, task) in layer.tasks.enumerated()
            where task.status == .pending && task.dependencies.allSatisfy(satisfied) {
                ready.append(TaskLocation(layer: l, task: t))
            }
        }
        return ready
    }

    /// Positions of the layers the layer at `l` waits for: those its `depends_on` names (spec-kit's
    /// stated phase dependencies, docs/layered-tasks-format.md), else every earlier layer.
    public func prerequisites(of l: Int) -> [Int] {
        guard let keys = layers[l].dependsOn else { return Array(0..<l) }
        return keys.compactMap { key in layers.firstIndex { $0.key == key } }.filter { $0 != l }
    }

    /// Whether a dependency (an id such as T001, or a description) is done. The description index
    /// is built only when some dependency is not an id, since normalising every description is
    /// the costly part.
    func dependencyCheck() -> (String) -> Bool {
        var doneByID: [String: Bool] = [:]
        for task in allTasks {
            if let id = task.id?.lowercased() { doneByID[id] = task.status.isDone && (doneByID[id] ?? true) }
        }
        var doneByDescription: [String: Bool]?
        return { dependency in
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
    }

    /// Why `readyTasks` (of the layer at `inLayer`, when given) is empty.
    public func nothingReadyReason(anyLayer: Bool = false, inLayer: Int? = nil) -> NothingReadyReason {
        if let reason = heldReason { return .held(reason) }
        guard layers.contains(where: { !$0.tasks.isEmpty }) else { return .noTasks }
        let unfinished: (ExecutionLayer) -> Bool = { $0.tasks.contains { !$0.status.isDone } || !$0.gatesSatisfied }
        let scope: [ExecutionLayer]
        var then: String?
        if let inLayer {
            if !anyLayer, let earlier = prerequisites(of: inLayer).map({ layers[$0] }).first(where: unfinished) {
                return .layerWaiting(layer: layers[inLayer].key, on: earlier.key)
            }
            scope = [layers[inLayer]]
        } else if anyLayer {
            scope = layers
        } else {
            let current = currentLayerPosition
            scope = [layers[current]]
            then = layers[(current + 1)...].first(where: unfinished)?.key
        }
        if !scope.contains(where: unfinished) { return .allDone }
        let named: (ExecutionLayer, ExecutionTask) -> String = { layer, task in
            "\(layer.key).\(task.index)" + (task.id.map { " \($0)" } ?? "")
        }
        let running = scope.flatMap { layer in layer.tasks.filter { $0.status == .inProgress }.map { named(layer, $0) } }
        if !running.isEmpty { return .waitingOnRunning(running, then: then) }
        let failed = scope.flatMap { layer in layer.tasks.filter { $0.status == .failed }.map { "\(layer.key).\($0.index)" } }
        if !failed.isEmpty { return .blockedByFailures(failed) }
        let satisfied = dependencyCheck()
        for layer in scope {
            if let task = layer.tasks.first(where: { $0.status == .pending }) {
                return .waitingOnDependencies(task: named(layer, task), on: task.dependencies.filter { !satisfied($0) })
            }
        }
        // Every task done: what is left are gates.
        if let gated = scope.first(where: { !$0.gatesSatisfied }) {
            return .gatesPending(layer: gated.key, gates: gated.unsatisfiedGatesText)
        }
        return .allDone
    }

    /// The one-line answer to "why is nothing ready?", as `next` prints it and `claim` refuses with.
    public func nothingReadyMessage(anyLayer: Bool = false, inLayer: Int? = nil) -> String {
        let place = inLayer.map { "\(layers[$0].key) of \(feature)" } ?? feature
        switch nothingReadyReason(anyLayer: anyLayer, inLayer: inLayer) {
        case .noTasks:
            return "nothing ready in \(feature): it has no tasks yet; run: exectrack parse \(feature)"
        case .allDone:
            return "nothing ready in \(place): every task\(inLayer == nil ? "" : " of the layer") is complete or skipped"
        case .held(let why):
            return "nothing ready in \(feature): it is \(why); run: exectrack resume \(feature)"
        case .layerWaiting(let layer, let earlier):
            return "nothing ready in \(place): \(layer) waits until \(earlier) is done (--any-layer looks past it)"
        case .waitingOnRunning(let tasks, let then):
            return "nothing ready in \(place) yet: \(counted(tasks.count, "task")) running (\(tasks.joined(separator: ", ")))"
                + (then.map { ", and \($0) waits for them" } ?? "") + "; retry when one finishes"
        case .blockedByFailures(let tasks):
            return "nothing ready in \(place): failed task\(tasks.count == 1 ? "" : "s") \(tasks.joined(separator: ", ")) "
                + "must be retried (update ... pending) or skipped first"
        case .waitingOnDependencies(let task, let dependencies):
            return "nothing ready in \(place): \(task) waits on \(dependencies.joined(separator: ", ")), not complete yet"
        case .gatesPending(let layer, let gates):
            return "nothing ready in \(place): \(layer)'s tasks are done but its required gates have not passed: \(gates); "
                + "record them with: exectrack gate \(feature) \(layer) NAME (see: exectrack gates \(feature))"
        }
    }

    /// The tasks an agent may start now (`next` lists them, `claim` takes the first): none while
    /// paused or blocked, and only those of the layer at `inLayer` when given.
    public func startableTasks(anyLayer: Bool = false, inLayer: Int? = nil) -> [TaskLocation] {
        guard heldReason == nil else { return [] }
        return readyTasks(anyLayer: anyLayer).filter { inLayer == nil || $0.layer == inLayer }
    }

    /// Set while paused or blocked: agents should not start new work.
    var heldReason: String? {
        if blockedAt != nil { return "blocked: \(blockReason ?? "no reason given")" }
        if pausedAt != nil { return "paused: \(pauseReason ?? "no reason given")" }
        return nil
    }

    /// Position in `layers` of the first layer with unfinished tasks or required gates not
    /// passed (the last layer if none).
    public var currentLayerPosition: Int {
        layers.firstIndex { $0.tasks.contains { !$0.status.isDone } || !$0.gatesSatisfied } ?? max(0, layers.count - 1)
    }

    /// Takes the first ready task for `agent`: marks it in_progress. Refuses with the reason when
    /// nothing is ready (exit 6).
    public mutating func claimNextTask(agent: String?, holder: AgentProcess? = nil, leaseTTLSeconds: Int64? = nil,
                                       anyLayer: Bool = false, inLayer layer: Int? = nil, now: Timestamp) throws(TrackerError) -> TaskLocation {
        // A named layer is claimed from even while earlier layers are unfinished.
        let anyLayer = anyLayer || layer != nil
        guard let location = startableTasks(anyLayer: anyLayer, inLayer: layer).first else {
            throw TrackerError(.precondition, nothingReadyMessage(anyLayer: anyLayer, inLayer: layer))
        }
        setTaskStatus(.inProgress, at: location, details: TaskUpdateDetails(agent: agent, holder: holder, leaseTTLSeconds: leaseTTLSeconds), now: now)
        return location
    }
}
