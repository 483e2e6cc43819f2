import ExecutionCore
import ExecutionTracking

/// What a value is. Completions offer candidates by it, and `help --json` names it, so tools and
/// tests can build valid command lines from the command table.
enum ValueKind: Equatable {
    case spec, layer, task, path, number, text
    /// One of these words.
    case choice([String])

    var name: String {
        switch self {
        case .spec: "spec"
        case .layer: "layer"
        case .task: "task"
        case .path: "path"
        case .number: "number"
        case .text: "text"
        case .choice: "choice"
        }
    }

    var choices: [String] {
        if case .choice(let words) = self { return words }
        return []
    }
}

/// What help, parsing and completions know of one option (declared through `Option`).
struct OptionSpec: Sendable {
    let name: String
    /// Shown in help after the name (`--output TEXT`); nil for flags.
    let valueName: String?
    let help: String
    /// The value may be left out (`--export` or `--export PATH`).
    var valueIsOptional = false
    /// What the value is; nil for flags.
    var kind: ValueKind?
    /// The command cannot run without it (`export --format`).
    var required = false

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, valueName: nil, help: help) }
    static func value(_ name: String, _ valueName: String, _ help: String, _ kind: ValueKind = .text) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, kind: kind)
    }
    /// One of `words` (`--format text|markdown|json`).
    static func choice(_ name: String, _ words: [String], _ help: String) -> OptionSpec {
        value(name, words.joined(separator: "|"), help, .choice(words))
    }
}

struct PositionalSpec {
    let name: String
    let required: Bool
    let help: String
    let kind: ValueKind
    /// The last positional may take every argument left (`gate … --run -- CMD ARGS…`).
    var variadic = false

    static let spec = PositionalSpec(name: "SPEC", required: true, help: "spec id, e.g. F001", kind: .spec)
    static let layer = PositionalSpec(name: "LAYER", required: true, help: "L1, 1 or the layer's name", kind: .layer)
    static let task = PositionalSpec(name: "TASK", required: true, help: "0-based task index or task id (T012)", kind: .task)
}

/// What a command takes, and its help text.
struct CommandSpec {
    let name: String
    var aliases: [String] = []
    let summary: String
    var positionals: [PositionalSpec] = []
    /// The command's own options: the `spec` of each of its `Option` declarations.
    let options: [OptionSpec]
    /// Rules between the options, checked before the command runs.
    var rules: [OptionRule] = []
    var discussion: String = ""
    /// False for commands that touch no project (`demo`, `completions`): they do not offer --root.
    var takesRoot = true

