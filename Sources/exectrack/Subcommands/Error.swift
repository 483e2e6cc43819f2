import ExecutionCore
import ExecutionTracking

enum ErrorCommand: Subcommand {
    static let severity = Option<Severity?>.choice("--severity", "default medium; critical also pauses")
    static let category = Option<ErrorCategory?>.choice("--category", "override the category classified from the message")
    static let recovery = Option<String?>.text("--recovery", "TEXT", "the recovery action (default: suggested from the category)")

    static let name = "error"
    static let spec = CommandSpec(
        name: name,
        summary: "Log an error against a task and mark it failed",
        positionals: [
            .spec,
            .layer,
            .task,
            PositionalSpec(name: "MESSAGE", required: true, help: "what went wrong", kind: .text),
        ],
        options: [severity.spec, category.spec, recovery.spec],
        discussion: "Retry the task with: exectrack update SPEC LAYER TASK pending (or in_progress).")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let severity = try arguments.read(severity) ?? .medium
        let category = try arguments.read(category)
        let (status, location) = try context.tracker.logError(
            spec, layer: arguments.positionals[1], task: arguments.positionals[2],
            message: arguments.positionals[3], severity: severity, category: category,
            recovery: arguments.read(recovery))
        let entry = status.errors[status.errors.count - 1]
        Console.line("Logged \(entry.severity.rawValue) \(entry.category.rawValue) error on "
            + "\(status.layers[location.layer].key).\(location.task); recovery: \(entry.recoveryAction ?? "")")
        if status.pausedAt != nil, severity == .critical { Console.line("Execution paused (critical error).") }
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
