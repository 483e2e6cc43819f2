import ExecutionCore
import ExecutionTracking

enum ListCommand: Subcommand {
    static let json = Option<Bool>.flag("--json", "print the list as a JSON array")

    static let name = "list"
    static let spec = CommandSpec(
        name: name,
        summary: "Every spec under .claude/execution/ with its progress",
        options: [json.spec],
        discussion: "Archived specs (.claude/execution/archive/) are not listed.")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let entries = context.tracker.listEntries()
        Console.out(try arguments.read(json)
            ? JSONWriter.encode(SpecList.json(entries, liveness: context.tracker.livenessNow()))
            : SpecList.text(entries, now: context.tracker.clock(), style: Terminal.style, liveness: context.tracker.livenessNow()))
        return 0
    }
}
