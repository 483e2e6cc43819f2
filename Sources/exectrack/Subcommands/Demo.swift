import ExecutionCore
import ExecutionTracking

enum DemoCommand: Subcommand {
    static let pace = Option<Int64?>.integer("--pace", "MS", "base milliseconds a task takes (default 150; 0 for instant)", in: 0...60_000)
    static let keep = Option<Bool>.flag("--keep", "keep the scratch project (it is removed by default)")

    static let name = "demo"
    static let spec = CommandSpec(
        name: name,
        summary: "Run a full simulated execution of a 13-task spec in a temporary directory",
        options: [pace.spec, keep.spec],
        discussion: """
        Prints each command as it runs and the report after every layer. The scratch project is
        removed at the end; with --keep it stays, so you can inspect its .claude/execution/F001.json.
        """,
        takesRoot: false)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let pace = try arguments.read(pace) ?? 150
        let root = try StatusStore.makeTemporaryDirectory(prefix: "exectrack-demo-",
                                                          temporaryDirectory: Console.environment("TMPDIR"))
        Console.line("Demo project: \(root)\n")
        let tracker = Tracker(store: StatusStore(root: root, lockTimeoutSeconds: context.store.lockTimeoutSeconds))
        let run = Result { () throws(TrackerError) in
            try DemoRun(tracker: tracker, paceMs: Int(pace), sleep: { SystemClock.sleep(milliseconds: $0) },
                        emit: { Console.line($0) }).run()
        }
        if try arguments.read(keep) {
            Console.line("The status file is \(root)/.claude/execution/F001.json (try: jq .completion_percentage on it).")
        } else {
            try StatusStore.removeTree(root)
            Console.line("Removed the demo project (run with --keep to inspect it).")
        }
        try run.get()
        return 0
    }
}
