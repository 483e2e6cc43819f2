import ExecutionCore
import ExecutionTracking

enum ErrorCommand: Subcommand {
    static let spec = CommandSpec(
        name: "error",
        summary: "Log an error against a task and mark it failed",
        positionals: [
            .spec,
            .layer,
            .task,
            PositionalSpec(name: "MESSAGE", required: true, help: "what went wrong", kind: .text),
        ],
        options: [
            .choice("--severity", Severity.allCases.map(\.rawValue), "default medium; critical also pauses"),
            .choice("--category", ErrorCategory.allCases.map(\.rawValue), "override the category classified from the message"),
            .value("--recovery", "TEXT", "the recovery action (default: suggested from the category)"),
        ],
        discussion: "Retry the task with: exectrack update SPEC LAYER TASK pending (or in_progress).")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let severity = try ErrorCommand.severity(arguments.value("--severity"), default: .medium)
        var category: ErrorCategory?
        if let text = arguments.value("--category") {
            guard let c = ErrorCategory(normalizing: text) else {
                throw TrackerError(.usage, "invalid --category '\(text.prefix(40))'; valid: "
                    + ErrorCategory.allCases.map(\.rawValue).joined(separator: ", "))
            }
            category = c
        }
        let (status, location) = try context.tracker.logError(
            spec, layer: arguments.positionals[1], task: arguments.positionals[2],
            message: arguments.positionals[3], severity: severity, category: category,
            recovery: arguments.value("--recovery"))
        let entry = status.errors[status.errors.count - 1]
        Console.line("Logged \(entry.severity.rawValue) \(entry.category.rawValue) error on "
            + "\(status.layers[location.layer].key).\(location.task); recovery: \(entry.recoveryAction ?? "")")
        if status.pausedAt != nil, severity == .critical { Console.line("Execution paused (critical error).") }
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }

    /// Parses a `--severity` value (shared by `error` and `warn`).
    static func severity(_ text: String?, default fallback: Severity) throws(TrackerError) -> Severity {
        guard let text else { return fallback }
        guard let severity = Severity(normalizing: text) else {
            throw TrackerError(.usage, "invalid --severity '\(text.prefix(40))'; valid: \(Severity.validValuesList)")
        }
        return severity
    }
}
