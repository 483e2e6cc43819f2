import Foundation
import Testing

/// The plans of spec-kit, Kiro, OpenSpec and task headings, tracked where those tools keep them,
/// and `sync` writing the states back (docs/layered-tasks-format.md).
@Suite struct PlanFormatsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ExecutionTrackingTests/Fixtures/layered-tasks").standardized

    func fixture(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    func json(_ run: RunResult) throws -> Any {
        #expect(run.exitCode == 0, "\(run.stderr)")
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
    }

    func layers(_ project: Project, _ spec: String) throws -> [String: Any] {
        try #require(try project.status(spec)["layers"] as? [String: Any])
    }

    /// spec-kit's `specs/<NNN-name>/tasks.md`, found by a part of its name; its stated phase
    /// dependencies let User Story 2 start beside User Story 1.
    @Test func specKitPhasesAreLayersAndStatedDependenciesAreKept() throws {
        let project = try Project()
        try project.write("specs/042-receipts/tasks.md", try fixture("s-receipt-scanning.md"))
        let initialized = try project.run(["init", "receipts"])
        #expect(initialized.exitCode == 0, "\(initialized.stderr)")
        let check = try #require(try json(project.run(["parse", "042-receipts", "--check", "--json"])) as? [String: Any])
        #expect(check["format"] as? String == "spec-kit")
        #expect(check["task_count"] as? Int == 26)
        let all = try layers(project, "042-receipts")
        #expect(Set(all.keys) == ["L1", "L2", "L3", "L4", "L5", "L6"])
        #expect((all["L4"] as? [String: Any])?["depends_on"] as? [String] == ["L2"], "Phase 4 runs beside Phase 3, after Phase 2")
        #expect((all["L1"] as? [String: Any])?["depends_on"] == nil)
        // Finish Phase 2: Phases 3 and 4 are both open.
        for index in 1...3 { #expect(try project.run(["update", "042-receipts", "L2", "\(index)", "complete"]).exitCode == 0) }
        let next = try #require(try json(project.run(["next", "042-receipts", "--json"])) as? [[String: Any]])
        #expect(Set(next.compactMap { $0["layer"] as? String }) == ["L3", "L4"], "\(next.map { "\($0["layer"]!)" })")
        let story = try #require(((all["L3"] as? [String: Any])?["tasks"] as? [[String: Any]])?.first)
        #expect(story["story"] as? String == "US1")
    }

    @Test func kiroRunsItsItemsInOrderAndSyncTicksAnItemWhenItsSubTasksAreDone() throws {
        let project = try Project()
        try project.write(".kiro/specs/rate-limits/tasks.md", try fixture("k-api-rate-limits.md"))
        #expect(try project.run(["init", "rate-limits"]).exitCode == 0)
        let check = try #require(try json(project.run(["parse", "rate-limits", "--check", "--json"])) as? [String: Any])
        #expect(check["format"] as? String == "kiro")
        let parsed = try #require(check["layers"] as? [[String: Any]])
        // The item with sub-tasks at its own level: layer L3 with tasks 3.1, 3.2, ...
        let three = try #require(parsed.first { $0["layer"] as? String == "L3" })
        let ids = (three["tasks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(!ids.isEmpty && ids.allSatisfy { $0.hasPrefix("3.") }, "\(ids)")
        // Claim and complete every task of the first open layer; sync ticks them and their item.
        let plan = project.url(".kiro/specs/rate-limits/tasks.md")
        let before = try Data(contentsOf: plan)
        var layer = ""
        repeat {
            let claimed = try #require(try json(project.run(["claim", "rate-limits", "--json"])) as? [String: Any])
            if layer.isEmpty { layer = claimed["layer"] as? String ?? "" }
            #expect(try project.run(["update", "rate-limits", claimed["layer"] as! String, "\(claimed["index"]!)", "complete"]).exitCode == 0)
        } while (try json(project.run(["next", "rate-limits", "--json"])) as? [[String: Any]])?.first?["layer"] as? String == layer
        let synced = try #require(try json(project.run(["sync", "rate-limits", "--json"])) as? [String: Any])
        #expect(synced["written"] as? Bool == true)
        let after = try Data(contentsOf: plan)
        #expect(before.count == after.count, "only marks change")
        let changed = zip(before, after).filter { $0 != $1 }
        #expect(!changed.isEmpty && changed.allSatisfy { $0.1 == UInt8(ascii: "x") }, "\(changed)")
    }

    @Test func openSpecAndTaskHeadingsAreFoundAndRead() throws {
        let project = try Project()
        try project.write("openspec/changes/add-webhook-signing/tasks.md", try fixture("o-add-webhook-signing.md"))
        #expect(try project.run(["init", "add-webhook-signing"]).exitCode == 0)
        let open = try layers(project, "add-webhook-signing")
        #expect(open.keys.allSatisfy { $0.hasPrefix("L") } && !open.isEmpty)
        let first = try #require(((open["L1"] as? [String: Any])?["tasks"] as? [[String: Any]])?.first)
        #expect(first["id"] as? String == "1.1")

        try project.write("plans/reset.md", try fixture("h-password-reset.md"))
        #expect(try project.run(["init", "reset", "--tasks-file", "plans/reset.md"]).exitCode == 0)
        let headings = try layers(project, "reset")
        #expect(Array(headings.keys) == ["L1"])
        let tasks = try #require((headings["L1"] as? [String: Any])?["tasks"] as? [[String: Any]])
        #expect(tasks.first?["id"] as? String == "Task 1")
        #expect(tasks.count == 5)
    }

    /// Track, sync, re-parse: the same states, and the plan otherwise byte for byte the same.
    @Test func syncRoundTripsAndLeavesHandTicksToParse() throws {
        let project = try Project()
        try project.write("specs/042-receipts/tasks.md", try fixture("s-receipt-scanning.md"))
        #expect(try project.run(["init", "042-receipts"]).exitCode == 0)
        let plan = project.url("specs/042-receipts/tasks.md")
        let original = try Data(contentsOf: plan)
        for step in [["update", "042-receipts", "L1", "0", "pending"], ["update", "042-receipts", "L2", "1", "complete"],
                     ["update", "042-receipts", "L2", "2", "in_progress"]] {
            #expect(try project.run(step).exitCode == 0, "\(step)")
        }
        let states = { () throws -> [String] in
            try self.layers(project, "042-receipts").sorted { $0.key < $1.key }.flatMap { _, layer in
                ((layer as? [String: Any])?["tasks"] as? [[String: Any]] ?? []).map { "\($0["id"] ?? "-")=\($0["status"] ?? "-")" }
            }
        }
        let tracked = try states()
        let check = try project.run(["sync", "042-receipts", "--check"])
        #expect(check.exitCode == 6 && check.stdout.contains("would change [x] → [ ] L1.0 T001"), "\(check.stdout)")
        #expect(try Data(contentsOf: plan) == original, "--check writes nothing")
        #expect(try project.run(["sync", "042-receipts"]).exitCode == 0)
        let synced = try Data(contentsOf: plan)
        let differences = zip(original, synced).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(original.count == synced.count && differences.count == 2, "T001 unticked and T005 ticked: \(differences.count)")
        let reparsed = try project.run(["parse", "042-receipts"])
        #expect(reparsed.exitCode == 0)
        #expect(try states() == tracked, "the same states after a re-parse")
        #expect(try project.run(["sync", "042-receipts"]).stdout.contains("already shows every task's state"))

        // Ticked by hand: sync leaves it, parse takes it.
        let text = try String(contentsOf: plan, encoding: .utf8).replacingOccurrences(of: "- [ ] T006", with: "- [x] T006")
        try Data(text.utf8).write(to: plan)
        #expect(try project.run(["sync", "042-receipts"]).stdout.contains("left as ticked or unticked by hand"))
        #expect(try String(contentsOf: plan, encoding: .utf8).contains("- [x] T006"))
        let taken = try project.run(["parse", "042-receipts"])
        #expect(taken.stdout.contains("ticked in the plan by hand"), "\(taken.stdout)")
        #expect(try states().contains("T006=complete"))

        // A task removed from the plan: sync refuses and writes nothing.
        let without = try String(contentsOf: plan, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("T007 OCR adapter") }.joined(separator: "\n")
        try Data(without.utf8).write(to: plan)
        let refused = try project.run(["sync", "042-receipts"])
        #expect(refused.exitCode == 6)
        #expect(refused.stderr.contains("tracked, not in the plan: L2.3 T007"), "\(refused.stderr)")
        #expect(try String(contentsOf: plan, encoding: .utf8) == without)
    }

    /// Kiro's `[-]`: written for a running task, and a `[-]` box synced like any other.
    @Test func kiroInProgressMarksAndOddItems() throws {
        let project = try Project()
        try project.write(".kiro/specs/k1/tasks.md", """
        # Implementation Plan

        - [-] 1. Schema
        - [ ] 2. Service
          - [ ] 2.1 Handler
          - [ ] 2.2 Client
        - [ ] 5 Unnumbered
        """)
        #expect(try project.run(["init", "k1"]).exitCode == 0)
        let check = try project.run(["parse", "k1", "--check"])
        #expect(check.stdout.contains("line 7: checklist item without an 'N.' or 'N.M' number"), "\(check.stdout)")
        #expect(try project.run(["update", "k1", "L1", "0", "complete"]).exitCode == 0)
        #expect(try project.run(["update", "k1", "L2", "0", "in_progress"]).exitCode == 0)
        #expect(try project.run(["sync", "k1"]).exitCode == 0)
        let plan = try String(contentsOf: project.url(".kiro/specs/k1/tasks.md"), encoding: .utf8)
        #expect(plan.contains("- [x] 1. Schema") && plan.contains("  - [-] 2.1 Handler") && plan.contains("- [-] 2. Service"), "\(plan)")
        #expect(!FileManager.default.fileExists(atPath: project.url(".kiro/specs/k1/tasks.md.lock").path), "no lock file beside the plan")
    }

    /// A retry recorded here is not undone by re-reading a plan whose box was not touched.
    @Test func parseKeepsARetryWhenTheBoxIsUnchanged() throws {
        let project = try Project()
        try project.write("specs/001-r/tasks.md", "# Tasks\n\n## Phase 1: Setup\n\n- [x] T001 First\n- [x] T002 Second\n")
        #expect(try project.run(["init", "001-r"]).exitCode == 0)
        #expect(try project.run(["update", "001-r", "L1", "1", "pending"]).exitCode == 0)
        #expect(try project.run(["parse", "001-r"]).exitCode == 0)
        let task = try #require(((try layers(project, "001-r")["L1"] as? [String: Any])?["tasks"] as? [[String: Any]])?[1])
        #expect(task["status"] as? String == "pending")
    }

    /// Stated dependencies on phases the file lacks are reported and not used; duplicate ids too.
    @Test func unusableStatementsAndDuplicateIdsAreReported() throws {
        let project = try Project()
        try project.write("specs/001-d/tasks.md", """
        # Tasks

        ## Phase 1: Setup

        - [ ] T001 One

        ## Phase 2: Build

        - [ ] T002 Two
        - [ ] T002 Two again

        ## Dependencies & Execution Order

        - **Phase 2**: depends on Phase 9
        """)
        let check = try #require(try json(project.run(["parse", "001-d", "--check", "--json"])) as? [String: Any]?)
        let diagnostics = (check?["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
        #expect(diagnostics == [10, 14], "\(check?["diagnostics"] ?? "")")
        let l2 = (check?["layers"] as? [[String: Any]])?.first { $0["layer"] as? String == "L2" }
        #expect(l2?["depends_on"] is NSNull)
    }

    @Test func aFileInNoFormatSaysSo() throws {
        let project = try Project()
        try project.write("specs/X1/tasks.md", "# Plan\n\nWe will build it in stages.\n\n- think first\n- then build\n")
        let check = try project.run(["parse", "X1", "--check"])
        #expect(check.exitCode == 6)
        #expect(check.stdout.contains("No line looked like a task"))
        #expect(!check.stdout.contains("Every task-like line was understood"))
        #expect(try project.run(["init", "X1"]).exitCode == 6)
    }
}
