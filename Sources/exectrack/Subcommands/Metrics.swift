import ExecutionCore
import ExecutionTracking

enum MetricsCommand: Subcommand {
    static let format = Option<MetricsFormat?>.choice("--format", "default text")
    static let json = Option<Bool>.flag("--json", "same as --format json")
    static let export = Option<String?>.optionalPath("--export", "PATH", "also write the JSON to PATH (default .claude/execution/<SPEC>-metrics.json; - for stdout)")

    static let name = "metrics"
    static let aliases = ["calculate-metrics"]
    static let spec = CommandSpec(
        name: name,
        aliases: aliases,
        summary: "Print execution metrics; --export writes them as JSON",
        positionals: [.spec],
        options: [format.spec, json.spec, export.spec],
        rules: [OptionRule.jsonIsFormat(json, format, MetricsFormat.json)],
        discussion: """
        Figures that are undefined (no task has a duration yet, nothing finished) are shown as n/a
        and written as null. The JSON is described by Schemas/metrics.schema.json.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let jsonGiven = try arguments.read(json)
        let format = try arguments.read(format) ?? (jsonGiven ? .json : .text)
        let metrics = ExecutionMetrics(try context.store.load(spec), now: context.tracker.clock())
        let target = try arguments.read(export)
        // Made only when printed or exported: the text report does not need it.
        let json = format == .json || target != nil ? JSONWriter.encode(MetricsExport.json(metrics)) : ""
        if let target {
            if target.isEmpty {
                let path = try context.store.writeMetricsExport(Array(json.utf8), of: spec)
                Console.message("Exported metrics to \(context.store.display(path))")
            } else if try Output.write(json, to: target, of: spec, context) {
                Console.message("Exported metrics to \(context.store.display(target))")
            }
        }
        Console.out(format == .json ? json : MetricsReport.text(metrics))
        return 0
    }
}

/// What `metrics` prints.
enum MetricsFormat: String, CaseIterable, Sendable {
    case text, json
}
