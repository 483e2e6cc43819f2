import ExecutionCore
import ExecutionTracking

enum MergeCommand: Subcommand {
    static let all = Option<Bool>.flag("--all", "merge every spec that has snapshots (what the post-merge hook runs)")
    static let quiet = Option<Bool>.flag("--quiet", "print nothing when nothing changed")
    static let json = Option<Bool>.flag("--json", "print what was merged as JSON")

    static let name = "merge"
    static let spec = CommandSpec(
        name: name,
        summary: "Fold other machines' snapshots of a spec into the live state",
        positionals: [PositionalSpec(name: "SPEC", required: false, help: "the spec (or --all)", kind: .spec)],
        options: [all.spec, quiet.spec, json.spec],
        rules: [OptionRule { arguments in
            (arguments.positional(0) == nil) == arguments.isGiven(all.spec.name) ? nil
                : TrackerError(.usage, arguments.isGiven(all.spec.name) ? "give SPEC or --all, not both" : "missing <SPEC> (or --all)")
        }],
        discussion: """
        Reads .claude/execution/shared/<SPEC>/*.json (every machine's but this one's) and merges
        them into the status file through the locked write, task by task: the later change wins
        (changed_at), attempts are the most any machine saw, errors, warnings and gate attempts
        are united; the latest plan's task list is kept (docs/worktrees.md). Running it again
        changes nothing; the order of the snapshots does not matter. A snapshot that cannot be
        read, is of a newer schema or names another spec is skipped with a warning.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let specs = try arguments.read(all) ? context.store.sharedSpecs() : [try SpecID(arguments.positional(0) ?? "")]
        var outcomes: [MergeOutcome] = []
        for spec in specs { outcomes.append(try context.tracker.merge(spec)) }
        for outcome in outcomes { for reason in outcome.skipped { Console.error("warning: \(reason)") } }
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.array(outcomes.map { o in
                .object(JSONObject([("spec", .string(o.spec.rawValue)), ("machines", .strings(o.machines)),
                                    ("changed", .bool(o.changed)), ("events_merged", .int(o.eventsMerged)), ("skipped", .strings(o.skipped))]))
            })))
            return 0
        }
        let quietly = try arguments.read(quiet)
        for outcome in outcomes where !(quietly && !outcome.changed) {
            let what = outcome.machines.isEmpty ? "no other machine's snapshot" : "\(counted(outcome.machines.count, "machine")) (\(outcome.machines.joined(separator: ", ")))"
            let events = outcome.eventsMerged > 0 ? ", \(counted(outcome.eventsMerged, "event")) of theirs added to the log" : ""
            Console.line("\(outcome.spec): merged \(what); " + (outcome.changed ? "the state changed" : "nothing changed") + events)
            if outcome.changed, let status = outcome.status { Console.line(ProgressReport.summaryLine(status)) }
        }
        return 0
    }
}
