import Foundation
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// A write that fails at any step (no space, I/O error, rename failure) leaves the status file and
/// its `.bak` exactly as they were, removes its temp file, and reports exit 5 (docs/reliability.md).
@Suite struct StoreFaultTests {
    static let steps: [(StatusStore.WriteFaults.Step, Int32, String)] = [
        (.createTemp, ENOSPC, "No space left on device"),
        (.write, ENOSPC, "No space left on device"),
        (.sync, EIO, "Input/output error"),
        (.backup, EIO, "Input/output error"),
        (.replace, EXDEV, "Invalid cross-device link"),
    ]

    func makeProject() throws -> (URL, StatusStore, SpecID) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("specs/F001"), withIntermediateDirectories: true)
        try DemoRun.tasksMarkdown.write(to: root.appendingPathComponent("specs/F001/layered-tasks.md"), atomically: true, encoding: .utf8)
        let store = StatusStore(root: root.path)
        let spec = try SpecID("F001")
        let tracker = Tracker(store: store, clock: { t0 })
        _ = try tracker.initialize(spec, tasksFile: nil, force: false)
        _ = try tracker.update(spec, layer: "L0", task: "0", status: "in_progress", details: TaskUpdateDetails())
        return (root, store, spec)
    }

    @Test(arguments: 0..<steps.count)
    func failedWriteChangesNothing(_ i: Int) throws {
        let (step, code, text) = Self.steps[i]
        let (root, cleanStore, spec) = try makeProject()
        defer { try? FileManager.default.removeItem(at: root) }
        let status = URL(fileURLWithPath: cleanStore.statusPath(spec))
        let backup = URL(fileURLWithPath: cleanStore.backupPath(spec))
        let statusBefore = try Data(contentsOf: status)
        let backupBefore = try Data(contentsOf: backup)

        var store = cleanStore
        store.faults = StatusStore.WriteFaults([step: code])
        let tracker = Tracker(store: store, clock: { t0.plus(seconds: 5) })
        var thrown: TrackerError?
        do {
            _ = try tracker.update(spec, layer: "L0", task: "0", status: "complete", details: TaskUpdateDetails())
        } catch {
            thrown = error
        }
        #expect(thrown?.kind == .writeFailed, "\(step)")
        #expect(thrown?.exitCode == 5)
        #expect(thrown?.message.contains(text) == true, "\(thrown?.message ?? "")")
        #expect(try Data(contentsOf: status) == statusBefore, "\(step): status file unchanged")
        #expect(try Data(contentsOf: backup) == backupBefore, "\(step): .bak unchanged")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.executionDirectory).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty, "\(step): \(leftovers)")

        // The same update succeeds once the fault is gone.
        _ = try Tracker(store: cleanStore, clock: { t0.plus(seconds: 6) })
            .update(spec, layer: "L0", task: "0", status: "complete", details: TaskUpdateDetails())
        #expect(try Data(contentsOf: backup) == statusBefore)
    }

    /// A write copies the tasks it left alone from the file it read, through the descriptor it
    /// read it with (`StatusStore.reusedTasks`). The copy gives the whole write's bytes; a file
    /// changed in place since (same size, other bytes, a later time) is noticed, and the write
    /// is then whole.
    @Test func copiedTasksComeFromTheFileAsItWasRead() throws {
        let (root, store, spec) = try makeProject()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = store.statusPath(spec)
        let (bytes, fd, info) = try #require(try FileSystem.readKeepingOpen(path, shownAs: path, role: "a status file", refuseWith: .corruptFile))
        defer { close(fd) }
        let spans = TaskSpans()
        let read = try StatusFile(jsonBytes: bytes, spans: spans)
        var updated = read
        updated.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 0), now: t0)
        updated.recomputeDerivedFields()
        #expect(FileSystem.isUnchanged(fd, since: info))
        #expect(StatusStore.reusedTasks(of: updated, read: read, spans: spans, from: (fd, info), capacity: 1024) == updated.jsonBytes())

        let other = open(path, O_WRONLY)
        #expect(pwrite(other, "{", 1, 0) == 1)
        var times = [timespec(tv_sec: 2_000_000_000, tv_nsec: 0), timespec(tv_sec: 2_000_000_000, tv_nsec: 0)]
        #expect(futimens(other, &times) == 0)
        close(other)
        #expect(!FileSystem.isUnchanged(fd, since: info))
        #expect(StatusStore.reusedTasks(of: updated, read: read, spans: spans, from: (fd, info), capacity: 1024) == nil)
        var past = [UInt8](repeating: 0, count: 2)
        #expect(!past.withUnsafeMutableBytes { FileSystem.readFully(fd, at: bytes.count - 1, into: $0) })
    }
}
