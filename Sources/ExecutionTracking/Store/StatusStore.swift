#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that touches the filesystem. Every status-file write goes through `mutate`:
/// lock, read, change, write a temp file, fsync, keep `.bak`, rename, fsync the directory, unlock
/// (DESIGN §10). Readers (`load`) take no lock: the rename makes them see a whole file.
public struct StatusStore: Sendable {
    public let root: String
    public let lockTimeoutSeconds: Double
    /// Test-only seam: failures to inject into the write steps. Always `.none` in the tool.
    public var faults: WriteFaults = .none

    public init(root: String, lockTimeoutSeconds: Double = 10) {
        self.root = root
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    /// `archive`: copies the status file to `.claude/execution/archive/<SPEC>-<YYYYMMDD>.json`
    /// (`-HHMMSS`, then a counter, when that exists) and, with `remove`, deletes the status file
    /// under the lock. Its `.bak` stays, so `restore` can bring it back.
    public func archive(_ spec: SpecID, remove: Bool, now: Timestamp) throws(TrackerError) -> String {
        guard Self.exists(statusPath(spec)) else {
            throw missingStatusFile(spec)
        }
        try ensureExecutionDirectory()
        let lock = try acquireLock(spec)
        defer { close(lock) }
        guard let bytes = try readIfPresent(statusPath(spec)) else {
            throw missingStatusFile(spec)
        }
        let directory = executionDirectory + "/archive"
        try createDirectories(directory)
        let stamp = now.iso8601
        let day = stamp.prefix(10).filter { $0 != "-" }
        let time = stamp.dropFirst(11).prefix(8).filter { $0 != ":" }
        var candidates = ["\(spec)-\(day).json", "\(spec)-\(day)-\(time).json"]
        candidates += (2...99).map { "\(spec)-\(day)-\(time)-\($0).json" }
        guard let name = candidates.first(where: { !Self.exists("\(directory)/\($0)") }) else {
            throw TrackerError(.precondition, "too many archives of \(spec) this second in \(display(directory))")
        }
        let target = "\(directory)/\(name)"
        try writeAtomically(bytes, to: target) { () throws(TrackerError) in }
        if remove, unlink(statusPath(spec)) != 0 {
            throw TrackerError(.writeFailed, "archived to \(display(target)) but cannot remove \(display(statusPath(spec))): \(Self.lastError())")
        }
        return target
    }

    /// Makes chosen steps of a write fail with a chosen errno (ENOSPC, EIO, ...), so tests can
    /// prove that a failure at any step leaves the status file and `.bak` as they were.
    public struct WriteFaults: Equatable, Sendable {
        public enum Step: Hashable, Sendable { case createTemp, write, sync, backup, replace }
        public var failures: [Step: Int32]

        public init(_ failures: [Step: Int32] = [:]) { self.failures = failures }
        public static let none = WriteFaults()
    }

    /// True (with errno set) when `step` is to fail.
    func injectedFailure(_ step: WriteFaults.Step) -> Bool {
        guard let code = faults.failures[step] else { return false }
        errno = code
        return true
    }

    public var executionDirectory: String { root + "/.claude/execution" }
    public func statusPath(_ spec: SpecID) -> String { "\(executionDirectory)/\(spec).json" }
    public func backupPath(_ spec: SpecID) -> String { statusPath(spec) + ".bak" }
    public func lockPath(_ spec: SpecID) -> String { statusPath(spec) + ".lock" }
    /// Where `metrics --export` writes when given no path.
    public func metricsPath(_ spec: SpecID) -> String { "\(executionDirectory)/\(spec)-metrics.json" }
    /// Temp files are hidden and carry the spec's name so stale ones can be found and removed.
    func tempPrefix(_ spec: SpecID) -> String { ".\(spec).json.tmp." }

    /// Paths as users see them in messages: relative to the project root.
    public func display(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// A path given on the command line (relative to the working directory) as it is kept in the
    /// status file: relative to the project root, or absolute when outside it.
    public func projectPath(_ path: String) -> String {
        let absolute = Self.normalized(path.hasPrefix("/") ? path : Self.currentDirectory() + "/" + path)
        let base = Self.normalized(root)
        return absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : absolute
    }

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

    // MARK: - Project root

    /// Walks up from `start` to the first directory holding `.claude/` or `.git/`, as git does;
    /// `start` itself when there is none.
    public static func discoverRoot(from start: String) -> String {
        var dir = start
        while true {
            if isDirectory(dir + "/.claude") || exists(dir + "/.git") { return dir }
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { return start }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
        }
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    // MARK: - Reading

    public func exists(_ spec: SpecID) -> Bool { Self.exists(statusPath(spec)) }

    /// The status file's current identity, or nil when there is none.
    public func identity(_ spec: SpecID) -> FileIdentity? {
        var st = stat()
        guard stat(statusPath(spec), &st) == 0 else { return nil }
        return FileIdentity(inode: UInt64(st.st_ino), size: Int64(st.st_size),
                            modifiedNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    /// Every spec with a status file directly in `.claude/execution/` (archives and metrics
    /// exports excluded), sorted by id.
    public func listSpecs() -> [SpecID] {
        Self.directoryEntries(executionDirectory)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("-metrics.json") }
            .compactMap { try? SpecID(String($0.dropLast(5))) }
            .filter { !Self.isDirectory(statusPath($0)) }
            .sorted { $0.rawValue < $1.rawValue }
    }

    /// Exit 2, for every command that needs a status file and finds none.
    func missingStatusFile(_ spec: SpecID) -> TrackerError {
        TrackerError(.notFound, "no status file for \(spec) at \(display(statusPath(spec))); run: exectrack init \(spec)")
    }

    /// Reads and decodes the status file, without a lock.
    public func load(_ spec: SpecID) throws(TrackerError) -> StatusFile {
        guard let bytes = try readIfPresent(statusPath(spec)) else {
            throw missingStatusFile(spec)
        }
        return try decode(bytes, spec: spec)
    }

    /// The status file checked by `ValidationReport` (exit 2 when missing, 4 when unreadable).
    public func validate(_ spec: SpecID, now: Timestamp) throws(TrackerError) -> ValidationReport {
        guard let bytes = try readIfPresent(statusPath(spec)) else {
            throw missingStatusFile(spec)
        }
        do throws(StatusFileDecodingError) {
            let json: JSONValue
            do { json = try JSONParser.parse(bytes) } catch { throw .syntax(error) }
            do { return try ValidationReport.check(json, spec: spec.rawValue, now: now) } catch { throw .shape(error) }
        } catch {
            throw unreadable(spec, error)
        }
    }

    func decode(_ bytes: [UInt8], spec: SpecID) throws(TrackerError) -> StatusFile {
        do {
            return try StatusFile(jsonBytes: bytes, defaultFeature: spec.rawValue)
        } catch {
            throw unreadable(spec, error)
        }
    }

    /// Exit 4 for a status file that cannot be read, naming the `.bak` to go back to.
    func unreadable(_ spec: SpecID, _ error: StatusFileDecodingError) -> TrackerError {
        let hint = "; the previous version is \(display(backupPath(spec))) (run: exectrack restore \(spec))"
        switch error {
        case .syntax(let syntax):
            return TrackerError(.corruptFile, "\(display(statusPath(spec))) is not valid JSON (\(syntax))\(hint)")
        case .shape(let shape):
            return TrackerError(.corruptFile, "\(display(statusPath(spec))) has an unexpected shape (\(shape))\(hint)")
        }
    }

    /// A file's bytes, or nil when it does not exist.
    func readIfPresent(_ path: String) throws(TrackerError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw TrackerError(.notFound, "cannot read \(display(path)): \(Self.lastError())")
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw TrackerError(.corruptFile, "\(display(path)) is a directory, not a status file")
        }
        // Read straight into an array of the file's size plus one byte (reading nothing there
        // confirms the end); a file that grew meanwhile gets more room.
        var result = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var count = 0
        while true {
            if count == result.count { result += repeatElement(0, count: result.count) }
            let n = result.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TrackerError(.corruptFile, "cannot read \(display(path)): \(Self.lastError())")
            }
            if n == 0 { break }
            count += n
        }
        result.removeLast(result.count - count)
        return result
    }

    /// Reads a text file (tasks files); invalid UTF-8 is replaced rather than refused, so a stray
    /// byte in a planning document does not stop a parse.
    public func readText(_ path: String) throws(TrackerError) -> String {
        guard let bytes = try readIfPresent(path) else {
            throw TrackerError(.notFound, "file not found: \(display(path))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Tasks file discovery

    /// DESIGN §3: `--tasks-file`, `specs/<SPEC>/layered-tasks.md`,
    /// `specs/<SPEC>/agent-tasks/layered-tasks.md`, or a single `specs/*<SPEC>*/` directory.
    public func locateTasksFile(for spec: SpecID, explicit: String?) throws(TrackerError) -> String {
        if let explicit {
            guard Self.exists(explicit), !Self.isDirectory(explicit) else {
                throw TrackerError(.notFound, "tasks file not found: \(explicit)")
            }
            return explicit
        }
        let specs = root + "/specs"
        func candidate(in dir: String) -> String? {
            for path in [dir + "/layered-tasks.md", dir + "/agent-tasks/layered-tasks.md"] where Self.exists(path) {
                return path
            }
            return nil
        }
        if let path = candidate(in: "\(specs)/\(spec)") { return path }
        let matches = Self.directoryEntries(specs)
            .filter { $0 != spec.rawValue && $0.contains(spec.rawValue) && Self.isDirectory("\(specs)/\($0)") }
            .compactMap { candidate(in: "\(specs)/\($0)") }
            .sorted()
        if matches.count > 1 {
            throw TrackerError(.usage, "several tasks files match \(spec): "
                + matches.map(display).joined(separator: ", ") + "; pass --tasks-file PATH")
        }
        if let only = matches.first { return only }
        throw TrackerError(.notFound, "no tasks file for \(spec): looked for specs/\(spec)/layered-tasks.md, "
            + "specs/\(spec)/agent-tasks/layered-tasks.md and specs/*\(spec)*/; pass --tasks-file PATH")
    }

    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    // MARK: - Writing

    /// Runs `change` on the current status (nil when there is no file yet) under the spec's lock
    /// and commits what it leaves, recomputing derived fields and stamping `last_updated`.
    /// Nothing is written when `change` throws. `mustExist` refuses before creating anything.
    /// `replaceCorrupt` lets `change` start from nothing when the current file cannot be read; the
    /// unreadable file then does not displace the last good `.bak`.
    @discardableResult
    public func mutate<Result>(
        _ spec: SpecID, mustExist: Bool = true, replaceCorrupt: Bool = false, now: () -> Timestamp,
        _ change: (inout StatusFile?, Timestamp) throws(TrackerError) -> Result
    ) throws(TrackerError) -> (status: StatusFile, result: Result) {
        let path = statusPath(spec)
        if mustExist, !Self.exists(path) {
            throw missingStatusFile(spec)
        }
        if Self.isDirectory(path) {
            throw TrackerError(.writeFailed, "\(display(path)) is a directory; move it away and retry")
        }
        try ensureExecutionDirectory()
        let lock = try acquireLock(spec)
        defer { close(lock) }

        var current: StatusFile? = nil
        var keepBackup = true
        var previousSize = 0
        if let bytes = try readIfPresent(path) {
            previousSize = bytes.count
            do {
                current = try decode(bytes, spec: spec)
            } catch where replaceCorrupt && error.kind == .corruptFile {
                keepBackup = false
            }
        } else if mustExist {
            throw missingStatusFile(spec)
        }
        let stamp = now()
        let result = try change(&current, stamp)
        guard var updated = current else {
            throw TrackerError(.precondition, "nothing to write for \(spec)")
        }
        updated.lastUpdated = stamp
        updated.recomputeDerivedFields()
        try commit(updated.jsonBytes(capacity: previousSize + 4096), spec: spec, keepBackup: keepBackup)
        removeStaleTempFiles(spec, now: stamp)
        return (updated, result)
    }

    func ensureExecutionDirectory() throws(TrackerError) {
        try createDirectories(executionDirectory)
        guard Self.isDirectory(executionDirectory) else {
            throw TrackerError(.writeFailed, "\(display(executionDirectory)) exists but is not a directory")
        }
    }

    /// An exclusive `flock` on `<SPEC>.json.lock`, waited for until the timeout (exit 7).
    func acquireLock(_ spec: SpecID) throws(TrackerError) -> Int32 {
        let fd = open(lockPath(spec), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TrackerError(.writeFailed, "cannot open lock file \(display(lockPath(spec))): \(Self.lastError())")
        }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return fd }
        // Wait in the kernel's queue rather than polling: pollers starve the writers that have
        // waited longest (32 concurrent writers hit the timeout with polling). An interval timer
        // interrupts the blocking flock when the timeout is up.
        let deadline = SystemClock.monotonic() + lockTimeoutSeconds
        var locked = false
        var failure: Int32 = 0
        withLockTimer {
            while !locked {
                let left = deadline - SystemClock.monotonic()
                guard left > 0 else { break }
                Self.armTimer(seconds: left)
                if flock(fd, LOCK_EX) == 0 {
                    locked = true
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
            Self.armTimer(seconds: 0)
        }
        guard locked else {
            close(fd)
            if failure != 0 {
                throw TrackerError(.writeFailed, "cannot lock \(display(lockPath(spec))): \(String(cString: strerror(failure)))")
            }
            throw TrackerError(.lockTimeout, "waited more than \(lockTimeoutSeconds)s for the lock on \(display(lockPath(spec))) "
                + "(other writers hold or queue for it); retry, or raise EXECTRACK_LOCK_TIMEOUT")
        }
        return fd
    }

    /// Runs `body` with SIGALRM unblocked and handled by a no-op installed without SA_RESTART, so
    /// the timer interrupts a blocking call; the previous handler and mask are put back after.
    private func withLockTimer(_ body: () -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previousAction = sigaction()
        sigaction(SIGALRM, &action, &previousAction)
        var alarm = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &alarm, &previousMask)
        body()
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        sigaction(SIGALRM, &previousAction, nil)
    }

    private static func armTimer(seconds: Double) {
        let whole = Int(seconds)
        var timer = itimerval()
        timer.it_value.tv_sec = whole
        timer.it_value.tv_usec = Int(((seconds - Double(whole)) * 1_000_000).rounded(.up))
        if whole == 0, timer.it_value.tv_usec == 0, seconds > 0 { timer.it_value.tv_usec = 1 }
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    /// Writes `content` as the new status file, keeping the current one as `.bak` (DESIGN §10: the
    /// `.bak` first, then the rename). Should the rename fail, the previous `.bak` is put back,
    /// so both files are as they were.
    func commit(_ content: [UInt8], spec: SpecID, keepBackup: Bool = true) throws(TrackerError) {
        let path = statusPath(spec)
        let backup = backupPath(spec)
        var previousBackup: String?
        var createdBackup = false
        do {
            try writeAtomically(content, to: path) { () throws(TrackerError) in
                guard keepBackup, Self.exists(path), let staged = try self.stageBackup(of: path, spec: spec) else { return }
                if Self.exists(backup) {
                    let keep = "\(executionDirectory)/\(tempPrefix(spec))\(getpid()).\(SystemClock.uniqueSuffix()).prev"
                    if link(backup, keep) == 0 { previousBackup = keep }
                } else {
                    createdBackup = true
                }
                guard rename(staged, backup) == 0 else {
                    let message = Self.lastError()
                    unlink(staged)
                    throw TrackerError(.writeFailed, "cannot replace \(display(backup)): \(message); the status file is unchanged")
                }
            }
        } catch {
            if let previousBackup {
                rename(previousBackup, backup)
            } else if createdBackup {
                unlink(backup)
            }
            throw error
        }
        if let previousBackup { unlink(previousBackup) }
    }

    /// Writes an export (metrics, JUnit, ...) atomically: readers never see half a file. A relative
    /// path is taken from the working directory, as users expect of `--output`.
    public func writeArtifact(_ text: String, to path: String) throws(TrackerError) {
        try createParentDirectories(of: path)
        try writeAtomically(Array(text.utf8), to: path) { () throws(TrackerError) in }
    }

    /// `mkdir -p` of a file's directory, so `--output out/junit.xml` works in a fresh checkout.
    func createParentDirectories(of path: String) throws(TrackerError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        try createDirectories(String(path[..<slash]))
    }

    /// `mkdir -p`.
    func createDirectories(_ directory: String) throws(TrackerError) {
        var dir = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            dir += "/" + component
            if !Self.isDirectory(dir), mkdir(dir, 0o755) != 0, errno != EEXIST {
                throw TrackerError(.writeFailed, "cannot create \(display(dir)): \(Self.lastError())")
            }
        }
    }

    /// Temp file in the target's directory, fsync, `beforeReplace` (the `.bak` step), rename,
    /// directory fsync. On failure the target is as it was and the temp file is gone.
    func writeAtomically(_ content: [UInt8], to path: String,
                         beforeReplace: () throws(TrackerError) -> Void) throws(TrackerError) {
        var mode: mode_t = 0o644
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw TrackerError(.writeFailed, "\(display(path)) is a directory; move it away and retry")
            }
            guard st.st_mode & S_IWUSR != 0 else {
                throw TrackerError(.writeFailed, "\(display(path)) is read-only; make it writable (chmod u+w) and retry")
            }
            mode = st.st_mode & 0o777
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temp = "\(directory)/.\(base).tmp.\(getpid()).\(SystemClock.uniqueSuffix())"
        let fd = injectedFailure(.createTemp) ? -1 : open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw TrackerError(.writeFailed, "cannot write in \(display(directory)): \(Self.lastError())")
        }
        func fail(_ what: String) -> TrackerError {
            let message = TrackerError(.writeFailed, "\(what) \(display(path)) failed: \(Self.lastError()); "
                + "\(display(path)) is unchanged")
            unlink(temp)
            return message
        }
        var written = 0
        while written < content.count {
            let n = injectedFailure(.write) ? -1 : content.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                errno = code
                throw fail("writing")
            }
            written += n
        }
        guard !injectedFailure(.sync), fsync(fd) == 0 else {
            let code = errno
            close(fd)
            errno = code
            throw fail("syncing")
        }
        close(fd)
        do {
            try beforeReplace()
        } catch {
            unlink(temp)
            throw error
        }
        guard !injectedFailure(.replace), rename(temp, path) == 0 else { throw fail("replacing") }
        let dir = open(directory, O_RDONLY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    /// `restore`: under the lock, the `.bak` becomes the status file and the current file becomes
    /// the `.bak` — the ordinary commit, with the backup's bytes as the new content. A `.bak`
    /// that cannot be read is refused (exit 4) and nothing changes.
    public func restoreBackup(_ spec: SpecID) throws(TrackerError) -> StatusFile {
        guard Self.exists(backupPath(spec)) else {
            throw TrackerError(.notFound, "no backup to restore: \(display(backupPath(spec))) does not exist")
        }
        try ensureExecutionDirectory()
        let lock = try acquireLock(spec)
        defer { close(lock) }
        guard let bytes = try readIfPresent(backupPath(spec)) else {
            throw TrackerError(.notFound, "no backup to restore: \(display(backupPath(spec))) does not exist")
        }
        let restored: StatusFile
        do {
            restored = try StatusFile(jsonBytes: bytes, defaultFeature: spec.rawValue)
        } catch {
            throw TrackerError(.corruptFile, "\(display(backupPath(spec))) is not a valid status file either (\(error)); nothing was changed")
        }
        try commit(bytes, spec: spec)
        return restored
    }

    /// Stages the current file as the next `.bak` under a temp name: a hard link (no copy) where
    /// the filesystem allows, else a copy.
    func stageBackup(of path: String, spec: SpecID) throws(TrackerError) -> String? {
        let staged = "\(executionDirectory)/\(tempPrefix(spec))\(getpid()).\(SystemClock.uniqueSuffix()).bak"
        if injectedFailure(.backup) {
            throw TrackerError(.writeFailed, "cannot write \(display(backupPath(spec))): \(Self.lastError()); the status file is unchanged")
        }
        if link(path, staged) != 0 {
            guard let bytes = try readIfPresent(path) else { return nil }
            try writeAtomically(bytes, to: staged) { () throws(TrackerError) in }
        }
        return staged
    }

    /// Temp files older than a minute were left by a writer that died mid-write.
    func removeStaleTempFiles(_ spec: SpecID, now: Timestamp) {
        let prefix = tempPrefix(spec)
        for name in Self.directoryEntries(executionDirectory) where name.hasPrefix(prefix) {
            let path = "\(executionDirectory)/\(name)"
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if now.millisecondsSinceEpoch / 1000 - Int64(st.st_mtim.tv_sec) > 60 { unlink(path) }
        }
    }

    // MARK: - Plain files (demo projects)

    /// Creates a fresh directory under the system temp directory.
    public static func makeTemporaryDirectory(prefix: String) throws(TrackerError) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw TrackerError(.writeFailed, "cannot create a temporary directory in \(base): \(lastError())")
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes a directory and everything in it (demo projects). Symbolic links are removed, not followed.
    public static func removeTree(_ path: String) throws(TrackerError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in directoryEntries(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw TrackerError(.writeFailed, "cannot remove \(path): \(lastError())") }
        } else if unlink(path) != 0 {
            throw TrackerError(.writeFailed, "cannot remove \(path): \(lastError())")
        }
    }

    /// Writes a text file under the root, creating its directories (used to set up demo projects).
    public func writeProjectFile(_ relativePath: String, _ text: String) throws(TrackerError) {
        let path = root + "/" + relativePath
        try createParentDirectories(of: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TrackerError(.writeFailed, "cannot write \(path): \(Self.lastError())") }
        defer { close(fd) }
        let ok = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        guard ok else { throw TrackerError(.writeFailed, "cannot write \(path): \(Self.lastError())") }
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
