/// What a `layered-tasks.md` says: the feature, its layers and their tasks, plus every line the
/// parser could not place (so nothing is dropped silently).
public struct LayeredTasks: Equatable, Sendable {
    public var featureName: String?
    public var layers: [ParsedLayer]
    public var diagnostics: [ParseDiagnostic]
    /// Which tool's format the file is in, and what showed it (docs/layered-tasks-format.md).
    public var format: PlanFormat = .layered
    public var formatReason = ""

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
    /// The layers it waits for, when the file says so (spec-kit's phase dependencies); nil: every
    /// earlier layer.
    public var dependsOn: [String]?
    /// Lines under the heading that are about the layer (`**Goal**: …`, `**Checkpoint**: …`).
    public var notes: [String] = []
    /// Kiro: the offset of the mark in the checkbox of the item the layer came from, when its
    /// sub-tasks are the tasks (ticked by `sync` when they all are).
    public var checkboxOffset: Int?
}

/// The planning tools whose task files are read (docs/layered-tasks-format.md).
public enum PlanFormat: String, CaseIterable, Sendable {
    case layered
    case specKit = "spec-kit"
    case openSpec = "openspec"
    case taskHeadings = "task-headings"
    case kiro
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
    /// spec-kit's user story (`[US1]`), Kiro's `_Requirements: 1.1, 2.3_`.
    public var story: String?
    public var requirements: [String] = []
    /// The UTF-8 offset in the file of the character between the checkbox's brackets, for
    /// writing the state back (`sync`); nil without a checkbox.
    public var checkboxOffset: Int?
}

/// A line that looks like part of the task list but was not understood, with its 1-based number.
public struct ParseDiagnostic: Equatable, Sendable {
    public var line: Int
    public var message: String
    public var text: String
}
