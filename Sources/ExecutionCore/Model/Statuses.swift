/// The state of one task (docs/file-format.md).
public enum TaskStatus: String, NamedValue, Sendable {
    public static let kind = "task status"

    case pending
    case inProgress = "in_progress"
    case complete
    case failed
    case skipped

    /// Accepts the canonical names and the aliases agents and the original scripts use.
    public init?(normalizing input: String) {
        // Files this tool wrote hold the exact raw value: no need to trim and lowercase.
        if let exact = TaskStatus(rawValue: input) {
            self = exact
            return
        }
        let key = input.trimmingWhitespace.lowercased()
        switch key {
        case "pending", "todo": self = .pending
        case "in_progress", "in-progress", "running", "started": self = .inProgress
        case "complete", "completed", "done": self = .complete
        case "failed": self = .failed
        case "skipped": self = .skipped
        default: return nil
        }
    }

    /// Complete or skipped: nothing left to do for this task.
    public var isDone: Bool { self == .complete || self == .skipped }
    /// A status a task ends in: repeating it changes nothing.
    public var isTerminal: Bool { isDone || self == .failed }
}

/// A layer's state, derived from its tasks.
public enum LayerStatus: String, NamedValue, Sendable {
    case pending
    case inProgress = "in_progress"
    case complete
    case failed

    public static let kind = "layer status"
    public init?(normalizing input: String) { self.init(rawValue: input) }
}

/// The whole spec's state. `paused` and `blocked` are sticky until `resume`.
public enum ExecutionStatus: String, NamedValue, Sendable {
    case pending
    case inProgress = "in_progress"
    case paused
    case blocked
    case failed
    case complete

    public static let kind = "status"
    public init?(normalizing input: String) { self.init(rawValue: input) }
}

public enum Severity: String, NamedValue, Sendable {
    case low, medium, high, critical

    public static let kind = "severity"

    public init?(normalizing input: String) {
        self.init(rawValue: input.trimmingWhitespace.lowercased())
    }
}

/// What kind of failure an error message describes, so recovery can be suggested and errors counted
/// by cause.
public enum ErrorCategory: String, NamedValue, Sendable {
    case timeout, connection, permission
    case notFound = "not_found"
    case auth, syntax, dependency, other
    /// The agent holding the task died or went silent (`reap --to failed`); never classified from a message.
    case agentLost = "agent_lost"

    public static let kind = "error category"

    public init?(normalizing input: String) {
        self.init(rawValue: input.trimmingWhitespace.lowercased().replacingHyphens)
    }

    // Checked in order: "connection timeout" is a timeout first, "module not found" a missing
    // dependency rather than a missing file. Keywords made of digits match whole numbers only.
    private static let keywords: [(ErrorCategory, [String])] = [
        (.timeout, ["timeout", "timeouts", "timed out", "time out", "deadline exceeded", "etimedout"]),
        (.dependency, ["module not found", "cannot find module", "no module named", "can't resolve",
                       "could not resolve", "unresolved import", "missing dependency"]),
        (.auth, ["unauthorized", "unauthorised", "authentication", "authorization", "auth", "401", "403",
                 "forbidden", "credentials", "credential", "token expired", "invalid token", "login failed"]),
        (.permission, ["permission", "access denied", "eacces", "eperm", "read-only", "not permitted"]),
        (.notFound, ["not found", "no such file", "enoent", "404", "does not exist", "missing file"]),
        (.connection, ["connection", "connect", "econnrefused", "econnreset", "network", "unreachable",
                       "refused", "socket", "dns", "host"]),
        (.syntax, ["syntax", "parse error", "unexpected token", "invalid json", "compile error",
                   "compilation failed", "unexpected end"]),
        (.dependency, ["dependency", "dependencies", "module", "package", "version conflict", "unresolved",
                       "import error", "importerror", "modulenotfounderror"]),
    ]

    /// Classifies a message by keywords; `other` when nothing matches.
    public static func classify(_ message: String) -> ErrorCategory {
        let text = message.lowercased()
        for (category, words) in keywords where words.contains(where: { contains(text, keyword: $0) }) {
            return category
        }
        return .other
    }

    /// Whole words only: "host" is not in "Ghostscript", "401" not in "position 1401".
    private static func contains(_ text: String, keyword: String) -> Bool {
        var rest = Substring(text)
        while let range = rest.firstRange(of: keyword) {
            let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
            let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
            if !(before.isLetter || before.isNumber) && !(after.isLetter || after.isNumber) { return true }
            rest = text[text.index(after: range.lowerBound)...]
        }
        return false
    }

    /// The first thing to try, stored with the error when the caller gives no recovery action.
    public var suggestedRecovery: String {
        switch self {
        case .timeout: "Retry the task; if it times out again, raise the timeout or split the task"
        case .connection: "Check that the service is reachable, then retry the task"
        case .permission: "Fix file or directory permissions, then retry the task"
        case .notFound: "Create or point to the missing file or resource, then retry the task"
        case .auth: "Refresh credentials or tokens, then retry the task"
        case .syntax: "Fix the syntax error reported, then retry the task"
        case .dependency: "Install or complete the missing dependency, then retry the task"
        case .other: "Inspect the error output, fix the cause, then retry or skip the task"
        case .agentLost: "Check what the agent left behind, then let another agent claim the task again"
        }
    }
}
