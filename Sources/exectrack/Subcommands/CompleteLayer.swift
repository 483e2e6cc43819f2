import ExecutionCore
import ExecutionTracking

enum CompleteLayerCommand: Subcommand {
    static let force = Option<Bool>.flag("--force", "mark unfinished tasks skipped first")
    static let reason = Option<String?>.text("--reason", "TEXT", "with --force, waive the layer's required gates that have not passed, saying why (logs gate.overridden)")

    static let name = "complete-layer"
    static let spec = CommandSpec(
        name: name,
        summary: "Mark a layer complete (refuses while tasks are unfinished)",
        positionals: [
            .spec,
            .layer,
        ],
        options: [force.spec, reason.spec],
        rules: [.requires(reason, force)],
        discussion: """
        Exit 6, naming the unfinished tasks, unless every task is complete or skipped; and naming
        each required gate not passed (docs/gates.md), unless --force --reason TEXT waives them.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let (status, index, changed) = try context.tracker.completeLayer(spec, layer: arguments.positionals[1],
                                                                         force: arguments.read(force), reason: arguments.read(reason))
        let layer = status.layers[index]
        var line = "Layer \(layer.key) (\(layer.name)) \(changed ? "" : "was already ")complete: \(layer.doneTasks)/\(layer.totalTasks) tasks"
        if let ms = layer.durationMs { line += " in \(DurationFormatting.compact(milliseconds: ms))" }
        if !changed { line += "; nothing changed" }
        Console.line(line)
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
