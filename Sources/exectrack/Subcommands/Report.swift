import ExecutionCore
import ExecutionTracking

enum ReportCommand: Subcommand {
    static let format = Option<ReportPageFormat?>.choice("--format", "default text; html is one self-contained page with a timeline")
    static let json = Option<Bool>.flag("--json", "same as --format json")
    static let output = Option<String?>.text("--output", "PATH", "write to PATH (atomically; - is stdout) instead of printing", .path)
    static let watch = Option<Bool>.flag("--watch", "keep showing the report as it changes (see: exectrack watch --help)")

    static let name = "report"
    static let spec = CommandSpec(
        name: name,
        summary: "Print the progress report (text, markdown, JSON, or an HTML page with a timeline)",
        positionals: [.spec],
        options: [format.spec, json.spec, output.spec, watch.spec, WatchCommand.interval.spec, WatchCommand.exitOnComplete.spec],
        rules: [OptionRule.jsonIsFormat(json, format, ReportPageFormat.json), .requires(WatchCommand.interval, watch),
                .requires(WatchCommand.exitOnComplete, watch)],
        discussion: """
        Reads without a lock and never writes the spec. Markdown suits $GITHUB_STEP_SUMMARY. HTML
        (docs/html-report.md) is one file with no network access: the summary, a timeline of every
        attempt by agent with waits, layer ends, errors and gates, the layers, errors, gates and
        cost, and the data as JSON; --output writes it (or any format) atomically.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        if try arguments.read(watch) {
            // The live view is text on a terminal (or one report per change when piped).
            let chosen = try arguments.read(format)
            if arguments.isGiven(output.spec.name) || (chosen != nil && chosen != .text) {
                throw TrackerError(.usage, "--watch shows the text report; --format and --output go without it")
            }
            return try WatchCommand.watch(spec, arguments, context)
        }
        let jsonGiven = try arguments.read(json)
        let format = try arguments.read(format) ?? (jsonGiven ? .json : .text)
        let target = try arguments.read(output)
        let bytes: [UInt8]
        if let snapshotFormat = format.snapshotFormat {
            // Colour only for a terminal, never into a file.
            bytes = Array(ProgressReport.render(try context.tracker.snapshot(spec), as: snapshotFormat, style: target == nil ? Terminal.style : .plain).utf8)
        } else {
            let page = try context.tracker.timeline(spec)
            bytes = HTMLReport.page(page.snapshot, status: page.status, timeline: page.timeline)
        }
        if let target {
            if try Output.write(bytes, to: target, of: spec, context) { Console.message("Wrote the \(format.rawValue) report to \(context.store.display(target))") }
        } else {
            Console.out(bytes)
        }
        return 0
    }
}

/// What `report --format` takes: the snapshot's formats, and the HTML page.
enum ReportPageFormat: String, CaseIterable, Sendable {
    case text, markdown, json, html

    var snapshotFormat: ReportFormat? { ReportFormat(rawValue: rawValue) }
}
