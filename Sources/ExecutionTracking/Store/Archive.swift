import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Archive and restore: copies kept under `archive/` (with the event log), the `.bak` put back,
// and a lost file rebuilt from its log.

extension StatusStore {
    /// What `archive` wrote.
    public struct Archived: Sendable {
        /// The copy of the status file.
        public var status: String
        /// Where the event log went; nil when the spec had none.
        public var log: String?
    }

    /// `archive`: copies the status file to `.claude/execution/archive/<SPEC>-<YYYYMMDD>.json`
    /// (`-HHMMSS`, then a counter, when that exists) and moves the event log next to it (ending
    /// with `spec.archived`), so the archive keeps the history and the log starts afresh (the
    /// next write begins it with `log.started`). With `remove`, the status file then moves over
    /// its `.bak` under the lock, so `restore` brings back exactly what was archived.
    public func archive(_ spec: SpecID, remove: Bool, now: Timestamp) throws(TrackerError) -> Archived {
        guard exists(spec) else {
            throw missingStatusFile(spec)
        }
        return try write(spec) { (write) throws(TrackerError) -> Archived in
            guard let bytes = try readStatusBytes(statusPath(spec)) else {
                throw missingStatusFile(spec)
            }
            let file = try decode(bytes, spec: spec)
            let target = try write.commitArchive(bytes, now: now)
            var archived = Archived(status: target, log: nil)
            do throws(TrackerError) {
                archived.log = try write.commitLogToArchive(next: target, replacing: (bytes, file), removing: remove, now: now)
                if remove { try write.commitStatusToBackup() }
            } catch {
                throw TrackerError(error.kind, "archived to \(display(target)), but: \(error.message)")
            }
            return archived
        }
    }

    /// `restore`: under the lock, the `.bak` becomes the status file and the current file becomes
    /// the `.bak` — the ordinary commit, with the backup's bytes as the new content. A `.bak`
    /// that cannot be read is refused (exit 4) and nothing changes.
    public func restoreBackup(_ spec: SpecID, now: Timestamp) throws(TrackerError) -> StatusFile {
        let backup = backupPath(spec)
        let missing = TrackerError(.notFound, "no backup to restore: \(display(backup)) does not exist")
        guard FileSystem.linkInfo(backup) != nil else { throw missing }
        return try write(spec) { (write) throws(TrackerError) -> StatusFile in
            guard let bytes = try readStatusBytes(backup) else { throw missing }
            let restored: StatusFile
            do {
                restored = try StatusFile(jsonBytes: bytes, defaultFeature: spec.rawValue)
            } catch {
                throw TrackerError(.corruptFile, "\(display(backup)) cannot be restored: it \(error); "
                    + "\(display(statusPath(spec))) was left as it is")
            }
            // The restored file goes back as it was; its event says which event it reflects, so
            // the events after that are history, not a write that never published, and carries
            // it whole for replaying.
            let event = ChangeEvent(.specRestored, data: JSONObject([("event_seq", .optional(restored.eventSeq.map(Int.init))),
                                                                     ("status", restored.json)]))
            let content = try write.commitEvents([event], replacing: readableStatus(spec).map(ReplacedStatus.init), now: now) { _, _ in bytes }
            try write.commitStatus(content)
            return restored
        }
    }

    /// What `restore --from-events` rebuilt.
    public struct Rebuilt {
        public var status: StatusFile
        /// The events applied, and the lines of the log that are not events (skipped).
        public var eventCount: Int
        public var problems: [LogProblem]
    }

