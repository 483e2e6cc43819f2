import ExecutionCore
import ExecutionTracking

enum NextCommand: Subcommand {
    static let limit = Option<Int64?>.integer("--limit", "N", "show at most N tasks", in: 1...Int64(Int32.max))
    static let anyLayer = Option<Bool>.flag("--any-layer", "do not wait for earlier layers to finish")
    static let layer = Option<String?>.text("--layer", "L", "only tasks of this layer", .layer)
    static let json = Option<Bool>.flag("--json", "print the tasks as a JSON array")

    static let name = "next"
    static let spec = CommandSpec(
        name: name,
        summary: "List the tasks ready to start: pending, dependencies met, earlier layers done",
        positionals: [.spec],
        options: [limit.spec, anyLayer.spec, layer.spec, json.spec],
        discussion: """
        Reads without a lock and never writes. When nothing is ready (or the spec is paused or
        blocked) it says why on stderr and exits 0. To take a task: exectrack claim SPEC --agent NAME
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let limit = try arguments.read(limit).map(Int.init) ?? Int.max
        let status = try context.store.load(spec)
        let layer = try arguments.read(layer).map { (reference: String) throws(TrackerError) in try status.layerIndex(for: reference) }
        let anyLayer = try arguments.read(anyLayer)
        let ready = status.startableTasks(anyLayer: anyLayer, inLayer: layer)
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.array(ready.prefix(limit).map { TaskListing.json(status, $0) })))
        } else if ready.isEmpty {
            Console.message(status.nothingReadyMessage(anyLayer: anyLayer, inLayer: layer))
        } else {
            for location in ready.prefix(limit) { Console.line(TaskListing.line(status, location)) }
        }
        return 0
    }
}
