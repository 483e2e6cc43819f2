import ExecutionCore
import ExecutionTracking

enum HookCommand: Subcommand {
    static let name = "hook"
    static let spec = CommandSpec(
        name: name,
        summary: "Record a Claude Code hook payload read on stdin (for .claude/settings.json)",
        discussion: """
        Wired by: exectrack setup hooks. Reads one Claude Code hook payload (JSON) on stdin and
        records what it says (docs/hooks.md): SessionStart, SessionEnd, SubagentStart and
        SubagentStop as agent records (an agent that stops while holding a task leaves its lease
        dead and a warning), PostToolUse and Stop as heartbeats of the session's leases (at most
        once per a third of the TTL), and a Bash call of exectrack claim as the link between the
        claimed task and the session. The spec is the one where the session holds a lease, else
        $EXECTRACK_SPEC, else the only spec in progress. Always exits 0 and prints nothing:
        problems go to .claude/exectrack/hook.log; it never waits for the lock.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let (bytes, truncated) = Tracker.readHookPayload()
        context.tracker.hook(bytes, truncated: truncated, specHint: Console.environment("EXECTRACK_SPEC"))
        return 0
    }
}
