/// The operations behind the commands: validate input, then apply a pure transition through the
/// store. Every check that can fail without reading the file runs before any file is touched.
public struct Tracker: Sendable {
    public let store: StatusStore
    public let clock: @Sendable () -> Timestamp

    public init(store: StatusStore, clock: @escaping @Sendable () -> Timestamp = SystemClock.now) {
        self.store = store
        self.clock = clock
    }

    /// The tasks file for a spec, parsed; exit 6 when it holds no tasks.
    public func readTasks(for spec: SpecID, tasksFile: String?) throws(TrackerError) -> (path: String, tasks: LayeredTasks) {
        let path = try store.locateTasksFile(for: spec, explicit: tasksFile)
        let tasks = LayeredTasksParser.parse(try store.readText(path))
        return (path, tasks)
    }

    func requireTasks(_ tasks: LayeredTasks, path: String) throws(TrackerError) {
        guard tasks.taskCount > 0 else {
            throw TrackerError(.precondition, "no tasks found in \(store.display(path)); "
                + "expected '## Layer N: Name' headings with '- task' items (run: exectrack parse SPEC --check)")
        }
    }

    /// Creates the status file from the tasks file. Refuses to overwrite one unless `force`, which
    /// also replaces a corrupt file.
    public func initialize(_ spec: SpecID, tasksFile: String?, force: Bool) throws(TrackerError) -> StatusFile {
        if !force, store.exists(spec) {
            throw TrackerError(.precondition, "\(store.display(store.statusPath(spec))) already exists; "
                + "pass --force to start over, or run: exectrack parse \(spec) to re-read the tasks and keep progress")
        }
        let (path, tasks) = try readTasks(for: spec, tasksFile: tasksFile)
        try requireTasks(tasks, path: path)
        let remembered = tasksFile.map { _ in store.projectPath(path) }
        return try store.mutate(spec, mustExist: false, replaceCorrupt: force, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            if status != nil, !force {
                throw TrackerError(.precondition, "\(store.display(store.statusPath(spec))) already exists; pass --force")
            }
            status = StatusFile.seeded(feature: spec.rawValue, from: tasks, now: now)
            status!.tasksFile = remembered
        }.status
    }

    /// The tasks file `parse` reads: `explicit`, else the one named when the spec was seeded
    /// (kept in the status file as `tasks_file`), else nil for the usual places.
    public func tasksFileToParse(_ spec: SpecID, explicit: String?) throws(TrackerError) -> String? {
        if let explicit { return explicit }
        guard let stored = (try? store.load(spec))?.tasksFile else { return nil }
        let path = store.absolutePath(stored)
        guard StatusStore.exists(path) else {
            throw TrackerError(.notFound, "tasks file not found: \(stored) (kept as tasks_file "
                + "in \(store.display(store.statusPath(spec)))); pass --tasks-file PATH")
        }
        return path
    }

    /// Re-reads the tasks file into the status file, keeping progress (creates it if missing).
    public func reparse(_ spec: SpecID, tasksFile: String?) throws(TrackerError) -> (status: StatusFile, summary: ReseedSummary?) {
        let (path, tasks) = try readTasks(for: spec, tasksFile: tasksFileToParse(spec, explicit: tasksFile))
        try requireTasks(tasks, path: path)
        let named = tasksFile.map { _ in store.projectPath(path) }
        let outcome = try store.mutate(spec, mustExist: false, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> ReseedSummary? in
            guard var existing = status else {
                status = StatusFile.seeded(feature: spec.rawValue, from: tasks, now: now)
                status!.tasksFile = named
                return nil
            }
            let summary = existing.reseed(from: tasks, now: now)
            if let named { existing.tasksFile = named }
            status = existing
            return summary
        }
        return (outcome.status, outcome.result)
    }

