import ExecutionCore
import ExecutionTracking

enum ExportCommand: Subcommand {
    static let spec = CommandSpec(
        name: "export",
        summary: "Write CI artifacts: JUnit XML, a step summary, OTLP traces or metrics JSON",
        positionals: [.spec],
        options: [
            .choice("--format", ["junit", "markdown", "otlp", "json"], "what to write", required: true),
            .value("--output", "PATH", "write to PATH (atomically; a FIFO or device is written in place; - is stdout)", .path),
        ],
        discussion: """
        junit     one <testsuite> per layer, one <testcase> per task; failures carry the logged error
        markdown  a GitHub step summary: exectrack export F001 --format markdown >> "$GITHUB_STEP_SUMMARY"
        otlp      OpenTelemetry traces (OTLP/JSON): feature → layer → task spans, stable ids
        json      the metrics export (as metrics --format json)
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let format = try arguments.choice("--format", default: "")
        let status = try context.store.load(spec)
        let now = context.tracker.clock()
        let text: String
        switch format {
        case "junit": text = JUnitReport.xml(status, now: now)
        case "markdown": text = StepSummary.markdown(status, now: now)
        case "otlp": text = JSONWriter.encode(OTLPTraceExport.json(status, now: now, toolVersion: CommandLineInterface.version))
        default: text = JSONWriter.encode(MetricsExport.json(ExecutionMetrics(status, now: now)))
        }
        if let path = arguments.value("--output") {
            if try Output.write(text, to: path, context) {
                Console.message("Wrote \(format) export to \(context.store.display(path))")
            }
        } else {
            Console.out(text)
        }
        return 0
    }
}
