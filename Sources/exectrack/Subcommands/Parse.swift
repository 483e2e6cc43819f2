import ExecutionCore
import ExecutionTracking

enum ParseCommand: Subcommand {
    static let tasksFile = Option<String?>.text("--tasks-file", "PATH", "read tasks from PATH (- for stdin; a file is kept for later parses; default: the one init was given)", .path)
    static let check = Option<Bool>.flag("--check", "only diagnose: print the tasks found and the lines not understood")
    static let json = Option<Bool>.flag("--json", "print the result as JSON")
    static let force = Option<Bool>.flag("--force", "drop tasks that have progress but left the tasks file (the current file is archived first)")

    static let name = "parse"
    static let aliases = ["parse-layered-tasks"]
    static let spec = CommandSpec(
        name: name,
        aliases: aliases,
        summary: "Re-read the tasks file into the status file, keeping progress",
        positionals: [.spec],
        options: [tasksFile.spec, check.spec, json.spec, force.spec],
        rules: [.requires(json, check)],
        discussion: """
        Tasks keep their status and timing when matched by id, else by layer and description.
        New tasks come in pending; removed tasks are dropped and listed in the file's warnings.
        Removing a task that was started, finished or failed needs --force (exit 6 otherwise,
        listing them). Exit 6 when the tasks file holds no tasks. Nothing is written when
        nothing changed.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let tasksFile = try arguments.read(tasksFile)
        if try arguments.read(check) {
            let (path, _, tasks) = try context.tracker.readTasks(
                for: spec, tasksFile: try context.tracker.tasksFileToParse(spec, explicit: tasksFile))
            Console.out(try arguments.read(json)
                ? JSONWriter.encode(TasksCheck.json(tasks, path: context.store.display(path)))
                : TasksCheck.text(tasks, path: context.store.display(path)))
            guard tasks.taskCount > 0 else {
                Console.error("no tasks found in \(context.store.display(path))")
                return TrackerError.Kind.precondition.rawValue
            }
            return 0
        }
        let reparsed = try context.tracker.reparse(spec, tasksFile: tasksFile, force: arguments.read(force))
        let status = reparsed.status
        if let archived = reparsed.archivedPrevious {
            Console.message("Tasks with progress were dropped; the file from before is kept in \(context.store.display(archived))")
        }
        if let summary = reparsed.summary {
            Console.line("Re-parsed \(spec): kept \(summary.kept), added \(summary.added.count), "
                + "removed \(summary.removed.count), moved \(summary.moved.count), reworded \(summary.reworded.count)")
            for line in summary.added { Console.line("  + \(line)") }
            for line in summary.removed { Console.line("  - \(line)") }
            for line in summary.moved { Console.line("  ~ \(line)") }
            for line in summary.reworded { Console.line("  ✎ \(line)") }
            for line in summary.checkedByHand { Console.line("  ☑ \(line) in the plan by hand") }
        } else {
            Console.line("Initialized \(context.store.display(context.store.statusPath(reparsed.spec))): "
                + "\(status.totalTasks) tasks in \(status.layers.count) layers")
        }
        for warning in status.emptyLayerWarnings { Console.message("warning: " + warning) }
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