    /// `update`: sets one task's status. The status value is checked before the file is read.
    public func update(_ spec: SpecID, layer: String, task: String, status rawStatus: String,
                       details: TaskUpdateDetails) throws(TrackerError) -> (status: StatusFile, location: TaskLocation) {
        guard let newStatus = TaskStatus(normalizing: rawStatus) else {
            throw TrackerError(.invalidStatus, "invalid status '\(rawStatus.singleLine)'; valid: \(TaskStatus.validValuesList) "
                + "(aliases: completed, done, running, started, in-progress, todo)")
        }
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            let location = try status!.taskLocation(layer: status!.layerIndex(for: layer), task: task)
            status!.setTaskStatus(newStatus, at: location, details: details, now: now)
            return location
        }
        return (outcome.status, outcome.result)
    }

    public func completeLayer(_ spec: SpecID, layer: String, force: Bool) throws(TrackerError) -> (status: StatusFile, layer: Int) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            let index = try status!.layerIndex(for: layer)
            try status!.completeLayer(at: index, force: force, now: now)
            return index
        }
        return (outcome.status, outcome.result)
    }

    public func logError(_ spec: SpecID, layer: String, task: String, message: String, severity: Severity,
                         category: ErrorCategory?, recovery: String?) throws(TrackerError) -> (status: StatusFile, location: TaskLocation) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            let location = try status!.taskLocation(layer: status!.layerIndex(for: layer), task: task)
            status!.logError(message, at: location, severity: severity, category: category,
                             recoveryAction: recovery, now: now)
            return location
        }
        return (outcome.status, outcome.result)
    }

    public func warn(_ spec: SpecID, message: String, layer: String?, task: String?, severity: Severity) throws(TrackerError) -> StatusFile {
        try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            var layerKey: String?
            var taskIndex: Int?
            if let layer {
                let index = try status!.layerIndex(for: layer)
                layerKey = status!.layers[index].key
                if let task { taskIndex = try status!.taskLocation(layer: index, task: task).task }
            } else if task != nil {
                throw TrackerError(.usage, "--task needs --layer")
            }
            status!.logWarning(message, layer: layerKey, taskIndex: taskIndex, severity: severity, now: now)
        }.status
    }

    public func pause(_ spec: SpecID, reason: String?) throws(TrackerError) -> StatusFile {
        try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            status!.pause(reason: reason, now: now)
        }.status
    }

    public func block(_ spec: SpecID, reason: String) throws(TrackerError) -> StatusFile {
        try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            status!.block(reason: reason, now: now)
        }.status
    }

    /// Clears pause and block; `wasHeld` is false when the spec was neither.
    public func resume(_ spec: SpecID) throws(TrackerError) -> (status: StatusFile, wasHeld: Bool) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, _) throws(TrackerError) in
            status!.resume()
        }
        return (outcome.status, outcome.result)
    }

    /// `claim`: under the lock, the first ready task becomes in_progress for `agent`. Two agents
    /// claiming at once get different tasks: the second sees the first's write.
    public func claim(_ spec: SpecID, agent: String?, anyLayer: Bool, layer: String? = nil) throws(TrackerError) -> (status: StatusFile, location: TaskLocation) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            let layerIndex = try layer.map { (reference: String) throws(TrackerError) in try status!.layerIndex(for: reference) }
            return try status!.claimNextTask(agent: agent, anyLayer: anyLayer, inLayer: layerIndex, now: now)
        }
        return (outcome.status, outcome.result)
    }

    /// `validate`: the file's consistency. With `fix`, derived fields are rewritten under the lock
    /// (the ordinary write recomputes them) and the report lists what was stale.
    public func validate(_ spec: SpecID, fix: Bool) throws(TrackerError) -> ValidationReport {
        let report = try store.validate(spec, now: clock())
        if fix, report.issues.contains(where: \.fixable) {
            try store.mutate(spec, now: clock) { (_: inout StatusFile?, _) throws(TrackerError) in }
        }
        return report
    }

    /// `restore`: the restored file, with derived fields computed for display.
    public func restore(_ spec: SpecID) throws(TrackerError) -> StatusFile {
        var status = try store.restoreBackup(spec)
        status.recomputeDerivedFields()
        return status
    }

    /// Every spec's state for `list`; an unreadable file is listed with its problem.
    public func listEntries() -> [SpecList.Entry] {
        store.listSpecs().map { spec in
            do throws(TrackerError) {
                return .readable(spec: spec.rawValue, status: try store.load(spec))
            } catch {
                return .unreadable(spec: spec.rawValue, problem: error.message)
            }
        }
    }

    public func snapshot(_ spec: SpecID) throws(TrackerError) -> ProgressSnapshot {
        ProgressSnapshot(try store.load(spec), now: clock())
    }
}
