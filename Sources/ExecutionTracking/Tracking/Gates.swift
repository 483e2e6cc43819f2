import ExecutionCore

// `gate` and `gates` (docs/gates.md): gate attempts recorded by hand, from a command run here,
// or from a JUnit file; the required gates of a spec and their state.

/// How a `gate` attempt is decided.
public enum GateInput: Sendable {
    /// Given by hand: a status, or a score and threshold it follows from.
    case manual(status: GateStatus?, score: Double?, threshold: Double?, issues: Int64?, details: String?)
    /// A command run now, in the worktree: passes on exit 0 (and, with `junit`, the JUnit file it
    /// writes, relative to the worktree, scored as `.junit` is).
    case command([String], timeoutSeconds: Double?, junit: String? = nil, threshold: Double? = nil)
    /// A JUnit XML file: passes without failures or errors (or at `threshold`, when given).
    case junit(String, threshold: Double?)
}

/// What a `gate` recorded.
public struct GateOutcome: Sendable {
    public var status: StatusFile
    public var layer: Int
    public var result: GateResult
    /// The command could not be started: recorded failed, with the reason.
    public var notStarted: Bool
}

extension Tracker {
    /// Records one attempt of gate `name` in `layer`. A command runs without the spec's lock,
    /// and its attempt is recorded after it ends.
    public func recordGate(_ spec: SpecID, layer: String, name: String, input: GateInput) throws(TrackerError) -> GateOutcome {
        let trimmed = name.trimmingWhitespace
        guard !trimmed.isEmpty else { throw TrackerError(.usage, "the gate needs a name (tests, lint, ...)") }
        guard trimmed.count <= 100, !trimmed.contains(where: { $0.isNewline }) else {
            throw TrackerError(.usage, "a gate name is one line of at most 100 characters")
        }
        // Checked before anything runs: the spec, the layer.
        let before = try store.load(spec)
        let index = try before.layerIndex(for: layer)
        var result = GateResult()
        result.name = trimmed
        var notStarted = false
        switch input {
        case let .manual(status, score, threshold, issues, details):
            if threshold != nil, score == nil { throw TrackerError(.usage, "--threshold needs --score") }
            guard let decided = status ?? score.flatMap({ s in threshold.map { GateResult.status(score: s, threshold: $0) } }) else {
                throw TrackerError(.usage, "give --status passed|failed|warn, or --score X --threshold Y, --run -- CMD, or --from-junit FILE")
            }
            result.status = decided
            result.score = score
            result.threshold = threshold
            result.issues = issues
            result.details = details.map(SecretMask.mask)
            result.source = "manual"
        case let .command(argv, timeout, junit, threshold):
            let ran = runGateCommand(argv, timeoutSeconds: timeout ?? GateRule.defaultTimeoutSeconds)
            result = ran.result
            result.name = trimmed
            notStarted = ran.notStarted
            // The command ran: its attempt is recorded whatever its JUnit file turns out to be.
            if let junit, !notStarted {
                do {
                    try score(&result, junit: store.worktree + "/" + junit, threshold: threshold)
                } catch {
                    result.status = .failed
                    result.details = [result.details, "no score: \(error.message)"].compactMap { $0 }.joined(separator: "\n")
                }
            }
        case let .junit(path, threshold):
            result.source = "junit"
            result.status = .passed
            try score(&result, junit: path, threshold: threshold)
        }
        let recorded = result
        let commit = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> GateResult in
            let l = try status!.layerIndex(for: layer)
            return status!.recordGate(recorded, at: l, now: now)
        }
        return GateOutcome(status: commit.status, layer: index, result: commit.result, notStarted: notStarted)
    }

    /// Runs a gate's command in the project root: exit status, duration and the masked tail of
    /// its output.
    func runGateCommand(_ argv: [String], timeoutSeconds: Double) -> (result: GateResult, notStarted: Bool) {
        var result = GateResult()
        result.source = "command"
        result.command = argv.map(SecretMask.mask)
        // In the worktree the command was given in: its code is the one to check.
        let outcome = ChildProcess.run([ChildCommand(argv: argv, timeoutSeconds: timeoutSeconds, directory: store.worktree)])[0]
        result.durationMs = outcome.durationMs
        result.status = outcome.succeeded ? .passed : .failed
        if case .exited(let code) = outcome.ending { result.exitCode = Int64(code) }
        let tail = SecretMask.mask(String(decoding: outcome.output, as: UTF8.self))
        let lines = tail.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        let reason = outcome.succeeded ? nil : outcome.reason(timeoutSeconds: timeoutSeconds)
        let output = lines.trimmingWhitespace
        result.details = [reason, output.isEmpty ? nil : output].compactMap { $0 }.joined(separator: "\n")
        if result.details?.isEmpty == true { result.details = nil }
        if case .notStarted = outcome.ending { return (result, true) }
        return (result, false)
    }

    /// Scores an attempt from a JUnit file: passed over run, issues = failures + errors; passes
    /// without failures or errors, or at `threshold` when given. Exit 4 for a file that is not JUnit.
    private func score(_ result: inout GateResult, junit path: String, threshold: Double?) throws(TrackerError) {
        guard let bytes = try FileSystem.read(path, shownAs: store.display(path), role: "a JUnit XML file", refuseWith: .corruptFile) else {
            throw TrackerError(.notFound, "no JUnit file at \(store.display(path))")
        }
        guard let summary = JUnitSummary.read(bytes) else {
            throw TrackerError(.corruptFile, "\(store.display(path)) is not JUnit XML (no <testsuite> or <testsuites> element)")
        }
        let issues = Int64(summary.failures + summary.errors)
        result.issues = issues
        result.score = summary.score
        result.threshold = threshold
        let verdict: GateStatus = if let threshold, let score = summary.score {
            GateResult.status(score: score, threshold: threshold)
        } else {
            issues == 0 ? .passed : .failed
        }
        if verdict == .failed { result.status = .failed }
        // No test at all proves nothing.
        if summary.tests == 0 { result.status = .failed }
        let junit = "\(summary.tests) tests: \(summary.passed) passed, \(summary.failures) failed, \(summary.errors) errors, \(summary.skipped) skipped"
        result.details = [result.details, junit].compactMap { $0 }.joined(separator: "\n")
    }

    /// `gates --run`: runs the command of each gates.json gate of the layer (the current one when
    /// nil) that has one, and records each attempt. Refused (exit 6) while a repository's
    /// gates.json is not trusted here.
    public func runConfiguredGates(_ spec: SpecID, layer: String?, settings: NotifySettings) throws(TrackerError) -> [GateOutcome] {
        let status = try store.load(spec)
        let index = try layer.map { (l: String) throws(TrackerError) -> Int in try status.layerIndex(for: l) } ?? status.currentLayerPosition
        let config = try store.gateConfig()
        let rules = config.rules.filter { $0.run != nil && $0.applies(to: status.layers[index]) }
        guard !rules.isEmpty else {
            throw TrackerError(.precondition, "no gate of \(status.layers[index].key) has a command in \(store.display(store.gatesConfigPath)) "
                + "(a \"run\": [\"cmd\", \"arg\"] entry; docs/gates.md)")
        }
        switch try store.gateCommandsTrust(settings) {
        case .active: break
        case .unreadable(let why): throw TrackerError(.precondition, why)
        default:
            throw TrackerError(.precondition, "\(store.display(store.gatesConfigPath)) is not trusted here (or changed since), so its commands "
                + "do not run; review it, then run: exectrack gates --trust")
        }
        var outcomes: [GateOutcome] = []
        for rule in rules {
            outcomes.append(try recordGate(spec, layer: status.layers[index].key, name: rule.name,
                                           input: .command(rule.run!, timeoutSeconds: rule.timeoutSeconds, junit: rule.junit, threshold: rule.threshold)))
        }
        return outcomes
    }
}

