import ExecutionTracking

enum NextCommand: Subcommand {
    static let spec = CommandSpec(
        name: "next",
        summary: "List the tasks ready to start: pending, dependencies met, earlier layers done",
        positionals: [PositionalSpec(name: "SPEC", required: true, help: "spec id, e.g. F001")],
        options: [
            .value("--limit", "N", "show at most N tasks"),
            .flag("--any-layer", "do not wait for earlier layers to finish"),
            .value("--layer", "L", "only tasks of this layer"),
            .flag("--json", "print the tasks as a JSON array"),
        ],
        discussion: "Reads without a lock and never writes. To take a task, use: exectrack claim SPEC --agent NAME")

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let limit = try arguments.nonNegativeInteger("--limit", min: 1, max: Int64(Int32.max)).map(Int.init) ?? Int.max
        let status = try context.store.load(spec)
        let layer = try arguments.value("--layer").map { (reference: String) throws(TrackerError) in try status.layerIndex(for: reference) }
        let ready = Array(status.readyTasks(anyLayer: arguments.flag("--any-layer"))
            .filter { layer == nil || $0.layer == layer }.prefix(limit))
        if arguments.flag("--json") {
            Console.out(JSONWriter.encode(.array(ready.map { TaskListing.json(status, $0) })))
            return 0
        }
        if ready.isEmpty {
            Console.message("No task is ready in \(spec).")
            return 0
        }
        for location in ready { Console.line(TaskListing.line(status, location)) }
        return 0
    }
}
