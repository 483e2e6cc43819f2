import Foundation
import Testing

/// `parse` after the tasks file was edited keeps the progress of every task still there.
@Suite struct ReparseTests {
    func task(_ status: [String: Any], _ layer: String, _ index: Int) -> [String: Any] {
        (((status["layers"] as! [String: Any])[layer] as! [String: Any])["tasks"] as! [[String: Any]])[index]
    }

    func tasks(_ status: [String: Any], _ layer: String) -> [[String: Any]] {
        ((status["layers"] as! [String: Any])[layer] as! [String: Any])["tasks"] as! [[String: Any]]
    }

    @Test func editsWithoutIdsKeepProgress() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        // Progress on four tasks: two complete, one failed with an error, one running.
        for (layer, index, status) in [("L0", 0, "complete"), ("L0", 1, "complete"), ("L1", 2, "in_progress")] {
            try project.run(["update", "F001", layer, "\(index)", "in_progress"])
            if status != "in_progress" { try project.run(["update", "F001", layer, "\(index)", status, "--output", "out \(layer).\(index)"]) }
        }
        try project.run(["update", "F001", "L1", "4", "in_progress"])
        try project.run(["error", "F001", "L1", "4", "401 Unauthorized from auth service"])
        let before = try project.status("F001")

        // The edit: L0.1 reworded, L1.2 moved to L2 (first), L1.0 removed, a new task in L1,
        // and L1.4 reworded slightly.
        var text = f001Tasks
        text = text.replacingOccurrences(of: "- Initialize API structure (`/api:scaffold chat`, backend-agent, easy)",
                                         with: "- Initialize the REST API structure (`/api:scaffold chat`, backend-agent, easy)")
        text = text.replacingOccurrences(of: "- Integrate LLM provider client (`/implement:client llm`, ai-agent, hard)\n", with: "")
        text = text.replacingOccurrences(of: "## Layer 2: Features\n",
                                         with: "## Layer 2: Features\n- Integrate LLM provider client (`/implement:client llm`, ai-agent, hard)\n")
        text = text.replacingOccurrences(of: "- Implement message storage service (`/implement:service messages`, backend-agent, medium)\n", with: "")
        text = text.replacingOccurrences(of: "- Add authentication middleware (`/implement:middleware auth`, security-agent, medium)",
                                         with: "- Add authentication middleware for sessions (`/implement:middleware auth`, security-agent, medium)\n- Add rate limiting (`/implement:middleware rate`, backend-agent, easy)")
        try project.write("specs/F001/layered-tasks.md", text)

