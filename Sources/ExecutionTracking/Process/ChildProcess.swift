import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A command exectrack runs for the user (a notification rule; docs/notifications.md, "How a
/// command runs"): started with `posix_spawn` in a process group of its own, without a shell,
/// given `stdin`, its stdout and stderr kept (the tail) rather than mixed into ours.
public struct ChildCommand: Sendable {
    public var argv: [String]
    /// Set on top of the caller's environment.
    public var environment: [(String, String)]
    public var stdin: [UInt8]
    public var timeoutSeconds: Double
    /// Where it runs: relative paths in its argv are relative to this.
    public var directory: String

    public init(argv: [String], environment: [(String, String)] = [], stdin: [UInt8] = [], timeoutSeconds: Double, directory: String) {
        self.argv = argv
        self.directory = directory
        self.environment = environment
        self.stdin = stdin
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct ChildOutcome: Equatable, Sendable {
    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed, with its whole process group, when its time was up.
        case timedOut
        /// `posix_spawn` failed: the reason (`command not found: foo`).
        case notStarted(String)
    }

    public var ending: Ending
    /// The last `ChildProcess.outputTail` bytes of stdout and stderr together.
    public var output: [UInt8]
    public var durationMs: Int64

    public var succeeded: Bool { ending == .exited(0) }

    /// `exit 7`, `killed by signal 9`, `timed out after 5s`, `command not found: foo`.
    public func reason(timeoutSeconds: Double) -> String {
        switch ending {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out after \(StatusStore.seconds(timeoutSeconds)) (its process group was killed)"
        case .notStarted(let why): why
        }
    }
}

public enum ChildProcess {
    public static let outputTail = 4096

    /// Runs `commands` side by side and returns when each has ended or been killed at its timeout:
    /// the caller waits no longer than the longest timeout.
    public static func run(_ commands: [ChildCommand]) -> [ChildOutcome] {
        // A command that exits without reading its stdin must not kill us with SIGPIPE; an
        // ignored SIGCHLD (inherited across exec) would reap children before waitpid sees them.
        let previousPipe = setHandler(SIGPIPE, SIG_IGN)
        let previousChild = setHandler(SIGCHLD, SIG_DFL)
        defer {
            var pipe = previousPipe, child = previousChild
            sigaction(SIGPIPE, &pipe, nil)
            sigaction(SIGCHLD, &child, nil)
        }

        let began = SystemClock.monotonic()
        var running = commands.map { Running(spawn($0), deadline: began + $0.timeoutSeconds) }
        while running.contains(where: { $0.outcome == nil }) {
            var fds: [pollfd] = []
            var owners: [(index: Int, isInput: Bool)] = []
            for (i, child) in running.enumerated() where child.outcome == nil {
                if child.output >= 0 { fds.append(pollfd(fd: child.output, events: Int16(POLLIN), revents: 0)); owners.append((i, false)) }
                if child.input >= 0 { fds.append(pollfd(fd: child.input, events: Int16(POLLOUT), revents: 0)); owners.append((i, true)) }
            }
            let nextDeadline = running.filter { $0.outcome == nil }.map { $0.deadline }.min()!
            let wait = max(0, min(0.02, nextDeadline - SystemClock.monotonic()))
            if poll(&fds, nfds_t(fds.count), Int32((wait * 1000).rounded(.up))) > 0 {
                for (k, fd) in fds.enumerated() where fd.revents != 0 {
                    if owners[k].isInput { running[owners[k].index].feedInput() } else { running[owners[k].index].readOutput() }
                }
            }
            let now = SystemClock.monotonic()
            for i in running.indices where running[i].outcome == nil {
                running[i].checkEnded(now: now, since: began)
            }
        }
        return running.map { $0.outcome! }
    }

    private static func spawn(_ command: ChildCommand) -> Spawned {
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard makePipe(&input) else { return .failed("cannot make a pipe: \(FileSystem.lastError())") }
        guard makePipe(&output) else {
            close(input[0]); close(input[1])
            return .failed("cannot make a pipe: \(FileSystem.lastError())")
        }
        let started = start(command, stdin: input[0], stdout: output[1], stderr: output[1])
        close(input[0])
        close(output[1])
        guard case .success(let pid) = started else {
            close(input[1]); close(output[0])
            if case .failure(let why) = started { return .failed(why.message) }
            return .failed("cannot start \(command.argv[0])")
        }
        _ = fcntl(input[1], F_SETFL, O_NONBLOCK)
        _ = fcntl(output[0], F_SETFL, O_NONBLOCK)
        return .started(pid: pid, input: input[1], output: output[0], stdin: command.stdin)
    }

    /// Starts `command` with its stdin, stdout and stderr on /dev/null and does not wait for it:
    /// it goes on after we exit (the hook hands its notifications to such a process). Its
    /// timeout is not enforced. Returns why it could not start, or nil.
    public static func startDetached(_ command: ChildCommand) -> String? {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { return "cannot open /dev/null: \(FileSystem.lastError())" }
        defer { close(null) }
        // Ignored SIGCHLD: the kernel reaps it should it end before we do.
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigaction(SIGCHLD, &ignore, nil)
        guard case .failure(let why) = start(command, stdin: null, stdout: null, stderr: null) else { return nil }
        return why.message
    }

    /// posix_spawn of `command` in a process group of its own, with default signal handling,
    /// no blocked signals and the given descriptors as its stdio.
    private static func start(_ command: ChildCommand, stdin: Int32, stdout: Int32, stderr: Int32) -> Result<pid_t, FieldProblem> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (so a timeout kills everything it started), default signal
        // handling and no blocked signals, whatever ours are.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)

        let argv = command.argv.map { strdup($0) } + [nil]
        let overridden = Set(command.environment.map { $0.0 })
        let inherited = inheritedEnvironment().filter { entry in !overridden.contains(String(entry.prefix { $0 != "=" })) }
        let envp = (inherited + command.environment.map { "\($0.0)=\($0.1)" }).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child starts in `directory`: ours changes around the spawn (posix_spawn's own chdir
        // action is not in every C library), and goes back at once.
        let previous = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard previous >= 0, chdir(command.directory) == 0 else {
            if previous >= 0 { close(previous) }
            return .failure(FieldProblem("cannot enter \(command.directory): \(FileSystem.lastError())"))
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, command.argv[0], &actions, &attributes, argv, envp)
        _ = fchdir(previous)
        close(previous)
        guard status == 0 else {
            let why = status == ENOENT ? "command not found: \(command.argv[0])"
                : status == EACCES ? "permission denied running \(command.argv[0])"
                : "cannot start \(command.argv[0]): \(String(cString: strerror(status)))"
            return .failure(FieldProblem(SecretMask.mask(why.singleLine)))
        }
        return .success(pid)
    }

    /// Sets `signal`'s handler; returns the one it had.
    private static func setHandler(_ signal: Int32, _ handler: __sighandler_t?) -> sigaction {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        sigaction(signal, &action, &previous)
        return previous
    }

    /// A pipe whose ends are closed on exec (the child gets only what `dup2` gives it).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    private static func inheritedEnvironment() -> [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }

    private enum Spawned {
        case started(pid: pid_t, input: Int32, output: Int32, stdin: [UInt8])
        case failed(String)
    }

    /// One child while it runs: what is left to write to its stdin, what it wrote so far.
    private struct Running {
        var pid: pid_t = 0
        var input: Int32 = -1
        var output: Int32 = -1
        var pending: ArraySlice<UInt8> = []
        var tail: [UInt8] = []
        let deadline: Double
        var outcome: ChildOutcome?

        init(_ spawned: Spawned, deadline: Double) {
            self.deadline = deadline
            switch spawned {
            case .started(let pid, let input, let output, let stdin):
                self.pid = pid
                self.input = input
                self.output = output
                pending = stdin[...]
                if pending.isEmpty { closeInput() }
            case .failed(let why):
                outcome = ChildOutcome(ending: .notStarted(why), output: [], durationMs: 0)
            }
        }

        mutating func feedInput() {
            while !pending.isEmpty {
                let n = pending.withUnsafeBytes { write(input, $0.baseAddress!, $0.count) }
                if n > 0 { pending = pending.dropFirst(n); continue }
                if n < 0, errno == EINTR { continue }
                if n < 0, errno == EAGAIN { return }
                break  // EPIPE: it does not read its stdin
            }
            closeInput()
        }

        /// Reads what is there, at most 256 KiB a call, so a command that writes without end
        /// cannot keep the caller past its deadline.
        mutating func readOutput() {
            var buffer = [UInt8](repeating: 0, count: 16_384)
            for _ in 0..<16 {
                let n = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
                if n > 0 {
                    tail += buffer[..<n]
                    if tail.count > ChildProcess.outputTail { tail.removeFirst(tail.count - ChildProcess.outputTail) }
                    continue
                }
                if n < 0, errno == EINTR { continue }
                if n < 0, errno == EAGAIN { return }
                close(output)
                output = -1
                return
            }
        }

        mutating func closeInput() {
            if input >= 0 { close(input) }
            input = -1
            pending = []
        }

        /// Reaps the child when it has ended, or kills its group when its time is up.
        mutating func checkEnded(now: Double, since start: Double) {
            var status: Int32 = 0
            var ending: ChildOutcome.Ending?
            if waitpid(pid, &status, WNOHANG) == pid {
                ending = Self.decode(status)
            } else if now >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                ending = .timedOut
            }
            guard let ending else { return }
            // What it wrote before it ended; a descendant left behind may hold the pipe open,
            // so this reads what is there without waiting for the end.
            if output >= 0 { readOutput() }
            if output >= 0 { close(output) }
            output = -1
            closeInput()
            outcome = ChildOutcome(ending: ending, output: tail, durationMs: Int64(((now - start) * 1000).rounded()))
        }

        private static func decode(_ status: Int32) -> ChildOutcome.Ending {
            let signal = status & 0x7f
            return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }
    }
}
