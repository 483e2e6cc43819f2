import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one lock of exectrack: an exclusive `flock` on a lock file beside what it guards, waited
/// for in the kernel's queue up to a deadline. Every spec write (`StatusStore.write`) and every
/// write of tool state (`StatusStore.withLock`) takes it (docs/reliability.md, "The write protocol").
enum FileLock {
    /// Whether the file locked through `fd` is still the one at `path`. It is not once someone deleted or
    /// replaced it while held (`git clean -X`, a "stale lock" cleanup); another writer may then
    /// have locked a new file at the name.
    static func isHeld(_ fd: Int32, at path: String) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_nlink > 0 else { return false }
        return FileSystem.linkInfo(path)?.place == FileSystem.Info(st).place
    }

    /// An exclusive `flock` on the lock file at `path` (`<SPEC>.json.lock`, `notify-state.json.lock`),
    /// waited for until `deadline` (exit 7). The lock file is opened without following a symlink
    /// (a planted link must not make us create a file elsewhere) and must be a regular file. A
    /// lock taken on a file that was meanwhile deleted or replaced guards nothing, so it is taken
    /// again. Returns the descriptor; closing it releases the lock.
    static func acquire(_ path: String, shownAs shown: String, until deadline: Double, timeoutSeconds: Double) throws(TrackerError) -> Int32 {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
            guard fd >= 0 else {
                if errno == ELOOP {
                    throw TrackerError(.writeFailed, "\(shown) is a symlink; exectrack never follows one at a lock file. Remove it and retry")
                }
                throw TrackerError(.writeFailed, "cannot open lock file \(shown): \(FileSystem.lastError())")
            }
            var st = stat()
            guard fstat(fd, &st) == 0, FileSystem.Info(st).isRegular else {
                close(fd)
                throw TrackerError(.writeFailed, "\(shown) is \(FileSystem.Info(st).kindName), not a lock file; remove it and retry")
            }
            do throws(TrackerError) {
                try waitForLock(fd, until: deadline, shown: shown, timeoutSeconds: timeoutSeconds)
            } catch {
                close(fd)
                throw error
            }
            if isHeld(fd, at: path) { return fd }
            close(fd)
        }
    }

    /// Waits in the kernel's queue rather than polling: pollers starve the writers that have
    /// waited longest (32 concurrent writers hit the timeout with polling). An interval timer
    /// interrupts the blocking flock when the timeout is up.
    private static func waitForLock(_ fd: Int32, until deadline: Double, shown: String, timeoutSeconds: Double) throws(TrackerError) {
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
                throw TrackerError(.writeFailed, "cannot lock \(shown): \(String(cString: strerror(failure)))")
            }
            throw TrackerError(.lockTimeout, "waited more than \(StatusStore.seconds(timeoutSeconds)) for the lock on \(shown) "
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

extension StatusStore {
    /// Runs `body` holding the lock `<path>.lock` (waiting at most `timeoutSeconds`), for tool
    /// state that several processes update: notification cooldowns, trusted rules.
    func withLock<T>(_ path: String, timeoutSeconds: Double, _ body: () throws(TrackerError) -> T) throws(TrackerError) -> T {
        let lock = path + ".lock"
        let fd = try FileLock.acquire(lock, shownAs: display(lock), until: SystemClock.monotonic() + timeoutSeconds, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        return try body()
    }
}
