import ExecutionCore
import ExecutionTracking

enum InitCommand: Subcommand {
    static let tasksFile = Option<String?>.text("--tasks-file", "PATH", "read tasks from PATH (- for stdin) instead of specs/<SPEC>/layered-tasks.md (parse reads a file again later)", .path)
    static let force = Option<Bool>.flag("--force", "start over when the status file exists (one with progress, or unreadable, is archived first)")

    static let name = "init"
    static let spec = CommandSpec(
        name: name,
        summary: "Create the status file for a spec and seed it from its layered-tasks.md",
        positionals: [.spec],
        options: [tasksFile.spec, force.spec],
        discussion: """
        Tasks checked [x] in the tasks file start complete; all others start pending.
        A SPEC that names part of one directory under specs/ (invoice-export for
        specs/042-invoice-export/) is stored under that directory's name.
        --force over a file with progress first copies it to .claude/execution/archive/.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let initialized = try context.tracker.initialize(spec, tasksFile: arguments.read(tasksFile),
                                                         force: arguments.read(force))
        let status = initialized.status
        if let archived = initialized.archivedPrevious {
            Console.message("The \(initialized.spec) file this replaced is kept in \(context.store.display(archived))")
        }
        Console.line("Initialized \(context.store.display(context.store.statusPath(initialized.spec))): "
            + "\(status.totalTasks) tasks in \(status.layers.count) layers")
        for warning in status.emptyLayerWarnings { Console.message("warning: " + warning) }
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
