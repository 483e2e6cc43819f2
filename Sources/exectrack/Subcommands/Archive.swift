import ExecutionCore
import ExecutionTracking

enum ArchiveCommand: Subcommand {
    static let remove = Option<Bool>.flag("--remove", "then move the status file to its .bak (exectrack restore brings it back)")

    static let name = "archive"
    static let spec = CommandSpec(
        name: name,
        summary: "Copy the status file to .claude/execution/archive/<SPEC>-<YYYYMMDD>.json",
        positionals: [.spec],
        options: [remove.spec],
        discussion: """
        A second archive on the same day gets a -HHMMSS suffix. The event log moves along
        (<name>.events.jsonl next to the copy): this is how a log is rotated; the next write starts
        a new one with the whole state. Archived specs are not shown by list.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let archived = try context.store.archive(spec, remove: arguments.read(remove), now: context.tracker.clock())
        Console.line("Archived \(spec) to \(context.store.display(archived.status))"
            + (archived.log.map { ", its event log to \(context.store.display($0))" } ?? "")
            + (try arguments.read(remove) ? "; removed \(context.store.display(context.store.statusPath(spec)))" : ""))
        return 0
    }
}
