/// What a `layered-tasks.md` says: the feature, its layers and their tasks, plus every line the
/// parser could not place (so nothing is dropped silently).
public struct LayeredTasks: Equatable, Sendable {
    public var featureName: String?
    public var layers: [ParsedLayer]
    public var diagnostics: [ParseDiagnostic]

    public var taskCount: Int { layers.reduce(0) { $0 + $1.tasks.count } }
}

public struct ParsedLayer: Equatable, Sendable {
    /// `L<n>`: the heading's number, or the next free number for named layers.
    public var key: String
    public var name: String
    public var line: Int
    public var agents: [String] = []
    public var dependencies: [String] = []
    /// The gates its `Gates:` line requires (docs/gates.md).
    public var gates: [String] = []
    public var tasks: [ParsedTask] = []
}

public struct ParsedTask: Equatable, Sendable {
    public var id: String?
    public var description: String
    public var command: String?
    public var agent: String?
    public var complexity: String?
    public var dependencies: [String] = []
    public var parallel = false
    /// Checked (`[x]`) in the source: seeded as complete.
    public var done = false
    public var line: Int
    /// Nested lines under the task that are not fields (acceptance criteria, hints).
    public var notes: [String] = []
}

/// A line that looks like part of the task list but was not understood, with its 1-based number.
public struct ParseDiagnostic: Equatable, Sendable {
    public var line: Int
    public var message: String
    public var text: String
}
