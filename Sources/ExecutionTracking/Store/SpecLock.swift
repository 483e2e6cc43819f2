import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A held lock on `<SPEC>.json.lock`, and what the holder saw of the status file.
final class SpecLock {
    let fd: Int32
    let path: String
    /// Set when `mayPublish` found the lock or the status file changed under it.
    private(set) var lost = false
    private var statusPlace: FileSystem.Info.Place?

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Whether the file locked through `fd` is still the one at `path`. It is not once someone deleted or
    /// replaced it while held (`git clean -X`, a "stale lock" cleanup); another writer may then
    /// have locked a new file at the name.
    static func isHeld(_ fd: Int32, at path: String) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_nlink > 0 else { return false }
        return FileSystem.linkInfo(path)?.place == FileSystem.Info(st).place
    }

    /// Remembers which status file the holder read (nil: none was there).
    func noteStatusFile(_ statusPath: String) {
        statusPlace = FileSystem.linkInfo(statusPath)?.place
    }

    /// Asked just before a write publishes: true while the lock still holds and the status file
    /// is the one read (a hand edit by `mv` also replaces it). When false, nothing was published
    /// and `StatusStore.withLock` runs the write again.
    func mayPublish(_ statusPath: String) -> Bool {
        lost = !Self.isHeld(fd, at: path) || FileSystem.linkInfo(statusPath)?.place != statusPlace
        return !lost
    }
}

extension StatusStore {
    /// Runs `body` holding the spec's exclusive lock: every write of a spec's files happens
    /// inside it (docs/reliability.md, "The write protocol"). A body that finds, before it
    /// publishes, that the lock or the status file changed under it (`SpecLock.mayPublish`) has
    /// published nothing, and runs again until the lock timeout.
    func withLock<T>(_ spec: SpecID, _ body: (SpecLock) throws(TrackerError) -> T) throws(TrackerError) -> T {
        if let lockTimeoutProblem { throw lockTimeoutProblem }
        try ensureExecutionDirectory()
        let deadline = SystemClock.monotonic() + lockTimeoutSeconds
        while true {
            let lock = SpecLock(fd: try acquireLock(spec, until: deadline), path: lockPath(spec))
            lock.noteStatusFile(statusPath(spec))
            defer { close(lock.fd) }
            do {
                return try body(lock)
            } catch where lock.lost {
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
            if SpecLock.isHeld(fd, at: path) { return fd }
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
