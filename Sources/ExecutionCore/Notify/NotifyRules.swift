// Notification rules (docs/notifications.md): which events run which command. Read from the
// user's and the repository's notify.json; a rule that is not valid is reported and left out, so
// one typo never silences the others or blocks a write.

/// How much an event matters to a human, lowest first.
public enum Priority: String, CaseIterable, Comparable, Sendable {
    case low, normal, high, urgent

    public static func < (a: Priority, b: Priority) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a rule's `events` entry matches: every type, one type, or the types under a prefix.
public enum EventPattern: Equatable, Sendable {
    case all
    case type(EventType)
    /// A full type prefix ending in a dot (`dev.exectrack.task.`).
    case prefix(String)

    /// `*`, a type (`task.failed` or in full), or a prefix (`task.`, `task.*`, `dev.exectrack.spec.`).
    public init?(_ text: String) {
        if text == "*" || text == "dev.exectrack.*" || text == "dev.exectrack." {
            self = .all
            return
        }
        if let type = EventQuery.type(named: text) {
            guard !type.isNotification else { return nil }
            self = .type(type)
            return
        }
        var prefix = text.hasSuffix(".*") ? String(text.dropLast()) : text
        guard prefix.hasSuffix("."), prefix.count > 1 else { return nil }
        if !prefix.hasPrefix("dev.exectrack.") { prefix = "dev.exectrack." + prefix }
        guard EventType.allCases.contains(where: { !$0.isNotification && $0.rawValue.hasPrefix(prefix) }) else { return nil }
        self = .prefix(prefix)
    }

    public func matches(_ type: EventType) -> Bool {
        switch self {
        case .all: true
        case .type(let wanted): wanted == type
        case .prefix(let prefix): type.rawValue.hasPrefix(prefix)
        }
    }
}

public struct NotifyRule: Equatable, Sendable {
    public static let defaultTimeoutSeconds = 10.0
    public static let maxTimeoutSeconds = 3600.0
    public static let maxCooldownSeconds = 30.0 * 86_400

    public var name: String?
    public var events: [EventPattern]
    /// Nil: `normal` for `*` and prefixes, `low` for a type named in full (it was asked for).
    public var minPriority: Priority?
    public var command: [String]
    public var timeoutSeconds: Double
    public var cooldownSeconds: Double
    /// `<file>#<n>` (from 1): where the rule is, for messages and `notify.failed`.
    public var origin: String

    /// Whether an event of `type` at `priority` runs this rule. `notify.*` events run none.
    public func matches(_ type: EventType, priority: Priority) -> Bool {
        guard !type.isNotification else { return false }
        return events.contains { pattern in
            guard pattern.matches(type) else { return false }
            let threshold: Priority
            if case .type = pattern { threshold = minPriority ?? .low } else { threshold = minPriority ?? .normal }
            return priority >= threshold
        }
    }

    /// Identifies the rule for cooldowns, whatever file it moves to: its events and command.
    public var fingerprint: String {
        let text = (events.map { "\($0)" } + ["\u{0}"] + command).joined(separator: "\u{1}")
        return String(SHA256.hex(Array(text.utf8)).prefix(16))
    }
}

/// The rules of one notify.json and what is wrong with it.
public struct NotifyConfig: Equatable, Sendable {
    public var rules: [NotifyRule] = []
    /// One line each, naming the file and the field: `notify.json: rules[2].timeout_s must be …`.
    public var problems: [String] = []

    public init(rules: [NotifyRule] = [], problems: [String] = []) {
        self.rules = rules
        self.problems = problems
    }

