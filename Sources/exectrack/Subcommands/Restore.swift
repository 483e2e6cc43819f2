import ExecutionCore
import ExecutionTracking

enum RestoreCommand: Subcommand {
    static let fromEvents = Option<Bool>.flag("--from-events", "rebuild a lost or unreadable status file from its event log instead")

    static let name = "restore"
    static let spec = CommandSpec(
        name: name,
        summary: "Put the .bak back as the status file (the current file becomes the .bak)",
        positionals: [.spec],
        options: [fromEvents.spec],
        discussion: """
        Exit 2 when there is no .bak, 4 when the .bak cannot be read either. Running it twice
        swaps back. With --from-events the status file is rebuilt by replaying
        .claude/execution/<SPEC>.events.jsonl; refused (exit 6) while the status file can be read
        (exectrack replay shows what the log says), exit 2 when there is no log.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let store = context.store
        if try arguments.read(fromEvents) {
            let log = store.display(store.eventsPath(spec))
            let rebuilt = try context.tracker.restoreFromEvents(spec)
            for problem in rebuilt.problems { Console.message("warning: \(log) line \(problem.line) is not an event: \(problem.problem)") }
            Console.line("Rebuilt \(store.display(store.statusPath(spec))) from \(counted(rebuilt.eventCount, "event")) in \(log)")
            Console.line(ProgressReport.summaryLine(rebuilt.status))
            return 0
        }
        let status = try context.tracker.restore(spec)
        Console.line("Restored \(store.display(store.statusPath(spec))) from its .bak "
            + "(last updated \(status.lastUpdated?.iso8601 ?? "unknown"))")
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
