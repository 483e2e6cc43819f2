import ExecutionCore
import ExecutionTracking

enum ReapCommand: Subcommand {
    static let grace = Option<Int64?>.duration("--grace", "also reap leases stale for longer than DUR past their TTL (default 10m)")
    static let to = Option<ReapTarget?>.choice("--to", "where reaped tasks go (default pending: attempts kept; failed: an agent_lost error)")
    static let dryRun = Option<Bool>.flag("--dry-run", "list what would be reaped and change nothing")
    static let json = Option<Bool>.flag("--json", "print the reaped tasks as JSON")

    static let name = "reap"
    static let spec = CommandSpec(
        name: name,
        summary: "Take the tasks of dead agents (and long-stale ones) back",
        positionals: [.spec],
        options: [grace.spec, to.spec, dryRun.spec, json.spec],
        discussion: """
        An agent is dead when its process is gone or its pid now belongs to another process
        (judged only where the lease was taken: same host, boot and pid namespace); otherwise it
        is stale once its lease's TTL passed without a heartbeat (docs/agents.md). Each task reaped
        is an agent.reaped event naming its previous owner. Waits for the lock like every writer.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let graceMs = try arguments.read(grace) ?? 10 * 60 * 1000
        let dry = try arguments.read(dryRun)
        let target = try arguments.read(to) ?? .pending
        let (status, reaped) = try context.tracker.reap(spec, graceMs: graceMs, to: target, dryRun: dry)
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.object(JSONObject([
                ("dry_run", .bool(dry)), ("to", .string(target.rawValue)),
                ("reaped", .array(reaped.map { candidate in
                    var entry = TaskListing.json(status, candidate.location).objectValue ?? JSONObject()
                    entry.append("previous_owner", candidate.holder.map { $0.json } ?? .null)
                    entry.append("liveness", .string(candidate.liveness.rawValue))
                    entry.append("last_heartbeat", .optional(candidate.lastSign))
                    return .object(entry)
                })),
            ]))))
            return 0
        }
        if reaped.isEmpty { Console.line("Nothing to reap: no dead agent, none stale past the grace.") }
        for candidate in reaped {
            let owner = candidate.holder?.shown ?? status.task(at: candidate.location).agent ?? "an unknown agent"
            Console.line("\(dry ? "would reap" : "reaped") \(TaskListing.line(status, candidate.location)) from \(owner) "
                + "(\(candidate.liveness.rawValue)) → \(target.rawValue)")
        }
        return 0
    }
}
