import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One write of a spec's files, in the shape of git's lockfile: it holds the spec's lock
/// (`StatusStore.write` takes it and hands the object to the body) and ends in commit or rollback.
/// Each `commit…` method writes its new content to a temp file, checks that the lock and the
/// status file are still the ones taken (`mayPublish`), and renames the temp file into place;
/// when anything fails, what was staged is removed and the files are as they were. Every write
/// under `.claude/execution/` goes through one (docs/reliability.md, "The write protocol").
final class SpecWrite {
    let spec: SpecID
    let store: StatusStore
    fileprivate let fd: Int32
    fileprivate let lockPath: String
    /// Set when `mayPublish` found the lock or the status file changed under it.
    private(set) var lost = false
    /// The events this write appended to the log, for the notifications run once it is over.
    var appended: [EventRecord] = []
    /// Work that needs no lock (the directory's sync that makes the rename durable, removing this
    /// write's own leftovers and stale temp files of dead writers), run once the lock is released:
    /// the lock serialises writers, so the time it is held bounds how many writes a second a spec
    /// takes (docs/benchmarks.md).
    var afterRelease: [() -> Void] = []
    private var statusPlace: FileSystem.Info.Place?

    fileprivate init(spec: SpecID, store: StatusStore, fd: Int32) {
        self.spec = spec
        self.store = store
        self.fd = fd
        lockPath = store.lockPath(spec)
        statusPlace = FileSystem.linkInfo(store.statusPath(spec))?.place
    }

    /// Asked just before a write publishes: true while the lock still holds and the status file
    /// is the one read (a hand edit by `mv` also replaces it). When false, nothing was published
    /// and `StatusStore.write` runs the write again.
    func mayPublish() -> Bool {
        lost = !FileLock.isHeld(fd, at: lockPath) || FileSystem.linkInfo(store.statusPath(spec))?.place != statusPlace
        return !lost
    }

    /// Thrown by a commit that found the lock lost; `StatusStore.write` runs the body again.
    private var lostLock: TrackerError { TrackerError(.lockTimeout, "the lock or the status file changed while held") }

    /// Writes `content` as the new status file, keeping the current one as `.bak` (the `.bak`
    /// first, then the rename). Should the rename fail, the previous `.bak` is put back, so both
    /// files are as they were.
    func commitStatus(_ content: [UInt8], keepBackup: Bool = true) throws(TrackerError) {
        let path = store.statusPath(spec)
        let backup = store.backupPath(spec)
        var previousBackup: String?
        var createdBackup = false
        do {
            // The rename is made durable by the directory's sync just after the lock is released
            // (`runAfterRelease`): the next writer cannot make its own durable without this one.
            try FileSystem.writeAtomically(content, to: path, shown: store.display, faults: store.faults,
                                           syncingDirectory: false) { () throws(TrackerError) in
                guard mayPublish() else { throw lostLock }
                guard keepBackup, FileSystem.linkInfo(path)?.isRegular == true,
                      let staged = try self.stageBackup(of: path) else { return }
                if FileSystem.linkInfo(backup) != nil {
                    let keep = FileSystem.tempPath(for: backup, role: "prev")
                    if link(backup, keep) == 0 { previousBackup = keep }
                } else {
                    createdBackup = true
                }
                guard rename(staged, backup) == 0 else {
                    let message = FileSystem.lastError()
                    unlink(staged)
                    throw TrackerError(.writeFailed, "cannot replace \(store.display(backup)): \(message); the status file is unchanged")
                }
            }
        } catch {
            if let previousBackup {
                rename(previousBackup, backup)
            } else if createdBackup {
                unlink(backup)
            }
            throw error
        }
        let directory = store.executionDirectory
        afterRelease.append { FileSystem.syncDirectory(directory) }
        if let previousBackup { afterRelease.append { unlink(previousBackup) } }
    }

    /// Runs the work kept for after the lock, once.
    fileprivate func runAfterRelease() {
        let work = afterRelease
        afterRelease = []
        work.forEach { $0() }
    }

    /// Stages the current file as the next `.bak` under a temp name: a hard link (no copy) where
    /// the filesystem allows, else a copy.
    private func stageBackup(of path: String) throws(TrackerError) -> String? {
        let staged = FileSystem.tempPath(for: path, role: "bak")
        if store.faults.fails(.backup) {
            throw TrackerError(.writeFailed, "cannot write \(store.display(store.backupPath(spec))): \(FileSystem.lastError()); the status file is unchanged")
        }
        if link(path, staged) != 0 {
            guard let bytes = try store.readStatusBytes(path) else { return nil }
            try FileSystem.writeAtomically(bytes, to: staged, shown: store.display)
        }
        return staged
    }

