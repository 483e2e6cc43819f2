// `exectrack setup`: what an integration adds to a user's project files, as pure edits. The
// planner never removes or rewrites what a file has: it adds what is missing and leaves the
// user's own rules, reporting each decision. Running it again changes nothing.

/// A project integration `setup` can install.
public enum IntegrationTarget: String, CaseIterable, Sendable {
    /// `.gitignore` rules that keep the tool's local files (locks, backups, temp files) out of git.
    case git
}

/// One file `setup` looked at, and what it would change.
public struct IntegrationEdit: Equatable, Sendable {
    /// Relative to the project root.
    public let path: String
    /// The file's text after the edit; nil when nothing changes.
    public let newText: String?
    /// What was added.
    public let added: [String]
    /// What the file already had, or had otherwise, and was left as it is.
    public let kept: [String]

    public var changes: Bool { newText != nil }
}

extension IntegrationTarget {
    /// The files the target touches, relative to the project root.
    public var files: [String] {
        switch self {
        case .git: [".gitignore"]
        }
    }

    /// The edit of `path` (one of `files`), given its current text (nil when it does not exist).
    public func edit(_ path: String, current: String?) -> IntegrationEdit {
        switch self {
        case .git: Self.ensureLines(IntegrationTarget.gitIgnored, in: current, path: path,
                                    heading: "# exectrack: local lock, backup and temp files stay out of git")
        }
    }

    /// Locks, backups and temp files are per machine: committing them would hand one machine's
    /// lock or half-written file to every clone.
    static let gitIgnored = [".claude/execution/*.lock", ".claude/execution/*.bak", ".claude/execution/.*.tmp.*"]

    /// Adds each of `lines` that the file lacks, after `heading`, at the end. A line the user
    /// negated (`!pattern`) is kept negated: git takes the last matching rule, so appending ours
    /// would override theirs.
    static func ensureLines(_ lines: [String], in current: String?, path: String, heading: String) -> IntegrationEdit {
        let existing = (current ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).trimmingWhitespace }
        var added: [String] = []
        var kept: [String] = []
        for line in lines {
            if existing.contains(line) {
                kept.append(line)
            } else if existing.contains("!" + line) {
                kept.append("!" + line)
            } else {
                added.append(line)
            }
        }
        guard !added.isEmpty else { return IntegrationEdit(path: path, newText: nil, added: [], kept: kept) }
        var text = current ?? ""
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        if !text.isEmpty { text += "\n" }
        if !existing.contains(heading) { text += heading + "\n" }
        text += added.map { $0 + "\n" }.joined()
        return IntegrationEdit(path: path, newText: text, added: added, kept: kept)
    }
}
