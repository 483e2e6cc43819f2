import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One write of a spec's files, in the shape of git's lockfile: it holds the spec's lock
/// (`StatusStore.write` takes it and hands the object to the body) and ends in commit or rollback.
/// Each `commit…` method writes its new content to a temp file, checks that the lock and the
/// status file are still the ones taken (`mayPublish`), and renames the temp file into place;
/// when anything fails, what was staged is removed and the files are as they were. Every write
/// under `.claude/execution/` goes through one (docs/reliability.md, "The write protocol").
final class SpecWrite {
    let spec: SpecID
    let store: StatusStore
    fileprivate let fd: Int32
    fileprivate let lockPath: String
    /// Set when `mayPublish` found the lock or the status file changed under it.
    private(set) var lost = false
    private var statusPlace: FileSystem.Info.Place?

    fileprivate init(spec: SpecID, store: StatusStore, fd: Int32) {
        self.spec = spec
        self.store = store
        self.fd = fd
        lockPath = store.lockPath(spec)
        statusPlace = FileSystem.linkInfo(store.statusPath(spec))?.place
    }

    /// Whether the file locked through `fd` is still the one at `path`. It is not once someone deleted or
    /// replaced it while held (`git clean -X`, a "stale lock" cleanup); another writer may then
    /// have locked a new file at the name.
    fileprivate static func isHeld(_ fd: Int32, at path: String) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_nlink > 0 else { return false }
        return FileSystem.linkInfo(path)?.place == FileSystem.Info(st).place
    }

    /// Asked just before a write publishes: true while the lock still holds and the status file
    /// is the one read (a hand edit by `mv` also replaces it). When false, nothing was published
    /// and `StatusStore.write` runs the write again.
    func mayPublish() -> Bool {
        lost = !Self.isHeld(fd, at: lockPath) || FileSystem.linkInfo(store.statusPath(spec))?.place != statusPlace
        return !lost
    }

    /// Thrown by a commit that found the lock lost; `StatusStore.write` runs the body again.
    private var lostLock: TrackerError { TrackerError(.lockTimeout, "the lock or the status file changed while held") }

    /// Writes `content` as the new status file, keeping the current one as `.bak` (the `.bak`
    /// first, then the rename). Should the rename fail, the previous `.bak` is put back, so both
    /// files are as they were.
    func commitStatus(_ content: [UInt8], keepBackup: Bool = true) throws(TrackerError) {
        let path = store.statusPath(spec)
        let backup = store.backupPath(spec)
        var previousBackup: String?
        var createdBackup = false
        do {
            try FileSystem.writeAtomically(content, to: path, shown: store.display, faults: store.faults) { () throws(TrackerError) in
                guard mayPublish() else { throw lostLock }
                guard keepBackup, FileSystem.linkInfo(path)?.isRegular == true,
                      let staged = try self.stageBackup(of: path) else { return }
                if FileSystem.linkInfo(backup) != nil {
                    let keep = FileSystem.tempPath(for: backup, role: "prev")
                    if link(backup, keep) == 0 { previousBackup = keep }
                } else {
                    createdBackup = true
                }
                guard rename(staged, backup) == 0 else {
                    let message = FileSystem.lastError()
                    unlink(staged)
                    throw TrackerError(.writeFailed, "cannot replace \(store.display(backup)): \(message); the status file is unchanged")
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

    /// Stages the current file as the next `.bak` under a temp name: a hard link (no copy) where
    /// the filesystem allows, else a copy.
    private func stageBackup(of path: String) throws(TrackerError) -> String? {
        let staged = FileSystem.tempPath(for: path, role: "bak")
        if store.faults.fails(.backup) {
            throw TrackerError(.writeFailed, "cannot write \(store.display(store.backupPath(spec))): \(FileSystem.lastError()); the status file is unchanged")
        }
        if link(path, staged) != 0 {
            guard let bytes = try store.readStatusBytes(path) else { return nil }
            try FileSystem.writeAtomically(bytes, to: staged, shown: store.display)
        }
        return staged
    }

    /// Writes `bytes` as the next free archive name of the day in `archive/`, where no later
    /// write rotates it away.
    func commitArchive(_ bytes: [UInt8], now: Timestamp) throws(TrackerError) -> String {
        guard mayPublish() else { throw lostLock }
        let directory = store.archiveDirectory
        try FileSystem.createDirectories(directory, shown: store.display)
        let stamp = now.iso8601
        let day = stamp.prefix(10).filter { $0 != "-" }
        let time = stamp.dropFirst(11).prefix(8).filter { $0 != ":" }
        var candidates = ["\(spec)-\(day).json", "\(spec)-\(day)-\(time).json"]
        candidates += (2...99).map { "\(spec)-\(day)-\(time)-\($0).json" }
        guard let name = candidates.first(where: { FileSystem.linkInfo("\(directory)/\($0)") == nil }) else {
            throw TrackerError(.precondition, "too many archives of \(spec) this second in \(store.display(directory))")
        }
        let target = "\(directory)/\(name)"
        try FileSystem.replaceFile(bytes, at: target, cleaning: .all, nowSeconds: now.millisecondsSinceEpoch / 1000, shown: store.display)
        return target
    }

    /// `archive --remove`: the status file becomes the `.bak`, so `restore` brings it back.
    func commitStatusToBackup() throws(TrackerError) {
        guard mayPublish() else { throw lostLock }
        guard rename(store.statusPath(spec), store.backupPath(spec)) == 0 else {
            throw TrackerError(.writeFailed, "cannot move \(store.display(store.statusPath(spec))) "
                + "to \(store.display(store.backupPath(spec))): \(FileSystem.lastError())")
        }
        FileSystem.syncDirectory(store.executionDirectory)
    }

    /// A file made from the spec (an export), replaced atomically. `cleaning` says which stale
    /// temp files of the directory to remove: all of them in `.claude/execution/`, only this
    /// file's elsewhere.
    func commitFile(_ bytes: [UInt8], at path: String, cleaning: FileSystem.TempScope, now: Timestamp) throws(TrackerError) {
        guard mayPublish() else { throw lostLock }
        try FileSystem.replaceFile(bytes, at: path, cleaning: cleaning, nowSeconds: now.millisecondsSinceEpoch / 1000, shown: store.display)
    }
}

extension StatusStore {
    /// Runs `body` with a `SpecWrite` holding the spec's exclusive lock: every write of a spec's
    /// files happens inside it (docs/reliability.md, "The write protocol"). A body whose commit
    /// found that the lock or the status file changed under it (`SpecWrite.mayPublish`) has
    /// published nothing, and runs again until the lock timeout.
    func write<T>(_ spec: SpecID, _ body: (SpecWrite) throws(TrackerError) -> T) throws(TrackerError) -> T {
        if let lockTimeoutProblem { throw lockTimeoutProblem }
        try ensureExecutionDirectory()
        let deadline = SystemClock.monotonic() + lockTimeoutSeconds
        while true {
            let write = SpecWrite(spec: spec, store: self, fd: try acquireLock(spec, until: deadline))
            defer { close(write.fd) }
            do {
                return try body(write)
            } catch where write.lost {
                guard SystemClock.monotonic() < deadline else {
                    throw TrackerError(.lockTimeout, "\(display(lockPath(spec))) or \(display(statusPath(spec))) kept being "
                        + "replaced while held for \(Self.seconds(lockTimeoutSeconds)); nothing was written. Retry")
                }
            }
        }
    }

    /// `1.5s`, `10s`, `0.001s`: a timeout as people write it.
    static func seconds(_ value: Double) -> String {
        let millis = Int64((value * 1000).rounded())
        return millis % 1000 == 0 ? "\(millis / 1000)s" : "\(Double(millis) / 1000)s"
    }

    /// An exclusive `flock` on `<SPEC>.json.lock`, waited for until `deadline` (exit 7). The lock
    /// file is opened without following a symlink (a planted link must not make us create a file
    /// elsewhere) and must be a regular file. A lock taken on a file that was meanwhile deleted or
    /// replaced guards nothing, so it is taken again.
    private func acquireLock(_ spec: SpecID, until deadline: Double) throws(TrackerError) -> Int32 {
        let path = lockPath(spec)
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
            guard fd >= 0 else {
                if errno == ELOOP {
                    throw TrackerError(.writeFailed, "\(display(path)) is a symlink; exectrack never follows one at a lock file. Remove it and retry")
                }
                throw TrackerError(.writeFailed, "cannot open lock file \(display(path)): \(FileSystem.lastError())")
            }
            var st = stat()
            guard fstat(fd, &st) == 0, FileSystem.Info(st).isRegular else {
                close(fd)
                throw TrackerError(.writeFailed, "\(display(path)) is \(FileSystem.Info(st).kindName), not a lock file; remove it and retry")
            }
            do throws(TrackerError) {
                try waitForLock(fd, until: deadline, path: path)
            } catch {
                close(fd)
                throw error
            }
            if SpecWrite.isHeld(fd, at: path) { return fd }
            close(fd)
        }
    }

    /// Waits in the kernel's queue rather than polling: pollers starve the writers that have
    /// waited longest (32 concurrent writers hit the timeout with polling). An interval timer
    /// interrupts the blocking flock when the timeout is up.
    private func waitForLock(_ fd: Int32, until deadline: Double, path: String) throws(TrackerError) {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
        var locked = false
        var failure: Int32 = 0
        Self.withLockTimer {
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
            if failure != 0 {
                throw TrackerError(.writeFailed, "cannot lock \(display(path)): \(String(cString: strerror(failure)))")
            }
            throw TrackerError(.lockTimeout, "waited more than \(Self.seconds(lockTimeoutSeconds)) for the lock on \(display(path)) "
                + "(other writers hold or queue for it); retry, or raise EXECTRACK_LOCK_TIMEOUT")
        }
    }

    /// Runs `body` with SIGALRM unblocked and handled by a no-op installed without SA_RESTART, so
    /// the timer interrupts a blocking call; the previous handler and mask are put back after.
    private static func withLockTimer(_ body: () -> Void) {
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

    /// `seconds` is at most `Limits.maxLockTimeoutSeconds`, so the conversion cannot overflow.
    private static func armTimer(seconds: Double) {
        let whole = Int(min(seconds, Limits.maxLockTimeoutSeconds))
        var timer = itimerval()
        timer.it_value.tv_sec = whole
        timer.it_value.tv_usec = Int(((seconds - Double(whole)) * 1_000_000).rounded(.up)).clamped(to: 0...999_999)
        if whole == 0, timer.it_value.tv_usec == 0, seconds > 0 { timer.it_value.tv_usec = 1 }
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }
}
