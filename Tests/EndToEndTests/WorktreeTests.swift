import Foundation
import Testing

/// Linked git worktrees share their main worktree's state (docs/worktrees.md): real `git`, real
/// worktrees, agents claiming from all of them at once.
@Suite struct WorktreeTests {
    /// 16 tasks in one layer, so 16 agents each get one.
    static let tasks = "# Feature: Parallel\n\n## Layer 0: Work\n" + (1...16).map { "- [ ] T\(String(format: "%03d", $0)) Part \($0)\n" }.joined()

    /// A repository with one commit and F001 initialised in the main worktree (the project's
    /// directory, whose fake `.git/` directory is replaced by a real repository).
    func repository(_ git: URL) throws -> Project {
        let project = try Project(specs: ["F001": Self.tasks])
        try FileManager.default.removeItem(at: project.url(".git"))
        for arguments in [["init", "-q", "-b", "main"], ["config", "user.email", "t@example.com"], ["config", "user.name", "T"],
                          ["add", "specs"], ["commit", "-q", "-m", "plan"]] {
            let r = try runProcess(git, arguments, environment: [:], in: project.root)
            try #require(r.exitCode == 0, "git \(arguments): \(r.stderr)")
        }
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        return project
    }

    func worktree(_ git: URL, _ project: Project, _ name: String) throws -> URL {
        let path = project.root.appendingPathComponent("wt-\(name)")
        let r = try runProcess(git, ["worktree", "add", "-q", path.path], environment: [:], in: project.root)
        try #require(r.exitCode == 0, "\(r.stderr)")
        // Every worktree has the repository's committed .claude/ (settings, skills) beside it.
        try FileManager.default.createDirectory(at: path.appendingPathComponent(".claude"), withIntermediateDirectories: true)
        return path
    }

    @Test func aLinkedWorktreeSharesTheMainWorktreesState() throws {
        let git = try Tool.git.required()
        let project = try repository(git)
        let a = try worktree(git, project, "a")
        let claim = try project.run(["claim", "F001", "--agent", "agent-a", "--json"], in: a)
        #expect(claim.exitCode == 0, "\(claim.stderr)")
        #expect(!FileManager.default.fileExists(atPath: a.appendingPathComponent(".claude/execution").path), "no state inside the worktree")
        let tasks = try #require(((try project.status("F001")["layers"] as? [String: Any])?["L0"] as? [String: Any])?["tasks"] as? [[String: Any]])
        let lease = try #require(tasks[0]["claimed_by"] as? [String: Any])
        #expect((lease["worktree"] as? String).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path } == a.resolvingSymlinksInPath().path)
        #expect(try project.run(["agents", "F001"], in: a).stdout.contains("wt-a"))
        // A gate's command runs in the worktree it was given in: that worktree's code is checked.
        let gate = try project.run(["gate", "F001", "L0", "where", "--run", "--", "sh", "-c", "pwd > where.txt"], in: a)
        #expect(gate.exitCode == 0, "\(gate.stderr)")
        #expect(FileManager.default.fileExists(atPath: a.appendingPathComponent("where.txt").path))
        // --root and EXECTRACK_ROOT still win.
        #expect(try project.run(["list"], environment: ["EXECTRACK_ROOT": a.path], in: a).stdout.contains("F001") == false)
    }

    @Test func sixteenAgentsInFourWorktreesNeverTakeOneTaskTwice() throws {
        let git = try Tool.git.required()
        let project = try repository(git)
        let trees = try (0..<4).map { try worktree(git, project, "\($0)") }
        let results = Mutex16()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let r = try? runProcess(exectrackBinary, ["claim", "F001", "--agent", "agent-\(i)", "--json"],
                                    environment: ["EXECTRACK_LOCK_TIMEOUT": "30"], in: trees[i % 4])
            results.add(r)
        }
        let claimed = results.all.compactMap { r -> String? in
            guard let r, r.exitCode == 0, let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else { return nil }
            return o["id"] as? String
        }
        #expect(claimed.count == 16, "\(results.all.map { $0?.stderr ?? "no result" })")
        #expect(Set(claimed).count == 16, "no task twice")
        let valid = try project.run(["validate", "F001"])
        #expect(valid.exitCode == 0, "\(valid.stdout)")
        for tree in trees { #expect(!FileManager.default.fileExists(atPath: tree.appendingPathComponent(".claude/execution").path)) }
        let events = try project.run(["events", "F001", "--type", "task.started"]).stdout
        #expect(events.split(separator: "\n").count == 16)
    }

    @Test func aWorktreeThatCannotBeFollowedKeepsItsOwnStateWithAWarning() throws {
        let project = try Project(specs: ["F001": Self.tasks])
        // `.git` files of a worktree whose main one is gone, and one pointing nowhere.
        // A commondir that names the worktree's own git directory (a loop): followed once, then refused.
        let looped = project.url("looped-gitdir")
        try FileManager.default.createDirectory(at: looped, withIntermediateDirectories: true)
        try Data(".\n".utf8).write(to: looped.appendingPathComponent("commondir"))
        for (name, pointer) in [("gone", "gitdir: \(project.root.path)/missing/.git/worktrees/gone"), ("garbage", "not a git file"),
                                ("loop", "gitdir: \(looped.path)")] {
            let dir = project.url(name)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("specs/F001"), withIntermediateDirectories: true)
            try Data(Self.tasks.utf8).write(to: dir.appendingPathComponent("specs/F001/layered-tasks.md"))
            try Data(pointer.utf8).write(to: dir.appendingPathComponent(".git"))
            let r = try project.run(["init", "F001"], in: dir)
            #expect(r.exitCode == 0, "\(r.stderr)")
            #expect(r.stderr.contains("warning") && r.stderr.contains("main worktree cannot be found"), "\(r.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".claude/execution/F001.json").path))
        }
        // A submodule's `.git` points into the superproject's modules/ (no commondir): its own root.
        let module = project.url("sub")
        let modules = project.url(".git/modules/sub")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: module.appendingPathComponent("specs/F001"), withIntermediateDirectories: true)
        try Data(Self.tasks.utf8).write(to: module.appendingPathComponent("specs/F001/layered-tasks.md"))
        try Data("gitdir: ../.git/modules/sub\n".utf8).write(to: module.appendingPathComponent(".git"))
        let sub = try project.run(["init", "F001"], in: module)
        #expect(sub.exitCode == 0 && sub.stderr.isEmpty, "\(sub.stderr)")
        #expect(FileManager.default.fileExists(atPath: module.appendingPathComponent(".claude/execution/F001.json").path))
    }
}

/// Results gathered from concurrent runs.
private final class Mutex16: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [RunResult?] = []
    func add(_ r: RunResult?) { lock.lock(); results.append(r); lock.unlock() }
    var all: [RunResult?] { lock.lock(); defer { lock.unlock() }; return results }
}
