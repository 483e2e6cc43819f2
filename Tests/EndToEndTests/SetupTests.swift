import Foundation
import Testing

/// `exectrack setup git`: adds what is missing to `.gitignore`, keeps everything else, and
/// changes nothing on a second run.
@Suite struct SetupTests {
    private let lines = [".claude/execution/*.lock", ".claude/execution/*.bak", ".claude/execution/.*.tmp.*"]

    private func gitignore(_ project: Project) throws -> String {
        try String(contentsOf: project.url(".gitignore"), encoding: .utf8)
    }

    @Test func addsTheMissingRulesAndKeepsTheRest() throws {
        let project = try Project()
        try project.write(".gitignore", "node_modules\n*.log")   // no final newline
        let dry = try project.run(["setup", "git", "--dry-run"])
        #expect(dry.exitCode == 0)
        #expect(dry.stdout.contains("would add to .gitignore: .claude/execution/*.lock"))
        #expect(try gitignore(project) == "node_modules\n*.log")

        let applied = try project.run(["setup", "git"])
        #expect(applied.exitCode == 0)
        let text = try gitignore(project)
        #expect(text.hasPrefix("node_modules\n*.log\n"))
        for line in lines { #expect(text.split(separator: "\n").contains(Substring(line)), "\(line)") }

        let before = try project.fingerprint(".gitignore")
        let again = try project.run(["setup", "git"])
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains(".gitignore: nothing to change"))
        #expect(try project.fingerprint(".gitignore") == before)
    }

    @Test func aRuleTheUserNegatedStaysNegated() throws {
        let project = try Project()
        try project.write(".gitignore", "!.claude/execution/*.bak\n")
        let r = try project.run(["setup", "git", "--json"])
        #expect(r.exitCode == 0)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let file = (json?["files"] as? [[String: Any]])?.first
        #expect(file?["kept"] as? [String] == ["!.claude/execution/*.bak"])
        #expect(file?["added"] as? [String] == [".claude/execution/*.lock", ".claude/execution/.*.tmp.*"])
        let text = try gitignore(project)
        #expect(!text.split(separator: "\n").contains(".claude/execution/*.bak"))
        #expect(text.hasPrefix("!.claude/execution/*.bak\n"))
    }

    /// Real git agrees: the lock, the backup and a temp file are ignored, the status file is not.
    @Test func gitIgnoresTheLocalFilesAndNotTheStatusFile() throws {
        let git = try Tool.git.required()
        let project = try Project(specs: ["F001": f001Tasks])
        try FileManager.default.removeItem(at: project.url(".git"))
        let initialized = try runProcess(git, ["init", "-q", "."], environment: [:], in: project.root)
        #expect(initialized.exitCode == 0, "\(initialized.stderr)")
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        try project.write(".claude/execution/.F001.json.tmp.1.2", "{}")
        #expect(try project.run(["setup", "git"]).exitCode == 0)
        let ignored = try runProcess(git, ["check-ignore", ".claude/execution/F001.json.lock", ".claude/execution/F001.json.bak",
                                           ".claude/execution/.F001.json.tmp.1.2"], environment: [:], in: project.root)
        #expect(ignored.exitCode == 0)
        #expect(ignored.stdout.split(separator: "\n").count == 3)
        let tracked = try runProcess(git, ["check-ignore", ".claude/execution/F001.json"], environment: [:], in: project.root)
        #expect(tracked.exitCode == 1, "the status file must not be ignored")
    }

    @Test func whatCannotBeEditedSafelyIsRefusedAndLeftAsItIs() throws {
        let project = try Project()
        try project.write("elsewhere.txt", "mine\n")
        try FileManager.default.createSymbolicLink(atPath: project.url(".gitignore").path, withDestinationPath: "elsewhere.txt")
        let linked = try project.run(["setup", "git"])
        #expect(linked.exitCode == 6)
        #expect(linked.stderr.contains(".gitignore is a symlink"))
        #expect(try String(contentsOf: project.url("elsewhere.txt"), encoding: .utf8) == "mine\n")

        let binary = try Project()
        try Data([0x2A, 0xFF, 0xFE, 0x0A]).write(to: binary.url(".gitignore"))
        let r = try binary.run(["setup", "git"])
        #expect(r.exitCode == 6)
        #expect(try Data(contentsOf: binary.url(".gitignore")) == Data([0x2A, 0xFF, 0xFE, 0x0A]))

        let noGit = try Project()
        try FileManager.default.removeItem(at: noGit.url(".git"))
        try noGit.write(".claude/keep", "")
        let outside = try noGit.run(["setup", "git"])
        #expect(outside.exitCode == 6)
        #expect(!FileManager.default.fileExists(atPath: noGit.url(".gitignore").path))

        let unknown = try Project().run(["setup", "hooks"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("valid: git"))
    }
}
