import ExecutionCore
import ExecutionTracking

enum SetupCommand: Subcommand {
    static let dryRun = Option<Bool>.flag("--dry-run", "print what would change and change nothing")
    static let json = Option<Bool>.flag("--json", "print the files looked at, and what was added and kept, as JSON")

    static let name = "setup"
    static let spec = CommandSpec(
        name: name,
        summary: "Add an integration to the project's files, keeping what is there",
        positionals: [PositionalSpec(name: "TARGET", required: true, help: "what to set up",
                                     kind: .choice(IntegrationTarget.allCases.map { $0.rawValue }))],
        options: [dryRun.spec, json.spec],
        discussion: """
        git  adds to .gitignore the rules that keep exectrack's local files out of git: lock files,
             .bak backups and temp files under .claude/execution/, the hook log and notification
             cooldowns under .claude/exectrack/.
             Only what is missing is added, at the top of the file under an "# exectrack" heading,
             so every rule of yours (a negation such as !.claude/execution/keep.bak included) still
             wins; nothing the file has is changed or removed, and its line endings are kept.
        hooks  adds to .claude/settings.json a Claude Code hook running exectrack hook for
             SessionStart, SessionEnd, SubagentStart, SubagentStop, PostToolUse and Stop
             (docs/hooks.md), for each event that has none; your own hooks and settings are kept.
        mcp  adds to .mcp.json (Claude Code's project servers) the server exectrack, running
             exectrack mcp (docs/mcp.md); every other server is kept. A server named exectrack that
             runs something else is left alone (exit 6).
        Running setup again changes nothing. Exit 6 when the file cannot be edited safely (a
        symlink, a hard link, not UTF-8, not the JSON expected) or, for git, the project is not in
        a git work tree.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let name = arguments.positionals[0]
        guard let target = IntegrationTarget(rawValue: name.lowercased()) else {
            throw TrackerError(.usage, "unknown setup target '\(name.singleLine.prefix(40))'; valid: "
                + IntegrationTarget.allCases.map { $0.rawValue }.joined(separator: ", "))
        }
        let dry = try arguments.read(dryRun)
        let edits = try context.store.setUp(target, dryRun: dry)
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.object(JSONObject([
                ("target", .string(target.rawValue)),
                ("dry_run", .bool(dry)),
                ("files", .array(edits.map { edit in
                    .object(JSONObject([("path", .string(edit.path)), ("changed", .bool(edit.changes)),
                                        ("added", .strings(edit.added)), ("kept", .strings(edit.kept))]))
                })),
            ]))))
            return 0
        }
        for edit in edits {
            let verb = dry ? "would add to" : "added to"
            for line in edit.added { Console.line("\(verb) \(edit.path): \(line)") }
            for line in edit.kept { Console.line("already in \(edit.path): \(line)") }
            if !edit.changes { Console.line("\(edit.path): nothing to change") }
        }
        return 0
    }
}
