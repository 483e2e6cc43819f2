// State changes of docs/file-format.md, as pure functions of the current state and the time passed in.

/// Optional details an `update` may record with a status change.
public struct TaskUpdateDetails: Equatable, Sendable {
    public var output: String?
    public var filesCreated: [String]
    public var filesModified: [String]
    /// Overrides the measured duration (for work timed elsewhere).
    public var durationMs: Int64?
    public var agent: String?
    /// For `in_progress`: the process taking the task (docs/agents.md), and the lease's TTL.
    public var holder: AgentProcess?
    public var leaseTTLSeconds: Int64?
    /// For `in_progress`: a new attempt even when the holder renews its own task.
    public var restart = false

    public init(output: String? = nil, filesCreated: [String] = [], filesModified: [String] = [],
                durationMs: Int64? = nil, agent: String? = nil, holder: AgentProcess? = nil,
                leaseTTLSeconds: Int64? = nil, restart: Bool = false) {
        self.output = output
        self.filesCreated = filesCreated
        self.filesModified = filesModified
        self.durationMs = durationMs
        self.agent = agent
        self.holder = holder
        self.leaseTTLSeconds = leaseTTLSeconds
        self.restart = restart
    }
}

/// A task's place in the file: layer position in `layers`, task position in that layer.
public struct TaskLocation: Equatable, Sendable {
    public var layer: Int
    public var task: Int

    public init(layer: Int, task: Int) {
        self.layer = layer
        self.task = task
    }
}

extension StatusFile {
    public func task(at location: TaskLocation) -> ExecutionTask {
        layers[location.layer].tasks[location.task]
    }

    /// Sets a task's status and its timing: starts stamp `started_at` and count an attempt; ends
    /// stamp `completed_at` and measure the duration; `pending` clears timing and error (a retry).
    public mutating func setTaskStatus(_ status: TaskStatus, at location: TaskLocation,
                                       details: TaskUpdateDetails = TaskUpdateDetails(), now: Timestamp) {
        var task = layers[location.layer].tasks[location.task]
        let renewing = status == .inProgress && task.status == .inProgress && !details.restart
            && details.holder.map { holder in task.claimedBy.map { $0.isSameHolder(as: holder) } ?? false } == true
        task.status = status
        switch status {
        case .inProgress where renewing:
            // The holder saying it still works on it: the lease is renewed, the attempt goes on.
            task.heartbeatAt = now
            task.claimedBy = task.claimedBy.map { $0.keepingLinks(details.holder!) } ?? details.holder
            if let ttl = details.leaseTTLSeconds { task.leaseTtlS = ttl }
        case .inProgress:
            task.startedAt = now
            task.completedAt = nil
            task.durationMs = nil
            task.attempts = min(task.attempts + 1, Limits.maxAttempts)
            task.claimedBy = details.holder
            task.claimedAt = details.holder == nil ? nil : now
            task.heartbeatAt = details.holder == nil ? nil : now
            task.leaseTtlS = details.holder == nil ? nil : details.leaseTTLSeconds ?? Leases.defaultTTLSeconds
        case .complete, .failed, .skipped:
            task.completedAt = now
            task.durationMs = details.durationMs ?? task.startedAt.map { now.milliseconds(since: $0).clamped(to: 0...Limits.maxDurationMs) }
            if status != .failed { task.error = nil }
            task.clearLease()
        case .pending:
            task.startedAt = nil
            task.completedAt = nil
            task.durationMs = nil
            task.error = nil
            task.clearLease()
        }
        task.record(details)
        layers[location.layer].tasks[location.task] = task
        if let holder = details.holder, status == .inProgress {
            noteAgent(holder, took: Self.subject(layer: layers[location.layer].key, index: location.task, id: task.id), now: now)
        }
        if status != .failed { resolveErrors(of: location, now: now) }
    }

    /// `heartbeat`: renews the leases `holder` has (of the task at `location` only, when given).
    /// Exit 6 when it holds none, or when the task named is held by another, naming the holder.
    public mutating func heartbeat(_ holder: AgentProcess, at location: TaskLocation?, ttlSeconds: Int64?, now: Timestamp) throws(TrackerError) -> [TaskLocation] {
        var renewed: [TaskLocation] = []
        let places = location.map { [$0] } ?? layers.indices.flatMap { l in layers[l].tasks.indices.map { TaskLocation(layer: l, task: $0) } }
        for place in places {
            let task = self.task(at: place)
            guard task.status == .inProgress, let current = task.claimedBy, current.isSameHolder(as: holder) else {
                if location != nil {
                    let name = "\(layers[place.layer].key).\(task.id ?? String(place.task))"
                    let why = task.status != .inProgress ? "is \(task.status.rawValue), not in progress"
                        : "is held by \(task.claimedBy?.shown ?? "no one (no lease)")"
                    throw TrackerError(.precondition, "\(name) \(why); \(holder.shown) holds no lease on it")
                }
                continue
            }
            layers[place.layer].tasks[place.task].heartbeatAt = now
            layers[place.layer].tasks[place.task].claimedBy = current.keepingLinks(holder)
            if let ttlSeconds { layers[place.layer].tasks[place.task].leaseTtlS = ttlSeconds }
            renewed.append(place)
        }
        guard !renewed.isEmpty else {
            throw TrackerError(.precondition, "\(holder.shown) holds no task in progress; take one with: exectrack claim SPEC --agent NAME")
        }
        return renewed
    }

