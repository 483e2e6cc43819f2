import ExecutionCore

/// One option, declared once as a typed constant: its spec (name, value, help, completion kind)
/// is what help, parsing, completions and `help --json` use, and `ParsedArguments.read` returns
/// its value already checked and typed. Commands keep their options as static constants, so a
/// misspelt name does not compile; reading an option the command does not declare fails on the
/// first run that tries (docs/architecture.md, "Adding a command").
struct Option<Value>: Sendable {
    let spec: OptionSpec
    let value: @Sendable (ParsedArguments) throws(TrackerError) -> Value
}

extension Option where Value == Bool {
    static func flag(_ name: String, _ help: String) -> Option {
        Option(spec: .flag(name, help)) { $0.isGiven(name) }
    }
}

extension Option where Value == String? {
    static func text(_ name: String, _ valueName: String, _ help: String, _ kind: ValueKind = .text) -> Option {
        Option(spec: .value(name, valueName, help, kind)) { $0.text(name) }
    }

    /// A name (`--agent`): when given, more than blanks, or a task would be recorded as taken
    /// by nobody in particular.
    static func name(_ name: String, _ valueName: String, _ help: String) -> Option {
        Option(spec: .value(name, valueName, help, .text)) { (arguments) throws(TrackerError) -> String? in
            guard let value = arguments.text(name) else { return nil }
            guard !value.trimmingWhitespace.isEmpty else { throw TrackerError(.usage, "\(name) needs a \(valueName.lowercased()); it was empty") }
            return value
        }
    }

    /// `--export [PATH]`: "" when given without a value, nil when not given.
    static func optionalPath(_ name: String, _ valueName: String, _ help: String) -> Option {
        Option(spec: OptionSpec(name: name, valueName: valueName, help: help, valueIsOptional: true, kind: .path)) { $0.text(name) }
    }
}

extension Option where Value == [String] {
    /// A comma-separated list (`--files-created a.swift,b.swift`).
    static func list(_ name: String, _ valueName: String, _ help: String) -> Option {
        Option(spec: .value(name, valueName, help)) { arguments in
            arguments.text(name).map { $0.split(separator: ",").map { String($0).trimmedSpaces }.filter { !$0.isEmpty } } ?? []
        }
    }
}

extension Option where Value == Int64? {
    /// A whole number in `range`. Digits only: no sign, no spaces, no hex, as for every number
    /// the command line takes.
    static func integer(_ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Int64>) -> Option {
        Option(spec: .value(name, valueName, help, .number)) { (arguments) throws(TrackerError) in
            guard let text = arguments.text(name) else { return nil }
            guard ParsedArguments.isDigits(text[...]), let n = Int64(text), range.contains(n) else {
                throw TrackerError(.usage, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "got '\(text.prefix(40))'")
            }
            return n
        }
    }
}

extension Option where Value == Int64? {
    /// A DUR (`90s`, `30m`, `2h`, `7d`), in milliseconds.
    static func duration(_ name: String, _ help: String) -> Option {
        Option(spec: .value(name, "DUR", help)) { (arguments) throws(TrackerError) in
            guard let text = arguments.text(name) else { return nil }
            guard let ms = DurationText.milliseconds(text) else {
                throw TrackerError(.usage, "\(name) must be a duration such as 90s, 30m, 2h or 7d, got '\(text.prefix(40))'")
            }
            return ms
        }
    }
}

extension Option where Value == Double? {
    /// A plain decimal number in `range` (`2`, `0.5`): signs, exponents, hex, `inf` and `nan`
    /// are refused.
    static func decimal(_ name: String, _ valueName: String, _ help: String, in range: ClosedRange<Double>,
                        noun: String = "a number of seconds") -> Option {
        Option(spec: .value(name, valueName, help, .number)) { (arguments) throws(TrackerError) in
            guard let text = arguments.text(name) else { return nil }
            guard let value = ParsedArguments.decimal(text), range.contains(value) else {
                throw TrackerError(.usage, "\(name) must be \(noun) from \(JSONNumber(range.lowerBound)?.literal ?? "0") to "
                    + "\(Int(range.upperBound)), got '\(text.prefix(40))'")
            }
            return value
        }
    }
}

extension Option {
    /// One of `Choice`'s values, given in any case; help shows them as `--format text|json`.
    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(_ name: String, _ help: String) -> Option
    where Value == Choice?, Choice.RawValue == String {
        let words = Choice.allCases.map { $0.rawValue }
        return Option(spec: .choice(name, words, help)) {
            (arguments) throws(TrackerError) in
            guard let text = arguments.text(name) else { return nil }
            guard let choice = Choice(rawValue: text.lowercased()) else {
                throw TrackerError(.usage, "invalid \(name) '\(text.prefix(40))'; valid: \(words.joined(separator: ", "))")
            }
            return choice
        }
    }

}

extension Option where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// A choice the command cannot run without (`export --format`); parsing refuses a command
    /// line without it, so reading it always has a value.
    static func requiredChoice(_ name: String, _ help: String) -> Option {
        let optional = Option<Value?>.choice(name, help)
        var spec = optional.spec
        spec.required = true
        let valueName = spec.valueName ?? ""
        return Option(spec: spec) { (arguments) throws(TrackerError) in
            guard let choice = try optional.value(arguments) else { throw TrackerError(.usage, "missing \(name) \(valueName)") }
            return choice
        }
    }
}

/// Options every command that works on a project takes.
enum CommonOptions {
    static let root = Option<String?>.text("--root", "DIR", "project root (default: nearest directory with .claude/ or .git/; or $EXECTRACK_ROOT)", .path)
    static let help = Option<Bool>.flag("--help", "show this help")
}

/// A rule between options, checked when the command line is parsed: before any file is read
/// or lock taken.
struct OptionRule: Sendable {
    let check: @Sendable (ParsedArguments) -> TrackerError?
    /// For help: the option this rule is about and what help adds to its line.
    var note: (option: String, text: String)?

    /// `option` means nothing without `other` (`--interval` without `--watch`).
    static func requires<A, B>(_ option: Option<A>, _ other: Option<B>) -> OptionRule {
        let (name, needed) = (option.spec.name, other.spec.name)
        return OptionRule(check: { arguments in
            arguments.isGiven(name) && !arguments.isGiven(needed)
                ? TrackerError(.usage, "\(name) needs \(needed); see: exectrack \(arguments.spec.name) --help") : nil
        }, note: (name, "needs \(needed)"))
    }

    /// `--json` is short for `--format json`, the same way in every command: given together
    /// with another format, the command line contradicts itself.
    static func jsonIsFormat<Choice: RawRepresentable & Sendable>(_ json: Option<Bool>, _ format: Option<Choice?>, _ jsonFormat: Choice) -> OptionRule
    where Choice.RawValue == String {
        OptionRule { arguments in
            // A format that is no format is that error, not a contradiction.
            do throws(TrackerError) { _ = try format.value(arguments) } catch { return error }
            guard arguments.isGiven(json.spec.name), let given = arguments.text(format.spec.name),
                  given.lowercased() != jsonFormat.rawValue else { return nil }
            return TrackerError(.usage, "\(json.spec.name) means \(format.spec.name) \(jsonFormat.rawValue), "
                + "but \(format.spec.name) \(given.prefix(40)) was given too; give one")
        }
    }
}
