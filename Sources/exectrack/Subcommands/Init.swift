import ExecutionTracking

enum InitCommand: Subcommand {
    static let spec = CommandSpec(
        name: "init",
        summary: "Create the status file for a spec and seed it from its layered-tasks.md",
        positionals: [.spec],
        options: [
            .value("--tasks-file", "PATH", "read tasks from PATH instead of specs/<SPEC>/layered-tasks.md (parse reads it again later)", .path),
            .flag("--force", "start over when the status file exists (the old one is kept as .bak)"),
        ],
        discussion: "Tasks checked [x] in the tasks file start complete; all others start pending.")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let status = try context.tracker.initialize(spec, tasksFile: arguments.value("--tasks-file"),
                                                    force: arguments.flag("--force"))
        Console.line("Initialized \(context.store.display(context.store.statusPath(spec))): "
            + "\(status.totalTasks) tasks in \(status.layers.count) layers")
        for warning in status.emptyLayerWarnings { Console.message("warning: " + warning) }
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