    /// `restore --from-events`: rebuilds the status file from its event log, for when the file
    /// and its `.bak` are lost or cannot be read. A readable status file is refused (exit 6):
    /// `replay` shows what the log says without replacing it. The events of the log's last write
    /// are taken as published, since no status file is left to say otherwise.
    public func restoreFromEvents(_ spec: SpecID, now: Timestamp) throws(TrackerError) -> Rebuilt {
        if readableStatus(spec) != nil {
            throw TrackerError(.precondition, "\(display(statusPath(spec))) can be read; restore --from-events only rebuilds "
                + "a lost or unreadable file (see what the log says with: exectrack replay \(spec))")
        }
        return try write(spec) { (write) throws(TrackerError) -> Rebuilt in
            let outcome = try replayed(spec)
            guard var state = outcome.replay.state, let through = outcome.replay.lastApplied else {
                throw TrackerError(.notFound, "\(display(eventsPath(spec))) has no event to rebuild \(spec) from")
            }
            let event = ChangeEvent(.specRestored, data: JSONObject([("from_events", .bool(true)), ("through_seq", .int(Int(through)))]))
            let content = try write.commitEvents([event], replacing: nil, now: now) { seq, _ in
                state.eventSeq = seq
                return state.jsonBytes()
            }
            try write.commitStatus(content, keepBackup: false)
            return Rebuilt(status: state, eventCount: outcome.events, problems: outcome.problems)
        }
    }

    /// `replay --until`: the status file as the log says it was at `until` (its end when nil);
    /// nil when the log has no state by then. Events after those the status file reflects were
    /// appended by a write that never published, and are not applied; without a readable status
    /// file there is no telling, and they are.
    public func replay(_ spec: SpecID, until: Timestamp?) throws(TrackerError) -> (status: StatusFile?, problems: [LogProblem]) {
        let outcome = try replayed(spec, until: until, through: readableStatus(spec)?.file.eventSeq)
        return (outcome.replay.state, outcome.problems)
    }

    /// The log read whole and replayed (no log: no state), through the event a status file with
    /// `event_seq` `through` reflects.
    func replayed(_ spec: SpecID, until: Timestamp? = nil, through: Int64? = nil) throws(TrackerError) -> EventReplay.Outcome {
        do {
            let log = try readLog(spec) ?? []
            let last = through.flatMap { _ in EventReplay.scan(log: log).last }
            return try EventReplay.replay(log: log, until: until, through: EventRecord.reflected(byFileWith: through, last: last))
        } catch {
            throw TrackerError(.corruptFile, "\(display(eventsPath(spec))) cannot be replayed: \(error)")
        }
    }

    /// The status file's bytes and model when it can be read; nil otherwise.
    func readableStatus(_ spec: SpecID) -> (bytes: [UInt8], file: StatusFile)? {
        guard let bytes = (try? readStatusBytes(statusPath(spec))) ?? nil, let file = try? decode(bytes, spec: spec) else { return nil }
        return (bytes, file)
    }
}

extension SpecWrite {
    /// Ends the spec's event log with `spec.archived` and moves it next to the archived status
    /// file `statusArchive` (`<name>.events.jsonl`); nil when there is no log.
    func commitLogToArchive(next statusArchive: String, replacing current: (bytes: [UInt8], file: StatusFile),
                            removing: Bool, now: Timestamp) throws(TrackerError) -> String? {
        let log = store.eventsPath(spec)
        guard FileSystem.linkInfo(log) != nil else { return nil }
        let target = String(statusArchive.dropLast(".json".count)) + ".events.jsonl"
        let event = ChangeEvent(.specArchived, data: JSONObject([("archive", .string(store.display(statusArchive))),
                                                                ("removed", .bool(removing))]))
        _ = try commitEvents([event], replacing: ReplacedStatus(bytes: current.bytes, file: current.file), now: now) { _, _ in current.bytes }
        guard mayPublish() else { throw TrackerError(.lockTimeout, "the lock or the status file changed while held") }
        guard rename(log, target) == 0 else {
            throw TrackerError(.writeFailed, "cannot move \(store.display(log)) to \(store.display(target)): \(FileSystem.lastError())")
        }
        FileSystem.syncDirectory(store.executionDirectory)
        FileSystem.syncDirectory(store.archiveDirectory)
        return target
    }
}
