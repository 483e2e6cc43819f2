import Foundation
import Testing

/// `.claude/execution/<SPEC>.events.jsonl` (docs/events.md): one CloudEvents line per change,
/// written before the status file that reflects it.
@Suite struct EventLogTests {
    private func log(_ project: Project) throws -> [[String: Any]] {
        let data = try Data(contentsOf: project.url(".claude/execution/F001.events.jsonl"))
        return try data.split(separator: 0x0A).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }

    private func types(_ events: [[String: Any]]) -> [String] {
        events.map { ($0["type"] as? String ?? "").replacingOccurrences(of: "dev.exectrack.", with: "") }
    }

    @Test func everyChangeIsOneEventInOrderAndTheFileSaysWhichItReflects() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        for command in [["init", "F001"], ["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "complete"],
                        ["update", "F001", "L0", "0", "complete"],   // a no-op writes nothing, logs nothing
                        ["error", "F001", "L0", "1", "Database connection timeout"], ["warn", "F001", "disk nearly full"],
                        ["pause", "F001", "lunch"], ["resume", "F001"], ["complete-layer", "F001", "L0", "--force"]] {
            #expect(try project.run(command).exitCode == 0, "\(command)")
        }
        let events = try log(project)
        #expect(types(events) == ["spec.initialized", "task.started", "task.completed", "task.failed", "error.logged",
                                  "warning.logged", "spec.paused", "spec.resumed", "task.skipped", "layer.completed"])
        #expect(events.map { $0["seq"] as? Int } == Array(1...10))
        #expect(events.allSatisfy { $0["specversion"] as? String == "1.0" && $0["source"] as? String == "exectrack/F001" })
        #expect(Set(events.compactMap { $0["id"] as? String }).count == events.count)
        #expect(events[2]["subject"] as? String == "L0/0")
        let data = events[2]["data"] as? [String: Any]
        #expect(data?["from"] as? String == "in_progress")
        #expect((data?["task"] as? [String: Any])?["status"] as? String == "complete")
        #expect((data?["actor"] as? [String: Any])?["pid"] is Int)
        #expect(try project.status("F001")["event_seq"] as? Int == 10)

        // A re-parse logs the resulting task list.
        try project.write("specs/F001/layered-tasks.md", f001Tasks + "\n- [ ] Write the release notes\n")
        #expect(try project.run(["parse", "F001"]).exitCode == 0)
        let reparsed = try log(project).last
        #expect(reparsed?["type"] as? String == "dev.exectrack.spec.reparsed")
        let layers = (reparsed?["data"] as? [String: Any])?["layers"] as? [String: [String: Any]]
        #expect(layers?.values.reduce(0) { $0 + (($1["tasks"] as? [Any])?.count ?? 0) } == 14)
    }

    /// Events appended by a write that never published its status file (a crash between the
    /// two) are voided by the next write, never taken as history.
    @Test func eventsAWriteNeverPublishedAreVoided() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let path = project.url(".claude/execution/F001.events.jsonl")
        var text = try String(contentsOf: path, encoding: .utf8)
        // What a crashed `update` leaves: its event, but not its status file.
        let orphan = text.replacingOccurrences(of: "\"seq\":1", with: "\"seq\":2")
            .replacingOccurrences(of: "spec.initialized", with: "task.started")
        text += orphan
        // And a line torn by a crash in the middle of the next append.
        text += "{\"specversion\":\"1.0\",\"id\":\"torn"
        try Data(text.utf8).write(to: path)
        #expect(try project.run(["update", "F001", "L0", "1", "in_progress"]).exitCode == 0)
        let events = try log(project)
        #expect(types(events) == ["spec.initialized", "task.started", "event.voided", "task.started"])
        #expect(events.map { $0["seq"] as? Int } == [1, 2, 3, 4])
        let voided = events[2]["data"] as? [String: Any]
        #expect(voided?["from_seq"] as? Int == 2 && voided?["through_seq"] as? Int == 2)
        #expect(try project.status("F001")["event_seq"] as? Int == 4)
    }

    @Test func restoreIsAnEventAndVoidsNothing() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        for command in [["init", "F001"], ["update", "F001", "L0", "0", "in_progress"], ["restore", "F001"],
                        ["update", "F001", "L0", "1", "in_progress"]] {
            #expect(try project.run(command).exitCode == 0, "\(command)")
        }
        #expect(types(try log(project)) == ["spec.initialized", "task.started", "spec.restored", "task.started"])
    }

    @Test func theEventsCommandFiltersAndReportsBadLines() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        for command in [["init", "F001"], ["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "failed"],
                        ["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "complete"]] {
            #expect(try project.run(command).exitCode == 0)
        }
        let all = try project.run(["events", "F001"])
        #expect(all.exitCode == 0)
        #expect(all.stdout.split(separator: "\n").count == 5)
        #expect(all.stdout.hasPrefix("#1 "))
        let started = try project.run(["events", "F001", "--type", "task.started"])
        #expect(started.stdout.split(separator: "\n").count == 2)
        let lastTwo = try project.run(["events", "F001", "--limit", "2", "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(lastTwo.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.map { $0["seq"] as? Int } == [4, 5])
        #expect(try project.run(["events", "F001", "--since", "1h"]).stdout.split(separator: "\n").count == 5)
        #expect(try project.run(["events", "F001", "--since", "2999-01-01T00:00:00Z"]).stdout.isEmpty)
        let unknown = try project.run(["events", "F001", "--type", "task.exploded"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("valid: spec.initialized"))
        #expect(try project.run(["events", "F001", "--since", "yesterday"]).exitCode == 1)

        // A mangled line is reported with its number; the others still show, and writes go on.
        let path = project.url(".claude/execution/F001.events.jsonl")
        var lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = "{not json"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: path)
        let mangled = try project.run(["events", "F001"])
        #expect(mangled.exitCode == 0)
        #expect(mangled.stderr.contains("line 3 is not an event"))
        #expect(mangled.stdout.split(separator: "\n").count == 4)
        // Run directly: a log with a planted bad line is no artifact for the validators.
        let write = try runProcess(exectrackBinary, ["update", "F001", "L0", "1", "in_progress"], environment: [:], in: project.root)
        #expect(write.exitCode == 0)
        let after = try Data(contentsOf: path).split(separator: 0x0A)
        #expect(after.count == 6)
        #expect((try? JSONSerialization.jsonObject(with: Data(after[5])) as? [String: Any])?["seq"] as? Int == 6)
    }

    /// A log that is not a regular file is refused like a status file would be: nothing written.
    @Test(arguments: ["symlink", "fifo", "directory"])
    func aPlantedLogIsRefusedAndNothingIsWritten(_ kind: String) throws {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let path = project.url(".claude/execution/F001.events.jsonl")
        try FileManager.default.removeItem(at: path)
        switch kind {
        case "symlink": try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: "/etc/passwd")
        case "fifo": #expect(mkfifo(path.path, 0o644) == 0)
        default: try FileManager.default.createDirectory(at: path, withIntermediateDirectories: false)
        }
        let before = try project.statusBytes("F001")
        let r = try project.run(["update", "F001", "L0", "0", "in_progress"])
        #expect(r.exitCode == 5, "\(r.stderr)")
        #expect(r.stderrLines.count == 1)
        #expect(try project.statusBytes("F001") == before)
    }
}