    /// Writes `bytes` as the next free archive name of the day in `archive/`, where no later
    /// write rotates it away.
    func commitArchive(_ bytes: [UInt8], now: Timestamp) throws(TrackerError) -> String {
        guard mayPublish() else { throw lostLock }
        let directory = store.archiveDirectory
        try FileSystem.createDirectories(directory, shown: store.display)
        let stamp = now.iso8601
        let day = stamp.prefix(10).filter { $0 != "-" }
        let time = stamp.dropFirst(11).prefix(8).filter { $0 != ":" }
        var candidates = ["\(spec)-\(day).json", "\(spec)-\(day)-\(time).json"]
        candidates += (2...99).map { "\(spec)-\(day)-\(time)-\($0).json" }
        guard let name = candidates.first(where: { FileSystem.linkInfo("\(directory)/\($0)") == nil }) else {
            throw TrackerError(.precondition, "too many archives of \(spec) this second in \(store.display(directory))")
        }
        let target = "\(directory)/\(name)"
        try FileSystem.replaceFile(bytes, at: target, cleaning: .all, nowSeconds: now.millisecondsSinceEpoch / 1000, shown: store.display)
        return target
    }

    /// `archive --remove`: the status file becomes the `.bak`, so `restore` brings it back.
    func commitStatusToBackup() throws(TrackerError) {
        guard mayPublish() else { throw lostLock }
        guard rename(store.statusPath(spec), store.backupPath(spec)) == 0 else {
            throw TrackerError(.writeFailed, "cannot move \(store.display(store.statusPath(spec))) "
                + "to \(store.display(store.backupPath(spec))): \(FileSystem.lastError())")
        }
        FileSystem.syncDirectory(store.executionDirectory)
    }

    /// A file made from the spec (an export), replaced atomically. `cleaning` says which stale
    /// temp files of the directory to remove: all of them in `.claude/execution/`, only this
    /// file's elsewhere.
    func commitFile(_ bytes: [UInt8], at path: String, cleaning: FileSystem.TempScope, now: Timestamp) throws(TrackerError) {
        guard mayPublish() else { throw lostLock }
        try FileSystem.replaceFile(bytes, at: path, cleaning: cleaning, nowSeconds: now.millisecondsSinceEpoch / 1000, shown: store.display)
    }
}

extension StatusStore {
    /// Runs `body` with a `SpecWrite` holding the spec's exclusive lock: every write of a spec's
    /// files happens inside it (docs/reliability.md, "The write protocol"). A body whose commit
    /// found that the lock or the status file changed under it (`SpecWrite.mayPublish`) has
    /// published nothing, and runs again until the lock timeout.
    func write<T>(_ spec: SpecID, _ body: (SpecWrite) throws(TrackerError) -> T) throws(TrackerError) -> T {
        if let lockTimeoutProblem { throw lockTimeoutProblem }
        try ensureExecutionDirectory()
        let deadline = SystemClock.monotonic() + lockTimeoutSeconds
        while true {
            let write = SpecWrite(spec: spec, store: self, fd: try FileLock.acquire(lockPath(spec), shownAs: display(lockPath(spec)),
                                                                                     until: deadline, timeoutSeconds: lockTimeoutSeconds))
            let result: T
            defer { write.runAfterRelease() }
            do {
                result = try body(write)
            } catch {
                close(write.fd)
                guard write.lost else { throw error }
                guard SystemClock.monotonic() < deadline else {
                    throw TrackerError(.lockTimeout, "\(display(lockPath(spec))) or \(display(statusPath(spec))) kept being "
                        + "replaced while held for \(Self.seconds(lockTimeoutSeconds)); nothing was written. Retry")
                }
                continue
            }
            // The lock is released before anyone is told: a rule's command never runs under it.
            // What was kept for after it (the directory's sync) is done before they are told.
            close(write.fd)
            write.runAfterRelease()
            notifier?.dispatch(write.appended, spec: spec, store: self)
            return result
        }
    }

    /// `1.5s`, `10s`, `0.001s`: a timeout as people write it.
    static func seconds(_ value: Double) -> String {
        let millis = Int64((value * 1000).rounded())
        return millis % 1000 == 0 ? "\(millis / 1000)s" : "\(Double(millis) / 1000)s"
    }
}
