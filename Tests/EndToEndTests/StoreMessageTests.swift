import Foundation
import Testing

/// What the store tells a user when a file is missing, unreadable or corrupt: the right exit
/// code, the file meant, and a hint only when it can help.
@Suite struct StoreMessageTests {
    /// Names of Swift types and enum cases that once reached messages.
    static let internalNames = ["syntax(", "shape(", "StatusFile", "TrackerError", "JSONSyntaxError", "Optional("]

    @Test func aMistypedSpecSuggestsTheOneMeant() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        for typo in ["f001", "F00l", "F0011"] {
            let result = try project.run(["report", typo])
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("did you mean F001?"), "\(typo): \(result.stderr)")
        }
        let unrelated = try project.run(["report", "INVOICES"])
        #expect(unrelated.exitCode == 2)
        #expect(unrelated.stderr.contains("run: exectrack init INVOICES"), "\(unrelated.stderr)")
    }

    @Test func theBackupIsOfferedOnlyWhenItCanBeRestored() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        try Data("{ oops".utf8).write(to: project.statusURL("F001"))
        // No .bak yet: restore cannot help.
        var result = try project.run(["report", "F001"])
        #expect(result.exitCode == 4)
        #expect(!result.stderr.contains("exectrack restore"), "\(result.stderr)")
        #expect(result.stderr.contains("no usable backup"), "\(result.stderr)")
        // A corrupt .bak cannot help either.
        try Data("[1,".utf8).write(to: project.url(".claude/execution/F001.json.bak"))
        result = try project.run(["report", "F001"])
        #expect(!result.stderr.contains("exectrack restore"), "\(result.stderr)")
        // A good one can.
        try project.write("specs/G001/layered-tasks.md", f001Tasks)
        #expect(try project.run(["init", "G001"]).exitCode == 0)
        try FileManager.default.removeItem(at: project.url(".claude/execution/F001.json.bak"))
        try FileManager.default.copyItem(at: project.statusURL("G001"), to: project.url(".claude/execution/F001.json.bak"))
        result = try project.run(["report", "F001"])
        #expect(result.stderr.contains("the previous version is .claude/execution/F001.json.bak (run: exectrack restore F001)"), "\(result.stderr)")
        for name in Self.internalNames { #expect(!result.stderr.contains(name), "\(result.stderr)") }
    }

    @Test func restoringACorruptBackupBlamesTheBackupOnly() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let current = try project.fingerprint(".claude/execution/F001.json")
        for broken in ["{ oops", "{\"layers\": 5}", "[]"] {
            try Data(broken.utf8).write(to: project.url(".claude/execution/F001.json.bak"))
            let result = try project.run(["restore", "F001"])
            #expect(result.exitCode == 4)
            #expect(result.stderr.contains(".claude/execution/F001.json.bak cannot be restored"), "\(result.stderr)")
            #expect(!result.stderr.contains("either"))
            for name in Self.internalNames { #expect(!result.stderr.contains(name), "\(broken): \(result.stderr)") }
            #expect(try project.fingerprint(".claude/execution/F001.json") == current)
        }
    }

    /// A file the user may not read is a permission problem (exit 5), not a missing file. As
    /// root, permissions do not apply, so the command runs as `nobody` through setpriv.
    @Test func anUnreadableFileIsNotNotFound() throws {
        let asNobody = getuid() != 0 ? [] : [try Tool.setpriv.required().path, "--reuid=65534", "--regid=65534", "--clear-groups"]
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: project.root.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: project.statusURL("F001").path)
        let command = asNobody + [exectrackBinary.path, "report", "F001", "--root", project.root.path]
        let result = try runProcess(URL(fileURLWithPath: command[0]), Array(command.dropFirst()), environment: [:], in: project.root)
        #expect(result.exitCode == 5, "\(result.exitCode) \(result.stderr)")
        #expect(result.stderr.contains("permission denied reading .claude/execution/F001.json"), "\(result.stderr)")
    }
}
