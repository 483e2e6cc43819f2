import Foundation
import Testing

/// Two machines sharing one spec through a real git remote (docs/worktrees.md, "Several
/// machines"): each publishes its own snapshot, pulls merge the others' in.
@Suite struct SeveralMachinesTests {
    let git: URL

    init() throws { git = try Tool.git.required() }

    /// `git` in `directory`, with this exectrack first on PATH (the post-merge hook runs it).
    @discardableResult
    func git(_ arguments: [String], in directory: URL) throws -> RunResult {
        let path = exectrackBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try runProcess(git, arguments, environment: ["PATH": path, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
                                                             "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"], in: directory)
        try #require(r.exitCode == 0, "git \(arguments): \(r.stderr)")
        return r
    }

    func exectrack(_ arguments: [String], in directory: URL) throws -> RunResult {
        try runProcess(exectrackBinary, arguments, environment: [:], in: directory)
    }

    func status(_ clone: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: clone.appendingPathComponent(".claude/execution/F001.json"))) as! [String: Any]
    }

    func task(_ clone: URL, _ layer: String, _ index: Int) throws -> [String: Any] {
        try #require((((try status(clone))["layers"] as? [String: Any])?[layer] as? [String: Any])?["tasks"] as? [[String: Any]])[index]
    }

    @Test func twoClonesShareOneSpecThroughARemote() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-machines-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try git(["init", "-q", "--bare", "-b", "main", "remote.git"], in: base)
        try git(["clone", "-q", "remote.git", "a"], in: base)
        let a = base.appendingPathComponent("a"), b = base.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: a.appendingPathComponent("specs/F001"), withIntermediateDirectories: true)
        try Data(f001Tasks.utf8).write(to: a.appendingPathComponent("specs/F001/layered-tasks.md"))
        #expect(try exectrack(["setup", "git"], in: a).exitCode == 0)
        #expect(try exectrack(["init", "F001"], in: a).exitCode == 0)
        #expect(try exectrack(["update", "F001", "L0", "0", "complete"], in: a).exitCode == 0)
        #expect(try exectrack(["publish", "F001"], in: a).exitCode == 0)
        try git(["add", "-A"], in: a)
        #expect(try git(["status", "--porcelain"], in: a).stdout.contains(".claude/execution/shared/F001/"))
        #expect(!(try git(["status", "--porcelain", "--ignored=no"], in: a).stdout.contains(".claude/execution/F001.json")), "live files stay out of git")
        try git(["commit", "-q", "-m", "A: L0.0 done"], in: a)
        try git(["push", "-q", "origin", "main"], in: a)

        // Machine B: a clone, its hook; the pull's merge builds its live state from A's snapshot.
        try git(["clone", "-q", "remote.git", "b"], in: base)
        #expect(try exectrack(["setup", "git"], in: b).exitCode == 0)
        #expect(try exectrack(["merge", "F001"], in: b).exitCode == 0)
        #expect(try task(b, "L0", 0)["status"] as? String == "complete")
        #expect(try exectrack(["update", "F001", "L0", "1", "complete"], in: b).exitCode == 0)
        #expect(try exectrack(["error", "F001", "L1", "0", "Database connection timeout"], in: b).exitCode == 0)
        // B re-plans: a task added to the last layer (the tasks file travels through git too).
        let tasksFile = b.appendingPathComponent("specs/F001/layered-tasks.md")
        try Data((f001Tasks + "- Write the release notes (`/docs:release`, docs-agent, easy)\n").utf8).write(to: tasksFile)
        #expect(try exectrack(["parse", "F001"], in: b).exitCode == 0)
        // The same task finished on both machines: B later than A.
        #expect(try exectrack(["update", "F001", "L1", "1", "complete", "--output", "from A"], in: a).exitCode == 0)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try exectrack(["update", "F001", "L1", "1", "complete", "--output", "from B"], in: b).exitCode == 0)
        // Both machines' agents spend tokens on one task (and A more after its first publish).
        #expect(try exectrack(["usage", "F001", "L0", "0", "--input-tokens", "1000", "--output-tokens", "100",
                               "--model", "claude-sonnet-4-5"], in: a).exitCode == 0)
        #expect(try exectrack(["usage", "F001", "L0", "0", "--input-tokens", "2000", "--output-tokens", "200",
                               "--model", "claude-sonnet-4-5"], in: b).exitCode == 0)
        for clone in [a, b] { #expect(try exectrack(["publish", "F001"], in: clone).exitCode == 0) }
        try git(["add", "-A"], in: b)
        try git(["commit", "-q", "-m", "B: work"], in: b)
        try git(["push", "-q", "origin", "main"], in: b)
        try git(["add", "-A"], in: a)
        try git(["commit", "-q", "-m", "A: work"], in: a)
        // A pulls (a merge commit: the post-merge hook runs exectrack merge --all), then pushes; B pulls.
        try git(["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], in: a)
        try git(["push", "-q", "origin", "main"], in: a)
        try git(["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], in: b)

        for clone in [a, b] {
            #expect(try task(clone, "L0", 0)["status"] as? String == "complete")
            #expect(try task(clone, "L0", 1)["status"] as? String == "complete")
            #expect(try task(clone, "L1", 0)["status"] as? String == "failed")
            #expect(try task(clone, "L1", 1)["output"] as? String == "from B", "the later completion wins")
            #expect((try status(clone)["errors"] as? [[String: Any]])?.count == 1)
            // Each machine's tokens counted once: 3000 in, 300 out, $0.0135.
            let usage = try #require(try task(clone, "L0", 0)["usage"] as? [String: Any], "usage of L0/0")
            #expect(usage["input_tokens"] as? Int == 3000)
            #expect(usage["output_tokens"] as? Int == 300)
            #expect(abs((usage["cost_usd"] as? Double ?? 0) - 0.0135) < 1e-9, "\(usage)")
            #expect(((try status(clone)["layers"] as? [String: Any])?["L3"] as? [String: Any]).flatMap { $0["tasks"] as? [[String: Any]] }?
                .last?["description"] as? String == "Write the release notes", "the latest plan is everyone's")
            let valid = try exectrack(["validate", "F001"], in: clone)
            #expect(valid.exitCode == 0, "\(valid.stdout)")
            // The other machine's events are in this log, each once.
            let merged = try exectrack(["events", "F001", "--type", "event.merged", "--json"], in: clone)
            let copies = try #require(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [[String: Any]])
            let ids = copies.compactMap { (($0["data"] as? [String: Any])?["event"] as? [String: Any])?["id"] as? String }
            #expect(!ids.isEmpty && Set(ids).count == ids.count, "\(ids)")
            let log = try String(contentsOf: clone.appendingPathComponent(".claude/execution/F001.events.jsonl"), encoding: .utf8)
            let again = try exectrack(["merge", "F001", "--json"], in: clone)
            #expect(try String(contentsOf: clone.appendingPathComponent(".claude/execution/F001.events.jsonl"), encoding: .utf8) == log)
            #expect((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [[String: Any]])?.first?["changed"] as? Bool == false,
                    "merging again changes nothing: \(again.stdout)")
        }
    }

    @Test func aSnapshotThatCannotBeMergedIsSkippedWithItsReason() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        #expect(try project.run(["publish", "F001"]).exitCode == 0)
        let shared = ".claude/execution/shared/F001/"
        try project.write(shared + "corrupt.json", "{not json")
        try project.write(shared + "future.json", #"{"schema_version": 9, "spec": "F001"}"#)
        try project.write(shared + "other.json", #"{"schema_version": 1, "spec": "F002", "machine": "x", "published_at": "2026-12-07T00:00:00Z", "status": {}}"#)
        var elsewhere = try project.status("F001")
        var layers = elsewhere["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        var tasks = l0["tasks"] as! [[String: Any]]
        tasks[0]["status"] = "complete"
        tasks[0]["completed_at"] = "2099-01-01T00:00:00.000Z"
        tasks[0]["changed_at"] = "2099-01-01T00:00:00.000Z"
        l0["tasks"] = tasks
        layers["L0"] = l0
        elsewhere["layers"] = layers
        let snapshot: [String: Any] = ["schema_version": 1, "spec": "F001", "machine": "box-2", "published_at": "2099-01-01T00:00:00.000Z",
                                       "status": elsewhere, "events": []]
        try JSONSerialization.data(withJSONObject: snapshot).write(to: project.url(shared + "box-2.json"))
        let merged = try project.run(["merge", "F001"])
        #expect(merged.exitCode == 0)
        #expect(merged.stderr.split(separator: "\n").count == 3, "\(merged.stderr)")
        for reason in ["corrupt.json is not a JSON object", "future.json is of schema version 9", "other.json names spec F002"] {
            #expect(merged.stderr.contains(reason), "\(merged.stderr)")
        }
        #expect(merged.stdout.contains("merged 1 machine (box-2)"))
        let first = ((try project.status("F001")["layers"] as? [String: Any])?["L0"] as? [String: Any])?["tasks"] as? [[String: Any]]
        #expect(first?[0]["status"] as? String == "complete")
    }
}
