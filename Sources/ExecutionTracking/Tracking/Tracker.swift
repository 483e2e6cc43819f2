import ExecutionCore

/// How a command names the process taking a lease (docs/agents.md): `--agent`, `--session`,
/// `--pid`, `--ttl`, `--restart`.
public struct LeaseOptions: Sendable {
    public var agent: String?
    public var session: String?
    public var pid: Int64?
    public var ttlSeconds: Int64?
    public var restart: Bool
    /// The MCP client the request came through (docs/mcp.md).
    public var client: String?

    public init(agent: String? = nil, session: String? = nil, pid: Int64? = nil, ttlSeconds: Int64? = nil, restart: Bool = false,
                client: String? = nil) {
        self.agent = agent
        self.session = session
        self.pid = pid
        self.ttlSeconds = ttlSeconds
        self.restart = restart
        self.client = client
    }

    /// The process taking or renewing a lease; `worktree` is the linked worktree it runs in, if any.
    func holder(agent name: String?, worktree: String? = nil) -> AgentProcess {
        var holder = Processes.holder(agent: name ?? agent, session: session, pid: pid)
        holder.worktree = worktree
        holder.client = client
        return holder
    }
}

/// The operations behind the commands: validate input, then apply a pure transition through the
/// store. Every check that can fail without reading the file runs before any file is touched.
public struct Tracker: Sendable {
    public let store: StatusStore
    public let clock: @Sendable () -> Timestamp

    public init(store: StatusStore, clock: @escaping @Sendable () -> Timestamp = SystemClock.now) {
        self.store = store
        self.clock = clock
    }

    /// The tasks file for a spec, parsed, and the spec it belongs to (see
    /// `StatusStore.locateTasksFile`).
    public func readTasks(for spec: SpecID, tasksFile: String?) throws(TrackerError) -> (path: String, spec: SpecID, tasks: LayeredTasks) {
        let located = try store.locateTasksFile(for: spec, explicit: tasksFile == "-" ? "/dev/stdin" : tasksFile)
        let tasks = LayeredTasksParser.parse(try store.readText(located.path, userNamed: tasksFile != nil))
        return (located.path, located.spec, tasks)
    }

    func requireTasks(_ tasks: LayeredTasks, path: String) throws(TrackerError) {
        guard tasks.taskCount > 0 else {
            throw TrackerError(.precondition, "no tasks found in \(store.display(path)); "
                + "expected '## Layer N: Name' headings with '- task' items (run: exectrack parse SPEC --check)")
        }
    }

    /// What `init` did.
    public struct Initialized: Sendable {
        public var spec: SpecID
        public var status: StatusFile
        /// Where the replaced file went, when `--force` replaced one that had progress.
        public var archivedPrevious: String?
    }

    /// Creates the status file from the tasks file, under the id of the spec directory the tasks
    /// came from. Refuses to overwrite one unless `force`, which also replaces a corrupt file; a
    /// replaced file that had progress (or could not be read) is archived first. A tasks file
    /// given by path is remembered for later parses.
    public func initialize(_ requested: SpecID, tasksFile: String?, force: Bool) throws(TrackerError) -> Initialized {
        // The id's own problem first: it is the reason, whatever the tasks file says.
        if !store.exists(requested) { try requested.checkCanBeCreated() }
        let (path, located, tasks) = try readTasks(for: requested, tasksFile: tasksFile)
        let spec = store.exists(requested) ? requested : located
        if !force, store.exists(spec) {
            throw TrackerError(.precondition, "\(store.display(store.statusPath(spec))) already exists; "
                + "pass --force to start over, or run: exectrack parse \(spec) to re-read the tasks and keep progress")
        }
        try spec.checkCanBeCreated()
        try requireTasks(tasks, path: path)
        let remembered = rememberedTasksFile(tasksFile, path: path)
        let commit = try store.mutate(spec, mustExist: false, replaceCorrupt: force, archivePrevious: { previous in
            switch previous {
            case .none: false
            case .unreadable: true
            case .status(let old): old.hasProgress
            }
        }, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            if status != nil, !force {
                throw TrackerError(.precondition, "\(store.display(store.statusPath(spec))) already exists; pass --force")
            }
            status = StatusFile.seeded(feature: spec.rawValue, from: tasks, now: now)
            status!.tasksFile = remembered
        }
        return Initialized(spec: spec, status: commit.status, archivedPrevious: commit.archivedPrevious)
    }

