// Gates as `gate`, `gates`, `report` and the exports show them (docs/gates.md).

public enum GateText {
    /// `❌ tests failed (attempt 2, exit 1, 3.2s, score 0.8 < 0.9, 3 issues)`.
    public static func attempt(_ r: GateResult) -> String {
        var facts = ["attempt \(r.attempt)"]
        if let code = r.exitCode { facts.append("exit \(code)") }
        if let ms = r.durationMs { facts.append(DurationFormatting.compact(milliseconds: ms)) }
        if let score = r.score {
            facts.append("score \(number(score))" + (r.threshold.map { (score >= $0 ? " ≥ " : " < ") + number($0) } ?? ""))
        }
        if let issues = r.issues { facts.append(counted(Int(issues), "issue")) }
        // A command that never ran says why (`command not found: …`).
        if r.status == .failed, r.source == "command", r.exitCode == nil, let why = r.details?.split(separator: "\n").first {
            facts.append(String(why).visibleControlCharacters)
        }
        return "\(r.status.icon) \(r.name.visibleControlCharacters) \(r.status.rawValue) (\(facts.joined(separator: ", ")))"
    }

    /// What `gate` prints: the attempt, and whether the layer's gates now let it through.
    public static func recorded(_ r: GateResult, layer: ExecutionLayer) -> String {
        let gates = layer.allRequiredGates.isEmpty ? "\(layer.key) requires no gate"
            : layer.gatesSatisfied ? "\(layer.key)'s required gates have passed"
            : "\(layer.key) still waits on: \(layer.unsatisfiedGatesText)"
        return "Gate of \(layer.key): \(attempt(r)); \(gates)"
    }

    /// `report`'s line for a layer with gates: `gates: ✅ tests (0.95), ❌ lint, ⏳ e2e not run`.
    public static func layerLine(_ layer: ExecutionLayer) -> String? {
        let names = names(of: layer)
        guard !names.isEmpty else { return nil }
        let parts = names.map { name -> String in
            guard let latest = layer.latestResult(of: name) else { return "⏳ \(name.visibleControlCharacters) not run" }
            return "\(latest.status.icon) \(name.visibleControlCharacters)" + (latest.score.map { " (\(number($0)))" } ?? "")
        }
        let waived = layer.gatesOverriddenAt != nil ? " — waived: \(layer.gatesOverrideReason?.visibleControlCharacters ?? "no reason given")" : ""
        return "gates: " + parts.joined(separator: ", ") + waived
    }

    /// Required gates first, then any other gate recorded, each once.
    public static func names(of layer: ExecutionLayer) -> [String] {
        var names = layer.allRequiredGates
        for result in layer.gates ?? [] where !names.contains(where: { ExecutionLayer.sameGate($0, result.name) }) {
            names.append(result.name)
        }
        return names
    }

    /// What `gates` lists: per layer with gates, its state, then each gate's latest attempt.
    public static func listing(_ layers: [ExecutionLayer], spec: String) -> [String] {
        let gated = layers.filter { !names(of: $0).isEmpty }
        guard !gated.isEmpty else { return ["\(spec): no gate required or recorded (docs/gates.md)"] }
        var lines: [String] = []
        for layer in gated {
            let state = layer.gatesSatisfied ? (layer.gatesOverriddenAt != nil ? "waived" : "passed") : "waiting on \(layer.unsatisfiedGatesText)"
            lines.append("\(layer.key) \(layer.name.visibleControlCharacters): \(state)")
            for name in names(of: layer) {
                let required = layer.requires(gate: name) ? "" : " (not required)"
                lines.append("  " + (layer.latestResult(of: name).map(attempt) ?? "⏳ \(name.visibleControlCharacters) not run") + required)
            }
        }
        return lines
    }

    /// One layer's gates as `gates --json` and `report --format json` give them.
    public static func json(_ layer: ExecutionLayer) -> JSONValue {
        .object(JSONObject([
            ("layer", .string(layer.key)),
            ("required", .strings(layer.allRequiredGates)),
            ("passed", .bool(layer.gatesSatisfied)),
            ("overridden_at", .optional(layer.gatesOverriddenAt)),
            ("override_reason", .optional(layer.gatesOverrideReason)),
            ("gates", .array(names(of: layer).map { name in
                let latest = layer.latestResult(of: name)
                return .object(JSONObject([
                    ("name", .string(name)),
                    ("required", .bool(layer.requires(gate: name))),
                    ("state", .string(latest?.status.rawValue ?? "not_run")),
                    ("attempts", .int(layer.gates?.filter { ExecutionLayer.sameGate($0.name, name) }.count ?? 0)),
                    ("latest", latest?.json ?? .null),
                ]))
            })),
        ]))
    }

    /// At most four decimals: `0.9762`, `1`.
    static func number(_ value: Double) -> String { JSONNumber((value * 10_000).rounded() / 10_000)?.literal ?? "?" }
}