        let r = try project.run(["parse", "F001"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("kept 12, added 1, removed 1"), "\(r.stdout)")
        #expect(r.stdout.contains("  - L1.0 Implement message storage service"))
        #expect(r.stdout.contains("  + L1.3 Add rate limiting"))

        let after = try project.status("F001")
        #expect(after["total_tasks"] as? Int == 13)
        // Reworded L0.1 kept its completion and output.
        #expect(task(after, "L0", 1)["description"] as? String == "Initialize the REST API structure")
        #expect(task(after, "L0", 1)["status"] as? String == "complete")
        #expect(task(after, "L0", 1)["output"] as? String == "out L0.1")
        #expect(task(after, "L0", 1)["started_at"] as? String == task(before, "L0", 1)["started_at"] as? String)
        // Moved L1.2 → L2.0, still running with its start time and attempts.
        #expect(task(after, "L2", 0)["description"] as? String == "Integrate LLM provider client")
        #expect(task(after, "L2", 0)["status"] as? String == "in_progress")
        #expect(task(after, "L2", 0)["started_at"] as? String == task(before, "L1", 2)["started_at"] as? String)
        #expect(task(after, "L2", 0)["attempts"] as? Int == 1)
        // L1.4 (reworded, now L1.2 after the removals) is still failed with its error; the
        // error entry follows it to its new index.
        let l1 = tasks(after, "L1")
        #expect(l1.map { $0["description"] as? String } == [
            "Implement conversation service", "Add streaming response handler",
            "Add authentication middleware for sessions", "Add rate limiting",
        ])
        #expect(l1.map { $0["index"] as? Int } == [0, 1, 2, 3])
        #expect(l1[2]["status"] as? String == "failed")
        #expect(l1[2]["error"] as? String == "401 Unauthorized from auth service")
        #expect(l1[3]["status"] as? String == "pending")
        let errors = after["errors"] as! [[String: Any]]
        #expect(errors[0]["layer"] as? String == "L1")
        #expect(errors[0]["task_index"] as? Int == 2)
        // The removed task is named in warnings.
        let warnings = after["warnings"] as! [[String: Any]]
        #expect(warnings.contains { ($0["message"] as? String)?.contains("Implement message storage service") == true })
        // Updating by the new positions works.
        let update = try project.run(["update", "F001", "L1", "2", "pending"])
        #expect(update.exitCode == 0, "\(update.stderr)")
    }

    @Test func editsWithIdsMatchById() throws {
        let original = """
        # Layered Tasks: 031-audit-log
        ## Layer 1: Foundation
        - [ ] T001 @claude Define audit event model
        - [ ] T002 [P] @codex Add retention setting
        ## Layer 2: Backend
        - [ ] T003 @copilot Create audit endpoint depends on T001
        - [ ] T004 @copilot Export audit log as CSV
        """
        let project = try Project(specs: ["031-audit-log": original])
        try project.run(["init", "031-audit-log"])
        try project.run(["update", "031-audit-log", "L1", "T001", "in_progress"])
        try project.run(["update", "031-audit-log", "L1", "T001", "complete"])
        try project.run(["update", "031-audit-log", "L2", "T004", "in_progress"])

        // T004 rewritten completely and moved to Layer 1; T002 gone; T005 new.
        try project.write("specs/031-audit-log/layered-tasks.md", """
        # Layered Tasks: 031-audit-log
        ## Layer 1: Foundation
        - [ ] T004 @copilot Streaming exporter for compliance archives
        - [ ] T001 @claude Define the audit event model
        ## Layer 2: Backend
        - [ ] T003 @copilot Create audit endpoint depends on T001
        - [ ] T005 @copilot Add pagination
        """)
        let r = try project.run(["parse", "031-audit-log"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("kept 3, added 1, removed 1, moved 2"), "\(r.stdout)")
        let status = try project.status("031-audit-log")
        let l1 = tasks(status, "L1")
        #expect(l1[0]["id"] as? String == "T004")
        #expect(l1[0]["status"] as? String == "in_progress")
        #expect(l1[1]["id"] as? String == "T001")
        #expect(l1[1]["status"] as? String == "complete")
        #expect(tasks(status, "L2")[0]["dependencies"] as? [String] == ["T001"])
        #expect(tasks(status, "L2")[1]["status"] as? String == "pending")
    }

    @Test func checkedBoxesSeedCompleteAndCheckPrintsWhatWasFound() throws {
        let text = """
        # Layered Tasks for F014
        ## Layer 0: Infrastructure (Run First)
        - [x] Task: Provision object storage
          - Complexity: Mid
          - Agent: Backend
          - Dependencies: None
        - [ ] Task: Create bucket policy
          - Dependencies: Provision object storage
        T099 not a list item
        """
        let project = try Project(specs: ["F014": text])
        var r = try project.run(["parse", "F014", "--check"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("L0 Infrastructure (line 2, 2 tasks)"))
        #expect(r.stdout.contains("[x] 0 Provision object storage — agent Backend; complexity Mid  (line 3)"))
        #expect(r.stdout.contains("line 9: looks like a task but is not a list item: T099 not a list item"))
        #expect(!FileManager.default.fileExists(atPath: project.statusURL("F014").path), "--check writes nothing")
        r = try project.run(["parse", "F014", "--check", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(json["task_count"] as? Int == 2)
        #expect((json["diagnostics"] as! [[String: Any]]).map { $0["line"] as? Int } == [9])

        r = try project.run(["init", "F014"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let status = try project.status("F014")
        #expect(status["feature_name"] as? String == "F014")
        #expect(task(status, "L0", 0)["status"] as? String == "complete")
        #expect(task(status, "L0", 1)["status"] as? String == "pending")
        #expect(status["completion_percentage"] as? Int == 50)
    }

    @Test func malformedTasksFilesNeverCrash() throws {
        let project = try Project()
        var binary = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        binary.append(contentsOf: [0, 0xFF, 0xFE])
        try FileManager.default.createDirectory(at: project.url("specs/BIN"), withIntermediateDirectories: true)
        try binary.write(to: project.url("specs/BIN/layered-tasks.md"))
        try project.write("specs/HUGE/layered-tasks.md", "## Layer 0: Big\n- " + String(repeating: "word @agent [P] ", count: 650_000) + "\n")
        try project.write("specs/EMPTY/layered-tasks.md", "# Feature: Nothing\n## Layer 0: A\n## Layer 1: B\n")
        try project.write("specs/EARLY/layered-tasks.md", "# Feature: Early\n- [ ] T001 before any layer\n## Layer 0: A\n- [ ] T002 fine\n")

        var r = try project.run(["parse", "BIN", "--check"])
        #expect(r.exitCode == 6)
        r = try project.run(["init", "BIN"])
        #expect(r.exitCode == 6)
        #expect(r.stderrLines.count == 1)

        r = try project.run(["parse", "HUGE", "--check"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("1 task"))

        r = try project.run(["parse", "EMPTY", "--check"])
        #expect(r.exitCode == 6)
        #expect(r.stdout.contains("line 2: layer L0 has no tasks"))
        #expect(r.stdout.contains("line 3: layer L1 has no tasks"))

        r = try project.run(["parse", "EARLY", "--check"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("line 2: task outside any layer heading: - [ ] T001 before any layer"))
        r = try project.run(["init", "EARLY"])
        #expect(r.exitCode == 0)
        #expect(try project.status("EARLY")["total_tasks"] as? Int == 1)
    }
}
