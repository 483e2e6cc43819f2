import Foundation
import Testing

/// `exectrack setup git`: adds what is missing to `.gitignore`, keeps everything else, and
/// changes nothing on a second run.
@Suite struct SetupTests {
    private let lines = [".claude/execution/*.json", ".claude/execution/*.events.jsonl",
                         ".claude/execution/*.lock", ".claude/execution/*.bak", ".claude/execution/.*.tmp.*",
                         ".claude/exectrack/hook.log*", ".claude/exectrack/notify-state.json*", ".claude/exectrack/.*.tmp.*",
                         ".claude/exectrack/usage/", ".claude/exectrack/machine-id", ".claude/exectrack/stats-cache.json*"]

    private func gitignore(_ project: Project) throws -> String {
        try String(contentsOf: project.url(".gitignore"), encoding: .utf8)
    }

    @Test func addsTheMissingRulesAndKeepsTheRest() throws {
        let project = try Project()
        try project.write(".gitignore", "node_modules\n*.log")   // no final newline
        try FileManager.default.setAttributes([.posixPermissions: 0o664], ofItemAtPath: project.url(".gitignore").path)
        let dry = try project.run(["setup", "git", "--dry-run"])
        #expect(dry.exitCode == 0)
        #expect(dry.stdout.contains("would add to .gitignore: .claude/execution/*.lock"))
        #expect(try gitignore(project) == "node_modules\n*.log")

        let applied = try project.run(["setup", "git"])
        #expect(applied.exitCode == 0)
        let text = try gitignore(project)
        #expect(text.hasSuffix("\nnode_modules\n*.log"), "the user's lines stay as they were, after ours")
        for line in lines { #expect(text.split(separator: "\n").contains(Substring(line)), "\(line)") }
        let mode = try FileManager.default.attributesOfItem(atPath: project.url(".gitignore").path)[.posixPermissions] as? Int
        #expect(mode == 0o664)

        try project.write(".git/hooks/post-merge", "#!/bin/sh\necho mine\n")
        let hooked = try project.run(["setup", "git"])
        #expect(hooked.exitCode == 0)
        #expect(try String(contentsOf: project.url(".git/hooks/post-merge"), encoding: .utf8).hasPrefix("#!/bin/sh\necho mine\nexectrack merge --all"))
        let before = try project.fingerprint(".gitignore")
        let again = try project.run(["setup", "git"])
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains(".gitignore: nothing to change"))
        #expect(try project.fingerprint(".gitignore") == before)
    }

