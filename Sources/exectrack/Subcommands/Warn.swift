import ExecutionCore
import ExecutionTracking

enum WarnCommand: Subcommand {
    static let spec = CommandSpec(
        name: "warn",
        summary: "Record a warning (does not change any task)",
        positionals: [
            .spec,
            PositionalSpec(name: "MESSAGE", required: true, help: "the warning", kind: .text),
        ],
        options: [
            .value("--layer", "L", "the layer it concerns", .layer),
            .value("--task", "TASK", "the task it concerns (needs --layer)", .task),
            .choice("--severity", Severity.allCases.map(\.rawValue), "default low"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let severity = try ErrorCommand.severity(arguments.value("--severity"), default: .low)
        let status = try context.tracker.warn(spec, message: arguments.positionals[1], layer: arguments.value("--layer"),
                                              task: arguments.value("--task"), severity: severity)
        Console.line("Warning recorded (\(status.warnings.count) in total)")
        return 0
    }
}
