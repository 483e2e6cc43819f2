import ExecutionCore
import ExecutionTracking

enum PauseCommand: Subcommand {
    static let name = "pause"
    static let spec = CommandSpec(
        name: name,
        summary: "Pause execution until resume (the reason shows in reports)",
        positionals: [
            .spec,
            PositionalSpec(name: "REASON", required: false, help: "why execution is paused", kind: .text),
        ])

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let status = try context.tracker.pause(spec, reason: arguments.positional(1))
        Console.line("Paused \(spec)" + (status.pauseReason.map { ": \($0)" } ?? ""))
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
