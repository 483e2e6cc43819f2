import ExecutionCore
import ExecutionTracking

enum UpdateCommand: Subcommand {
    static let output = Option<String?>.text("--output", "TEXT", "record the task's output")
    static let filesCreated = Option<[String]>.list("--files-created", "A,B", "record files the task created")
    static let filesModified = Option<[String]>.list("--files-modified", "A,B", "record files the task modified")
    static let durationMs = Option<Int64?>.integer("--duration-ms", "N", "record this duration instead of the measured one (at most 100 years)", in: 0...Limits.maxDurationMs)
    static let agent = Option<String?>.name("--agent", "NAME", "record the agent doing the task")
    static let restart = Option<Bool>.flag("--restart", "with in_progress: start a new attempt even if you hold the task")
    static let json = Option<Bool>.flag("--json", "print the updated task as JSON")

    static let name = "update"
    static let spec = CommandSpec(
        name: name,
        summary: "Set a task's status (pending, in_progress, complete, failed, skipped)",
        positionals: [
            .spec,
            .layer,
            .task,
            PositionalSpec(name: "STATUS", required: true, help: "the new status (aliases below)",
                           kind: .choice(TaskStatus.allCases.map { $0.rawValue })),
        ],
        options: [output.spec, filesCreated.spec, filesModified.spec, durationMs.spec, agent.spec] + LeaseOptionSet.specs
            + [restart.spec, json.spec],
        discussion: """
        in_progress stamps started_at, counts an attempt and gives the agent a lease (docs/agents.md);
        in_progress again by the lease holder renews the lease in the same attempt, unless
        --restart (a new attempt); complete/failed/skipped stamp
        completed_at and duration_ms; pending resets timing and error (retry). Repeating the
        terminal status a task already has (complete, failed, skipped) changes nothing.
        Aliases: completed, done -> complete; running, started, in-progress -> in_progress; todo -> pending.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let details = TaskUpdateDetails(
            output: try arguments.read(output), filesCreated: try arguments.read(filesCreated),
            filesModified: try arguments.read(filesModified), durationMs: try arguments.read(durationMs),
            agent: try arguments.read(agent))
        let updated = try context.tracker.update(
            spec, layer: arguments.positionals[1], task: arguments.positionals[2],
            status: arguments.positionals[3], details: details,
            lease: LeaseOptionSet.read(arguments, agent: details.agent, restart: arguments.read(restart)))
        let status = updated.status
        let location = updated.location
        let task = status.task(at: location)
        let name = "\(status.layers[location.layer].key).\(task.index)" + (task.id.map { " \($0)" } ?? "")
        // Said on stderr with --json too, so a script sees that the timing was kept.
        let repeatNote = !updated.repeated ? nil
            : "\(name) was already \(task.status.rawValue); its timing was kept"
                + (updated.changed ? ", the details given were recorded" : "; nothing changed")
        if try arguments.read(json) {
            if let repeatNote { Console.message(repeatNote) }
            Console.out(JSONWriter.encode(task.json))
            return 0
        }
        var line = "\(name) → \(task.status.rawValue)"
        if let repeatNote {
            line = repeatNote
        } else if !updated.changed {
            line += " (as it was; nothing changed)"
        } else if task.status != .inProgress, let ms = task.durationMs {
            line += " in \(DurationFormatting.compact(milliseconds: ms))"
        }
        Console.line(line)
        Console.line(ProgressReport.summaryLine(status))
        return 0
    }
}
