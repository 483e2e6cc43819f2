import ExecutionCore
import ExecutionTracking

/// A verb of the command line: its spec (arguments and help) and what it runs.
protocol Subcommand {
    /// The command's name and aliases, which its `spec` is made with. Kept apart from `spec` so
    /// that finding the command makes no other command's spec: making one instantiates the
    /// generic types of its options, 20,000 to 150,000 instructions each (docs/benchmarks.md).
    static var name: String { get }
    static var aliases: [String] { get }
    static var spec: CommandSpec { get }
    /// Returns the exit code; failures are thrown as `TrackerError`.
    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32
}

extension Subcommand {
    static var aliases: [String] { [] }
}

/// What every command needs: the tracker over the project's store.
struct Context {
    let tracker: Tracker
    var store: StatusStore { tracker.store }
    let notifySettings: NotifySettings

    /// An empty `--root` or `EXECTRACK_ROOT` counts as not given; one that is given must exist.
    init(_ arguments: ParsedArguments) throws(TrackerError) {
        var given = arguments.spec.takesRoot ? try arguments.read(CommonOptions.root) : nil
        if given?.isEmpty != false { given = Console.environment("EXECTRACK_ROOT") }
        if given?.isEmpty == true { given = nil }
        if let given { try StatusStore.checkRoot(given) }
        let discovered = given.map { StatusStore.DiscoveredRoot(root: $0, worktree: $0) }
            ?? StatusStore.discoverRoot(from: StatusStore.currentDirectory())
        // A hook prints nothing, whatever it finds.
        if let warning = discovered.warning, arguments.spec.name != "hook" { Console.message("exectrack: warning: \(warning)") }
        let root = discovered.root
        var store = StatusStore(root: root)
        store.worktree = discovered.worktree
        if let text = Console.environment("EXECTRACK_LOCK_TIMEOUT"), !text.isEmpty {
            if let seconds = ParsedArguments.decimal(text), seconds <= Limits.maxLockTimeoutSeconds {
                store = StatusStore(root: root, lockTimeoutSeconds: seconds)
            } else {
                store.lockTimeoutProblem = TrackerError(.usage, "EXECTRACK_LOCK_TIMEOUT must be a number of seconds "
                    + "from 0 to \(Int(Limits.maxLockTimeoutSeconds)), got '\(text.prefix(40))'")
            }
        }
        notifySettings = NotifySettings(xdgConfigHome: Console.environment("XDG_CONFIG_HOME"), home: Console.environment("HOME"),
                                        noNotify: Console.environment("EXECTRACK_NO_NOTIFY"))
        store.notifier = Notifier(notifySettings, warn: { Console.message("exectrack: warning: \($0)") })
        tracker = Tracker(store: store)
    }

    /// The command's SPEC argument, resolved to the spec it names (`StatusStore.resolve`).
    func spec(_ arguments: ParsedArguments) throws(TrackerError) -> SpecID {
        try store.resolve(try SpecID(arguments.positional(0) ?? ""))
    }
}

enum CommandLineInterface {
    static let version = "0.1.0"

    static var subcommands: [any Subcommand.Type] { [
        InitCommand.self, ParseCommand.self, UpdateCommand.self, CompleteLayerCommand.self,
        ErrorCommand.self, WarnCommand.self, PauseCommand.self, ResumeCommand.self, BlockCommand.self,
        ReportCommand.self, WatchCommand.self, MetricsCommand.self, ExportCommand.self, NextCommand.self,
        ClaimCommand.self, HeartbeatCommand.self, ReapCommand.self, AgentsCommand.self, HookCommand.self, UsageCommand.self, BudgetCommand.self, GateCommand.self, GatesCommand.self, PublishCommand.self, MergeCommand.self, ListCommand.self, StatsCommand.self, EstimateCommand.self, ValidateCommand.self, RestoreCommand.self, ArchiveCommand.self,
        EventsCommand.self, ReplayCommand.self, NotifyCommand.self, SyncCommand.self, McpCommand.self, SetupCommand.self, CompletionsCommand.self, DemoCommand.self,
    ] }

    static func find(_ name: String) -> (any Subcommand.Type)? {
        subcommands.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Every name a command is found by, for guessing what a mistyped one meant.
    static var commandNames: [String] { subcommands.flatMap { [$0.name] + $0.aliases } }

    static var overview: String {
        var out = """
        exectrack \(version) — execution tracking for layered, agent-driven work

        Usage: exectrack <command> [arguments] [options]

        Commands:

        """
        for command in subcommands {
            out += "  " + pad(command.spec.name, 16) + command.spec.summary + "\n"
        }
        out += """

        Run 'exectrack <command> --help' for a command's arguments and options
        ('exectrack help --json' prints them all as JSON).
        State lives in .claude/execution/<SPEC>.json under the project root.
        Exit codes: 0 ok, 1 usage, 2 not found, 3 invalid status, 4 corrupt file, 5 write error,
        6 precondition failed, 7 lock timeout; watch --exit-on-complete: 8 the spec failed.

        """
        return out
    }

    /// `--root DIR` may also come before the command (`exectrack --root DIR list`); it is moved
    /// after it, where every command accepts it.
    static func run(_ given: [String]) -> Int32 {
        var argv = given
        var leading: [String] = []
        while let first = argv.first, first == "--root" || first.hasPrefix("--root=") {
            guard first != "--root" || argv.count >= 2 else {
                Console.error("--root needs a value (DIR); usage: exectrack --root DIR <command> ...")
                return TrackerError.Kind.usage.rawValue
            }
            leading += argv.prefix(first == "--root" ? 2 : 1)
            argv.removeFirst(first == "--root" ? 2 : 1)
        }
        if !leading.isEmpty {
            guard !argv.isEmpty else {
                Console.error("missing command after --root; run: exectrack --help")
                return TrackerError.Kind.usage.rawValue
            }
            argv.insert(contentsOf: leading, at: 1)
        }
        guard let first = argv.first else {
            Console.error("missing command; run: exectrack --help")
            return TrackerError.Kind.usage.rawValue
        }
        switch first {
        case "--help", "-h", "help":
            let rest = Array(argv.dropFirst())
            if rest.isEmpty {
                Console.out(overview)
            } else if rest == ["--json"] {
                Console.out(JSONWriter.encode(CommandTable.json))
            } else if rest.count == 1, let command = find(rest[0]) {
                Console.out(command.spec.help)
            } else {
                let guess = rest.count == 1 ? nearest(to: rest[0], among: commandNames).map { "did you mean '\($0)'? " } ?? "" : ""
                Console.error("help takes one command name, or --json: '\(rest.joined(separator: " ").singleLine.prefix(60))' "
                    + "is neither; \(guess)run: exectrack --help")
                return TrackerError.Kind.usage.rawValue
            }
            return 0
        case "--version", "-V", "version":
            Console.line("exectrack \(version)")
            return 0
        default:
            break
        }
        do throws(TrackerError) {
            guard let command = find(first) else {
                let guess = nearest(to: first, among: commandNames).map { "did you mean '\($0)'? " } ?? ""
                throw TrackerError(.usage, "unknown command '\(first.singleLine)'; \(guess)run: exectrack --help")
            }
            let arguments = try ParsedArguments(Array(argv.dropFirst()), for: command.spec)
            if try arguments.read(CommonOptions.help) {
                Console.out(command.spec.help)
                return 0
            }
            return try command.run(arguments, try Context(arguments))
        } catch {
            Console.error(error.printableMessage())
            return error.exitCode
        }
    }
}
