import ExecutionCore
import ExecutionTracking

enum EstimateCommand: Subcommand {
    static let json = Option<Bool>.flag("--json", "print the estimate as JSON")

    static let name = "estimate"
    static let spec = CommandSpec(
        name: name,
        summary: "How long a spec's remaining tasks will take, learned from similar finished specs",
        positionals: [.spec],
        options: [json.spec],
        discussion: """
        Compares the spec with every archived spec (earlier runs of the same spec too) by its mix
        of complexities, its agents and the words of its tasks, and learns from the ten most
        alike (at least half alike): the remaining work as a range (p25 to p75, the median, p90)
        of how long their tasks of each complexity took, and the elapsed time at the parallelism
        they ran with (docs/stats.md). With fewer than three such specs or ten finished tasks among
        them it says there is too little history (exit 0). JSON: Schemas/estimate.schema.json.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let estimate = try context.tracker.estimate(context.spec(arguments))
        Console.out(try arguments.read(json) ? JSONWriter.encode(StatsText.json(estimate)) : StatsText.text(estimate))
        return 0
    }
}