    /// Lines compared as git reads them, in the file's own line endings.
    @Test func crlfFilesTrailingSpacesAndAByteOrderMark() throws {
        let project = try Project()
        try project.write(".gitignore", "\u{FEFF}.claude/execution/*.lock  \r\nbuild/\r\n")
        let r = try project.run(["setup", "git", "--json"])
        #expect(r.exitCode == 0)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let file = (json?["files"] as? [[String: Any]])?.first
        #expect(file?["kept"] as? [String] == [".claude/execution/*.lock"])
        #expect(file?["added"] as? [String] == lines.filter { $0 != ".claude/execution/*.lock" })
        let bytes = try Data(contentsOf: project.url(".gitignore"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{FEFF}"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        #expect(text.hasSuffix("build/\r\n"))
    }

    /// A rule of the user's comes after exectrack's, so git lets it win.
    @Test func aNegationOfTheUsersStillWins() throws {
        let git = try Tool.git.required()
        let project = try Project()
        try FileManager.default.removeItem(at: project.url(".git"))
        #expect(try runProcess(git, ["init", "-q", "."], environment: [:], in: project.root).exitCode == 0)
        try project.write(".gitignore", "*.bak\n!.claude/execution/keep.bak\n")
        try project.write(".claude/execution/keep.bak", "")
        try project.write(".claude/execution/F001.json.bak", "")
        #expect(try project.run(["setup", "git"]).exitCode == 0)
        let kept = try runProcess(git, ["check-ignore", "-q", ".claude/execution/keep.bak"], environment: [:], in: project.root)
        #expect(kept.exitCode == 1, "keep.bak is still not ignored")
        let ignored = try runProcess(git, ["check-ignore", "-q", ".claude/execution/F001.json.bak"], environment: [:], in: project.root)
        #expect(ignored.exitCode == 0)
    }

    /// A project in a subdirectory of a repository (a monorepo) gets its own `.gitignore`, whose
    /// rules git reads relative to it.
    @Test func aProjectBelowTheTopOfTheRepository() throws {
        let git = try Tool.git.required()
        let repository = try Project()
        try FileManager.default.removeItem(at: repository.url(".git"))
        #expect(try runProcess(git, ["init", "-q", "."], environment: [:], in: repository.root).exitCode == 0)
        try repository.write("service/.claude/execution/F001.json.lock", "")
        let service = repository.url("service")
        #expect(try repository.run(["setup", "git"], in: service).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: repository.url("service/.gitignore").path))
        let ignored = try runProcess(git, ["check-ignore", "-q", "service/.claude/execution/F001.json.lock"],
                                     environment: [:], in: repository.root)
        #expect(ignored.exitCode == 0)
    }

    /// Real git agrees: the live files (status file, event log, lock, backup, temp files) and the
    /// tool's local state are ignored; the shared snapshots and the repository's rules are not.
    @Test func gitIgnoresTheLiveFilesAndNotTheSharedSnapshots() throws {
        let git = try Tool.git.required()
        let project = try Project(specs: ["F001": f001Tasks])
        try FileManager.default.removeItem(at: project.url(".git"))
        let initialized = try runProcess(git, ["init", "-q", "."], environment: [:], in: project.root)
        #expect(initialized.exitCode == 0, "\(initialized.stderr)")
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        try project.write(".claude/execution/.F001.json.tmp.1.2", "{}")
        #expect(try project.run(["setup", "git"]).exitCode == 0)
        let local = [".claude/execution/F001.json", ".claude/execution/F001.events.jsonl",
                     ".claude/execution/F001.json.lock", ".claude/execution/F001.json.bak", ".claude/execution/.F001.json.tmp.1.2",
                     ".claude/exectrack/hook.log", ".claude/exectrack/hook.log.1", ".claude/exectrack/notify-state.json",
                     ".claude/exectrack/notify-state.json.lock", ".claude/exectrack/machine-id", ".claude/exectrack/usage/F001.json"]
        let ignored = try runProcess(git, ["check-ignore"] + local, environment: [:], in: project.root)
        #expect(ignored.exitCode == 0)
        #expect(ignored.stdout.split(separator: "\n").count == local.count)
        let shared = try runProcess(git, ["check-ignore", ".claude/exectrack/notify.json"], environment: [:], in: project.root)
        #expect(shared.exitCode == 1, "the repository's rules are shared, not ignored")
        let tracked = try runProcess(git, ["check-ignore", ".claude/execution/shared/F001/box-1.json"], environment: [:], in: project.root)
        #expect(tracked.exitCode == 1, "the shared snapshots travel through git")
        // The post-merge hook that merges them after a pull: executable, and added to a hook of one's own.
        let hook = project.url(".git/hooks/post-merge")
        let mode = try FileManager.default.attributesOfItem(atPath: hook.path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(try String(contentsOf: hook, encoding: .utf8).contains("exectrack merge --all --quiet"))
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

        let hardLinked = try Project()
        try hardLinked.write("other", "a\n")
        try FileManager.default.linkItem(at: hardLinked.url("other"), to: hardLinked.url(".gitignore"))
        #expect(try hardLinked.run(["setup", "git"]).exitCode == 6)
        #expect(try String(contentsOf: hardLinked.url(".gitignore"), encoding: .utf8) == "a\n")

        let noGit = try Project(at: URL(fileURLWithPath: "/tmp/exectrack-nogit-\(UUID().uuidString)"))
        try FileManager.default.removeItem(at: noGit.url(".git"))
        try noGit.write(".claude/keep", "")
        let outside = try noGit.run(["setup", "git"])
        #expect(outside.exitCode == 6)
        #expect(!FileManager.default.fileExists(atPath: noGit.url(".gitignore").path))

        let unknown = try Project().run(["setup", "vscode"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("valid: git, hooks, mcp"))
    }

    /// `setup mcp`: the server in `.mcp.json` as Claude Code reads it, every other server kept.
    @Test func mcpRegistersTheServerAndKeepsEveryOtherServer() throws {
        let project = try Project()
        let theirs = """
        {
          "mcpServers": {
            "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
            "db": {"command": "npx", "args": ["-y", "db-mcp"], "env": {"DB_URL": "postgres://localhost"}}
          },
          "note": "kept"
        }

        """
        try project.write(".mcp.json", theirs)
        let dry = try project.run(["setup", "mcp", "--dry-run"])
        #expect(dry.exitCode == 0)
        #expect(dry.stdout.contains("would add to .mcp.json: mcpServers.exectrack"))
        #expect(try String(contentsOf: project.url(".mcp.json"), encoding: .utf8) == theirs, "a dry run writes nothing")

        #expect(try project.run(["setup", "mcp"]).exitCode == 0)
        let written = try String(contentsOf: project.url(".mcp.json"), encoding: .utf8)
        let file = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        let servers = try #require(file["mcpServers"] as? [String: Any])
        #expect(Set(servers.keys) == ["github", "db", "exectrack"])
        let ours = try #require(servers["exectrack"] as? [String: Any])
        #expect(ours["command"] as? String == "exectrack")
        #expect(ours["args"] as? [String] == ["mcp"])
        #expect(ours["type"] as? String == "stdio")
        #expect((servers["db"] as? [String: Any])?["env"] as? [String: String] == ["DB_URL": "postgres://localhost"])
        #expect(file["note"] as? String == "kept")
        #expect(written.hasSuffix("}\n") && !written.hasSuffix("\n\n"), "one newline at the end")

        let again = try project.run(["setup", "mcp", "--json"])
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains("\"changed\": false"))
        #expect(try String(contentsOf: project.url(".mcp.json"), encoding: .utf8) == written, "running it again changes nothing")

        // A server named exectrack that runs something else is the user's: refused, untouched.
        let clash = try Project()
        try clash.write(".mcp.json", #"{"mcpServers": {"exectrack": {"command": "/opt/other"}}}"#)
        let refused = try clash.run(["setup", "mcp"])
        #expect(refused.exitCode == 6)
        #expect(refused.stderr.contains("already has a server named exectrack"))
        // Not an object at all: refused, untouched.
        let broken = try Project()
        try broken.write(".mcp.json", "[1, 2]")
        #expect(try broken.run(["setup", "mcp"]).exitCode == 6)
        #expect(try String(contentsOf: broken.url(".mcp.json"), encoding: .utf8) == "[1, 2]")
        // No file yet: made.
        let fresh = try Project()
        #expect(try fresh.run(["setup", "mcp"]).exitCode == 0)
        #expect(((try JSONSerialization.jsonObject(with: Data(contentsOf: fresh.url(".mcp.json"))) as? [String: Any])?["mcpServers"]
            as? [String: Any])?["exectrack"] != nil)
    }
}
