import Foundation
import Testing

/// Real write failures (docs/reliability.md): a read-only filesystem, a full disk, a directory where
/// the status file should be. Each exits 5 and leaves the status file and `.bak` intact. The
/// filesystem cases mount a small tmpfs; where mounting is not permitted they are skipped.
@Suite(.serialized) struct WriteFailureTests {
    /// A project inside a fresh tmpfs of `size`; the test is skipped when mount is refused.
    func tmpfsProject(size: String) throws -> (Project, URL) {
        let mount = try Tool.mount.required().path
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-tmpfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mounted = try spawnAndWait([mount, "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint.path], in: mountPoint)
        guard mounted.exitCode == 0 else {
            try? FileManager.default.removeItem(at: mountPoint)
            try skipTest("cannot mount a tmpfs here (\(mounted.stdout.trimmingCharacters(in: .whitespacesAndNewlines))); run as root")
        }
        let project = try Project(at: mountPoint.appendingPathComponent("project"), specs: ["F001": f001Tasks])
        return (project, mountPoint)
    }

    func unmount(_ mountPoint: URL) {
        _ = try? spawnAndWait(["umount", "-l", mountPoint.path], in: FileManager.default.temporaryDirectory)
        try? FileManager.default.removeItem(at: mountPoint)
    }

    func expectUnchanged(_ project: Project, _ before: (FileFingerprint, FileFingerprint), _ r: RunResult, _ what: String) throws {
        #expect(r.exitCode == 5, "\(what): \(r.stderr)")
        #expect(r.stderrLines.count == 1, "\(what)")
        #expect(try project.fingerprint(".claude/execution/F001.json") == before.0, "\(what): status file")
        #expect(try project.fingerprint(".claude/execution/F001.json.bak") == before.1, "\(what): .bak")
    }

    @Test func readOnlyFilesystem() throws {
        let (project, mountPoint) = try tmpfsProject(size: "4m")
        defer { unmount(mountPoint) }
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let before = (try project.fingerprint(".claude/execution/F001.json"), try project.fingerprint(".claude/execution/F001.json.bak"))
        let remount = try spawnAndWait(["mount", "-o", "remount,ro", mountPoint.path], in: mountPoint)
        #expect(remount.exitCode == 0, "\(remount.stdout)")
        let r = try project.run(["update", "F001", "L0", "0", "complete"])
        try expectUnchanged(project, before, r, "read-only filesystem")
        #expect(r.stderr.contains("Read-only file system"))
        // Reading still works.
        #expect(try project.run(["report", "F001"]).exitCode == 0)
    }

    @Test func fullDisk() throws {
        let (project, mountPoint) = try tmpfsProject(size: "256k")
        defer { unmount(mountPoint) }
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        // Fill what is left of the filesystem.
        let filler = mountPoint.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let chunk = Data(repeating: 0x41, count: 4096)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
        let before = (try project.fingerprint(".claude/execution/F001.json"), try project.fingerprint(".claude/execution/F001.json.bak"))
        let r = try project.run(["update", "F001", "L0", "0", "complete", "--output", String(repeating: "x", count: 8192)])
        try expectUnchanged(project, before, r, "full disk")
        #expect(r.stderr.contains("No space left on device"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution").path)
            .filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
        // With space again, the same update goes through.
        try FileManager.default.removeItem(at: filler)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
    }

    @Test func directoryWhereTheStatusFileShouldBe() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try FileManager.default.createDirectory(at: project.url(".claude/execution/F001.json"), withIntermediateDirectories: true)
        var r = try project.run(["init", "F001", "--force"])
        #expect(r.exitCode == 5)
        #expect(r.stderr.contains("is a directory"))
        r = try project.run(["update", "F001", "L0", "0", "complete"])
        #expect(r.exitCode == 5)
        #expect(r.stderrLines.count == 1)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: project.statusURL("F001").path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
