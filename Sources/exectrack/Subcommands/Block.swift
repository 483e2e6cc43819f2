import ExecutionCore
import ExecutionTracking

enum BlockCommand: Subcommand {
    static let name = "block"
    static let spec = CommandSpec(
        name: name,
        summary: "Mark execution blocked on something outside it, until resume",
        positionals: [
            .spec,
            PositionalSpec(name: "REASON", required: true, help: "what it waits for", kind: .text),
        ])

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let status = try context.tracker.block(spec, reason: arguments.positionals[1])
        Console.line("Blocked \(spec): \(status.blockReason ?? "")")
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