    init(name: String, aliases: [String] = [], summary: String, positionals: [PositionalSpec] = [],
         options: [OptionSpec] = [], rules: [OptionRule] = [], discussion: String = "", takesRoot: Bool = true) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.positionals = positionals
        self.options = options
        self.rules = rules
        self.discussion = discussion
        self.takesRoot = takesRoot
    }

    var allOptions: [OptionSpec] { options + (takesRoot ? [CommonOptions.root.spec] : []) + [CommonOptions.help.spec] }

    var usage: String {
        var parts = ["exectrack", name]
        for p in positionals { parts.append((p.required ? "<\(p.name)>" : "[\(p.name)]") + (p.variadic ? "..." : "")) }
        for o in options where o.required { parts.append("\(o.name) \(o.valueName ?? "")") }
        if options.contains(where: { !$0.required }) { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    var help: String {
        var out = "\(summary)\n\nUsage: \(usage)\n"
        if !aliases.isEmpty { out += "Alias: \(aliases.joined(separator: ", "))\n" }
        if !positionals.isEmpty {
            out += "\nArguments:\n"
            for p in positionals {
                let choices = p.kind.choices.joined(separator: " | ")
                out += "  " + pad(p.name, 22) + (choices.isEmpty ? p.help : choices + " — " + p.help) + "\n"
            }
        }
        out += "\nOptions:\n"
        for o in allOptions {
            let value = o.valueName.map { o.valueIsOptional ? " [\($0)]" : " \($0)" } ?? ""
            let notes = rules.compactMap { $0.note?.option == o.name ? $0.note?.text : nil }
            out += "  " + pad(o.name + value, 22) + o.help + notes.map { " (\($0))" }.joined() + "\n"
        }
        if !discussion.isEmpty { out += "\n" + discussion + "\n" }
        return out
    }
}

/// A column of help text: padded to `width`, or followed by two spaces when longer.
func pad(_ text: String, _ width: Int) -> String {
    text.displayWidth >= width ? text + "  " : text.padded(toWidth: width)
}

/// A command line split into positionals and options, checked against the command's spec.
/// Options are read through their declarations (`read`), never by name.
struct ParsedArguments {
    let spec: CommandSpec
    private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    func positional(_ i: Int) -> String? { i < positionals.count ? positionals[i] : nil }

    /// The option's value, checked and typed. Reading an option the command does not declare is
    /// a programming error, caught by the first test that runs the command.
    func read<Value>(_ option: Option<Value>) throws(TrackerError) -> Value {
        precondition(spec.allOptions.contains { $0.name == option.spec.name },
                     "\(spec.name) reads \(option.spec.name), which it does not declare")
        return try option.value(self)
    }

    /// For `Option` and `OptionRule`: the raw text of a value option, and whether an option was given.
    func text(_ name: String) -> String? { values[name] }
    func isGiven(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }

    init(_ arguments: [String], for spec: CommandSpec) throws(TrackerError) {
        self.spec = spec
        let options = spec.allOptions
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            // A lone "-" and negative numbers are values, not options.
            let isOption = !optionsEnded && arg.hasPrefix("-") && arg.count > 1
                && !(arg.dropFirst().first?.isNumber ?? false)
            guard isOption else {
                positionals.append(arg)
                continue
            }
            if arg == "--" {
                optionsEnded = true
                continue
            }
            var name = arg
            var inline: String?
            if let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            if name == "-h" { name = "--help" }
            guard let option = options.first(where: { $0.name == name }) else {
                let guess = nearest(to: name, among: options.map { $0.name }).map { "did you mean \($0)? " } ?? ""
                throw TrackerError(.usage, "unknown option '\(name.singleLine)' for \(spec.name); \(guess)see: exectrack \(spec.name) --help")
            }
            if option.valueName != nil {
                // The last of two values would win silently, and a list given twice would lose one.
                // `--root` may be repeated: wrappers put one in front of the user's (the last wins).
                guard values[name] == nil || name == CommonOptions.root.spec.name else {
                    throw TrackerError(.usage, "\(name) was given twice; give it once"
                        + (option.valueName == "A,B" ? " with a comma-separated list" : ""))
                }
                if option.valueIsOptional, inline?.isEmpty == true || (inline == nil && arguments.dropFirst(i).first == "") {
                    // Left out, the value means the default; given empty, it is a mistake.
                    throw TrackerError(.usage, "\(name) was given an empty \(option.valueName!); leave the value out, or give one")
                }
                if let inline {
                    values[name] = inline
                } else if option.valueIsOptional {
                    // Takes the next word only once the required arguments are in, so that
                    // `metrics --export F001` still reads F001 as the spec; `-` (stdout) is a value.
                    let requiredCount = spec.positionals.filter { $0.required }.count
                    if i < arguments.count, !arguments[i].hasPrefix("-") || arguments[i] == "-", positionals.count >= requiredCount {
                        values[name] = arguments[i]
                        i += 1
                    } else {
                        values[name] = ""
                    }
                } else {
                    guard i < arguments.count else {
                        throw TrackerError(.usage, "\(name) needs a value (\(option.valueName!)); see: exectrack \(spec.name) --help")
                    }
                    values[name] = arguments[i]
                    i += 1
                }
            } else {
                guard inline == nil else { throw TrackerError(.usage, "\(name) takes no value") }
                flags.insert(name)
            }
        }
        if flags.contains("--help") { return }
        let required = spec.positionals.filter { $0.required }
        if positionals.count < required.count {
            let missing = required[positionals.count].name
            throw TrackerError(.usage, "missing <\(missing)>; usage: \(spec.usage)")
        }
        if positionals.count > spec.positionals.count, spec.positionals.last?.variadic != true {
            throw TrackerError(.usage, "unexpected argument '\(positionals[spec.positionals.count].prefix(60))'; usage: \(spec.usage)")
        }
        if let missing = spec.options.first(where: { $0.required && values[$0.name] == nil }) {
            throw TrackerError(.usage, "missing \(missing.name) \(missing.valueName ?? ""); usage: \(spec.usage)")
        }
        for rule in spec.rules {
            if let problem = rule.check(self) { throw problem }
        }
    }

    /// A plain decimal number of 0 or more (`2`, `0.5`): what `--interval` and
    /// `EXECTRACK_LOCK_TIMEOUT` take. Signs, exponents, hex, `inf` and `nan` are refused.
    static func decimal(_ text: String) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy(isDigits) else { return nil }
        return Double(text)
    }

    /// One or more ASCII digits and nothing else.
    static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

extension String {
    var trimmedSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