extension Tracker {
    /// `gates SPEC --hook`: the reasons to keep an agent from stopping, when a required gate of the
    /// current layer failed at its latest attempt; nil otherwise, and for a payload that says the
    /// agent is already continuing because of a stop hook (`stop_hook_active`), so it is never
    /// held forever.
    public func gateHookVerdict(_ spec: SpecID, payload: [UInt8]) throws(TrackerError) -> String? {
        if let object = (try? JSONParser.parse(payload))?.objectValue, object["stop_hook_active"]?.boolValue == true { return nil }
        let status = try store.load(spec)
        let layer = status.layers[status.currentLayerPosition]
        let failed = layer.unsatisfiedGates.filter { $0.latest?.status == .failed }
        guard !failed.isEmpty, layer.gatesOverriddenAt == nil else { return nil }
        let reasons = failed.map { gate in
            let details = gate.latest?.details.map { ": " + $0.split(separator: "\n").suffix(5).joined(separator: " | ") } ?? ""
            return "\(gate.name) failed\(details)"
        }
        return "exectrack: \(layer.key) of \(spec) is not done: required gate\(failed.count == 1 ? "" : "s") "
            + reasons.joined(separator: "; ") + ". Fix it, then record it again: exectrack gate \(spec) \(layer.key) \(failed[0].name) --run -- CMD "
            + "(or exectrack gates \(spec) --run when gates.json gives its command)."
    }
}
