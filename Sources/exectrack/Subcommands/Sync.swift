import ExecutionCore
import ExecutionTracking

enum SyncCommand: Subcommand {
    static let check = Option<Bool>.flag("--check", "print what would change and write nothing (exit 6 when anything would)")
    static let json = Option<Bool>.flag("--json", "print the changes as JSON")

    static let name = "sync"
    static let spec = CommandSpec(
        name: name,
        summary: "Write the tracker's task states back into the plan file's checkboxes",
        positionals: [.spec],
        options: [check.spec, json.spec],
        discussion: """
        For plans whose tools expect their boxes ticked (spec-kit, Kiro, OpenSpec; any plan with
        checkboxes; docs/layered-tasks-format.md): a complete task's box becomes [x], any other [ ]
        (a file that uses [-] gets it for running tasks). Only those characters change; the file
        is replaced atomically. A box changed by hand since the last parse or sync is left for
        parse to take. Exit 6, writing nothing, when the plan no longer matches the tracked tasks
        (run parse first), and with --check when anything would change.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let checking = try arguments.read(check)
        let synced = try context.tracker.sync(spec, check: checking)
        let path = context.store.display(synced.path)
        func mark(_ byte: UInt8) -> String { "[\(Character(Unicode.Scalar(byte)))]" }
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.object(JSONObject([
                ("spec", .string(spec.rawValue)), ("plan", .string(path)), ("written", .bool(synced.written)),
                ("changes", .array(synced.sync.changes.map { .object(JSONObject([("task", .string($0.label)), ("from", .string(mark($0.from))),
                                                                                 ("to", .string(mark($0.to)))])) })),
                ("changed_by_hand", .strings(synced.sync.changedByHand)),
            ]))))
        } else {
            let verb = checking ? "would change" : "changed"
            for change in synced.sync.changes { Console.line("\(verb) \(mark(change.from)) → \(mark(change.to)) \(change.label)") }
            for label in synced.sync.changedByHand {
                Console.line("left as ticked or unticked by hand (run parse to take it): \(label)")
            }
            Console.line(synced.sync.changes.isEmpty ? "\(path) already shows every task's state"
                : "\(path): \(synced.sync.changes.count) box\(synced.sync.changes.count == 1 ? "" : "es") \(checking ? "to change" : "changed")")
        }
        return checking && !synced.sync.changes.isEmpty ? TrackerError.Kind.precondition.rawValue : 0
    }
}