    /// Reads a notify.json shown as `file`: `{"rules": [...]}` or the list itself.
    public static func parse(_ bytes: [UInt8], file: String) -> NotifyConfig {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            return NotifyConfig(problems: ["\(file) is not valid JSON (\(error)); none of its rules run"])
        }
        let list: [JSONValue]
        switch json {
        case .array(let items): list = items
        case .object(let object):
            let unknown = object.keys.filter { $0 != "rules" && $0 != "$schema" }
            guard unknown.isEmpty, let items = object["rules"]?.arrayValue else {
                let why = unknown.isEmpty ? "has no \"rules\" list" : "has an unknown member \"\(unknown[0].singleLine.prefix(40))\" (expected \"rules\")"
                return NotifyConfig(problems: ["\(file) \(why); none of its rules run"])
            }
            list = items
        default:
            return NotifyConfig(problems: ["\(file) must be an object with a \"rules\" list; none of its rules run"])
        }
        var config = NotifyConfig()
        for (i, item) in list.enumerated() {
            do throws(FieldProblem) {
                config.rules.append(try rule(item, origin: "\(file)#\(i + 1)"))
            } catch {
                config.problems.append("\(file): rules[\(i)]\(error.field.map { ".\($0)" } ?? "") \(error.message); the rule does not run")
            }
        }
        return config
    }

    private static let keys: Set<String> = ["name", "events", "min_priority", "command", "timeout_s", "cooldown_s"]

    private static func rule(_ value: JSONValue, origin: String) throws(FieldProblem) -> NotifyRule {
        guard let object = value.objectValue else { throw FieldProblem("must be an object") }
        if let unknown = object.keys.first(where: { !keys.contains($0) }) {
            throw FieldProblem("is not a field of a rule (expected \(keys.sorted().joined(separator: ", ")))", field: unknown.singleLine.prefix(40).description)
        }
        var name: String?
        if let value = object["name"], !value.isNull {
            guard let text = value.stringValue else { throw FieldProblem("must be a string", field: "name") }
            name = text
        }
        guard let patterns = object["events"]?.arrayValue, !patterns.isEmpty else {
            throw FieldProblem("must be a non-empty list of event types or prefixes (task.failed, error., *)", field: "events")
        }
        var events: [EventPattern] = []
        for (i, item) in patterns.enumerated() {
            guard let text = item.stringValue, let pattern = EventPattern(text) else {
                let shown = item.stringValue.map { "'\($0.singleLine.prefix(60))'" } ?? "not a string"
                let why = EventQuery.type(named: item.stringValue ?? "")?.isNotification == true
                    ? "is a notify event, which runs no rule" : "is no event type or prefix of one (see docs/events.md)"
                throw FieldProblem("\(shown) \(why)", field: "events[\(i)]")
            }
            events.append(pattern)
        }
        var minPriority: Priority?
        if let value = object["min_priority"], !value.isNull {
            guard let priority = value.stringValue.flatMap(Priority.init(rawValue:)) else {
                throw FieldProblem("must be one of \(Priority.allCases.map { $0.rawValue }.joined(separator: ", "))", field: "min_priority")
            }
            minPriority = priority
        }
        guard let argv = object["command"]?.arrayValue, !argv.isEmpty,
              argv.allSatisfy({ $0.stringValue.map { !$0.contains("\u{0}") } ?? false }),
              argv[0].stringValue?.isEmpty == false else {
            throw FieldProblem("must be a list of strings, the program first ([\"curl\", \"-fsS\", ...]; no shell unless you write one)", field: "command")
        }
        let timeout = try seconds(object["timeout_s"], field: "timeout_s", above: 0, max: NotifyRule.maxTimeoutSeconds) ?? NotifyRule.defaultTimeoutSeconds
        let cooldown = try seconds(object["cooldown_s"], field: "cooldown_s", above: nil, max: NotifyRule.maxCooldownSeconds) ?? 0
        return NotifyRule(name: name, events: events, minPriority: minPriority, command: argv.compactMap { $0.stringValue },
                          timeoutSeconds: timeout, cooldownSeconds: cooldown, origin: origin)
    }

    /// A number of seconds, above `above` (or 0 or more when nil) and at most `max`.
    private static func seconds(_ value: JSONValue?, field: String, above: Double?, max: Double) throws(FieldProblem) -> Double? {
        guard let value, !value.isNull else { return nil }
        let range = above == nil ? "from 0" : "above 0"
        guard case .number(let number) = value, let seconds = number.double, seconds.isFinite,
              above.map({ seconds > $0 }) ?? (seconds >= 0), seconds <= max else {
            throw FieldProblem("must be a number of seconds \(range) to \(Int(max)), got \(JSONWriter.encode(value, style: .compact).prefix(40))", field: field)
        }
        return seconds
    }
}
