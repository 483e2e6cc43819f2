// `exectrack setup`: what an integration adds to a user's project files, as pure edits. The
// planner never removes or rewrites what a file has: it adds what is missing and leaves the
// user's own rules, reporting each decision. Running it again changes nothing.

/// A project integration `setup` can install.
public enum IntegrationTarget: String, CaseIterable, Sendable {
    /// `.gitignore` rules that keep the tool's local files (locks, backups, temp files) out of git.
    case git
    /// Claude Code hooks in `.claude/settings.json` that run `exectrack hook` (docs/hooks.md).
    case hooks
    /// The MCP server, `exectrack mcp`, in the project's `.mcp.json` (docs/mcp.md).
    case mcp
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
    /// Why the file cannot be edited safely (then `newText` is nil).
    public let refusal: String?

    public init(path: String, newText: String?, added: [String], kept: [String], refusal: String? = nil) {
        self.path = path
        self.newText = newText
        self.added = added
        self.kept = kept
        self.refusal = refusal
    }

    public var changes: Bool { newText != nil }
}

extension IntegrationTarget {
    /// The files the target touches, relative to the project root.
    public var files: [String] {
        switch self {
        case .git: [".gitignore", Self.postMergeHook]
        case .hooks: [".claude/settings.json"]
        case .mcp: [".mcp.json"]
        }
    }

    /// The edit of `path` (one of `files`), given its current text (nil when it does not exist).
    public func edit(_ path: String, current: String?) -> IntegrationEdit {
        switch self {
        case .git where path == Self.postMergeHook: Self.ensurePostMerge(in: current, path: path)
        case .git: Self.ensureLines(IntegrationTarget.gitIgnored, in: current, path: path,
                                    heading: "# exectrack: local lock, backup and temp files stay out of git")
        case .hooks: Self.ensureHooks(in: current, path: path)
        case .mcp: Self.ensureMCPServer(in: current, path: path)
        }
    }

    /// The server `setup mcp` registers: Claude Code's project-scope shape, `mcpServers` → name →
    /// `type`, `command`, `args`.
    public static let mcpServerName = "exectrack"
    static let mcpServer = JSONObject([("type", .string("stdio")), ("command", .string("exectrack")), ("args", .strings(["mcp"]))])

