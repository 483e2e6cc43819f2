import ExecutionCore
import ExecutionTracking

enum ValidateCommand: Subcommand {
    static let fix = Option<Bool>.flag("--fix", "rewrite counters, statuses and percentages from the tasks (under the lock)")
    static let json = Option<Bool>.flag("--json", "print the issues as JSON")

    static let name = "validate"
    static let spec = CommandSpec(
        name: name,
        summary: "Check a status file's shape and consistency; --fix rewrites derived fields",
        positionals: [.spec],
        options: [fix.spec, json.spec],
        discussion: """
        Checks: counters and statuses against the tasks, impossible timestamps (an end before its
        start, times in the future, a running task without a start), duplicate task ids,
        dependencies on tasks that do not exist, errors pointing at no task.
        Exit 0 when valid (or when --fix left nothing to report), 4 when the file cannot be read,
        6 when problems remain.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let fix = try arguments.read(fix)
        let report = try context.tracker.validate(spec, fix: fix)
        let remaining = fix ? report.unfixable : report.issues
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.array(report.issues.map { issue in
                .object(JSONObject([(key: "kind", value: .string(issue.kind.rawValue)), (key: "path", value: .string(issue.path)),
                                    (key: "message", value: .string(issue.message)), (key: "fixed", value: .bool(fix && issue.fixable))]))
            })))
        } else if report.isValid {
            Console.line("\(spec): valid")
        } else {
            for issue in report.issues {
                Console.line((fix && issue.fixable ? "fixed " : "✗ ") + "\(issue.path): \(issue.message)")
            }
        }
        return remaining.isEmpty ? 0 : TrackerError.Kind.precondition.rawValue
    }
}
