import ExecutionCore
import ExecutionTracking

enum MetricsCommand: Subcommand {
    static let spec = CommandSpec(
        name: "metrics",
        aliases: ["calculate-metrics"],
        summary: "Print execution metrics; --export writes them as JSON",
        positionals: [.spec],
        options: [
            .choice("--format", ["text", "json"], "default text"),
            .flag("--json", "same as --format json"),
            .optionalValue("--export", "PATH", "also write the JSON to PATH (default .claude/execution/<SPEC>-metrics.json; - for stdout)"),
        ],
        discussion: """
        Figures that are undefined (no task has a duration yet, nothing finished) are shown as n/a
        and written as null. The JSON is described by Schemas/metrics.schema.json.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let format = try arguments.choice("--format", default: arguments.flag("--json") ? "json" : "text")
        let metrics = ExecutionMetrics(try context.store.load(spec), now: context.tracker.clock())
        let json = JSONWriter.encode(MetricsExport.json(metrics))
        if let target = arguments.value("--export") {
            if target.isEmpty {
                let path = try context.store.writeMetricsExport(json, of: spec)
                Console.message("Exported metrics to \(context.store.display(path))")
            } else if try Output.write(json, to: target, context) {
                Console.message("Exported metrics to \(context.store.display(target))")
            }
        }
        Console.out(format == "json" ? json : MetricsReport.text(metrics))
        return 0
    }
}
