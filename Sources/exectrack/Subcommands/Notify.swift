import ExecutionCore
import ExecutionTracking

enum NotifyCommand: Subcommand {
    static let trust = Option<Bool>.flag("--trust", "let the repository's .claude/exectrack/notify.json run, as it is now")
    static let untrust = Option<Bool>.flag("--untrust", "stop the repository's notify.json from running")
    static let test = Option<Bool>.flag("--test", "run every active rule once with a sample event of SPEC, and report each")
    static let deliver = Option<String?>.text("--deliver", "FROM-TO", "run the rules for SPEC's logged events of these seqs (how the hook hands them off)")
    static let json = Option<Bool>.flag("--json", "print the rules and their state (or the test results) as JSON")

    static let name = "notify"
    static let spec = CommandSpec(
        name: name,
        summary: "List, trust and test the notification rules",
        positionals: [PositionalSpec(name: "SPEC", required: false, help: "a tracked spec, which a --test notification is about", kind: .spec)],
        options: [trust.spec, untrust.spec, test.spec, deliver.spec, json.spec],
        rules: [
            OptionRule { arguments in
                let given = [trust.spec, untrust.spec, test.spec, deliver.spec].map(\.name).filter(arguments.isGiven)
                return given.count > 1 ? TrackerError(.usage, "\(given.joined(separator: " and ")) cannot be combined; give one") : nil
            },
            OptionRule { arguments in
                let option = [test.spec.name, deliver.spec.name].first(where: arguments.isGiven)
                return option != nil && arguments.positional(0) == nil
                    ? TrackerError(.usage, "\(option!) needs SPEC: exectrack notify SPEC \(option!)") : nil
            },
        ],
        discussion: """
        Rules run commands when events are logged (docs/notifications.md): the user's
        ${XDG_CONFIG_HOME:-~/.config}/exectrack/notify.json always, the repository's
        .claude/exectrack/notify.json only once trusted here. --trust records the file's SHA-256
        outside the repository; a changed file needs trusting again. Without options, lists both
        files, their state and their rules. --test exits 6 when a rule fails or none is active.
        EXECTRACK_NO_NOTIFY=1 silences every rule. The hook runs no rule itself: it hands the
        events that match one to `notify SPEC --deliver FROM-TO` in a process of their own.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let store = context.store
        let settings = context.notifySettings
        let asJSON = try arguments.read(json)
        // A spec named is checked as every command checks it, whatever the option.
        var spec: SpecID?
        if arguments.positional(0) != nil {
            spec = try context.spec(arguments)
            _ = try store.load(spec!)
        }
        if try arguments.read(trust) {
            let source = try store.trustRepositoryRules(settings, now: context.tracker.clock())
            if asJSON { Console.out(JSONWriter.encode(describe(source))) } else {
                Console.line("Trusted \(source.shown) (sha256 \(source.sha256!.prefix(12))…); active now: \(counted(source.config.rules.count, "rule")).")
                for problem in source.config.problems { Console.message("warning: \(problem)") }
            }
            return 0
        }
        if try arguments.read(untrust) {
            let removed = try store.untrustRepositoryRules(settings)
            let shown = store.display(store.repositoryNotifyPath)
            if asJSON {
                Console.out(JSONWriter.encode(.object(JSONObject([("path", .string(shown)), ("was_trusted", .bool(removed))]))))
            } else {
                Console.line(removed ? "\(shown) is no longer trusted: its rules do not run." : "\(shown) was not trusted.")
            }
            return 0
        }
        if try arguments.read(test), let spec {
            return try runTest(spec, context, asJSON: asJSON)
        }
        if let range = try arguments.read(deliver), let spec {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2, let from = Int64(bounds[0]), let to = Int64(bounds[1]), from >= 0, from <= to else {
                throw TrackerError(.usage, "--deliver must be FROM-TO, two event seqs (12-14), got '\(range.prefix(40))'")
            }
            let notifier = Notifier(settings, warn: { Console.message("warning: \($0)") })
            let count = try notifier.deliver(spec, seqs: from...to, store: store)
            Console.line("Delivered \(counted(count, "event")) to the notification rules")
            return 0
        }
        let sources = store.notifySources(settings)
        if asJSON {
            Console.out(JSONWriter.encode(.object(JSONObject([
                ("disabled", .bool(settings.disabled)),
                ("files", .array(sources.map(describe))),
            ]))))
            return 0
        }
        if settings.disabled { Console.line("EXECTRACK_NO_NOTIFY is set: no rule runs.") }
        for source in sources {
            Console.line("\(source.kind.rawValue): \(source.shown): \(stateText(source))")
            for rule in source.config.rules {
                let events = rule.events.map(patternText).joined(separator: ", ")
                Console.line("  \(rule.name ?? "rule \(rule.origin.split(separator: "#").last ?? "")"): \(events)"
                    + " (min \(rule.minPriority?.rawValue ?? "default")) -> \(rule.command.joined(separator: " "))"
                    + " [timeout \(format(rule.timeoutSeconds))s" + (rule.cooldownSeconds > 0 ? ", cooldown \(format(rule.cooldownSeconds))s]" : "]"))
            }
            for problem in source.config.problems { Console.line("  problem: \(problem)") }
        }
        return 0
    }

    private static func runTest(_ spec: SpecID, _ context: Context, asJSON: Bool) throws(TrackerError) -> Int32 {
        let notifier = Notifier(context.notifySettings, warn: { Console.message("warning: \($0)") })
        let results = notifier.test(spec, store: context.store)
        let failed = results.filter { !$0.outcome.succeeded }.count
        if asJSON {
            Console.out(JSONWriter.encode(.array(results.map { rule, outcome in
                .object(JSONObject([
                    ("rule", .string(rule.origin)), ("name", .optional(rule.name)), ("ok", .bool(outcome.succeeded)),
                    ("result", .string(outcome.succeeded ? "ok" : outcome.reason(timeoutSeconds: rule.timeoutSeconds))),
                    ("duration_ms", .number(JSONNumber(outcome.durationMs))),
                    ("output", .string(SecretMask.mask(String(decoding: outcome.output, as: UTF8.self)))),
                ]))
            })))
        } else {
            for (rule, outcome) in results {
                let result = outcome.succeeded ? "ok" : "FAILED: \(outcome.reason(timeoutSeconds: rule.timeoutSeconds))"
                Console.line("\(rule.origin): \(result) (\(outcome.durationMs) ms)")
                if !outcome.succeeded, !outcome.output.isEmpty {
                    Console.line("  " + SecretMask.mask(String(decoding: outcome.output.suffix(400), as: UTF8.self)).singleLine)
                }
            }
        }
        if results.isEmpty {
            throw TrackerError(.precondition, "no active notification rule to test"
                + (context.notifySettings.disabled ? " (EXECTRACK_NO_NOTIFY is set)" : "; run: exectrack notify to see the files and their state"))
        }
        if failed > 0 {
            throw TrackerError(.precondition, "\(failed) of \(counted(results.count, "rule")) failed")
        }
        return 0
    }

    private static func stateText(_ source: NotifySource) -> String {
        switch source.state {
        case .active: "active (\(counted(source.config.rules.count, "rule")))"
        case .missing: "none"
        case .untrusted: "not trusted: its rules do not run (review it, then: exectrack notify --trust)"
        case .changed: "changed since trusted: its rules do not run (review it, then: exectrack notify --trust)"
        case .unreadable(let why): "unreadable: \(why)"
        }
    }

    private static func stateName(_ state: NotifySource.State) -> String {
        switch state {
        case .active: "active"
        case .missing: "missing"
        case .untrusted: "untrusted"
        case .changed: "changed"
        case .unreadable: "unreadable"
        }
    }

    private static func patternText(_ pattern: EventPattern) -> String {
        switch pattern {
        case .all: "*"
        case .type(let type): type.shortName
        case .prefix(let prefix): String(prefix.dropFirst("dev.exectrack.".count)) + "*"
        }
    }

    private static func describe(_ source: NotifySource) -> JSONValue {
        .object(JSONObject([
            ("kind", .string(source.kind.rawValue)), ("path", .string(source.shown)), ("state", .string(stateName(source.state))),
            ("sha256", .optional(source.sha256)),
            ("rules", .array(source.config.rules.map { rule in
                .object(JSONObject([
                    ("origin", .string(rule.origin)), ("name", .optional(rule.name)),
                    ("events", .strings(rule.events.map(patternText))), ("min_priority", .optional(rule.minPriority?.rawValue)),
                    ("command", .strings(rule.command)), ("timeout_s", .double(rule.timeoutSeconds)), ("cooldown_s", .double(rule.cooldownSeconds)),
                ]))
            })),
            ("problems", .strings(source.config.problems)),
        ]))
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int64(seconds))" : "\(seconds)"
    }
}
