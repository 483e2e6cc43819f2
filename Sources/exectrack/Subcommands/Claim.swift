import ExecutionCore
import ExecutionTracking

enum ClaimCommand: Subcommand {
    static let spec = CommandSpec(
        name: "claim",
        summary: "Atomically take the next ready task and mark it in_progress",
        positionals: [.spec],
        options: [
            .value("--agent", "NAME", "record who took the task"),
            .flag("--any-layer", "do not wait for earlier layers to finish"),
            .value("--layer", "L", "take a task of this layer only (exit 6 when it has none ready)", .layer),
            .flag("--json", "print {layer, index, id, description, agent} as JSON"),
        ],
        discussion: """
        Under the spec's lock, so agents claiming at the same moment never get the same task.
        Exit 6 when nothing is ready; the message says why (all done, all running, failures to
        retry, paused). Finish the task with: exectrack update SPEC LAYER INDEX complete
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let (status, location) = try context.tracker.claim(spec, agent: arguments.value("--agent"),
                                                           anyLayer: arguments.flag("--any-layer"),
                                                           layer: arguments.value("--layer"))
        Console.out(arguments.flag("--json")
            ? JSONWriter.encode(TaskListing.json(status, location))
            : TaskListing.line(status, location) + "\n")
        return 0
    }
}
