/// Every failure the tool reports: a one-line message and the exit code of DESIGN §6.
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
}

/// A status file that is valid JSON but not of a shape this tool can read, located by its path
/// inside the document (`layers.L1.tasks[2].status`).
public struct StatusFileShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path): \(problem)" }
}
