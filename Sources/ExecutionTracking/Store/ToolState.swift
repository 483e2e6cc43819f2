import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The tool's own files beside the specs' (docs/notifications.md, docs/hooks.md): configuration
// and state in `.claude/exectrack/`, never in `.claude/execution/`, so nothing there can be taken
// for a status file.

extension StatusStore {
    public var toolDirectory: String { root + "/.claude/exectrack" }

    /// This store waiting at most `lockTimeoutSeconds` for a lock and running no notification
    /// rule: for writes that must not hold up a caller who is done (the hook, `notify.failed`).
    /// With `handingOffTo`, events that match a rule go to that notifier, which hands them to
    /// a process of their own.
    func quiet(lockTimeoutSeconds: Double, handingOffTo handOff: Notifier? = nil) -> StatusStore {
        var store = StatusStore(root: root, lockTimeoutSeconds: lockTimeoutSeconds)
        store.worktree = worktree
        store.faults = faults
        store.notifier = handOff
        return store
    }

    /// Refuses (exit 5) when one of the repository's `directories` is a symlink: the tool writes
    /// its state only in the repository's own directories, since a clone's link could send a
    /// write anywhere.
    func refuseSymlinks(_ directories: [String]) throws(TrackerError) {
        for directory in directories where FileSystem.linkInfo(directory)?.isSymlink == true {
            throw TrackerError(.writeFailed, "\(display(directory)) is a symlink; exectrack keeps its state only in a real directory")
        }
    }

    /// Reads the JSON object at `path` (empty when missing or unreadable), lets `change` update
    /// it, and writes it back atomically, all under the file's lock.
    func withToolState<T>(_ path: String, _ change: (inout JSONObject) throws(TrackerError) -> T) throws(TrackerError) -> T {
        let directory = FileSystem.split(path).directory
        // The repository's own directory only: the user's configuration is often a dotfiles link.
        if directory == toolDirectory { try refuseSymlinks([directory]) }
        try FileSystem.createDirectories(directory, shown: display)
        return try withLock(path, timeoutSeconds: Notifier.recordLockSeconds) { () throws(TrackerError) -> T in
            let bytes = try? FileSystem.read(path, shownAs: display(path), role: "exectrack state", refuseWith: .corruptFile)
            var state = bytes.flatMap { $0 }.flatMap { try? JSONParser.parse($0) }?.objectValue ?? JSONObject()
            let result = try change(&state)
            try FileSystem.writeAtomically(Array((JSONWriter.encode(.object(state)) + "\n").utf8), to: path, shown: display)
            return result
        }
    }

    /// Appends `line` to `.claude/exectrack/hook.log`, which is renamed to `hook.log.1` once past
    /// 1 MiB. Silent on failure: a hook's log must never become the hook's problem.
    func appendToHookLog(_ line: String) {
        let path = toolDirectory + "/hook.log"
        if FileSystem.linkInfo(toolDirectory)?.isSymlink == true { return }
        try? FileSystem.createDirectories(toolDirectory, shown: display)
        if let info = FileSystem.linkInfo(path), info.isRegular, info.size > 1 << 20 { rename(path, path + ".1") }
        guard let (fd, _) = try? FileSystem.openForAppending(path, shown: display(path), role: "a hook log") else { return }
        defer { close(fd) }
        try? FileSystem.writeToDescriptor(Array(line.utf8), fd, shown: display(path))
    }
}
