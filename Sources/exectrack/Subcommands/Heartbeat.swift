import ExecutionCore
import ExecutionTracking

enum HeartbeatCommand: Subcommand {
    static let agent = Option<String?>.name("--agent", "NAME", "the agent whose leases to renew (default: the process, by pid)")
    static let task = Option<String?>.text("--task", "L/T", "renew only this task's lease (L1/T012 or L1/3)")
    static let json = Option<Bool>.flag("--json", "print the renewed tasks as JSON")

    static let name = "heartbeat"
    static let spec = CommandSpec(
        name: name,
        summary: "Renew the leases an agent holds, so it is not taken for dead",
        positionals: [.spec],
        options: [agent.spec, task.spec] + LeaseOptionSet.specs + [json.spec],
        discussion: """
        A task in progress is held under a lease (docs/agents.md): without a heartbeat within its
        TTL it shows as stale, and reap can hand it to another agent. The holder is matched by
        --agent when given, else by its process (--pid, $EXECTRACK_AGENT_PID, or the nearest
        ancestor that is not a shell). Exit 6 when the agent holds no task, or when the --task
        named is held by another (the message names the holder).
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let name = try arguments.read(agent)
        let (status, renewed) = try context.tracker.heartbeat(spec, task: arguments.read(task),
                                                              lease: LeaseOptionSet.read(arguments, agent: name))
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.array(renewed.map { TaskListing.json(status, $0) })))
            return 0
        }
        for location in renewed { Console.line("renewed " + TaskListing.line(status, location)) }
        return 0
    }
}
