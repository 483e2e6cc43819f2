import Foundation
import Testing

/// What the event log is for (docs/events.md): replaying history, rebuilding a lost status file,
/// noticing hand edits, rotating with `archive`, following it live, and checking it.
@Suite struct EventHistoryTests {
    private func events(_ project: Project, _ relative: String = ".claude/execution/F001.events.jsonl") throws -> [[String: Any]] {
        try Data(contentsOf: project.url(relative)).split(separator: 0x0A).map {
            try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
        }
    }

    private func types(_ events: [[String: Any]]) -> [String] {
        events.map { ($0["type"] as? String ?? "").replacingOccurrences(of: "dev.exectrack.", with: "") }
    }

    private func json(_ data: Data) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: data) as! NSDictionary
    }

    /// A run with what real runs have: failures and retries, errors resolved by a retry, warnings,
    /// claims, outputs and files, a re-parse that adds a task, pause, block, a forced layer.
    private let run: [[String]] = [
        ["init", "F001"],
        ["update", "F001", "L0", "0", "in_progress", "--agent", "db-agent"],
        ["update", "F001", "L0", "0", "complete", "--output", "schema ready", "--files-created", "db/schema.sql"],
        ["claim", "F001", "--agent", "api-agent"],
        ["error", "F001", "L0", "1", "Database connection timeout", "--severity", "high"],
        ["warn", "F001", "disk nearly full", "--layer", "L0"],
        ["update", "F001", "L0", "1", "in_progress"],
        ["update", "F001", "L0", "1", "complete", "--duration-ms", "1200"],
        ["pause", "F001", "lunch"],
        ["resume", "F001"],
        ["block", "F001", "waiting for the API key"],
        ["resume", "F001"],
        ["update", "F001", "L1", "0", "failed", "--output", "flaky"],
        ["update", "F001", "L1", "0", "in_progress"],
        ["update", "F001", "L1", "0", "skipped"],
        ["complete-layer", "F001", "L1", "--force"],
    ]

    @Test func restoreFromEventsRebuildsTheLostFileAndReplayShowsAnyMoment() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        var snapshots: [(until: String, bytes: Data)] = []
        for (i, command) in run.enumerated() {
            let r = try project.run(command)
            #expect(r.exitCode == 0, "\(command): \(r.stderr)")
            if i == 6 {
                // A re-parse in the middle: the plan gains a task.
                try project.write("specs/F001/layered-tasks.md", f001Tasks + "\n- [ ] Write the release notes\n")
                #expect(try project.run(["parse", "F001"]).exitCode == 0)
            }
            snapshots.append((try events(project).last!["time"] as! String, try project.statusBytes("F001")))
            Thread.sleep(forTimeInterval: 0.005)
        }
        let final = try project.statusBytes("F001")

        // The log replays to the file byte for byte, at the end and at every step.
        let replay = try project.run(["replay", "F001"])
        #expect(replay.exitCode == 0, "\(replay.stderr)")
        #expect(Data(replay.stdout.utf8) == final)
        for (i, snapshot) in snapshots.enumerated() {
            let then = try project.run(["replay", "F001", "--until", snapshot.until])
            #expect(Data(then.stdout.utf8) == snapshot.bytes, "after \(run[i])")
        }
        let before = try project.run(["replay", "F001", "--until", "2001-01-01T00:00:00Z"])
        #expect(before.exitCode == 2 && before.stderr.contains("has no state of F001 at 2001-01-01"))

        // Lost: the file and its .bak. The log brings back every field but event_seq.
        try FileManager.default.removeItem(at: project.statusURL("F001"))
        try FileManager.default.removeItem(at: project.url(".claude/execution/F001.json.bak"))
        let restored = try project.run(["restore", "F001", "--from-events"])
        #expect(restored.exitCode == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("Rebuilt .claude/execution/F001.json from"))
        let rebuilt = try json(project.statusBytes("F001")).mutableCopy() as! NSMutableDictionary
        let lost = try json(final).mutableCopy() as! NSMutableDictionary
        #expect(rebuilt["event_seq"] as? Int == (lost["event_seq"] as! Int) + 1)
        rebuilt["event_seq"] = nil
        lost["event_seq"] = nil
        #expect(rebuilt == lost)
        #expect(types(try events(project)).last == "spec.restored")

        // A readable file is not replaced; writes go on from the rebuilt one.
        let again = try project.run(["restore", "F001", "--from-events"])
        #expect(again.exitCode == 6 && again.stderr.contains("can be read"))
        #expect(try project.run(["update", "F001", "L2", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["validate", "F001"]).exitCode == 0)
        #expect(!types(try events(project)).contains("status.edited_externally"))

        // A corrupt file is rebuilt too; without a log there is nothing to rebuild from.
        try Data("{ torn".utf8).write(to: project.statusURL("F001"))
        #expect(try runProcess(exectrackBinary, ["restore", "F001", "--from-events"], environment: [:], in: project.root).exitCode == 0)
        try FileManager.default.removeItem(at: project.url(".claude/execution/F001.events.jsonl"))
        try FileManager.default.removeItem(at: project.statusURL("F001"))
        let nothing = try runProcess(exectrackBinary, ["restore", "F001", "--from-events"], environment: [:], in: project.root)
        #expect(nothing.exitCode == 2 && nothing.stderr.contains("no event to rebuild F001 from"), "\(nothing.stderr)")
    }

    @Test func handEditsAreRecordedAtTheNextWrite() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L0", "0", "in_progress"]).exitCode == 0)
        // Not an edit: the same bytes, touched.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: project.statusURL("F001").path)
        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        #expect(!types(try events(project)).contains("status.edited_externally"))

        // An edit by another writer (here Foundation's JSON): validate sees it, the next write records it whole.
        var object = try project.status("F001")
        var layers = object["layers"] as! [String: Any]
        var l1 = layers["L1"] as! [String: Any]
        var tasks = l1["tasks"] as! [[String: Any]]
        tasks[2]["status"] = "complete"
        tasks[2]["agent"] = "someone by hand"
        l1["tasks"] = tasks
        layers["L1"] = l1
        object["layers"] = layers
        try JSONSerialization.data(withJSONObject: object).write(to: project.statusURL("F001"))
        let validation = try project.run(["validate", "F001", "--json"])
        #expect(validation.exitCode == 6)
        let issues = try JSONSerialization.jsonObject(with: Data(validation.stdout.utf8)) as! [[String: Any]]
        #expect(issues.contains { $0["kind"] as? String == "event_log_mismatch" && $0["path"] as? String == "layers.L1.tasks[2]" }, "\(issues)")

        #expect(try project.run(["update", "F001", "L0", "1", "in_progress"]).exitCode == 0)
        let log = try events(project)
        #expect(types(log).suffix(2) == ["status.edited_externally", "task.started"])
        let edited = (log[log.count - 2]["data"] as! [String: Any])["status"] as! [String: Any]
        #expect((((edited["layers"] as! [String: Any])["L1"] as! [String: Any])["tasks"] as! [[String: Any]])[2]["agent"] as? String == "someone by hand")
        // Recorded once: the following write finds the file as the log left it.
        #expect(try project.run(["update", "F001", "L0", "1", "complete"]).exitCode == 0)
        #expect(types(try events(project)).filter { $0 == "status.edited_externally" }.count == 1)
        #expect(Data(try project.run(["replay", "F001"]).stdout.utf8) == (try project.statusBytes("F001")))
        #expect(try project.run(["validate", "F001"]).exitCode == 0)

        // An older version put back (a copy, a checkout) after two writes is an edit too: those
        // writes happened. (Put back over one write, it is what a crash of that write leaves, and
        // is voided: the same state either way.)
        let older = try project.statusBytes("F001")
        #expect(try project.run(["update", "F001", "L1", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["update", "F001", "L1", "0", "complete"]).exitCode == 0)
        try older.write(to: project.statusURL("F001"))
        #expect(try project.run(["update", "F001", "L1", "1", "in_progress"]).exitCode == 0)
        #expect(types(try events(project)).suffix(4) == ["task.started", "task.completed", "status.edited_externally", "task.started"])
        #expect(Data(try project.run(["replay", "F001"]).stdout.utf8) == (try project.statusBytes("F001")))
        let previous = try project.statusBytes("F001")
        #expect(try project.run(["update", "F001", "L1", "2", "in_progress"]).exitCode == 0)
        try previous.write(to: project.statusURL("F001"))
        #expect(try project.run(["update", "F001", "L1", "3", "in_progress"]).exitCode == 0)
        #expect(types(try events(project)).suffix(3) == ["task.started", "event.voided", "task.started"])
        #expect(Data(try project.run(["replay", "F001"]).stdout.utf8) == (try project.statusBytes("F001")))
    }

    @Test func archiveTakesTheLogAlongAndTheNextLogStartsWithTheState() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        for command in [["init", "F001"], ["update", "F001", "L0", "0", "in_progress"], ["archive", "F001"]] {
            #expect(try project.run(command).exitCode == 0, "\(command)")
        }
        let archive = project.url(".claude/execution/archive")
        let logs = try FileManager.default.contentsOfDirectory(atPath: archive.path).filter { $0.hasSuffix(".events.jsonl") }
        #expect(logs.count == 1)
        let archivedLog = try events(project, ".claude/execution/archive/\(logs[0])")
        #expect(types(archivedLog) == ["spec.initialized", "task.started", "spec.archived"])
        #expect(!FileManager.default.fileExists(atPath: project.url(".claude/execution/F001.events.jsonl").path))

        #expect(try project.run(["update", "F001", "L0", "0", "complete"]).exitCode == 0)
        #expect(types(try events(project)) == ["log.started", "task.completed"])
        #expect(Data(try project.run(["replay", "F001"]).stdout.utf8) == (try project.statusBytes("F001")))

        // --remove: the log goes, and restore brings back the file with a log that replays.
        #expect(try project.run(["archive", "F001", "--remove"]).exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: project.url(".claude/execution/F001.events.jsonl").path))
        #expect(try project.run(["restore", "F001"]).exitCode == 0)
        #expect(types(try events(project)) == ["spec.restored"])
        #expect(Data(try project.run(["replay", "F001"]).stdout.utf8) == (try project.statusBytes("F001")))
        #expect(try project.run(["update", "F001", "L0", "1", "in_progress"]).exitCode == 0)
        #expect(types(try events(project)) == ["spec.restored", "task.started"])
        #expect(try project.run(["validate", "F001"]).exitCode == 0)
    }

    @Test func followPrintsEventsAsTheyAreAppendedAcrossARotation() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let (follower, out, _) = try startInBackground(project, ["events", "F001", "--follow", "--json", "--interval", "0.05"])
        func lines() -> [[String: Any]] {
            ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        func waitFor(_ count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while lines().count < count, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        }
        waitFor(1)
        // No pause between these: the archive moves the log right after the update appended to it.
        for command in [["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "complete"],
                        ["archive", "F001"], ["update", "F001", "L0", "1", "in_progress"]] {
            #expect(try project.run(command).exitCode == 0)
        }
        waitFor(6)
        follower.interrupt()
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 130)
        let seen = lines()
        #expect(types(seen) == ["spec.initialized", "task.started", "task.completed", "spec.archived", "log.started", "task.started"])
        #expect(seen.map { $0["seq"] as? Int } == [1, 2, 3, 4, 1, 2])
    }

    @Test func limitReadsFromTheEndAndNamesBadLinesByNumber() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        for task in 0..<5 {
            #expect(try project.run(["update", "F001", "L1", "\(task)", "in_progress"]).exitCode == 0)
            #expect(try project.run(["update", "F001", "L1", "\(task)", "complete"]).exitCode == 0)
        }
        let path = project.url(".claude/execution/F001.events.jsonl")
        var lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[8] = "{\"specversion\":\"1.0\",\"mangled"
        try Data((lines.joined(separator: "\n") + "\n{\"torn").utf8).write(to: path)
        let last = try project.run(["events", "F001", "--limit", "3", "--type", "task.completed", "--json"])
        #expect(last.exitCode == 0)
        let shown = try JSONSerialization.jsonObject(with: Data(last.stdout.utf8)) as! [[String: Any]]
        #expect(shown.map { $0["subject"] as? String } == ["L1/1", "L1/2", "L1/4"])   // L1/3's is the mangled line
        #expect(last.stderr.contains("line 9 is not an event"), "\(last.stderr)")
        let validation = try project.run(["validate", "F001"])
        #expect(validation.exitCode == 6)
        #expect(validation.stdout.contains(".claude/execution/F001.events.jsonl:9: is not an event"))
        // Writes go on: the torn tail is cut, the mangled line stays for a person to look at.
        let write = try runProcess(exectrackBinary, ["update", "F001", "L2", "0", "in_progress"], environment: [:], in: project.root)
        #expect(write.exitCode == 0)
        #expect(try String(contentsOf: path, encoding: .utf8).hasSuffix("}}\n"))
    }

    /// A log that is not a regular file is refused by the commands that read it, without hanging.
    @Test(arguments: ["fifo", "directory"])
    func readersRefuseAPlantedLog(_ kind: String) throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let path = project.url(".claude/execution/F001.events.jsonl")
        try FileManager.default.removeItem(at: path)
        if kind == "fifo" { #expect(mkfifo(path.path, 0o644) == 0) } else {
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: false)
        }
        for command in [["events", "F001"], ["events", "F001", "--limit", "2"], ["replay", "F001"], ["validate", "F001"]] {
            let r = try runProcess(exectrackBinary, command, environment: [:], in: project.root)
            #expect(r.exitCode == 4, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("F001.events.jsonl is a"), "\(command): \(r.stderr)")
            #expect(r.stderrLines.count == 1)
        }
    }
}
