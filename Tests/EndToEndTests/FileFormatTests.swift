import Foundation
import Testing

/// The status file stays a faithful, jq-friendly record: nothing unknown is lost, user text is
/// stored exactly, and the layout is deterministic.
@Suite struct FileFormatTests {
    let file = ".claude/execution/F001.json"

    func jqEdit(_ project: Project, _ filter: String) throws {
        let r = try project.jq(filter, file)
        #expect(r.exitCode == 0, "jq \(filter): \(r.stderr)")
        try Data(r.stdout.utf8).write(to: project.statusURL("F001"))
    }

    @Test func extraFieldsAtEveryLevelSurviveTenUpdates() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L1", "0", "in_progress"])
        try project.run(["error", "F001", "L1", "0", "flaky network"])
        try project.run(["warn", "F001", "disk almost full"])
        try jqEdit(project, """
            .custom_top = {"nested": [1, 2.5, {"x": null, "y": true}], "when": "later"}
            | .layers.L1.owner = "team-core"
            | .layers.L2.tasks[3].notes = {"reviewer": "ana", "points": 3}
            | .errors[0].ticket = "JIRA-17"
            | .warnings[0].source = "monitor"
            | .layers.L9_extra_marker = null | del(.layers.L9_extra_marker)
            """)
        let probes = [".custom_top", ".layers.L1.owner", ".layers.L2.tasks[3].notes", ".errors[0].ticket", ".warnings[0].source"]
        let before = try probes.map { try project.jq($0, file, arguments: ["-c"]).stdout }
        #expect(before == [
            "{\"nested\":[1,2.5,{\"x\":null,\"y\":true}],\"when\":\"later\"}\n", "\"team-core\"\n",
            "{\"reviewer\":\"ana\",\"points\":3}\n", "\"JIRA-17\"\n", "\"monitor\"\n",
        ])

        let updates: [[String]] = [
            ["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "complete"],
            ["update", "F001", "L0", "1", "done"], ["complete-layer", "F001", "L0"],
            ["update", "F001", "L1", "0", "pending"], ["update", "F001", "L1", "0", "running"],
            ["update", "F001", "L2", "3", "in_progress", "--output", "ok"], ["warn", "F001", "second warning"],
            ["pause", "F001", "lunch"], ["resume", "F001"],
        ]
        for args in updates {
            let r = try project.run(args)
            #expect(r.exitCode == 0, "\(args): \(r.stderr)")
        }
        let after = try probes.map { try project.jq($0, file, arguments: ["-c"]).stdout }
        #expect(after == before)
        // The hand-added keys sit where they were written: after the known ones, in their order.
        let topKeys = try project.jq("keys_unsorted | .[-1]", file).stdout
        #expect(topKeys == "\"custom_top\"\n")
    }

    @Test func userTextRoundTripsExactly() throws {
        let tricky = "Quote \" backslash \\ newline\nTab\there emoji 🚀👩‍💻 control \u{1} slash / end"
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        // Feature name set through jq, messages and output through arguments.
        let nameFilter = ".feature_name = $name"
        let r = try project.jq(nameFilter, file, arguments: ["--arg", "name", tricky])
        try Data(r.stdout.utf8).write(to: project.statusURL("F001"))
        var result = try project.run(["error", "F001", "L0", "0", tricky, "--recovery", tricky])
        #expect(result.exitCode == 0, "\(result.stderr)")
        result = try project.run(["update", "F001", "L0", "1", "complete", "--output", tricky])
        #expect(result.exitCode == 0, "\(result.stderr)")
        result = try project.run(["pause", "F001", tricky])
        #expect(result.exitCode == 0)

        for probe in [".feature_name", ".errors[0].error", ".errors[0].recovery_action", ".layers.L0.tasks[0].error",
                      ".layers.L0.tasks[1].output", ".pause_reason"] {
            let read = try project.jq(probe, file, arguments: ["-j"]).stdout
            #expect(read == tricky, "\(probe)")
        }
        // Foundation's own parser agrees, so the file is valid JSON for any reader.
        let status = try project.status("F001")
        #expect(status["feature_name"] as? String == tricky)
        // `/` is not escaped; the control character is.
        let raw = String(decoding: try project.statusBytes("F001"), as: UTF8.self)
        #expect(raw.contains("slash / end"))
        #expect(raw.contains("control \\u0001"))

        // Every report format stays parseable and on its lines.
        let json = try project.run(["report", "F001", "--format", "json"])
        let view = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(view["feature_name"] as? String == tricky)
        let text = try project.run(["report", "F001"]).stdout
        #expect(text.contains("Feature F001: Quote \" backslash \\ newline\\nTab\\there emoji 🚀👩‍💻"))
        let markdown = try project.run(["report", "F001", "--format", "markdown"]).stdout
        // Markdown escapes its own backslashes, so the escaped newline renders as "\n".
        #expect(markdown.hasPrefix("## Feature F001: Quote \" backslash \\\\ newline\\\\nTab"))
    }

    @Test func outputIsDeterministicAndJqShaped() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let bytes = try project.statusBytes("F001")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(!text.hasSuffix("\n\n"))
        // Same layout as jq's pretty printer: re-printing with jq changes nothing.
        let reprinted = try project.jq(".", file).stdout
        #expect(reprinted == text)
        // Layer keys in numeric order.
        #expect(try project.jq(".layers | keys_unsorted | join(\",\")", file, arguments: ["-r"]).stdout == "L0,L1,L2,L3\n")
    }

    /// A large file's write copies the tasks it leaves alone from the file it replaces when that
    /// file is the one the last write published (docs/benchmarks.md, "Unchanged tasks"). After
    /// every kind of write, and after a hand edit (keys reordered, compact), the file is byte for
    /// byte what a whole write of it gives (`validate --fix` of a stale copy, in another project),
    /// but for the time and sequence number of that write.
    @Test func largeFilesWrittenByCopyingUnchangedTasksAreWholeWrites() throws {
        var plan = "# Feature\n"
        for l in 0..<4 {
            plan += "## Layer \(l): Part \(l)\n"
            for t in 0..<60 { plan += "- [ ] T\(l)\(t) Implement component \(t) of part \(l), \"quoted\" and café, at length\n" }
        }
        let project = try Project(specs: ["F001": plan])
        try project.run(["init", "F001"])
        #expect(try project.statusBytes("F001").count > 64 << 10)
        func expectWholeWrite(after step: [String]) throws {
            let written = String(decoding: try project.statusBytes("F001"), as: UTF8.self)
            let copy = try Project()
            try copy.write(file, written.replacingOccurrences(of: "\"completion_percentage\": [0-9]+", with: "\"completion_percentage\": 101",
                                                                options: .regularExpression))
            #expect(try copy.run(["validate", "F001", "--fix"]).exitCode == 0)
            let whole = String(decoding: try copy.statusBytes("F001"), as: UTF8.self)
            // The copy's write is the first of its log, at another time.
            func stable(_ text: String) -> [Substring] {
                text.split(separator: "\n").filter { !$0.contains("\"last_updated\"") && !$0.contains("\"event_seq\"") }
            }
            #expect(whole != written, "validate --fix rewrote the stale copy")
            let difference = zip(stable(written), stable(whole)).first { $0 != $1 }
            #expect(stable(written) == stable(whole), "after \(step.joined(separator: " ")): \(String(describing: difference))")
        }
        // A hand edit in another layout; `restore` then publishes that layout again (with its
        // digest), and a log from before digests vouches for any file: after neither does a
        // write copy the edited bytes.
        let steps: [[String]] = [
            ["update", "F001", "L1", "3", "in_progress"], ["update", "F001", "L1", "3", "complete"],
            ["update", "F001", "L2", "0", "failed"], ["error", "F001", "L2", "0", "it broke"],
            ["update", "F001", "L0", "5", "skipped", "--output", "not needed"], ["claim", "F001", "--agent", "a1"],
            ["parse", "F001"], ["hand edit"], ["update", "F001", "L3", "59", "in_progress"], ["restore", "F001"],
            ["update", "F001", "L3", "0", "done"], ["hand edit", "log without digests"], ["update", "F001", "L1", "4", "in_progress"],
            ["update", "F001", "L1", "4", "complete"],
        ]
        for step in steps {
            if step == ["parse", "F001"] {
                try project.write("specs/F001/layered-tasks.md", plan.replacingOccurrences(of: "## Layer 2: Part 2\n", with: "## Layer 2: Part 2\n- [ ] T2x A new first task\n"))
            }
            if step.first == "hand edit" {
                let object = try project.status("F001")
                try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]).write(to: project.statusURL("F001"))
                if step.count > 1 {
                    let log = project.url(".claude/execution/F001.events.jsonl")
                    let lines = try String(contentsOf: log, encoding: .utf8)
                    try lines.replacingOccurrences(of: ",\"statusdigest\":\"[0-9a-f]+\"", with: "", options: .regularExpression)
                        .write(to: log, atomically: true, encoding: .utf8)
                }
                continue
            }
            let result = try project.run(step)
            #expect(result.exitCode == 0, "\(step): \(result.stderr)")
            // `restore` puts the file back as it was, by design.
            if step.first != "restore" { try expectWholeWrite(after: step) }
        }
    }

    @Test func timestampsAreUTCWithMilliseconds() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let started = try project.jq(".layers.L0.tasks[0].started_at", file, arguments: ["-r"]).stdout
        #expect(started.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$"#, options: .regularExpression) != nil, "\(started)")
        // A timestamp written without fraction (as `date -u +%Y-%m-%dT%H:%M:%SZ` gives) is read.
        try jqEdit(project, ".layers.L0.tasks[0].started_at = \"2026-01-01T00:00:00Z\"")
        let r = try project.run(["update", "F001", "L0", "0", "complete", "--duration-ms", "1500"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.jq(".layers.L0.tasks[0].duration_ms", file).stdout == "1500\n")
        #expect(try project.jq(".layers.L0.tasks[0].started_at", file, arguments: ["-r"]).stdout == "2026-01-01T00:00:00.000Z\n")
    }

    @Test func backupHoldsThePreviousVersion() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let first = try project.statusBytes("F001")
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        let backup = try Data(contentsOf: project.url(".claude/execution/F001.json.bak"))
        #expect(backup == first)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution").path)
            .filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
    }

    @Test func readOnlyStatusFileIsRefusedWithExitFive() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: project.statusURL("F001").path)
        let before = try project.fingerprint(file)
        let r = try project.run(["update", "F001", "L0", "0", "in_progress"])
        #expect(r.exitCode == 5)
        #expect(r.stderrLines.count == 1)
        #expect(r.stderr.contains("read-only"))
        #expect(try project.fingerprint(file) == before)
    }
}
