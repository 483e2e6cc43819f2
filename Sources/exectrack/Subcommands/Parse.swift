import ExecutionTracking

enum ParseCommand: Subcommand {
    static let spec = CommandSpec(
        name: "parse",
        aliases: ["parse-layered-tasks"],
        summary: "Re-read the tasks file into the status file, keeping progress",
        positionals: [.spec],
        options: [
            .value("--tasks-file", "PATH", "read tasks from PATH and keep it for later parses (default: the one init was given)", .path),
            .flag("--check", "only diagnose: print the tasks found and the lines not understood"),
            .flag("--json", "with --check: print the result as JSON"),
        ],
        discussion: """
        Tasks keep their status and timing when matched by id, else by layer and description.
        New tasks come in pending; removed tasks are dropped and listed in the file's warnings.
        Exit 6 when the tasks file holds no tasks.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let tasksFile = arguments.value("--tasks-file")
        if arguments.flag("--check") {
            let (path, tasks) = try context.tracker.readTasks(
                for: spec, tasksFile: try context.tracker.tasksFileToParse(spec, explicit: tasksFile))
            Console.out(arguments.flag("--json")
                ? JSONWriter.encode(TasksCheck.json(tasks, path: context.store.display(path)))
                : TasksCheck.text(tasks, path: context.store.display(path)))
            guard tasks.taskCount > 0 else {
                Console.error("no tasks found in \(context.store.display(path))")
                return TrackerError.Kind.precondition.rawValue
            }
            return 0
        }
        let (status, summary) = try context.tracker.reparse(spec, tasksFile: tasksFile)
        if let summary {
            Console.line("Re-parsed \(spec): kept \(summary.kept), added \(summary.added.count), "
                + "removed \(summary.removed.count), moved \(summary.moved.count), reworded \(summary.reworded.count)")
            for line in summary.added { Console.line("  + \(line)") }
            for line in summary.removed { Console.line("  - \(line)") }
            for line in summary.moved { Console.line("  ~ \(line)") }
            for line in summary.reworded { Console.line("  ✎ \(line)") }
        } else {
            Console.line("Initialized \(context.store.display(context.store.statusPath(spec))): "
                + "\(status.totalTasks) tasks in \(status.layers.count) layers")
        }
        for warning in status.emptyLayerWarnings { Console.message("warning: " + warning) }
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
