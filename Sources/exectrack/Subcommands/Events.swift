import ExecutionCore
import ExecutionTracking

enum EventsCommand: Subcommand {
    static let type = Option<String?>.text("--type", "T", "only events of this type (task.completed, error.logged, ...; repeatable as a comma list)")
    static let since = Option<String?>.text("--since", "TIME", "only events at or after TIME (ISO 8601, or 90s, 30m, 2h, 7d ago)")
    static let limit = Option<Int64?>.integer("--limit", "N", "only the last N events", in: 1...Int64(Int32.max))
    static let json = Option<Bool>.flag("--json", "print the events as a JSON array of CloudEvents")

    static let spec = CommandSpec(
        name: "events",
        summary: "Show the spec's event log: every change, in order, with who made it",
        positionals: [.spec],
        options: [type.spec, since.spec, limit.spec, json.spec],
        discussion: """
        The log is .claude/execution/<SPEC>.events.jsonl, one CloudEvents 1.0 event per line
        (docs/events.md lists the types). Lines that are not events are reported on stderr with
        their line numbers and skipped. Reads without a lock and never writes.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        var query = EventQuery(limit: try arguments.read(limit).map(Int.init))
        for name in (try arguments.read(type))?.split(separator: ",").map({ String($0).trimmedSpaces }) ?? [] {
            guard let type = EventQuery.type(named: name) else {
                throw TrackerError(.usage, "unknown event type '\(name.singleLine.prefix(60))'; valid: "
                    + EventType.allCases.map { $0.shortName }.joined(separator: ", "))
            }
            query.types.insert(type)
        }
        if let text = try arguments.read(since) {
            guard let time = EventQuery.time(text, now: context.tracker.clock()) else {
                throw TrackerError(.usage, "--since must be an ISO 8601 time or a duration such as 90s, 30m, 2h or 7d, got '\(text.prefix(40))'")
            }
            query.since = time
        }
        guard context.store.exists(spec) || context.store.isRegularFile(context.store.eventsPath(spec)) else {
            throw context.store.missingStatusFile(spec)
        }
        let (events, problems) = try context.store.readEvents(spec)
        let log = context.store.display(context.store.eventsPath(spec))
        for problem in problems { Console.message("warning: \(log) line \(problem.line) is not an event: \(problem.problem)") }
        let shown = query.apply(events)
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.array(shown.map { $0.json })))
        } else {
            for event in shown { Console.line(event.summaryLine) }
        }
        return 0
    }
}