    /// What `tasks_file` keeps of a `--tasks-file`: the path, relative to the project root, when
    /// it is a file a later `parse` can read again (not `-` or another stream).
    func rememberedTasksFile(_ given: String?, path: String) -> String? {
        guard given != nil, given != "-", store.isRegularFile(path) else { return nil }
        return store.projectPath(path)
    }

    /// The tasks file `parse` reads: `explicit`, else the one named when the spec was seeded
    /// (kept in the status file as `tasks_file`), else nil for the usual places.
    public func tasksFileToParse(_ spec: SpecID, explicit: String?) throws(TrackerError) -> String? {
        if let explicit { return explicit }
        guard let stored = store.storedTasksFile(spec) else { return nil }
        let path = store.absolutePath(stored)
        guard store.isRegularFile(path) else {
            throw TrackerError(.notFound, "tasks file not found: \(stored) (kept as tasks_file "
                + "in \(store.display(store.statusPath(spec)))); pass --tasks-file PATH")
        }
        return path
    }

    /// What `parse` did: nil `summary` when it created the file.
    public struct Reparsed: Sendable {
        public var spec: SpecID
        public var status: StatusFile
        public var summary: ReseedSummary?
        /// Where the previous file went, when `--force` dropped tasks that had progress.
        public var archivedPrevious: String?
    }

    /// Re-reads the tasks file into the status file, keeping progress (creates it if missing).
    /// Dropping tasks that have progress (a tasks file saved mid-edit, say) needs `force`; the
    /// file from before is then archived, so nothing is lost.
    public func reparse(_ requested: SpecID, tasksFile: String?, force: Bool = false) throws(TrackerError) -> Reparsed {
        if !store.exists(requested) { try requested.checkCanBeCreated() }
        let (path, located, tasks) = try readTasks(for: requested, tasksFile: tasksFileToParse(requested, explicit: tasksFile))
        let spec = store.exists(requested) ? requested : located
        // Before the lock: taking it would create a lock file under the refused name.
        if !store.exists(spec) { try spec.checkCanBeCreated() }
        try requireTasks(tasks, path: path)
        let named = rememberedTasksFile(tasksFile, path: path)
        var dropping: [String] = []
        let commit = try store.mutate(spec, mustExist: false, archivePrevious: { _ in !dropping.isEmpty }, now: clock) {
            (status: inout StatusFile?, now) throws(TrackerError) -> ReseedSummary? in
            guard var existing = status else {
                status = StatusFile.seeded(feature: spec.rawValue, from: tasks, now: now)
                status!.tasksFile = named
                return nil
            }
            let summary = existing.reseed(from: tasks, now: now)
            if !summary.removedWithProgress.isEmpty, !force {
                throw TrackerError(.precondition, "\(store.display(path)) no longer lists "
                    + "\(counted(summary.removedWithProgress.count, "task")) with progress: "
                    + summary.removedWithProgress.prefix(10).joined(separator: "; ")
                    + (summary.removedWithProgress.count > 10 ? "; and \(summary.removedWithProgress.count - 10) more" : "")
                    + ". Nothing was changed; if they were removed on purpose, pass --force (the current file is archived first)")
            }
            dropping = summary.removedWithProgress
            if let named { existing.tasksFile = named }
            status = existing
            return summary
        }
        return Reparsed(spec: spec, status: commit.status, summary: commit.result,
                        archivedPrevious: commit.archivedPrevious)
    }

    /// What `update` did.
    public struct Updated: Sendable {
        public var status: StatusFile
        public var location: TaskLocation
        /// The task already had this terminal status: its timing was kept; only the output,
        /// files and agent given with the command were recorded.
        public var repeated: Bool
        /// False when the file was left as it was.
        public var changed: Bool
    }

