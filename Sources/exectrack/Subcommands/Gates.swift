import ExecutionCore
import ExecutionTracking

enum GatesCommand: Subcommand {
    static let layer = Option<String?>.text("--layer", "L", "only this layer (with --run: the layer whose commands run; default the current one)", .layer)
    static let run = Option<Bool>.flag("--run", "run the commands gates.json gives the layer's gates, and record each")
    static let hook = Option<Bool>.flag("--hook", "for a Claude Code Stop/SubagentStop hook: exit 2 with the reasons while a required gate of the current layer fails")
    static let trust = Option<Bool>.flag("--trust", "let the commands of the repository's .claude/exectrack/gates.json run here, as it is now")
    static let untrust = Option<Bool>.flag("--untrust", "stop the commands of gates.json from running here")
    static let json = Option<Bool>.flag("--json", "print the layers' gates as JSON")

    static let name = "gates"
    static let spec = CommandSpec(
        name: name,
        summary: "List a spec's required gates and their state; run the configured ones",
        positionals: [PositionalSpec(name: "SPEC", required: false, help: "a tracked spec (not needed for --trust and --untrust)", kind: .spec)],
        options: [layer.spec, run.spec, hook.spec, trust.spec, untrust.spec, json.spec],
        rules: [
            OptionRule { arguments in
                let given = [run.spec, hook.spec, trust.spec, untrust.spec].map(\.name).filter(arguments.isGiven)
                if given.count > 1 { return TrackerError(.usage, "\(given.joined(separator: " and ")) cannot be combined; give one") }
                // A hook without its SPEC is a tracking problem, answered with 0 like any other.
                let needsSpec = ![trust.spec, untrust.spec, hook.spec].contains { arguments.isGiven($0.name) }
                return needsSpec && arguments.positional(0) == nil ? TrackerError(.usage, "missing <SPEC>; usage: exectrack gates <SPEC> [options]") : nil
            },
        ],
        discussion: """
        Required gates come from the tasks file (a `Gates: tests, lint` line under a layer
        heading) and from .claude/exectrack/gates.json (docs/gates.md). --run runs the commands
        gates.json gives them, which a cloned repository's file may do only once trusted here
        (--trust records its SHA-256 in your configuration directory; a changed file needs
        trusting again). Exit 9 when a gate --run ran failed, 10 when a command could not start.
        --hook reads the hook's payload on stdin and follows Claude Code's convention: exit 2
        with the reasons on stderr while a required gate of the current layer fails, exit 0 for
        anything else (tracking problems and stop_hook_active included).
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        if try arguments.read(hook) { return hookVerdict(arguments, context) }
        let store = context.store
        if try arguments.read(trust) {
            let sha = try store.trustGateCommands(context.notifySettings, now: context.tracker.clock())
            Console.line("Trusted \(store.display(store.gatesConfigPath)) (sha256 \(sha.prefix(12))…): gates --run may run its commands here.")
            return 0
        }
        if try arguments.read(untrust) {
            let removed = try store.untrustGateCommands(context.notifySettings)
            Console.line(removed ? "\(store.display(store.gatesConfigPath)) is no longer trusted: its commands do not run."
                                 : "\(store.display(store.gatesConfigPath)) was not trusted.")
            return 0
        }
        let spec = try context.spec(arguments)
        if try arguments.read(run) {
            let outcomes = try context.tracker.runConfiguredGates(spec, layer: arguments.read(layer), settings: context.notifySettings)
            if try arguments.read(json) {
                Console.out(JSONWriter.encode(.array(outcomes.map { $0.result.json })))
            } else {
                for outcome in outcomes {
                    Console.line(GateText.recorded(outcome.result, layer: outcome.status.layers[outcome.layer]))
                }
            }
            // A gate that is not required informs; it fails nothing.
            let required = outcomes.filter { outcome in
                outcome.status.layers[outcome.layer].requires(gate: outcome.result.name)
            }
            if required.contains(where: \.notStarted) { return GateCommand.notStarted }
            return required.contains { $0.result.status == .failed } ? GateCommand.gateFailed : 0
        }
        let status = try store.load(spec)
        var layers = status.layers
        if let name = try arguments.read(layer) { layers = [status.layers[try status.layerIndex(for: name)]] }
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(.array(layers.map(GateText.json))))
            return 0
        }
        for line in GateText.listing(layers, spec: spec.rawValue) { Console.line(line) }
        return 0
    }

    /// Claude Code's Stop hook convention: 2 blocks the agent from stopping and shows it stderr.
    static let blockingExit: Int32 = 2

    /// Never a tracking problem's exit code: a hook that fails for exectrack's reasons would
    /// stop the agent for nothing.
    private static func hookVerdict(_ arguments: ParsedArguments, _ context: Context) -> Int32 {
        let payload = Tracker.readHookPayload()
        guard arguments.positional(0) != nil,
              let verdict = try? context.tracker.gateHookVerdict(context.spec(arguments), payload: payload.bytes) else { return 0 }
        Console.message(verdict)
        return blockingExit
    }
}
