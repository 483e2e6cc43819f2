// Quality gates (docs/gates.md): checks a layer must pass before it counts as complete. Each
// attempt is kept in the layer's `gates`; the latest attempt of a gate is its state.

/// How a gate attempt ended. `warn` passes, with something to look at.
public enum GateStatus: String, NamedValue, Sendable {
    case passed, failed, warn

    public static let kind = "gate status"

    public init?(normalizing input: String) {
        switch input.trimmingWhitespace.lowercased() {
        case "passed", "pass", "ok", "success": self = .passed
        case "failed", "fail", "failure": self = .failed
        case "warn", "warning", "warned": self = .warn
        default: return nil
        }
    }

    /// Whether the gate lets its layer through.
    public var passes: Bool { self != .failed }

    public var icon: String {
        switch self {
        case .passed: "✅"
        case .failed: "❌"
        case .warn: "⚠️"
        }
    }
}

/// One attempt of a gate, as `gate` records it in `layers.<L>.gates`.
public struct GateResult: ModelObject {
    public var name = ""
    public var status = GateStatus.passed
    /// 0 to 1 (a fraction: 0.93 is 93 %).
    public var score: Double?
    public var threshold: Double?
    public var issues: Int64?
    public var executedAt: Timestamp?
    public var durationMs: Int64?
    /// 1 for a gate's first attempt in the layer, then 2, 3, ...
    public var attempt = 1
    /// What the attempt said: the caller's text, or the masked tail of a command's output.
    public var details: String?
    /// How it was decided: `manual` (`--status`), `command` (`--run`), `junit` (`--from-junit`).
    public var source: String?
    /// The command run (masked), for `command` attempts.
    public var command: [String]?
    public var exitCode: Int64?
    public var extra = JSONObject()

    public init() {}

    public static let fields = FieldTable<GateResult>([
        .field("name", \.name),
        .field("status", \.status),
        .field("score", \.score, check: fraction),
        .field("threshold", \.threshold, check: fraction),
        .field("issues", \.issues, check: { ($0 ?? 0) >= 0 ? nil : "must not be negative" }),
        .field("executed_at", \.executedAt),
        .field("duration_ms", \.durationMs, check: { ($0 ?? 0) >= 0 ? nil : "must not be negative" }),
        .field("attempt", \.attempt, check: { $0 >= 1 ? nil : "must be 1 or more" }),
        .field("details", \.details),
        .field("source", \.source, omittedWhenNil: true),
        .field("command", \.command, omittedWhenNil: true),
        .field("exit_code", \.exitCode, omittedWhenNil: true),
    ])

    /// `passed` when `score` reaches `threshold`, `failed` below it.
    public static func status(score: Double, threshold: Double) -> GateStatus { score >= threshold ? .passed : .failed }
}

private let fraction: @Sendable (Double?) -> String? = { value in
    guard let value else { return nil }
    return (0...1).contains(value) ? nil : "must be from 0 to 1 (a fraction: 0.93 is 93 %)"
}

extension ExecutionLayer {
    /// The gates this layer must pass: its `required_gates` (the tasks file's `Gates:` line) and
    /// those `.claude/exectrack/gates.json` requires of it, each once, in that order.
    public var allRequiredGates: [String] {
        var names: [String] = []
        for name in (requiredGates ?? []) + configuredGates where !names.contains(where: { Self.sameGate($0, name) }) {
            names.append(name)
        }
        return names
    }

    /// Whether `name` is one of the layer's required gates.
    public func requires(gate name: String) -> Bool { allRequiredGates.contains { Self.sameGate($0, name) } }

    /// The latest attempt of the gate `name`, if any.
    public func latestResult(of name: String) -> GateResult? {
        gates?.last { Self.sameGate($0.name, name) }
    }

    /// The required gates that hold the layer back: never run, or failed at their latest attempt.
    public var unsatisfiedGates: [(name: String, latest: GateResult?)] {
        allRequiredGates.compactMap { name in
            let latest = latestResult(of: name)
            return latest?.status.passes == true ? nil : (name, latest)
        }
    }

    /// Whether the required gates let the layer through: all passed, or overridden.
    public var gatesSatisfied: Bool { gatesOverriddenAt != nil || unsatisfiedGates.isEmpty }

    /// Gate names compare without regard to case or surrounding spaces.
    static func sameGate(_ a: String, _ b: String) -> Bool { a.trimmingWhitespace.lowercased() == b.trimmingWhitespace.lowercased() }

    /// `tests (failed, 3 issues), lint (not run)`.
    public var unsatisfiedGatesText: String {
        unsatisfiedGates.map { gate in
            let name = gate.name.visibleControlCharacters
            guard let latest = gate.latest else { return "\(name) (not run)" }
            var facts = [latest.status.rawValue]
            if let score = latest.score { facts.append("score \(GateText.number(score))") }
            if let issues = latest.issues { facts.append(counted(Int(issues), "issue")) }
            return "\(name) (\(facts.joined(separator: ", ")))"
        }.joined(separator: ", ")
    }
}
