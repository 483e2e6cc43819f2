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
    /// Walks up from `start` to the first directory holding `.claude/` or `.git/`, as git does;
    /// `start` itself when there is none.
    public static func discoverRoot(from start: String) -> String {
        var dir = start
        while true {
            if FileSystem.isDirectory(dir + "/.claude") || FileSystem.exists(dir + "/.git") { return dir }
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { return start }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
        }
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
    /// or a single `specs/*<SPEC>*/` directory (docs/layered-tasks-format.md, "Where the file is found").
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
        func candidate(in dir: String) -> String? {
            for path in [dir + "/layered-tasks.md", dir + "/agent-tasks/layered-tasks.md"] where FileSystem.exists(path) {
                return path
            }
            return nil
        }
        if let path = candidate(in: "\(specs)/\(spec)") { return (path, spec) }
        let matches = FileSystem.directoryEntries(specs)
            .filter { $0 != spec.rawValue && $0.contains(spec.rawValue) && FileSystem.isDirectory("\(specs)/\($0)") }
            .compactMap { name in candidate(in: "\(specs)/\(name)").map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        if matches.count > 1 {
            throw TrackerError(.usage, "several tasks files match \(spec): "
                + matches.map { display($0.1) }.joined(separator: ", ") + "; name the spec in full or pass --tasks-file PATH")
        }
        if let (name, path) = matches.first { return (path, (try? SpecID(name)) ?? spec) }
        throw TrackerError(.notFound, "no tasks file for \(spec): looked for specs/\(spec)/layered-tasks.md, "
            + "specs/\(spec)/agent-tasks/layered-tasks.md and specs/*\(spec)*/; pass --tasks-file PATH")
    }
}
