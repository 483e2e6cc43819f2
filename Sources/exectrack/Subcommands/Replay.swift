import ExecutionCore
import ExecutionTracking

enum ReplayCommand: Subcommand {
    static let until = Option<String?>.text("--until", "TIME", "the state at TIME (ISO 8601, or 90s, 30m, 2h, 7d ago); default: the log's end")

    static let name = "replay"
    static let spec = CommandSpec(
        name: name,
        summary: "Print the status file as the event log says it was at a time",
        positionals: [.spec],
        options: [until.spec],
        discussion: """
        Applies the events of .claude/execution/<SPEC>.events.jsonl up to TIME to an empty state
        and prints the resulting status file (JSON, as exectrack writes it). Voided events are
        never applied. Reads without a lock and never writes; to put the result back as the status
        file, use restore --from-events. Exit 2 when the log has no state at TIME, 4 when it
        cannot be replayed.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        var time: Timestamp?
        if let text = try arguments.read(until) {
            guard let parsed = EventQuery.time(text, now: context.tracker.clock()) else {
                throw TrackerError(.usage, "--until must be an ISO 8601 time or a duration such as 90s, 30m, 2h or 7d, got '\(text.prefix(40))'")
            }
            time = parsed
        }
        let store = context.store
        let log = store.display(store.eventsPath(spec))
        guard store.isRegularFile(store.eventsPath(spec)) || store.exists(spec) else { throw store.missingStatusFile(spec) }
        let (status, problems) = try store.replay(spec, until: time)
        for problem in problems { Console.message("warning: \(log) line \(problem.line) is not an event: \(problem.problem)") }
        guard let status else {
            throw TrackerError(.notFound, "\(log) has no state of \(spec)" + (time.map { " at \($0.iso8601)" } ?? "")
                + (store.isRegularFile(store.eventsPath(spec)) ? "" : " (there is no log)"))
        }
        Console.out(String(decoding: status.jsonBytes(), as: UTF8.self))
        return 0
    }
}
