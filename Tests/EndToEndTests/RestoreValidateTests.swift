import Foundation
import Testing

/// `restore` swaps the `.bak` back in; `validate` finds what is inconsistent and `--fix` mends
/// what is derived (docs/reliability.md).
@Suite struct RestoreValidateTests {
    let file = ".claude/execution/F001.json"

    @Test func restoreSwapsTheBackupInAndBackAgain() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        try project.run(["update", "F001", "L0", "0", "complete"])
        // A bad edit: the file is now garbage; every command says so and points at restore.
        let latest = try project.statusBytes("F001")
        try Data("{ oops".utf8).write(to: project.statusURL("F001"))
        var r = try project.run(["report", "F001"])
        #expect(r.exitCode == 4)
        #expect(r.stderr.contains("exectrack restore F001"))
        // The .bak holds the last good write (the complete), which restore puts back.
        try Data(latest).write(to: project.url("\(file).bak"))
        r = try project.run(["restore", "F001"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.statusBytes("F001") == latest)
        #expect(try Data(contentsOf: project.url("\(file).bak")) == Data("{ oops".utf8), "the current file became the .bak")
        // Restoring again swaps back (here: to the garbage, which restore refuses to bring in).
        r = try project.run(["restore", "F001"])
        #expect(r.exitCode == 4)
        #expect(r.stderr.contains("F001.json.bak cannot be restored: it is not valid JSON"), "\(r.stderr)")
        #expect(r.stderr.contains("F001.json was left as it is"))
        #expect(try project.statusBytes("F001") == latest)
    }

    @Test func restoreWithoutBackupIsNotFound() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let before = try project.fingerprint(file)
        let r = try project.run(["restore", "F001"])
        #expect(r.exitCode == 2)
        #expect(r.stderrLines.count == 1)
        #expect(try project.fingerprint(file) == before)
    }

    @Test func validateFindsAndFixes() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "in_progress"])
        var r = try project.run(["validate", "F001"])
        #expect(r.exitCode == 0)
        #expect(r.stdout == "F001: valid\n")

        let edited = try project.jq("""
            .total_tasks = 12 | .completion_percentage = 50 | .layers.L1.failed_tasks = 2
            | .layers.L0.tasks[0].completed_at = "2020-01-01T00:00:00Z"
            | .layers.L1.tasks[1].id = "T7" | .layers.L1.tasks[2].id = "t7"
            | .layers.L2.tasks[0].dependencies = ["T404"]
            | .errors = [{"layer": "L9", "task_index": 3, "error": "ghost", "severity": "low"}]
            """, file)
        try Data(edited.stdout.utf8).write(to: project.statusURL("F001"))
        let before = try project.fingerprint(file)
        r = try project.run(["validate", "F001"])
        #expect(r.exitCode == 6)
        #expect(try project.fingerprint(file) == before, "validate without --fix writes nothing")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("✗ total_tasks: is 12, the tasks say 13"))
        #expect(lines.contains("✗ completion_percentage: is 50, the tasks say 0"))
        #expect(lines.contains("✗ layers.L1.failed_tasks: is 2, the tasks say 0"))
        #expect(lines.contains { $0.hasPrefix("✗ layers.L0.tasks[0].completed_at: 2020-01-01T00:00:00.000Z is before started_at") })
        #expect(lines.contains("✗ layers.L1.tasks[2].id: t7 is also the id of layers.L1.tasks[1]"))
        #expect(lines.contains("✗ layers.L2.tasks[0].dependencies: depends on \"T404\", which is no task of this spec"))
        #expect(lines.contains("✗ errors[0]: refers to L9 task 3, which does not exist"))

        r = try project.run(["validate", "F001", "--fix", "--json"])
        #expect(r.exitCode == 6, "the unfixable problems remain")
        let issues = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(issues.filter { $0["fixed"] as? Bool == true }.count == 3)
        let fixed = try project.status("F001")
        #expect(fixed["total_tasks"] as? Int == 13)
        #expect(fixed["completion_percentage"] as? Int == 0)
        r = try project.run(["validate", "F001"])
        #expect(!r.stdout.contains("total_tasks"))
    }

    @Test func validateReportsUnreadableFilesAsCorrupt() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.write(file, #"{"layers": 5}"#)
        let r = try project.run(["validate", "F001"])
        #expect(r.exitCode == 4)
        #expect(r.stderr.contains("layers: expected an object"))
        #expect(try project.run(["validate", "NOPE"]).exitCode == 2)
    }
}
