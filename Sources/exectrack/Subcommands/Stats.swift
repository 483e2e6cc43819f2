import ExecutionCore
import ExecutionTracking

enum StatsCommand: Subcommand {
    static let since = Option<String?>.text("--since", "TIME", "only tasks active at or after TIME (ISO 8601, or 90s, 30m, 2h, 7d ago)")
    static let specs = Option<String?>.text("--spec", "GLOB", "only specs whose id matches (F0*, F00[1-3])")
    static let agent = Option<String?>.name("--agent", "NAME", "only the tasks of this agent")
    static let format = Option<StatsFormat?>.choice("--format", "default text; markdown for a CI summary")
    static let json = Option<Bool>.flag("--json", "same as --format json")

    static let name = "stats"
    static let spec = CommandSpec(
        name: name,
        summary: "Across every spec, live and archived: velocity, where time goes, bottlenecks, failures, cost",
        options: [since.spec, specs.spec, agent.spec, format.spec, json.spec],
        rules: [OptionRule.jsonIsFormat(json, format, StatsFormat.json)],
        discussion: """
        Reads every status file and event log under .claude/execution/ and archive/ (docs/stats.md):
        tasks completed per UTC day with a 7-day average; each started task's time split into
        waiting for dependencies, ready but unclaimed, retried and running; tasks above the p95 of
        their complexity, agents idle more than half their active window, the longest layer waits,
        each spec's observed critical path; error categories and how many were recovered; the
        spread of task durations per complexity; cost. What has not changed is taken from the
        summary cache .claude/exectrack/stats-cache.json. A spec that cannot be read is listed as
        skipped, with why; the rest are counted. JSON: Schemas/stats.schema.json.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let jsonGiven = try arguments.read(json)
        let format = try arguments.read(format) ?? (jsonGiven ? .json : .text)
        let sinceTime = try EventsCommand.sinceTime(arguments.read(since), context)
        let query = StatsQuery(now: context.tracker.clock().millisecondsSinceEpoch, since: sinceTime?.millisecondsSinceEpoch,
                               specPattern: try arguments.read(specs), agent: try arguments.read(agent))
        let (stats, skipped) = context.tracker.stats(query)
        switch format {
        case .json: Console.out(JSONWriter.encode(StatsText.json(stats, query, skipped: skipped)))
        case .markdown: Console.out(StatsText.markdown(stats, query, skipped: skipped))
        case .text: Console.out(StatsText.text(stats, query, skipped: skipped))
        }
        return 0
    }
}
