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

    /// Adds each of `lines` that the file lacks, under `heading`, at the top of the file: git
    /// takes the last rule that matches, so every rule of the user's, a negation included, still
    /// wins over ours. Lines are compared as gitignore(5) reads them: a carriage return, trailing
    /// spaces and a leading byte order mark do not count; leading spaces do. Added lines use the
    /// file's line ending.
    static func ensureLines(_ lines: [String], in current: String?, path: String, heading: String) -> IntegrationEdit {
        var text = current ?? ""
        let bom = text.unicodeScalars.first == "\u{FEFF}"
        if bom { text.unicodeScalars.removeFirst() }
        let existing = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { scalars in
            var line = String(String.UnicodeScalarView(scalars))
            if line.hasSuffix("\r") { line.unicodeScalars.removeLast() }
            while line.hasSuffix(" "), !line.hasSuffix("\\ ") { line.removeLast() }
            return line
        }
        let added = lines.filter { !existing.contains($0) }
        let kept = lines.filter { existing.contains($0) }
        guard !added.isEmpty else { return IntegrationEdit(path: path, newText: nil, added: [], kept: kept) }
        let newline = text.contains("\r\n") ? "\r\n" : "\n"
        var block = (existing.contains(heading) ? [] : [heading]) + added
        if !text.isEmpty { block.append("") }
        return IntegrationEdit(path: path, newText: (bom ? "\u{FEFF}" : "") + block.map { $0 + newline }.joined() + text,
                               added: added, kept: kept)
    }
}
