import ExecutionCore
import ExecutionTracking

enum ReportCommand: Subcommand {
    static let spec = CommandSpec(
        name: "report",
        summary: "Print the progress report (text, markdown or JSON)",
        positionals: [.spec],
        options: [
            .choice("--format", ReportFormat.allCases.map(\.rawValue), "default text"),
            .flag("--json", "same as --format json"),
            .flag("--watch", "keep showing the report as it changes (see: exectrack watch --help)"),
            .value("--interval", "SECONDS", "with --watch: how often to look for changes (default 1)", .number),
            .flag("--exit-on-complete", "with --watch: exit 0 when the spec completes, \(WatchCommand.specFailedExitCode) when it fails"),
        ],
        discussion: "Reads without a lock and never writes. Markdown suits $GITHUB_STEP_SUMMARY.")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        if arguments.flag("--watch") { return try WatchCommand.watch(spec, arguments, context) }
        let chosen = try arguments.choice("--format", default: "text")
        let format = arguments.flag("--json") ? .json : ReportFormat(rawValue: chosen)!
        Console.out(ProgressReport.render(try context.tracker.snapshot(spec), as: format, style: Terminal.style))
        return 0
    }
}
