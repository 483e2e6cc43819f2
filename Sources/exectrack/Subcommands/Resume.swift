import ExecutionCore
import ExecutionTracking

enum ResumeCommand: Subcommand {
    static let name = "resume"
    static let aliases = ["unblock"]
    static let spec = CommandSpec(
        name: name,
        aliases: aliases,
        summary: "Clear a pause or block and continue",
        positionals: [.spec])

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let (status, wasHeld) = try context.tracker.resume(spec)
        Console.line(wasHeld ? "Resumed \(spec)" : "\(spec) was not paused or blocked")
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
