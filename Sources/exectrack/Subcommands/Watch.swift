import ExecutionCore
import ExecutionTracking

enum WatchCommand: Subcommand {
    static let interval = Option<Double?>.decimal("--interval", "SECONDS", "how often to look for changes (default 1; fractions allowed)", in: 0.05...3600)
    static let exitOnComplete = Option<Bool>.flag("--exit-on-complete", "exit 0 when the spec completes, \(specFailedExitCode) when it fails")

    static let name = "watch"
    static let spec = CommandSpec(
        name: name,
        summary: "Show the progress report live, redrawn as the status file changes",
        positionals: [.spec],
        options: [interval.spec, exitOnComplete.spec],
        discussion: """
        On a terminal the report is redrawn in place (and every second, for the elapsed time);
        Ctrl-C restores the screen. Piped (CI logs), a new report is printed only when the file
        changes, with no escape codes. A missing file is waited for; a file that cannot be read
        leaves the last good report on screen with a warning. A terminal too short for the whole
        report shows its top and says how many lines are cut.
        Exit codes: with --exit-on-complete 0 when the spec completes and \(specFailedExitCode) when it
        fails; 130 on Ctrl-C; 1 for usage errors.
        """)

    /// `--exit-on-complete` when the spec fails: not 1, which means a usage error, and above the
    /// codes every command shares (README, "Exit codes").
    static let specFailedExitCode: Int32 = 8

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        try watch(try context.spec(arguments), arguments, context)
    }

    /// Shared with `report --watch`.
    static func watch(_ spec: SpecID, _ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let interval = try arguments.read(interval) ?? 1
        let exitOnComplete = try arguments.read(exitOnComplete)
        let tty = Terminal.isTerminal
        let path = context.store.display(context.store.statusPath(spec))
        var state = WatchState()
        var warning: String?
        var lastDraw = 0.0

        Signals.catchInterrupts()
        if tty { Console.out(Terminal.enterAlternateScreen + Terminal.hideCursor) }
        func finish(_ code: Int32) -> Int32 {
            if tty { Console.out(Terminal.showCursor + Terminal.leaveAlternateScreen) }
            return code
        }
        func draw(_ body: String) {
            let footer = ["watching \(path) every \(interval)s · Ctrl-C to stop"] + (warning.map { ["⚠ \($0)"] } ?? [])
            let lines = WatchScreen.lines(body: body, footer: footer, rows: Terminal.rows, columns: Terminal.columns)
            Console.out(Terminal.home + lines.map { $0 + Terminal.clearLineEnd }.joined(separator: "\n") + Terminal.clearToEnd)
            lastDraw = SystemClock.monotonic()
        }
        func report(_ snapshot: ProgressSnapshot) -> String {
            ProgressReport.text(snapshot, style: Terminal.style)
        }
        func snapshot(_ status: StatusFile) -> ProgressSnapshot {
            ProgressSnapshot(status, now: context.tracker.clock(), liveness: context.tracker.livenessNow())
        }

        while true {
            if receivedSignal != 0 { return finish(128 + receivedSignal) }
            let event = state.observe(context.store.identity(spec)) { () throws(TrackerError) in try context.store.load(spec) }
            switch event {
            case .waiting:
                let message = "waiting for \(path) to exist (run: exectrack init \(spec))"
                if tty { draw(message) } else { Console.message(message) }
            case .changed(let status):
                warning = nil
                let current = snapshot(status)
                if tty { draw(report(current)) } else { Console.out(report(current) + "\n") }
                if exitOnComplete, current.status == .complete { return finish(0) }
                if exitOnComplete, current.status == .failed { return finish(specFailedExitCode) }
            case .unreadable(let problem):
                warning = "cannot read \(path); showing the last good report: \(problem)"
                if tty {
                    draw(state.lastGood.map { report(snapshot($0)) } ?? "")
                } else {
                    Console.message("warning: " + TrackerError(.corruptFile, warning!).printableMessage())
                }
            case .unchanged:
                // Elapsed and "ago" figures move on even when nothing was written.
                if tty, let status = state.lastGood, SystemClock.monotonic() - lastDraw >= 1 { draw(report(snapshot(status))) }
            }
            SystemClock.sleep(milliseconds: Int(interval * 1000), unlessInterrupted: { receivedSignal != 0 })
        }
    }
}
