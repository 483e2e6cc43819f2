import ExecutionCore
import ExecutionTracking

enum RestoreCommand: Subcommand {
    static let spec = CommandSpec(
        name: "restore",
        summary: "Put the .bak back as the status file (the current file becomes the .bak)",
        positionals: [.spec],
        discussion: "Exit 2 when there is no .bak, 4 when the .bak cannot be read either. Running it twice swaps back.")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let status = try context.tracker.restore(spec)
        Console.line("Restored \(context.store.display(context.store.statusPath(spec))) from its .bak "
            + "(last updated \(status.lastUpdated?.iso8601 ?? "unknown"))")
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