    /// Records an update's output, files and agent without touching the task's status or
    /// timing (a duration given too is not taken): for a repeated terminal status.
    public mutating func recordDetails(_ details: TaskUpdateDetails, at location: TaskLocation) {
        layers[location.layer].tasks[location.task].record(details)
    }
}

extension ExecutionTask {
    mutating func clearLease() {
        claimedBy = nil
        claimedAt = nil
        heartbeatAt = nil
        leaseTtlS = nil
    }

    mutating func record(_ details: TaskUpdateDetails) {
        if let output = details.output { self.output = output }
        if let agent = details.agent { self.agent = agent }
        for file in details.filesCreated where !filesCreated.contains(file) { filesCreated.append(file) }
        for file in details.filesModified where !filesModified.contains(file) { filesModified.append(file) }
    }
}

extension StatusFile {

    /// Errors logged against a task stop counting as open once the task is retried or finished.
    private mutating func resolveErrors(of location: TaskLocation, now: Timestamp) {
        let key = layers[location.layer].key
        for i in errors.indices where errors[i].resolvedAt == nil
            && errors[i].layer == key && errors[i].taskIndex == location.task {
            errors[i].resolvedAt = now
        }
    }

    /// Marks a layer complete: refuses (exit 6) while tasks are unfinished, unless `force` skips
    /// them, and while a required gate has not passed, unless `force` with `overrideReason`
    /// waives the gates (`gate.overridden`; docs/gates.md).
    public mutating func completeLayer(at layerIndex: Int, force: Bool, overrideReason: String? = nil, now: Timestamp) throws(TrackerError) {
        let layer = layers[layerIndex]
        guard layers.contains(where: { !$0.tasks.isEmpty }) else {
            throw TrackerError(.precondition, "\(feature) has no tasks yet, so \(layer.key) cannot be complete; "
                + "run: exectrack parse \(feature)")
        }
        let unfinished = layer.tasks.filter { !$0.status.isDone }
        if !unfinished.isEmpty, !force {
            let names = unfinished.map { "\($0.index) \($0.status.rawValue)" }
            throw TrackerError(.precondition, "\(layer.key) has \(counted(unfinished.count, "unfinished task")) "
                + "(\(names.joined(separator: ", "))); "
                + "finish them or pass --force to mark them skipped")
        }
        if !layer.gatesSatisfied {
            guard force, let overrideReason, !overrideReason.trimmingWhitespace.isEmpty else {
                throw TrackerError(.precondition, "\(layer.key)'s required gates have not passed: \(layer.unsatisfiedGatesText); "
                    + "record them with: exectrack gate \(feature) \(layer.key) NAME, "
                    + "or waive them with --force --reason TEXT")
            }
            layers[layerIndex].gatesOverriddenAt = now
            layers[layerIndex].gatesOverrideReason = overrideReason
        }
        for task in unfinished {
            setTaskStatus(.skipped, at: TaskLocation(layer: layerIndex, task: task.index), now: now)
        }
        let lastCompletion = layers[layerIndex].tasks.compactMap({ $0.completedAt }).max()
        layers[layerIndex].completedAt = layers[layerIndex].completedAt ?? lastCompletion ?? now
        recomputeDerivedFields()
    }

    /// Logs an error against a task and marks it failed; a critical error also pauses execution.
    public mutating func logError(_ message: String, at location: TaskLocation, severity: Severity,
                                  category: ErrorCategory? = nil, recoveryAction: String? = nil,
                                  now: Timestamp) {
        setTaskStatus(.failed, at: location, now: now)
        layers[location.layer].tasks[location.task].error = message
        let task = task(at: location)
        let resolvedCategory = category ?? .classify(message)
        errors.append(ErrorEntry(
            layer: layers[location.layer].key, taskIndex: location.task, taskId: task.id,
            taskDescription: task.description, message: message, timestamp: now, severity: severity,
            category: resolvedCategory, recoveryAction: recoveryAction ?? resolvedCategory.suggestedRecovery))
        if severity == .critical {
            pause(reason: "critical error in \(layers[location.layer].key) task \(location.task): \(message)", now: now)
        }
    }

    public mutating func logWarning(_ message: String, layer: String? = nil, taskIndex: Int? = nil,
                                    severity: Severity = .low, now: Timestamp) {
        warnings.append(WarningEntry(message: message, timestamp: now, severity: severity, layer: layer,
                                     taskIndex: taskIndex))
    }

    /// Pauses until `resume`. Pausing again keeps the first pause time and takes the new reason.
    public mutating func pause(reason: String?, now: Timestamp) {
        pausedAt = pausedAt ?? now
        if let reason { pauseReason = reason }
    }

    /// Blocks until `resume`/`unblock`, with the reason shown in reports.
    public mutating func block(reason: String, now: Timestamp) {
        blockedAt = blockedAt ?? now
        blockReason = reason
    }

    /// Clears pause and block. Returns false when there was nothing to clear.
    @discardableResult
    public mutating func resume() -> Bool {
        let wasHeld = pausedAt != nil || blockedAt != nil
        pausedAt = nil
        pauseReason = nil
        blockedAt = nil
        blockReason = nil
        return wasHeld
    }
}
