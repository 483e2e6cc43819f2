// `.claude/exectrack/gates.json` (docs/gates.md, Schemas/gates.schema.json): which gates each
// layer requires, and the command `gates --run` runs for each.

/// One gate as gates.json declares it.
public struct GateRule: Equatable, Sendable {
    public var name: String
    /// Layer keys or names it applies to; nil: every layer.
    public var layers: [String]?
    public var required: Bool
    /// The command `gates --run` runs (argv, no shell unless it names one).
    public var run: [String]?
    /// With a command that writes JUnit: the score it must reach (0 to 1).
    public var threshold: Double?
    /// A JUnit file the command writes, read after it to score the attempt.
    public var junit: String?
    public var timeoutSeconds: Double

    public static let defaultTimeoutSeconds = 600.0

    /// Whether the rule applies to `layer`.
    public func applies(to layer: ExecutionLayer) -> Bool {
        guard let layers else { return true }
        return layers.contains { ExecutionLayer.sameGate($0, layer.key) || ExecutionLayer.sameGate($0, layer.name)
            || ExecutionLayer.sameGate("L" + $0, layer.key) }
    }
}

public struct GateConfig: Equatable, Sendable {
    public var rules: [GateRule] = []

    public init(rules: [GateRule] = []) { self.rules = rules }

    /// The rule for gate `name` of `layer`, if gates.json has one.
    public func rule(named name: String, for layer: ExecutionLayer) -> GateRule? {
        rules.first { ExecutionLayer.sameGate($0.name, name) && $0.applies(to: layer) }
    }

    /// Nil with the field at fault when `bytes` is not a gates.json of this shape.
    public static func parse(_ bytes: [UInt8]) -> Result<GateConfig, FieldProblem> {
        guard let json = try? JSONParser.parse(bytes) else { return .failure(FieldProblem("is not JSON")) }
        guard let root = json.objectValue else { return .failure(FieldProblem("expected an object with a \"gates\" list")) }
        guard let list = root["gates"]?.arrayValue else { return .failure(FieldProblem("expected a list of gates", field: "gates")) }
        var rules: [GateRule] = []
        for (i, entry) in list.enumerated() {
            let at = "gates[\(i)]"
            guard let o = entry.objectValue else { return .failure(FieldProblem("expected an object", field: at)) }
            guard let name = o["name"]?.stringValue?.trimmingWhitespace, !name.isEmpty, name.count <= 100,
                  !name.contains(where: { $0.isNewline }) else {
                return .failure(FieldProblem("expected a gate name: one line of at most 100 characters", field: "\(at).name"))
            }
            var rule = GateRule(name: name, layers: nil, required: true, run: nil, threshold: nil, junit: nil,
                                timeoutSeconds: GateRule.defaultTimeoutSeconds)
            if let value = o["layers"], !value.isNull {
                guard let layers = value.arrayValue?.compactMap(\.stringValue), layers.count == value.arrayValue?.count, !layers.isEmpty else {
                    return .failure(FieldProblem("expected a list of layer keys or names (\"L1\")", field: "\(at).layers"))
                }
                rule.layers = layers
            }
            if let value = o["required"], !value.isNull {
                guard let required = value.boolValue else { return .failure(FieldProblem("expected true or false", field: "\(at).required")) }
                rule.required = required
            }
            if let value = o["run"], !value.isNull {
                guard let argv = value.arrayValue?.compactMap(\.stringValue), argv.count == value.arrayValue?.count,
                      !argv.isEmpty, !argv[0].isEmpty else {
                    return .failure(FieldProblem("expected a command as a list of strings ([\"swift\", \"test\"]; no shell unless you name one)",
                                                 field: "\(at).run"))
                }
                rule.run = argv
            }
            if let value = o["threshold"], !value.isNull {
                guard let threshold = value.numberValue, (0...1).contains(threshold) else {
                    return .failure(FieldProblem("expected a fraction from 0 to 1", field: "\(at).threshold"))
                }
                rule.threshold = threshold
            }
            if let value = o["junit"], !value.isNull {
                guard let path = value.stringValue, !path.isEmpty else { return .failure(FieldProblem("expected a path", field: "\(at).junit")) }
                rule.junit = path
            }
            if let value = o["timeout_s"], !value.isNull {
                guard let seconds = value.numberValue, seconds > 0, seconds <= 86_400 else {
                    return .failure(FieldProblem("expected a number of seconds above 0, at most 86400", field: "\(at).timeout_s"))
                }
                rule.timeoutSeconds = seconds
            }
            rules.append(rule)
        }
        return .success(GateConfig(rules: rules))
    }
}

extension StatusFile {
    /// Sets each layer's `configuredGates` from `config`: the required gates that apply to it.
    public mutating func configureGates(_ config: GateConfig) {
        for l in layers.indices {
            let names = config.rules.filter { $0.required && $0.applies(to: layers[l]) }.map(\.name)
            if layers[l].configuredGates != names { layers[l].configuredGates = names }
        }
    }
}
