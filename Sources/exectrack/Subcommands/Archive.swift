import ExecutionCore
import ExecutionTracking

enum ArchiveCommand: Subcommand {
    static let remove = Option<Bool>.flag("--remove", "then move the status file to its .bak (exectrack restore brings it back)")

    static let spec = CommandSpec(
        name: "archive",
        summary: "Copy the status file to .claude/execution/archive/<SPEC>-<YYYYMMDD>.json",
        positionals: [.spec],
        options: [remove.spec],
        discussion: "A second archive on the same day gets a -HHMMSS suffix. Archived specs are not shown by list.")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let path = try context.store.archive(spec, remove: arguments.read(remove), now: context.tracker.clock())
        Console.line("Archived \(spec) to \(context.store.display(path))"
            + (try arguments.read(remove) ? " and removed \(context.store.display(context.store.statusPath(spec)))" : ""))
        return 0
    }
}
