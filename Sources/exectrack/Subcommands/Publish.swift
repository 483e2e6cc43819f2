import ExecutionCore
import ExecutionTracking

enum PublishCommand: Subcommand {
    static let json = Option<Bool>.flag("--json", "print where the snapshot went as JSON")

    static let name = "publish"
    static let spec = CommandSpec(
        name: name,
        summary: "Write this machine's snapshot of a spec for other machines (commit it)",
        positionals: [.spec],
        options: [json.spec],
        discussion: """
        Writes .claude/execution/shared/<SPEC>/<machine-id>.json: the status file and the event log
        of this machine, in a file no other machine writes, so commits from several machines never
        conflict (docs/worktrees.md). The machine id is in .claude/exectrack/machine-id, made on
        first use. Commit and push the file; on the other machines, merge folds it in.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let (path, machine, events) = try context.tracker.publish(spec)
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.object(JSONObject([("spec", .string(spec.rawValue)), ("machine", .string(machine)),
                                                              ("path", .string(context.store.display(path))), ("events", .int(events))]))))
        } else {
            Console.line("Published \(spec) as \(machine) to \(context.store.display(path)) (\(counted(events, "event"))); commit and push it")
        }
        return 0
    }
}
