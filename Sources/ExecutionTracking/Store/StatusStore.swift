import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that touches the filesystem. Every status-file write goes through `mutate`:
/// lock, read, change, write a temp file, fsync, keep `.bak`, rename, fsync the directory, unlock
/// (docs/reliability.md, "The write protocol"). Readers (`load`) take no lock: the rename makes
/// them see a whole file.
public struct StatusStore: Sendable {
    public let root: String
    /// The worktree the command runs in: `root`, or a linked worktree of it (docs/worktrees.md).
    public var worktree: String
    /// `worktree` when it is a linked worktree, not the root itself: what a lease records.
    public var linkedWorktree: String? { worktree == root ? nil : worktree }
    public let lockTimeoutSeconds: Double
    /// Test-only seam: failures to inject into the write steps. Always `.none` in the tool.
    public var faults: WriteFaults = .none
    /// Set when the configured lock timeout is invalid: only commands that take the lock fail.
    public var lockTimeoutProblem: TrackerError?
    /// Runs the notification rules of the events each write logged, after it released the lock;
    /// nil runs none (tests, and the writes a notifier makes itself).
    public var notifier: Notifier?

    public init(root: String, lockTimeoutSeconds: Double = 10) {
        self.root = root
        self.worktree = root
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    /// Makes chosen steps of a write fail with a chosen errno (ENOSPC, EIO, ...), so tests can
    /// prove that a failure at any step leaves the status file and `.bak` as they were.
    public struct WriteFaults: Equatable, Sendable {
        public enum Step: Hashable, Sendable { case createTemp, write, sync, backup, replace }
        public var failures: [Step: Int32]

        public init(_ failures: [Step: Int32] = [:]) { self.failures = failures }
        public static let none = WriteFaults()

        /// True (with errno set) when `step` is to fail.
        func fails(_ step: Step) -> Bool {
            guard let code = failures[step] else { return false }
            errno = code
            return true
        }
    }

    public var executionDirectory: String { root + "/.claude/execution" }
    public var archiveDirectory: String { executionDirectory + "/archive" }
    public func statusPath(_ spec: SpecID) -> String { "\(executionDirectory)/\(spec).json" }
    public func backupPath(_ spec: SpecID) -> String { statusPath(spec) + ".bak" }
    public func lockPath(_ spec: SpecID) -> String { statusPath(spec) + ".lock" }
    /// Where `metrics --export` writes when given no path.
    public func metricsPath(_ spec: SpecID) -> String { "\(executionDirectory)/\(spec)\(SpecID.metricsSuffix).json" }

    /// Paths as users see them in messages: relative to the project root.
    public func display(_ path: String) -> String {
        guard path.hasPrefix(root + "/") else { return path }
        let relative = path.dropFirst(root.count + 1)
        return relative.isEmpty ? "." : String(relative)
    }

    /// A path given on the command line (relative to the working directory) as it is kept in the
    /// status file: relative to the project root, or absolute when outside it.
    public func projectPath(_ path: String) -> String {
        let absolute = Self.normalized(path.hasPrefix("/") ? path : Self.currentDirectory() + "/" + path)
        let base = Self.normalized(root)
        return absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : absolute
    }

    /// Whether `path` is a regular file (or a symlink to one).
    public func isRegularFile(_ path: String) -> Bool { FileSystem.info(path)?.isRegular ?? false }

    /// A path kept by `projectPath`, made usable from any working directory.
    public func absolutePath(_ kept: String) -> String {
        kept.hasPrefix("/") ? kept : root + "/" + kept
    }

    /// `.` and `..` resolved and repeated slashes dropped, without looking at the filesystem.
    static func normalized(_ absolute: String) -> String {
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    // MARK: - Reading

    public func exists(_ spec: SpecID) -> Bool { FileSystem.exists(statusPath(spec)) }

    /// The status file's current identity, or nil when there is none.
    public func identity(_ spec: SpecID) -> FileIdentity? { FileSystem.info(statusPath(spec))?.identity }

    /// Every status file directly in `.claude/execution/`, sorted by id: each `<id>.json` that is
    /// not a directory and not a metrics export (a spec whose id ends in `-metrics`, made before
    /// such ids were refused, is listed too).
    public func listSpecs() -> [SpecID] {
        FileSystem.directoryEntries(executionDirectory)
            .filter { $0.hasSuffix(".json") }
            .compactMap { try? SpecID(String($0.dropLast(5))) }
            .filter { !FileSystem.isDirectory(statusPath($0)) && !isMetricsExport(at: statusPath($0)) }
            .sorted { $0.rawValue < $1.rawValue }
    }

    /// True when `path` is named like a metrics export and holds one: JSON with `layer_metrics`
    /// and no `layers`.
    func isMetricsExport(at path: String) -> Bool {
        guard path.hasSuffix(SpecID.metricsSuffix + ".json"),
              let bytes = try? FileSystem.read(path, shownAs: path, role: "a metrics export", refuseWith: .corruptFile) else { return false }
        return Self.isMetricsExport(bytes)
    }

    static func isMetricsExport(_ bytes: [UInt8]) -> Bool {
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else { return false }
        return object["layer_metrics"] != nil && object["layers"] == nil
    }

    /// Exit 2, for every command that needs a status file and finds none; names the spec meant
    /// when another one's id is a near miss (`f001` for `F001`).
    package func missingStatusFile(_ spec: SpecID) -> TrackerError {
        let missing = "no status file for \(spec) at \(display(statusPath(spec)))"
        let others = listSpecs().map({ $0.rawValue }).filter { $0 != spec.rawValue }
        let containing = others.filter { $0.contains(spec.rawValue) }
        if let near = containing.count == 1 ? containing[0] : nearest(to: spec.rawValue, among: others) {
            return TrackerError(.notFound, "\(missing); did you mean \(near)?")
        }
        return TrackerError(.notFound, "\(missing); run: exectrack init \(spec)")
    }

    /// The spec a name means: itself when it has a status file (or a `.bak`); else the spec of
    /// the `specs/` directory named `<prefix>-<name>` (`042-invoice-export` for
    /// `invoice-export`, the id `init` stored) that has one; see `names`. Several such specs are refused
    /// (exit 1) with their names.
    public func resolve(_ spec: SpecID) throws(TrackerError) -> SpecID {
        func tracked(_ id: SpecID) -> Bool { FileSystem.linkInfo(statusPath(id)) != nil || FileSystem.linkInfo(backupPath(id)) != nil }
        guard !tracked(spec) else { return spec }
        let matches = FileSystem.directoryEntries(root + "/specs")
            .filter { Self.names($0, spec) }
            .compactMap { try? SpecID($0) }
            .filter(tracked)
            .sorted { $0.rawValue < $1.rawValue }
        if matches.count > 1 {
            throw TrackerError(.usage, "\(spec) could mean \(matches.map({ $0.rawValue }).joined(separator: ", ")); name the spec in full")
        }
        return matches.first ?? spec
    }

    /// Whether a `specs/` directory name is `<prefix><separator><name>` with a one-word prefix
    /// (`042-invoice-export`, `F014_search`): the way spec directories number a feature's name.
    /// A bare substring would let `0` mean `F001`, and a later word `v2` mean `043-export-v2`.
    static func names(_ directory: String, _ spec: SpecID) -> Bool {
        guard directory.count > spec.rawValue.count + 1, directory.hasSuffix(spec.rawValue) else { return false }
        let head = directory.dropLast(spec.rawValue.count)
        let separators: Set<Character> = ["-", "_", "."]
        return separators.contains(head.last!) && !head.dropLast().contains(where: separators.contains)
    }

    /// Reads and decodes the status file, without a lock.
    public func load(_ spec: SpecID) throws(TrackerError) -> StatusFile {
        guard let bytes = try readStatusBytes(statusPath(spec)) else {
            throw missingStatusFile(spec)
        }
        return try decode(bytes, spec: spec)
    }

    /// The `tasks_file` the spec's status file names, read without decoding the file; nil when it
    /// names none or cannot be read (the write that follows reports that).
    public func storedTasksFile(_ spec: SpecID) -> String? {
        (try? readStatusBytes(statusPath(spec)))?.flatMap(StatusFile.tasksFile(inJSON:))
    }

    /// The status file checked by `ValidationReport` (exit 2 when missing, 4 when unreadable).
    public func validate(_ spec: SpecID, now: Timestamp) throws(TrackerError) -> ValidationReport {
        guard let bytes = try readStatusBytes(statusPath(spec)) else {
            throw missingStatusFile(spec)
        }
        var report: ValidationReport
        let file: StatusFile
        let gates = try gateConfig()
        do throws(StatusFileDecodingError) {
            let json: JSONValue
            do { json = try JSONParser.parse(bytes) } catch { throw .syntax(error) }
            do {
                report = try ValidationReport.check(json, spec: spec.rawValue, gates: gates, now: now)
                file = try StatusFile(json: json, defaultFeature: spec.rawValue)
            } catch { throw .shape(error) }
        } catch {
            throw unreadable(spec, error)
        }
        if FileSystem.linkInfo(eventsPath(spec)) != nil, let log = try readLog(spec) {
            report.issues += ValidationReport.checkLog(log, against: file, log: display(eventsPath(spec)))
        }
        return report
    }

    /// The status file in `bytes`, with the gates `gates` (else gates.json, read now) requires.
    func decode(_ bytes: [UInt8], spec: SpecID, gates given: GateConfig? = nil, spans: TaskSpans? = nil) throws(TrackerError) -> StatusFile {
        // `<X>-metrics.json` holding X's metrics export is no status file, whatever its name says.
        if spec.rawValue.lowercased().hasSuffix(SpecID.metricsSuffix), Self.isMetricsExport(bytes) {
            throw TrackerError(.notFound, "\(display(statusPath(spec))) is the metrics export of spec "
                + "\(spec.rawValue.dropLast(SpecID.metricsSuffix.count)), not a status file")
        }
        var status: StatusFile
        do {
            status = try StatusFile(jsonBytes: bytes, defaultFeature: spec.rawValue, spans: spans)
        } catch {
            throw unreadable(spec, error)
        }
        let gates: GateConfig
        if let given { gates = given } else { gates = try gateConfig() }
        if !gates.rules.isEmpty {
            status.configureGates(gates)
            status.recomputeDerivedFields()
        }
        return status
    }

    /// Exit 4 for a status file that cannot be read, naming the `.bak` to go back to when there
    /// is a usable one.
    func unreadable(_ spec: SpecID, _ error: StatusFileDecodingError) -> TrackerError {
        let backup = backupPath(spec)
        let usableBackup = (try? readStatusBytes(backup))?.map { (try? StatusFile(jsonBytes: $0)) != nil } ?? false
        let hint = usableBackup
            ? "; the previous version is \(display(backup)) (run: exectrack restore \(spec))"
            : "; there is no usable backup: repair it by hand, or start over with: exectrack init \(spec) --force"
        return TrackerError(.corruptFile, "\(display(statusPath(spec))) \(error)\(hint)")
    }

    /// A status file's (or backup's) bytes; nil when there is none. Special files and files over
    /// the size cap are exit 4.
    func readStatusBytes(_ path: String) throws(TrackerError) -> [UInt8]? {
        try FileSystem.read(path, shownAs: display(path), role: "a status file", refuseWith: .corruptFile)
    }

    /// Reads a text file (tasks files); invalid UTF-8 is replaced rather than refused, so a stray
    /// byte in a planning document does not stop a parse. A file found in the project must be a
    /// regular file (exit 2 otherwise); one the user named may be a pipe (`--tasks-file
    /// /dev/stdin`).
    public func readText(_ path: String, userNamed: Bool = false) throws(TrackerError) -> String {
        guard let bytes = try FileSystem.read(path, shownAs: display(path), role: "a tasks file", refuseWith: .notFound,
                                              allowStreams: userNamed) else {
            throw TrackerError(.notFound, "file not found: \(display(path))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Writing

    /// What a write replaced, for deciding whether to archive it.
    public enum Previous: Sendable {
        case none
        case unreadable
        case status(StatusFile)

        var status: StatusFile? {
            if case .status(let file) = self { return file }
            return nil
        }
    }

    /// The outcome of `mutate`.
    public struct Commit<Result> {
        /// The state after the change, derived fields computed.
        public var status: StatusFile
        public var result: Result
        /// False when the change left the file as it was, so nothing was written.
        public var written: Bool
        /// Where the replaced version was archived, when `archivePrevious` asked for it.
        public var archivedPrevious: String?
    }

    /// Runs `change` on the current status (nil when there is no file yet) under the spec's lock
    /// and commits what it leaves, recomputing derived fields and stamping `last_updated`.
    /// Nothing is written when `change` throws, or when it leaves the content as it was (no new
    /// inode, no `.bak` rotation, no `last_updated` bump) unless `alwaysWrite` asks to rewrite
    /// the file anyway (`validate --fix`, for stale derived fields). `mustExist` refuses before
    /// creating anything. `replaceCorrupt` lets `change` start from nothing when the current file
    /// cannot be read; the unreadable file then does not displace the last good `.bak`. When
    /// `archivePrevious` says so, the replaced file is first copied to `archive/`, where no later
    /// write rotates it away. `announcing` gives the events that say why the change was made
    /// (`agent.reaped`), logged before those the change itself makes.
    @discardableResult
    public func mutate<Result>(
        _ spec: SpecID, mustExist: Bool = true, replaceCorrupt: Bool = false, alwaysWrite: Bool = false, stampChanges: Bool = true,
        archivePrevious: (Previous) -> Bool = { _ in false }, announcing: (Result) -> [ChangeEvent] = { _ in [] },
        now: () -> Timestamp, _ change: (inout StatusFile?, Timestamp) throws(TrackerError) -> Result
    ) throws(TrackerError) -> Commit<Result> {
        let path = statusPath(spec)
        let found = FileSystem.info(path)
        if mustExist, found == nil {
            throw missingStatusFile(spec)
        }
        if found?.isDirectory == true {
            throw TrackerError(.writeFailed, "\(display(path)) is a directory; move it away and retry")
        }
        // Read once for the write: what the file was and what it becomes are judged alike.
        let gates = try gateConfig()
        return try write(spec) { (write) throws(TrackerError) -> Commit<Result> in
            var current: StatusFile? = nil
            var previous = Previous.none
            // Kept open: the tasks a write leaves alone are copied from it (`reusedTasks`), and an
            // archive of it is read from it again (`readAgain`).
            var bytes: [UInt8]?
            var source: (fd: Int32, info: FileSystem.Info)?
            if let read = try FileSystem.readKeepingOpen(path, shownAs: display(path), role: "a status file", refuseWith: .corruptFile) {
                bytes = read.bytes
                source = (read.fd, read.info)
            }
            defer { if let source { close(source.fd) } }
            let spans = (bytes?.count ?? 0) >= Self.taskReuseThreshold && !alwaysWrite ? TaskSpans() : nil
            if let bytes {
                do throws(TrackerError) {
                    current = try decode(bytes, spec: spec, gates: gates, spans: spans)
                    previous = .status(current!)
                } catch where replaceCorrupt && error.kind == .corruptFile {
                    previous = .unreadable
                }
            } else if mustExist {
                throw missingStatusFile(spec)
            }
            // The bytes read are freed before the change, so that a large file's peak memory holds
            // one copy of its bytes: the log's digest of them is taken now, and an archive reads
            // them again from the file.
            let readDigest = previous.status != nil ? bytes.map(ContentDigest.of) : nil
            let readCount = bytes?.count ?? 0
            bytes = nil
            let stamp = now()
            let result = try change(&current, stamp)
            guard var updated = current else {
                throw TrackerError(.precondition, "nothing to write for \(spec)")
            }
            // `updated` is changed below: a second reference to its arrays would copy them.
            current = nil
            updated.configureGates(gates)
            updated.recomputeDerivedFields()
            if case .status(var baseline) = previous, !alwaysWrite {
                baseline.recomputeDerivedFields()
                updated.lastUpdated = baseline.lastUpdated
                if updated == baseline {
                    return Commit(status: updated, result: result, written: false, archivedPrevious: nil)
                }
            }
            updated.lastUpdated = stamp
            // Each task this write changed carries the time (not a merge: it keeps the times it merged).
            if stampChanges { updated.stampChangedTasks(since: previous.status, now: stamp) }
            var replaced: ReplacedStatus?
            if case .status(let old) = previous, let readDigest { replaced = ReplacedStatus(digest: readDigest, file: old) }
            let events = updated.changeEvents(since: replaced?.file, announcing: announcing(result))
            var toArchive: [UInt8]?
            if let source, archivePrevious(previous) {
                guard let again = Self.readAgain(source, count: readCount) else {
                    throw TrackerError(.writeFailed, "\(display(path)) changed while it was being replaced; nothing was written. Retry")
                }
                toArchive = again
            }
            let capacity = readCount + 4096
            let content = try write.commitEvents(events, replacing: replaced, now: stamp) { seq, writersBytes in
                updated.eventSeq = seq
                if writersBytes, let source, let spans, let read = previous.status,
                   let content = Self.reusedTasks(of: updated, read: read, spans: spans, from: source, capacity: capacity) {
                    return content
                }
                return updated.jsonBytes(capacity: capacity)
            }
            var archived: String?
            if let toArchive {
                archived = try write.commitArchive(toArchive, now: stamp)
            }
            var keepBackup = true
            if case .unreadable = previous { keepBackup = false }
            try write.commitStatus(content, keepBackup: keepBackup)
            let directory = executionDirectory
            write.afterRelease.append { FileSystem.removeStaleTempFiles(in: directory, .all, nowSeconds: stamp.millisecondsSinceEpoch / 1000) }
            return Commit(status: updated, result: result, written: true, archivedPrevious: archived)
        }
    }

    /// The `count` bytes of the file `source` holds, as they were read: nil when it changed in
    /// place since, or cannot be read.
    static func readAgain(_ source: (fd: Int32, info: FileSystem.Info), count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        guard bytes.withUnsafeMutableBytes({ FileSystem.readFully(source.fd, at: 0, into: $0) }),
              FileSystem.isUnchanged(source.fd, since: source.info) else { return nil }
        return bytes
    }

    /// Below this size a status file is written whole: copying its unchanged tasks would save
    /// less than the reads cost.
    static let taskReuseThreshold = 64 << 10

    /// `updated`'s bytes with the tasks equal to the ones `read` (the file that `source` holds,
    /// the writer's bytes the log's last write published) copied from the file, not written again:
    /// the writer's bytes for those tasks (docs/benchmarks.md, "Unchanged tasks"). Nil when no
    /// task is unchanged, or when the file changed in place meanwhile (then everything is written).
    static func reusedTasks(of updated: StatusFile, read: StatusFile, spans: TaskSpans,
                            from source: (fd: Int32, info: FileSystem.Info), capacity: Int) -> [UInt8]? {
        let fd = source.fd
        guard let reuse = TaskReuse(updated: updated, source: read, spans: spans, copy: { range, out in
            FileSystem.readFully(fd, at: range.lowerBound, into: out)
        }) else { return nil }
        let content = updated.jsonBytes(capacity: capacity, reusing: reuse)
        return FileSystem.isUnchanged(fd, since: source.info) ? content : nil
    }

    func ensureExecutionDirectory() throws(TrackerError) {
        try FileSystem.createDirectories(executionDirectory, shown: display)
        guard FileSystem.isDirectory(executionDirectory) else {
            throw TrackerError(.writeFailed, "\(display(executionDirectory)) exists but is not a directory")
        }
    }
}
