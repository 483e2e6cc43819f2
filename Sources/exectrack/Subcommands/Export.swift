import ExecutionCore
import ExecutionTracking

enum ExportCommand: Subcommand {
    static let format = Option<ExportFormat>.requiredChoice("--format", "what to write")
    static let output = Option<String?>.text("--output", "PATH", "write to PATH (atomically; a FIFO or device is written in place; - is stdout)", .path)

    static let name = "export"
    static let spec = CommandSpec(
        name: name,
        summary: "Write CI artifacts: JUnit XML, a step summary, OTLP traces, metrics JSON or GitHub annotations",
        positionals: [.spec],
        options: [format.spec, output.spec],
        discussion: """
        junit     one <testsuite> per layer, one <testcase> per task; failures carry the logged error
        markdown  a GitHub step summary: exectrack export F001 --format markdown >> "$GITHUB_STEP_SUMMARY"
        otlp      OpenTelemetry traces (OTLP/JSON): feature → layer → task spans, stable ids
        json      the metrics export (as metrics --format json)
        annotations  GitHub ::error/::warning lines for failed gates and unresolved errors, then a ::notice
        html      the report as one self-contained page with a timeline (as report --format html)
        chrome-trace  the timeline in the Trace Event Format, for Perfetto and chrome://tracing
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let format = try arguments.read(format)
        let now = context.tracker.clock()
        let text: String
        switch format {
        case .html:
            let page = try context.tracker.timeline(spec)
            return try write(HTMLReport.page(page.snapshot, status: page.status, timeline: page.timeline), format, spec, arguments, context)
        case .chromeTrace:
            let page = try context.tracker.timeline(spec)
            text = JSONWriter.encode(ChromeTrace.json(page.timeline, spec: page.status.feature, featureName: page.status.featureName))
        case .junit: text = JUnitReport.xml(try context.store.load(spec), now: now)
        case .markdown: text = StepSummary.markdown(try context.store.load(spec), now: now)
        case .otlp: text = JSONWriter.encode(OTLPTraceExport.json(try context.store.load(spec), now: now, toolVersion: CommandLineInterface.version))
        case .json: text = JSONWriter.encode(MetricsExport.json(ExecutionMetrics(try context.store.load(spec), now: now)))
        case .annotations: text = GitHubAnnotations.lines(try context.store.load(spec))
        }
        return try write(Array(text.utf8), format, spec, arguments, context)
    }

    private static func write(_ bytes: [UInt8], _ format: ExportFormat, _ spec: SpecID, _ arguments: ParsedArguments,
                              _ context: Context) throws(TrackerError) -> Int32 {
        if let path = try arguments.read(output) {
            if try Output.write(bytes, to: path, of: spec, context) {
                Console.message("Wrote \(format.rawValue) export to \(context.store.display(path))")
            }
        } else {
            Console.out(bytes)
        }
        return 0
    }
}

/// What `export` writes.
enum ExportFormat: String, CaseIterable, Sendable {
    case junit, markdown, otlp, json, annotations, html
    case chromeTrace = "chrome-trace"
}
