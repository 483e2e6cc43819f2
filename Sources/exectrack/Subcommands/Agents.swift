import ExecutionCore
import ExecutionTracking

enum AgentsCommand: Subcommand {
    static let all = Option<Bool>.flag("--all", "every spec's agents")
    static let json = Option<Bool>.flag("--json", "print the agents as JSON")

    static let name = "agents"
    static let spec = CommandSpec(
        name: name,
        summary: "List a spec's agents: active, stale, dead or finished",
        positionals: [PositionalSpec(name: "SPEC", required: false, help: "the spec (or --all)", kind: .spec)],
        options: [all.spec, json.spec],
        rules: [
            OptionRule { arguments in
                switch (arguments.positional(0) != nil, arguments.isGiven(all.spec.name)) {
                case (true, true): TrackerError(.usage, "give SPEC or --all, not both")
                case (false, false): TrackerError(.usage, "missing SPEC (or --all); usage: exectrack agents SPEC|--all [--json]")
                default: nil
                }
            },
        ],
        discussion: """
        From the leases of the tasks in progress (docs/agents.md) and the agent records of the
        status file: active (its process runs, or its heartbeat is within the TTL), stale (no
        heartbeat within the TTL), dead (its process is gone), finished (holds no task).
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let tracker = context.tracker
        var rows: [AgentOverview.Row] = []
        let specs = try arguments.read(all) ? context.store.listSpecs() : [try context.spec(arguments)]
        for spec in specs {
            let status: StatusFile
            do throws(TrackerError) { status = try context.store.load(spec) } catch where specs.count > 1 {
                Console.message("exectrack: warning: \(error.message)")
                continue
            }
            rows += AgentOverview(status, spec: spec.rawValue, liveness: tracker.livenessNow()).rows
        }
        Console.out(try arguments.read(json) ? JSONWriter.encode(AgentOverview.json(rows))
            : AgentOverview.text(rows, now: tracker.clock(), showSpec: specs.count > 1 || arguments.isGiven(all.spec.name)))
        return 0
    }
}
