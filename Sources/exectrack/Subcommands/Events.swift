import ExecutionCore
import ExecutionTracking

enum EventsCommand: Subcommand {
    static let type = Option<String?>.text("--type", "T", "only events of this type (task.completed, error.logged, ...; repeatable as a comma list)")
    static let since = Option<String?>.text("--since", "TIME", "only events at or after TIME (ISO 8601, or 90s, 30m, 2h, 7d ago)")
    static let limit = Option<Int64?>.integer("--limit", "N", "only the last N events (read from the end of the log)", in: 1...Int64(Int32.max))
    static let follow = Option<Bool>.flag("--follow", "then keep printing events as they are appended, until Ctrl-C")
    static let interval = Option<Double?>.decimal("--interval", "SECONDS", "with --follow, how often to look (default 0.2)", in: 0.05...3600)
    static let json = Option<Bool>.flag("--json", "print a JSON array of CloudEvents (with --follow: one event per line)")

    static let name = "events"
    static let spec = CommandSpec(
        name: name,
        summary: "Show the spec's event log: every change, in order, with who made it",
        positionals: [.spec],
        options: [type.spec, since.spec, limit.spec, follow.spec, interval.spec, json.spec],
        rules: [.requires(interval, follow)],
        discussion: """
        The log is .claude/execution/<SPEC>.events.jsonl, one CloudEvents 1.0 event per line
        (docs/events.md lists the types). Lines that are not events are reported on stderr with
        their line numbers and skipped. --follow reads a log rotated by archive from its start
        again; it ends with exit 130 on Ctrl-C (143 on SIGTERM). Reads without a lock and never
        writes.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        var query = EventQuery()
        for name in (try arguments.read(type))?.split(separator: ",").map({ String($0).trimmedSpaces }) ?? [] {
            guard let type = EventQuery.type(named: name) else {
                throw TrackerError(.usage, "unknown event type '\(name.singleLine.prefix(60))'; valid: "
                    + EventType.allCases.map { $0.shortName }.joined(separator: ", "))
            }
            query.types.insert(type)
        }
        query.since = try sinceTime(arguments.read(since), context)
        let limit = try arguments.read(limit).map(Int.init)
        let json = try arguments.read(json)
        let store = context.store
        guard store.exists(spec) || store.isRegularFile(store.eventsPath(spec)) else {
            throw store.missingStatusFile(spec)
        }
        let log = store.display(store.eventsPath(spec))
        func report(_ problems: [StatusStore.LogProblem]) {
            for problem in problems { Console.message("warning: \(log) line \(problem.line) is not an event: \(problem.problem)") }
        }

        guard try arguments.read(follow) else {
            let (events, problems) = if let limit { try store.readEventsTail(spec, query, limit: limit) } else { try store.readEvents(spec) }
            report(problems)
            let shown = limit == nil ? query.apply(events) : events
            if json {
                Console.out(JSONWriter.encode(.array(shown.map { $0.json })))
            } else {
                for event in shown { Console.line(event.summaryLine) }
            }
            return 0
        }

        // Following: JSON lines, so each event can be read as it comes.
        func show(_ events: [EventRecord]) {
            for event in events {
                Console.line(json ? JSONWriter.encode(event.json, style: .compact) : event.summaryLine)
            }
        }
        let interval = try arguments.read(interval) ?? 0.2
        let follower = EventLogFollower(store, spec)
        Signals.catchInterrupts()
        let (first, firstProblems) = try follower.poll()
        report(firstProblems)
        show(Array(query.apply(first).suffix(limit ?? first.count)))
        while receivedSignal == 0 {
            SystemClock.sleep(milliseconds: Int(interval * 1000), unlessInterrupted: { receivedSignal != 0 })
            do {
                let (events, problems) = try follower.poll()
                report(problems)
                show(events.filter(query.keeps))
            } catch {
                Console.message("warning: \(error.message)")
            }
        }
        return 128 + receivedSignal
    }

    /// `--since` as `events` and `stats` take it: an ISO 8601 time, or a duration ago.
    static func sinceTime(_ text: String?, _ context: Context) throws(TrackerError) -> Timestamp? {
        guard let text else { return nil }
        guard let time = EventQuery.time(text, now: context.tracker.clock()) else {
            throw TrackerError(.usage, "--since must be an ISO 8601 time or a duration such as 90s, 30m, 2h or 7d, got '\(text.singleLine.prefix(40))'")
        }
        return time
    }
}
