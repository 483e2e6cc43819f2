import ExecutionCore
import ExecutionTracking

enum ClaimCommand: Subcommand {
    static let agent = Option<String?>.name("--agent", "NAME", "record who took the task")
    static let anyLayer = Option<Bool>.flag("--any-layer", "do not wait for earlier layers to finish")
    static let layer = Option<String?>.text("--layer", "L", "take a task of this layer only (exit 6 when it has none ready)", .layer)
    static let json = Option<Bool>.flag("--json", "print {layer, index, id, description, agent} as JSON")

    static let name = "claim"
    static let spec = CommandSpec(
        name: name,
        summary: "Atomically take the next ready task and mark it in_progress",
        positionals: [.spec],
        options: [agent.spec, anyLayer.spec, layer.spec] + LeaseOptionSet.specs + [json.spec],
        discussion: """
        Under the spec's lock, so agents claiming at the same moment never get the same task.
        The task is held under a lease (docs/agents.md): renew it with exectrack heartbeat. Tasks of
        agents found dead go back to pending first (an agent.reaped event each).
        Exit 6 when nothing is ready; the message says why (all done, all running, failures to
        retry, paused). Finish the task with: exectrack update SPEC LAYER INDEX complete
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let (status, location) = try context.tracker.claim(spec, agent: arguments.read(agent),
                                                           anyLayer: arguments.read(anyLayer),
                                                           layer: arguments.read(layer),
                                                           lease: LeaseOptionSet.read(arguments, agent: arguments.read(agent)))
        Console.out(try arguments.read(json)
            ? JSONWriter.encode(TaskListing.json(status, location))
            : TaskListing.line(status, location) + "\n")
        return 0
    }
}
