import ExecutionCore
import ExecutionTracking

enum GateCommand: Subcommand {
    static let status = Option<GateStatus?>.choice("--status", "how the gate ended (default: from --score and --threshold)")
    static let score = Option<Double?>.decimal("--score", "X", "a fraction from 0 to 1 (0.93 is 93 %)", in: 0...1, noun: "a fraction")
    static let threshold = Option<Double?>.decimal("--threshold", "Y", "the score that passes, 0 to 1 (needs --score, or --from-junit)",
                                                   in: 0...1, noun: "a fraction")
    static let issues = Option<Int64?>.integer("--issues", "N", "how many issues the check found", in: 0...1_000_000_000)
    static let details = Option<String?>.text("--details", "TEXT", "what the check said (masked for secrets)")
    static let run = Option<Bool>.flag("--run", "run the command after -- (no shell unless you name one) and record how it ended")
    static let timeout = Option<Int64?>.duration("--timeout", "with --run, kill the command's process group after DUR (default 10m)")
    static let junit = Option<String?>.text("--from-junit", "FILE", "decide from a JUnit XML file: passes without failures or errors", .path)
    static let json = Option<Bool>.flag("--json", "print the recorded attempt as JSON")

    static let name = "gate"
    static let spec = CommandSpec(
        name: name,
        summary: "Record a quality gate of a layer: by hand, by running a command, or from JUnit",
        positionals: [.spec, .layer, PositionalSpec(name: "NAME", required: true, help: "the gate (tests, lint, ...)", kind: .text),
                      PositionalSpec(name: "CMD", required: false, help: "with --run, after --: the command and its arguments", kind: .text,
                                     variadic: true)],
        options: [status.spec, score.spec, threshold.spec, issues.spec, details.spec, run.spec, timeout.spec, junit.spec, json.spec],
        rules: [.requires(timeout, run)],
        discussion: """
        Each attempt is kept in layers.<L>.gates (docs/gates.md). A layer whose required gates
        have not passed is not complete: later layers wait, and complete-layer refuses. With
        --score and --threshold the status is passed when score >= threshold. --run -- CMD ARGS
        runs without the spec's lock, in its own process group; it passes on exit 0.
        Exit codes: 0 recorded (a --status given by hand, whatever it is, or a passing --run or
        --from-junit); 9 a --run or --from-junit gate failed (recorded); 10 its command could not
        be started (recorded failed, with the reason).
        """)

    static let gateFailed: Int32 = 9
    static let notStarted: Int32 = 10

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let command = Array(arguments.positionals.dropFirst(3))
        let running = try arguments.read(run)
        let junitPath = try arguments.read(junit)
        let manual = [status.spec, score.spec, issues.spec, details.spec].contains { arguments.isGiven($0.name) }
        let given = [running, junitPath != nil, manual].filter { $0 }.count
        guard given <= 1 else { throw TrackerError(.usage, "give one of --status/--score, --run -- CMD, or --from-junit FILE") }
        if running, command.isEmpty { throw TrackerError(.usage, "--run needs the command after --: exectrack gate SPEC LAYER NAME --run -- CMD ARGS…") }
        if !running, !command.isEmpty {
            throw TrackerError(.usage, "unexpected argument '\(command[0].prefix(60))'; a command to run goes after --run --")
        }
        if let ms = try arguments.read(timeout), ms < 1000 { throw TrackerError(.usage, "--timeout must be 1s or more") }
        if running, arguments.isGiven(threshold.spec.name) {
            throw TrackerError(.usage, "--threshold goes with --score or --from-junit; a --run gate passes on exit 0")
        }
        let input: GateInput
        if running {
            input = .command(command, timeoutSeconds: try arguments.read(timeout).map { Double($0) / 1000 })
        } else if let junitPath {
            input = .junit(junitPath, threshold: try arguments.read(threshold))
        } else {
            input = .manual(status: try arguments.read(status), score: try arguments.read(score), threshold: try arguments.read(threshold),
                            issues: try arguments.read(issues), details: try arguments.read(details))
        }
        let outcome = try context.tracker.recordGate(spec, layer: arguments.positionals[1], name: arguments.positionals[2], input: input)
        let layer = outcome.status.layers[outcome.layer]
        if try arguments.read(json) {
            var o = outcome.result.json.objectValue ?? JSONObject()
            o.insert("layer", .string(layer.key), at: 0)
            o.append("layer_gates_passed", .bool(layer.gatesSatisfied))
            Console.out(JSONWriter.encode(.object(o)))
        } else {
            Console.line(GateText.recorded(outcome.result, layer: layer))
            Console.line(ProgressReport.summaryLine(outcome.status))
        }
        if outcome.notStarted { return notStarted }
        if outcome.result.status == .failed, running || junitPath != nil { return gateFailed }
        return 0
    }
}
