/// Every failure the tool reports: a one-line message and the exit code of docs/file-format.md, "Exit codes".
public struct TrackerError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Int32, Sendable {
        case usage = 1
        case notFound = 2
        case invalidStatus = 3
        case corruptFile = 4
        case writeFailed = 5
        case precondition = 6
        case lockTimeout = 7
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitCode: Int32 { kind.rawValue }
    public var description: String { message }

    /// The message as it may be printed: one line, control characters escaped, at most
    /// `limit` characters. Messages quote file content and arguments, which may hold anything.
    public func printableMessage(limit: Int = 600) -> String {
        let line = message.visibleControlCharacters
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}

/// A status file that is valid JSON but not of a shape this tool can read, located by its path
/// inside the document (`layers.L1.tasks[2].status`).
public struct StatusFileShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path.singleLine): \(problem)" }
}