    /// `update`: sets one task's status. The status value is checked before the file is read.
    /// Repeating a terminal status (complete, failed, skipped) the task already has never
    /// re-stamps its timing; details given with it are still recorded.
    public func update(_ spec: SpecID, layer: String, task: String, status rawStatus: String,
                       details given: TaskUpdateDetails, lease: LeaseOptions = LeaseOptions()) throws(TrackerError) -> Updated {
        var details = given
        details.output = details.output.map(SecretMask.mask)
        guard let newStatus = TaskStatus(normalizing: rawStatus) else {
            throw TrackerError(.invalidStatus, "invalid status '\(rawStatus.singleLine)'; valid: \(TaskStatus.validValuesList) "
                + "(aliases: completed, done, running, started, in-progress, todo)")
        }
        if newStatus == .inProgress {
            details.holder = lease.holder(agent: details.agent, worktree: store.linkedWorktree)
            details.leaseTTLSeconds = lease.ttlSeconds
            details.restart = lease.restart
        }
        let commit = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> (TaskLocation, Bool) in
            let location = try status!.taskLocation(layer: status!.layerIndex(for: layer), task: task)
            if newStatus.isTerminal, status!.task(at: location).status == newStatus {
                status!.recordDetails(details, at: location)
                return (location, true)
            }
            status!.setTaskStatus(newStatus, at: location, details: details, now: now)
            return (location, false)
        }
        return Updated(status: commit.status, location: commit.result.0, repeated: commit.result.1, changed: commit.written)
    }

    /// `complete-layer`; `changed` is false when the layer was complete already. `reason` (with
    /// `force`) waives required gates that have not passed.
    public func completeLayer(_ spec: SpecID, layer: String, force: Bool, reason: String? = nil) throws(TrackerError) -> (status: StatusFile, layer: Int, changed: Bool) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            let index = try status!.layerIndex(for: layer)
            try status!.completeLayer(at: index, force: force, overrideReason: reason.map(SecretMask.mask), now: now)
            return index
        }
        return (outcome.status, outcome.result, outcome.written)
    }

    public func logError(_ spec: SpecID, layer: String, task: String, message: String, severity: Severity,
                         category: ErrorCategory?, recovery: String?) throws(TrackerError) -> (status: StatusFile, location: TaskLocation) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            let location = try status!.taskLocation(layer: status!.layerIndex(for: layer), task: task)
            status!.logError(SecretMask.mask(message), at: location, severity: severity, category: category,
                             recoveryAction: recovery.map(SecretMask.mask), now: now)
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
            status!.logWarning(SecretMask.mask(message), layer: layerKey, taskIndex: taskIndex, severity: severity, now: now)
        }.status
    }

    public func pause(_ spec: SpecID, reason: String?) throws(TrackerError) -> StatusFile {
        try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            status!.pause(reason: reason.map(SecretMask.mask), now: now)
        }.status
    }

    public func block(_ spec: SpecID, reason: String) throws(TrackerError) -> StatusFile {
        try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            status!.block(reason: SecretMask.mask(reason), now: now)
        }.status
    }

    /// Clears pause and block; `wasHeld` is false when the spec was neither.
    public func resume(_ spec: SpecID) throws(TrackerError) -> (status: StatusFile, wasHeld: Bool) {
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, _) throws(TrackerError) in
            status!.resume()
        }
        return (outcome.status, outcome.result)
    }

    /// `claim`: under the lock, the tasks of dead agents are reaped to pending first
    /// (docs/agents.md), then the first ready task becomes in_progress for `agent` under a lease.
    /// Two agents claiming at once get different tasks: the second sees the first's write.
    public func claim(_ spec: SpecID, agent: String?, anyLayer: Bool, layer: String? = nil,
                      lease: LeaseOptions = LeaseOptions()) throws(TrackerError) -> (status: StatusFile, location: TaskLocation) {
        let holder = lease.holder(agent: agent, worktree: store.linkedWorktree)
        let outcome = try store.mutate(spec, announcing: { $0.reaped }, now: clock) {
            (status: inout StatusFile?, now) throws(TrackerError) -> (location: TaskLocation, reaped: [ChangeEvent]) in
            let layerIndex = try layer.map { (reference: String) throws(TrackerError) in try status!.layerIndex(for: reference) }
            let dead = status!.reapCandidates(now: now, graceMs: nil, here: Processes.here, probe: Processes.state)
            let reaped = status!.reap(dead, to: .pending, now: now)
            let location = try status!.claimNextTask(agent: agent, holder: holder, leaseTTLSeconds: lease.ttlSeconds ?? Leases.defaultTTLSeconds,
                                                     anyLayer: anyLayer, inLayer: layerIndex, now: now)
            return (location, reaped)
        }
        return (outcome.status, outcome.result.location)
    }

    /// `heartbeat`: renews the agent's leases (of one task when `task` is `L1/T012`).
    public func heartbeat(_ spec: SpecID, task reference: String?, lease: LeaseOptions) throws(TrackerError) -> (status: StatusFile, renewed: [TaskLocation]) {
        let holder = lease.holder(agent: lease.agent, worktree: store.linkedWorktree)
        let outcome = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> [TaskLocation] in
            let location = try reference.map { (text: String) throws(TrackerError) -> TaskLocation in
                let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw TrackerError(.usage, "--task must be LAYER/TASK (L1/T012 or L1/3), got '\(text.singleLine.prefix(40))'")
                }
                return try status!.taskLocation(layer: status!.layerIndex(for: parts[0]), task: parts[1])
            }
            return try status!.heartbeat(holder, at: location, ttlSeconds: lease.ttlSeconds, now: now)
        }
        return (outcome.status, outcome.result)
    }

    /// `reap`: what was (or, with `dryRun`, would be) taken from dead agents and from agents
    /// stale past `graceMs`.
    public func reap(_ spec: SpecID, graceMs: Int64, to target: ReapTarget, dryRun: Bool) throws(TrackerError) -> (status: StatusFile, reaped: [ReapCandidate]) {
        if dryRun {
            let status = try store.load(spec)
            return (status, status.reapCandidates(now: clock(), graceMs: graceMs, here: Processes.here, probe: Processes.state))
        }
        let outcome = try store.mutate(spec, announcing: { $0.events }, now: clock) {
            (status: inout StatusFile?, now) throws(TrackerError) -> (candidates: [ReapCandidate], events: [ChangeEvent]) in
            let candidates = status!.reapCandidates(now: now, graceMs: graceMs, here: Processes.here, probe: Processes.state)
            return (candidates, status!.reap(candidates, to: target, now: now))
        }
        return (outcome.status, outcome.result.candidates)
    }

    /// Judges leases as they are now, for reports, `list` and `agents`.
    public func livenessNow() -> (ExecutionTask) -> Liveness {
        let now = clock()
        return { task in Leases.liveness(of: task, now: now, here: Processes.here, probe: Processes.state) }
    }

    /// `validate`: the file's consistency. With `fix`, derived fields are rewritten under the lock
    /// (the ordinary write recomputes them) and the report lists what was stale.
    public func validate(_ spec: SpecID, fix: Bool) throws(TrackerError) -> ValidationReport {
        let report = try store.validate(spec, now: clock())
        if fix, report.issues.contains(where: \.fixable) {
            try store.mutate(spec, alwaysWrite: true, now: clock) { (_: inout StatusFile?, _) throws(TrackerError) in }
        }
        return report
    }

    /// `restore`: the restored file, with derived fields computed for display.
    public func restore(_ spec: SpecID) throws(TrackerError) -> StatusFile {
        var status = try store.restoreBackup(spec, now: clock())
        status.recomputeDerivedFields()
        return status
    }

    /// `restore --from-events`: the rebuilt file, with derived fields computed for display.
    public func restoreFromEvents(_ spec: SpecID) throws(TrackerError) -> StatusStore.Rebuilt {
        var rebuilt = try store.restoreFromEvents(spec, now: clock())
        rebuilt.status.recomputeDerivedFields()
        return rebuilt
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
        let status = try store.load(spec)
        return ProgressSnapshot(status, now: clock(), liveness: livenessNow())
    }

    /// The spec's timeline (docs/html-report.md): its status file, and its attempts from the log.
    public func timeline(_ spec: SpecID) throws(TrackerError) -> (status: StatusFile, snapshot: ProgressSnapshot, timeline: Timeline) {
        let status = try store.load(spec)
        let now = clock()
        return (status, ProgressSnapshot(status, now: now, liveness: livenessNow()), Timeline(status, transitions: store.taskTransitions(spec), now: now))
    }
}
