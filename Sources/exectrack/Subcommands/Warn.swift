import ExecutionCore
import ExecutionTracking

enum WarnCommand: Subcommand {
    static let layer = Option<String?>.text("--layer", "L", "the layer it concerns", .layer)
    static let task = Option<String?>.text("--task", "TASK", "the task it concerns", .task)
    static let severity = Option<Severity?>.choice("--severity", "default low")

    static let name = "warn"
    static let spec = CommandSpec(
        name: name,
        summary: "Record a warning (does not change any task)",
        positionals: [
            .spec,
            PositionalSpec(name: "MESSAGE", required: true, help: "the warning", kind: .text),
        ],
        options: [layer.spec, task.spec, severity.spec],
        rules: [.requires(task, layer)])

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let severity = try arguments.read(severity) ?? .low
        let status = try context.tracker.warn(spec, message: arguments.positionals[1], layer: arguments.read(layer),
                                              task: arguments.read(task), severity: severity)
        Console.line("Warning recorded (\(status.warnings.count) in total)")
        return 0
    }
}
