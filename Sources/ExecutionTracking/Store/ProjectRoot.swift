import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Where the project is: the root directories a command starts from, and where its tasks files are.

extension StatusStore {
    /// Where a command run in `start` keeps its state (docs/worktrees.md).
    public struct DiscoveredRoot: Equatable, Sendable {
        /// The project root: the main worktree of a linked worktree.
        public var root: String
        /// The worktree the command runs in (`root` outside a linked worktree): where a gate's
        /// command runs, and what a lease records.
        public var worktree: String
        /// Why a linked worktree could not be followed to its main worktree (its own root is used).
        public var warning: String?

        public init(root: String, worktree: String, warning: String? = nil) {
            self.root = root
            self.worktree = worktree
            self.warning = warning
        }
    }

    /// Walks up from `start` to the first directory holding `.claude/` or `.git`, as git does
    /// (`start` itself when there is none). When that directory is a linked worktree (`.git` is a
    /// file whose `gitdir:` has a `commondir`), the root is its main worktree, read from those two
    /// files without running git, so every worktree of a repository shares one state. Submodules
    /// (a `gitdir:` without `commondir`) are roots of their own.
    public static func discoverRoot(from start: String) -> DiscoveredRoot {
        var dir = start
        while true {
            if FileSystem.isDirectory(dir + "/.claude") || FileSystem.exists(dir + "/.git") {
                return mainWorktree(of: dir)
            }
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { return DiscoveredRoot(root: start, worktree: start) }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
        }
    }

    static func mainWorktree(of dir: String) -> DiscoveredRoot {
        let own = DiscoveredRoot(root: dir, worktree: dir)
        let dotGit = dir + "/.git"
        guard let info = FileSystem.info(dotGit), info.isRegular else { return own }
        func fallback(_ why: String) -> DiscoveredRoot {
            DiscoveredRoot(root: dir, worktree: dir, warning: "\(dir) is a git worktree whose main worktree cannot be found (\(why)); "
                + "its state is kept in this worktree (set EXECTRACK_ROOT to share one)")
        }
        guard let text = firstLine(dotGit), text.hasPrefix("gitdir:") else { return fallback("\(dotGit) has no gitdir: line") }
        let gitdir = resolve(String(text.dropFirst("gitdir:".count)).trimmingWhitespace, against: dir)
        guard FileSystem.isDirectory(gitdir) else { return fallback("\(gitdir) does not exist") }
        // A submodule's git directory is a repository of its own: no commondir.
        guard FileSystem.exists(gitdir + "/commondir") else { return own }
        guard let common = firstLine(gitdir + "/commondir").map({ resolve($0.trimmingWhitespace, against: gitdir) }),
              FileSystem.isDirectory(common) else { return fallback("its commondir names no directory") }
        // The main worktree holds the common directory as its `.git`; a bare repository has none.
        let (parent, name) = FileSystem.split(common)
        guard name == ".git", FileSystem.isDirectory(parent), FileSystem.realPath(parent + "/.git") == FileSystem.realPath(common) else {
            return fallback("\(common) is a bare repository or has no worktree of its own")
        }
        return DiscoveredRoot(root: parent, worktree: dir)
    }

    /// The first line of a small file (`.git`, `commondir`), or nil.
    private static func firstLine(_ path: String) -> String? {
        guard let bytes = try? FileSystem.read(path, shownAs: path, role: "a git pointer file", refuseWith: .notFound, maxBytes: 4096) else {
            return nil
        }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }

    /// `path` as an absolute, normalised path (relative ones are relative to `base`).
    private static func resolve(_ path: String, against base: String) -> String {
        normalized(path.hasPrefix("/") ? path : base + "/" + path)
    }

    /// A root given by `--root` or `EXECTRACK_ROOT` must be an existing directory (exit 2).
    public static func checkRoot(_ path: String) throws(TrackerError) {
        guard FileSystem.isDirectory(path) else {
            throw TrackerError(.notFound, "project root \(path.singleLine) is not an existing directory")
        }
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }


    // MARK: - Tasks file discovery

    /// `--tasks-file`, `specs/<SPEC>/layered-tasks.md`, `specs/<SPEC>/agent-tasks/layered-tasks.md`,
    /// or a single `specs/*<SPEC>*/` directory; failing those, other tools' plans: spec-kit's
    /// `tasks.md` there, Kiro's `.kiro/specs/<SPEC>/tasks.md`, OpenSpec's
    /// `openspec/changes/<SPEC>/tasks.md` (docs/layered-tasks-format.md, "Where the file is found").
    /// Returns the path and the spec the file belongs to: the matched directory's name when that
    /// is a valid spec id, so one spec never gets two status files.
    public func locateTasksFile(for spec: SpecID, explicit: String?) throws(TrackerError) -> (path: String, spec: SpecID) {
        if let explicit {
            guard !explicit.isEmpty, FileSystem.exists(explicit) else {
                throw TrackerError(.notFound, "tasks file not found: \(explicit.isEmpty ? "(empty path)" : explicit)")
            }
            guard !FileSystem.isDirectory(explicit) else {
                throw TrackerError(.notFound, "\(explicit) is a directory; --tasks-file needs the tasks file in it")
            }
            return (explicit, spec)
        }
        let specs = root + "/specs"
        for names in [["layered-tasks.md", "agent-tasks/layered-tasks.md"], ["tasks.md"]] {
            if let found = try tasksFile(for: spec, in: specs, names: names) { return found }
        }
        for path in ["\(root)/.kiro/specs/\(spec)/tasks.md", "\(root)/openspec/changes/\(spec)/tasks.md"] where FileSystem.exists(path) {
            return (path, spec)
        }
        throw TrackerError(.notFound, "no tasks file for \(spec): looked for specs/\(spec)/layered-tasks.md, "
            + "specs/\(spec)/agent-tasks/layered-tasks.md, specs/*\(spec)*/, specs/\(spec)/tasks.md, .kiro/specs/\(spec)/tasks.md "
            + "and openspec/changes/\(spec)/tasks.md; pass --tasks-file PATH")
    }

    /// One of `names` in `specs/<SPEC>/`, else in the one `specs/*<SPEC>*/` that has one.
    private func tasksFile(for spec: SpecID, in specs: String, names: [String]) throws(TrackerError) -> (path: String, spec: SpecID)? {
        func candidate(in dir: String) -> String? { names.map { dir + "/" + $0 }.first(where: FileSystem.exists) }
        if let path = candidate(in: "\(specs)/\(spec)") { return (path, spec) }
        let matches = FileSystem.directoryEntries(specs)
            .filter { $0 != spec.rawValue && $0.contains(spec.rawValue) && FileSystem.isDirectory("\(specs)/\($0)") }
            .compactMap { name in candidate(in: "\(specs)/\(name)").map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        if matches.count > 1 {
            throw TrackerError(.usage, "several tasks files match \(spec): "
                + matches.map { display($0.1) }.joined(separator: ", ") + "; name the spec in full or pass --tasks-file PATH")
        }
        return matches.first.map { (name, path) in (path, (try? SpecID(name)) ?? spec) }
    }
}