    /// Adds the exectrack server to `mcpServers` unless one by that name, or one running
    /// `exectrack mcp` under another name, is there; every other server and key is kept as it is.
    static func ensureMCPServer(in current: String?, path: String) -> IntegrationEdit {
        var root = JSONObject()
        if let current, !current.trimmingWhitespace.isEmpty {
            guard let value = try? JSONParser.parse(Array(current.utf8)) else {
                return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "is not valid JSON")
            }
            guard let parsed = value.objectValue else {
                return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "is not a JSON object")
            }
            root = parsed
        }
        var servers = JSONObject()
        if let existing = root["mcpServers"] {
            guard let object = existing.objectValue else {
                return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "has an \"mcpServers\" that is not an object")
            }
            servers = object
        }
        let entry = "mcpServers.\(mcpServerName)"
        let runsUs = servers.entries.first { _, server in
            let command = server.objectValue?["command"]?.stringValue ?? ""
            return (command == "exectrack" || command.hasSuffix("/exectrack"))
                && server.objectValue?["args"]?.arrayValue?.first?.stringValue == "mcp"
        }
        if let (name, _) = runsUs { return IntegrationEdit(path: path, newText: nil, added: [], kept: ["mcpServers.\(name)"]) }
        if servers[mcpServerName] != nil {
            return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "already has a server named \(mcpServerName) that does not run exectrack mcp")
        }
        servers.append(mcpServerName, .object(mcpServer))
        if root["mcpServers"] == nil { root.append("mcpServers", .object(servers)) } else { root["mcpServers"] = .object(servers) }
        return IntegrationEdit(path: path, newText: JSONWriter.encode(.object(root)), added: [entry], kept: [])
    }

    /// The command every hook runs, and the events it is wired to (PostToolUse for every tool).
    public static let hookCommand = "exectrack hook"
    static let hookEvents: [(event: String, matcher: String?)] = [
        ("SessionStart", nil), ("SessionEnd", nil), ("SubagentStart", nil), ("SubagentStop", nil), ("PostToolUse", "*"), ("Stop", nil),
    ]

    /// Adds to `hooks.<Event>` of a Claude Code settings file a group running `exectrack hook`
    /// for each event that has none (a hook whose command starts with `exectrack hook`, or runs
    /// a path ending in `/exectrack hook`, counts). Everything else the file has, the user's own
    /// hooks included, is kept as it is, in its order. A file that is not a JSON object, or whose
    /// `hooks` is not an object of lists, is not edited (`newText` nil and the reason in `kept`).
    static func ensureHooks(in current: String?, path: String) -> IntegrationEdit {
        var root = JSONObject()
        if let current, !current.trimmingWhitespace.isEmpty {
            guard let parsed = (try? JSONParser.parse(Array(current.utf8)))?.objectValue else {
                return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "is not a JSON object")
            }
            root = parsed
        }
        var hooks = JSONObject()
        if let existing = root["hooks"] {
            guard let object = existing.objectValue else {
                return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "has a \"hooks\" that is not an object")
            }
            hooks = object
        }
        var added: [String] = [], kept: [String] = []
        for (event, matcher) in hookEvents {
            var groups: [JSONValue] = []
            if let existing = hooks[event] {
                guard let list = existing.arrayValue else {
                    return IntegrationEdit(path: path, newText: nil, added: [], kept: [], refusal: "has hooks.\(event) that is not a list")
                }
                groups = list
            }
            let wired = groups.contains { group in
                (group.objectValue?["hooks"]?.arrayValue ?? []).contains { hook in
                    guard let command = hook.objectValue?["command"]?.stringValue?.trimmingWhitespace else { return false }
                    return command == hookCommand || command.hasPrefix(hookCommand + " ") || command.hasSuffix("/" + hookCommand)
                }
            }
            if wired {
                kept.append("hooks.\(event)")
                continue
            }
            var group = JSONObject()
            if let matcher { group.append("matcher", .string(matcher)) }
            group.append("hooks", .array([.object(JSONObject([("type", .string("command")), ("command", .string(hookCommand))]))]))
            groups.append(.object(group))
            if hooks[event] == nil { hooks.append(event, .array(groups)) } else { hooks[event] = .array(groups) }
            added.append("hooks.\(event)")
        }
        guard !added.isEmpty else { return IntegrationEdit(path: path, newText: nil, added: [], kept: kept) }
        if root["hooks"] == nil { root.append("hooks", .object(hooks)) } else { root["hooks"] = .object(hooks) }
        return IntegrationEdit(path: path, newText: JSONWriter.encode(.object(root)), added: added, kept: kept)
    }

    /// The live files are per machine: committing them would hand one machine's lock,
    /// half-written file or status to every clone, and two machines' commits of one status file
    /// would conflict; machines share state through their snapshots in `shared/` instead
    /// (docs/worktrees.md). So is the tool's own state: the hook log, the notification cooldowns
    /// (with its lock and temp files), the usage ledgers, which name this machine's transcripts
    /// (docs/usage.md), the machine's id, and the summary cache of `stats` (docs/stats.md).
    static let gitIgnored = [".claude/execution/*.json", ".claude/execution/*.events.jsonl",
                             ".claude/execution/*.lock", ".claude/execution/*.bak", ".claude/execution/.*.tmp.*",
                             ".claude/exectrack/hook.log*", ".claude/exectrack/notify-state.json*", ".claude/exectrack/.*.tmp.*",
                             ".claude/exectrack/usage/", ".claude/exectrack/machine-id", ".claude/exectrack/stats-cache.json*"]

    /// The local git hook that merges the specs' snapshots after a pull.
    public static let postMergeHook = ".git/hooks/post-merge"
    static let postMergeLine = "exectrack merge --all --quiet || true  # exectrack: merge other machines' snapshots (docs/worktrees.md)"

    /// Adds the merge line to the post-merge hook, keeping what the hook already runs; a new
    /// hook gets a shell line first.
    static func ensurePostMerge(in current: String?, path: String) -> IntegrationEdit {
        guard let current else {
            return IntegrationEdit(path: path, newText: "#!/bin/sh\n" + postMergeLine + "\n", added: [postMergeLine], kept: [])
        }
        if current.split(separator: "\n").contains(where: { $0.contains("exectrack merge --all") }) {
            return IntegrationEdit(path: path, newText: nil, added: [], kept: [postMergeLine])
        }
        let body = current.hasSuffix("\n") || current.isEmpty ? current : current + "\n"
        return IntegrationEdit(path: path, newText: body + postMergeLine + "\n", added: [postMergeLine], kept: ["the hook's own lines"])
    }

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
