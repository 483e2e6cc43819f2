import ExecutionCore
import ExecutionTracking

enum ReportCommand: Subcommand {
    static let format = Option<ReportFormat?>.choice("--format", "default text")
    static let json = Option<Bool>.flag("--json", "same as --format json")
    static let watch = Option<Bool>.flag("--watch", "keep showing the report as it changes (see: exectrack watch --help)")

    static let spec = CommandSpec(
        name: "report",
        summary: "Print the progress report (text, markdown or JSON)",
        positionals: [.spec],
        options: [format.spec, json.spec, watch.spec, WatchCommand.interval.spec, WatchCommand.exitOnComplete.spec],
        rules: [OptionRule.jsonIsFormat(json, format, ReportFormat.json), .requires(WatchCommand.interval, watch), .requires(WatchCommand.exitOnComplete, watch)],
        discussion: "Reads without a lock and never writes. Markdown suits $GITHUB_STEP_SUMMARY.")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        if try arguments.read(watch) { return try WatchCommand.watch(spec, arguments, context) }
        let jsonGiven = try arguments.read(json)
        let format = try arguments.read(format) ?? (jsonGiven ? .json : .text)
        Console.out(ProgressReport.render(try context.tracker.snapshot(spec), as: format, style: Terminal.style))
        return 0
    }
}
