import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Archive and restore: copies kept under `archive/`, and the `.bak` put back.

extension StatusStore {
    /// `archive`: copies the status file to `.claude/execution/archive/<SPEC>-<YYYYMMDD>.json`
    /// (`-HHMMSS`, then a counter, when that exists) and, with `remove`, moves the status file
    /// over its `.bak` under the lock, so `restore` brings back exactly what was archived.
    public func archive(_ spec: SpecID, remove: Bool, now: Timestamp) throws(TrackerError) -> String {
        guard exists(spec) else {
            throw missingStatusFile(spec)
        }
        return try write(spec) { (write) throws(TrackerError) -> String in
            guard let bytes = try readStatusBytes(statusPath(spec)) else {
                throw missingStatusFile(spec)
            }
            _ = try decode(bytes, spec: spec)
            let target = try write.commitArchive(bytes, now: now)
            if remove {
                do throws(TrackerError) {
                    try write.commitStatusToBackup()
                } catch {
                    throw TrackerError(error.kind, "archived to \(display(target)), but: \(error.message)")
                }
            }
            return target
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
            // the events after that are history, not a write that never published.
            let current = (try? readStatusBytes(statusPath(spec)))?.flatMap { try? decode($0, spec: spec) }
            _ = try write.commitEvents(
                [ChangeEvent(.specRestored, data: JSONObject([("event_seq", .optional(restored.eventSeq.map(Int.init)))]))],
                reflected: current?.eventSeq, now: now)
            try write.commitStatus(bytes)
            return restored
        }
    }
}
