import ExecutionCore
import ExecutionTracking

enum ExportCommand: Subcommand {
    static let format = Option<ExportFormat>.requiredChoice("--format", "what to write")
    static let output = Option<String?>.text("--output", "PATH", "write to PATH (atomically; a FIFO or device is written in place; - is stdout)", .path)

    static let spec = CommandSpec(
        name: "export",
        summary: "Write CI artifacts: JUnit XML, a step summary, OTLP traces, metrics JSON or GitHub annotations",
        positionals: [.spec],
        options: [format.spec, output.spec],
        discussion: """
        junit     one <testsuite> per layer, one <testcase> per task; failures carry the logged error
        markdown  a GitHub step summary: exectrack export F001 --format markdown >> "$GITHUB_STEP_SUMMARY"
        otlp      OpenTelemetry traces (OTLP/JSON): feature → layer → task spans, stable ids
        json      the metrics export (as metrics --format json)
        annotations  GitHub ::error/::warning lines for failed gates and unresolved errors, then a ::notice
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let format = try arguments.read(format)
        let status = try context.store.load(spec)
        let now = context.tracker.clock()
        let text: String
        switch format {
        case .junit: text = JUnitReport.xml(status, now: now)
        case .markdown: text = StepSummary.markdown(status, now: now)
        case .otlp: text = JSONWriter.encode(OTLPTraceExport.json(status, now: now, toolVersion: CommandLineInterface.version))
        case .json: text = JSONWriter.encode(MetricsExport.json(ExecutionMetrics(status, now: now)))
        case .annotations: text = GitHubAnnotations.lines(status)
        }
        if let path = try arguments.read(output) {
            if try Output.write(text, to: path, of: spec, context) {
                Console.message("Wrote \(format.rawValue) export to \(context.store.display(path))")
            }
        } else {
            Console.out(text)
        }
        return 0
    }
}

/// What `export` writes.
enum ExportFormat: String, CaseIterable, Sendable {
    case junit, markdown, otlp, json, annotations
}
