import Foundation
import Testing

/// `stats` and `estimate` (docs/stats.md) over a fixture project whose every figure is worked
/// out by hand below: a live spec with a retried task (A001), an archived spec (B001), a corrupt
/// status file (C001).
@Suite struct StatsTests {
    static let hour: Int64 = 3_600_000
    static let minute: Int64 = 60_000

    /// `2026-11-02T10:30:00.000Z` from day 2 of November and hours/minutes.
    static func time(_ day: Int, _ hour: Int, _ minute: Int = 0) -> String {
        "2026-11-\(day < 10 ? "0" : "")\(day)T\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute):00.000Z"
    }

    static func task(_ index: Int, _ id: String, _ description: String, complexity: String, agent: String, started: String, completed: String,
                     attempts: Int = 1, dependencies: [String] = [], usage: String = "") -> String {
        """
        {"index": \(index), "id": "\(id)", "description": "\(description)", "agent": "\(agent)", "complexity": "\(complexity)",
         "dependencies": [\(dependencies.map { "\"\($0)\"" }.joined(separator: ", "))], "status": "complete",
         "started_at": "\(started)", "completed_at": "\(completed)", "attempts": \(attempts)\(usage)}
        """
    }

    /// One status-change event line, as the log's writer puts it.
    static func event(_ spec: String, _ seq: Int, _ type: String, _ time: String, layer: String, index: Int, from: String, to: String) -> String {
        #"{"specversion":"1.0","id":"\#(spec)-\#(seq)","source":"exectrack/\#(spec)","type":"dev.exectrack.task.\#(type)","time":"\#(time)","#
            + #""datacontenttype":"application/json","seq":\#(seq),"data":{"actor":{"pid":1},"layer":"\#(layer)","index":\#(index),"#
            + #""from":"\#(from)","to":"\#(to)","task":{"description":"x"}}}"#
    }

    func fixture() throws -> Project {
        let project = try Project()
        // A001, made Nov 2 00:00. L0: T1 (alice) 10:00–11:00; T2 (bob) started 10:30, failed
        // 11:30, started again 12:00, complete 13:00. L1: T3 (alice, needs T1) ready at 13:00
        // (when L0 was done), ran Nov 3 09:00–12:00, $0.50.
        try project.write(".claude/execution/A001.json", """
        {"feature": "A001", "created_at": "\(Self.time(2, 0))", "layers": {
          "L0": {"name": "Infra", "tasks": [
            \(Self.task(0, "T1", "Create schema tables", complexity: "easy", agent: "alice", started: Self.time(2, 10), completed: Self.time(2, 11))),
            \(Self.task(1, "T2", "Write queue worker", complexity: "easy", agent: "bob", started: Self.time(2, 12), completed: Self.time(2, 13), attempts: 2))]},
          "L1": {"name": "Core", "tasks": [
            \(Self.task(0, "T3", "Build chat service", complexity: "hard", agent: "alice", started: Self.time(3, 9), completed: Self.time(3, 12),
                        dependencies: ["T1"], usage: #", "usage": {"input_tokens": 1000, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "requests": 1, "cost_usd": 0.5, "cost_source": "reported"}"#))]}},
         "errors": [{"layer": "L0", "task_index": 1, "error": "connection refused", "timestamp": "\(Self.time(2, 11, 30))", "severity": "medium",
                     "category": "connection", "resolved_at": "\(Self.time(2, 12))"}]}
        """)
        try project.write(".claude/execution/A001.events.jsonl", [
            Self.event("A001", 1, "started", Self.time(2, 10), layer: "L0", index: 0, from: "pending", to: "in_progress"),
            Self.event("A001", 2, "started", Self.time(2, 10, 30), layer: "L0", index: 1, from: "pending", to: "in_progress"),
            Self.event("A001", 3, "completed", Self.time(2, 11), layer: "L0", index: 0, from: "in_progress", to: "complete"),
            Self.event("A001", 4, "failed", Self.time(2, 11, 30), layer: "L0", index: 1, from: "in_progress", to: "failed"),
            Self.event("A001", 5, "started", Self.time(2, 12), layer: "L0", index: 1, from: "failed", to: "in_progress"),
            Self.event("A001", 6, "completed", Self.time(2, 13), layer: "L0", index: 1, from: "in_progress", to: "complete"),
            Self.event("A001", 7, "started", Self.time(3, 9), layer: "L1", index: 0, from: "pending", to: "in_progress"),
            Self.event("A001", 8, "completed", Self.time(3, 12), layer: "L1", index: 0, from: "in_progress", to: "complete"),
        ].joined(separator: "\n") + "\n")
        // B001, archived, made Nov 1 00:00: T1 (bob) 08:00–08:30, T2 (carol) 09:00–17:00, one
        // timeout never resolved.
        try project.write(".claude/execution/archive/B001-20261101.json", """
        {"feature": "B001", "created_at": "\(Self.time(1, 0))", "layers": {
          "L0": {"name": "Infra", "tasks": [
            \(Self.task(0, "T1", "Create schema tables", complexity: "easy", agent: "bob", started: Self.time(1, 8), completed: Self.time(1, 8, 30))),
            \(Self.task(1, "T2", "Migrate old records", complexity: "hard", agent: "carol", started: Self.time(1, 9), completed: Self.time(1, 17)))]}},
         "errors": [{"layer": "L0", "task_index": 1, "error": "deadline exceeded", "timestamp": "\(Self.time(1, 10))", "severity": "low",
                     "category": "timeout"}]}
        """)
        try project.write(".claude/execution/C001.json", "{ this is not a status file")
        return project
    }

    func json(_ run: RunResult) throws -> [String: Any] {
        #expect(run.exitCode == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
    }

    func ms(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

    func split(_ object: Any?) -> [Int64] {
        let o = object as? [String: Any] ?? [:]
        return ["waiting_ms", "unclaimed_ms", "retried_ms", "running_ms"].map { ms(o[$0]) ?? -1 }
    }

    @Test func everyFigureMatchesTheHandComputedOnes() throws {
        let project = try fixture()
        let stats = try json(try project.run(["stats", "--json"]))
        let (h, m) = (Self.hour, Self.minute)
        #expect(stats["specs"] as? Int == 2)
        #expect(stats["archived_specs"] as? Int == 1)
        #expect(stats["tasks"] as? Int == 5)
        #expect(stats["completed"] as? Int == 5)
        let skipped = try #require(stats["skipped"] as? [[String: Any]])
        #expect(skipped.count == 1 && skipped[0]["source"] as? String == ".claude/execution/C001.json", "\(skipped)")

        // Velocity: Nov 1 two (B), Nov 2 two (A's L0), Nov 3 one; the 7-day averages 2/7, 4/7, 5/7.
        let velocity = try #require(stats["velocity"] as? [String: Any])
        let days = try #require(velocity["days"] as? [[String: Any]])
        #expect(days.prefix(3).map { $0["day"] as? String } == ["2026-11-01", "2026-11-02", "2026-11-03"])
        #expect(days.prefix(3).map { $0["completed"] as? Int } == [2, 2, 1])
        #expect(days.prefix(3).map { ($0["average_7d"] as? Double).map { ($0 * 7).rounded() } } == [2, 4, 5])
        #expect(days.dropFirst(3).allSatisfy { $0["completed"] as? Int == 0 }, "nothing after Nov 3")
        #expect((velocity["by_agent"] as? [[String: Any]])?.map { "\($0["agent"]!)=\($0["completed"]!)" } == ["alice=2", "bob=2", "carol=1"])
        #expect((velocity["by_complexity"] as? [[String: Any]])?.map { "\($0["complexity"]!)=\($0["completed"]!)" } == ["easy=3", "hard=2"])

        // Time split (waiting, unclaimed, retried, running):
        // A.T1 0, 10h, 0, 1h; A.T2 0, 10h30m, 1h30m (10:30 to 12:00), 1h; A.T3 13h, 20h, 0, 3h;
        // B.T1 0, 8h, 0, 30m; B.T2 0, 9h, 0, 8h.
        let time = try #require(stats["time_split"] as? [String: Any])
        #expect(split(time["total"]) == [13 * h, 57 * h + 30 * m, 90 * m, 13 * h + 30 * m])
        let layers = try #require(time["by_layer"] as? [[String: Any]])
        #expect(layers.map { $0["layer"] as? String } == ["L0", "L1"])
        #expect(split(layers[0]) == [0, 37 * h + 30 * m, 90 * m, 10 * h + 30 * m])
        #expect(split(layers[1]) == [13 * h, 20 * h, 0, 3 * h])
        let agents = try #require(time["by_agent"] as? [[String: Any]])
        #expect(agents.map { $0["agent"] as? String } == ["alice", "bob", "carol"])
        #expect(split(agents[0]) == [13 * h, 30 * h, 0, 4 * h])
        #expect(split(agents[1]) == [0, 18 * h + 30 * m, 90 * m, 90 * m])
        #expect(split(agents[2]) == [0, 9 * h, 0, 8 * h])
        let specs = try #require(time["by_spec"] as? [[String: Any]])
        #expect(specs.map { $0["spec"] as? String } == ["A001", "B001"])
        #expect(split(specs[1]) == [0, 17 * h, 0, 8 * h + 30 * m])

        // Bottlenecks. Agents (first start to end of each task): alice busy 4h of 26h (Nov 2
        // 10:00 to Nov 3 12:00), bob 3h of 29h, carol 8h of 8h.
        let bottlenecks = try #require(stats["bottlenecks"] as? [String: Any])
        let activity = try #require(bottlenecks["agents"] as? [[String: Any]])
        #expect(activity.map { $0["agent"] as? String } == ["bob", "alice", "carol"], "by idle share")
        #expect(activity.map { ms($0["busy_ms"]) } == [3 * h, 4 * h, 8 * h])
        #expect(activity.map { ms($0["window_ms"]) } == [29 * h, 26 * h, 8 * h])
        #expect(abs((activity[0]["idle_share"] as? Double ?? 0) - 26.0 / 29) < 1e-9)
        #expect(activity.map { $0["idle"] as? Bool } == [true, true, false])
        // Layer waits (waiting + unclaimed): A L1 33h, A L0 20h30m, B L0 17h.
        #expect((bottlenecks["waiting_layers"] as? [[String: Any]])?.map { "\($0["spec"]!) \($0["layer"]!) \(ms($0["wait_ms"])!)" }
            == ["A001 L1 \(33 * h)", "A001 L0 \(20 * h + 30 * m)", "B001 L0 \(17 * h)"])
        // Critical paths: A's T3 waited for T2 (the last of L0 to end, at 13:00): L0.1 → L1.0, from
        // Nov 2 00:00 to Nov 3 12:00; B's is its last task, from Nov 1 00:00 to 17:00.
        let paths = try #require(bottlenecks["critical_paths"] as? [[String: Any]])
        #expect(paths.map { $0["spec"] as? String } == ["A001", "B001"])
        #expect(paths.map { ms($0["duration_ms"]) } == [36 * h, 17 * h])
        #expect((paths[0]["tasks"] as? [[String: Any]])?.map { "\($0["layer"]!).\($0["index"]!)" } == ["L0.1", "L1.0"])
        #expect((bottlenecks["slow_tasks"] as? [Any])?.isEmpty == true, "with so few tasks the p95 is the slowest")

        // Failures: one connection error, resolved; one timeout, not; A.T2 took two attempts.
        let failures = try #require(stats["failures"] as? [String: Any])
        #expect((failures["categories"] as? [[String: Any]])?.map { "\($0["category"]!) \($0["count"]!) \($0["resolved"]!) \($0["recovery_rate"]!)" }
            == ["connection 1 1 1", "timeout 1 0 0"])
        #expect(failures["retried_tasks"] as? Int == 1)
        #expect(failures["extra_attempts"] as? Int == 1)
        #expect((failures["most_retried"] as? [[String: Any]])?.map { "\($0["spec"]!) \($0["id"]!) \($0["attempts"]!)" } == ["A001 T2 2"])

        // Estimate accuracy (first start to end): easy 30m, 1h, 2h30m; hard 3h, 8h (nearest rank).
        let spreads = try #require(stats["estimate_accuracy"] as? [[String: Any]])
        #expect(spreads.map { $0["complexity"] as? String } == ["easy", "hard"])
        #expect(["count", "min_ms", "p25_ms", "p50_ms", "p75_ms", "p90_ms", "max_ms"].map { ms(spreads[0][$0]) }
            == [3, 30 * m, 30 * m, h, 150 * m, 150 * m, 150 * m])
        #expect(["count", "min_ms", "p25_ms", "p50_ms", "p75_ms", "p90_ms", "max_ms"].map { ms(spreads[1][$0]) }
            == [2, 3 * h, 3 * h, 3 * h, 8 * h, 8 * h, 8 * h])

        // Cost: A.T3's $0.50, on Nov 3.
        let cost = try #require(stats["cost"] as? [String: Any])
        #expect(cost["total_usd"] as? Double == 0.5)
        #expect(ms(cost["tokens"]) == 1000)
        #expect(days[2]["cost_usd"] as? Double == 0.5)
    }

    @Test func filtersNarrowWhatIsCounted() throws {
        let project = try fixture()
        let onlyA = try json(try project.run(["stats", "--json", "--spec", "A*"]))
        #expect(onlyA["specs"] as? Int == 1 && onlyA["tasks"] as? Int == 3)
        let bob = try json(try project.run(["stats", "--json", "--agent", "bob"]))
        #expect(bob["tasks"] as? Int == 2)
        #expect(split((bob["time_split"] as? [String: Any])?["total"]) == [0, 18 * Self.hour + 30 * Self.minute, 90 * Self.minute, 90 * Self.minute])
        let recent = try json(try project.run(["stats", "--json", "--since", Self.time(2, 12)]))
        #expect(recent["completed"] as? Int == 2, "A.T2 (13:00) and A.T3")
        #expect(((recent["velocity"] as? [String: Any])?["days"] as? [[String: Any]])?.first?["day"] as? String == "2026-11-02")
        let none = try project.run(["stats", "--spec", "Z*"])
        #expect(none.exitCode == 0)
        #expect(none.stdout.contains("nothing matches these filters"))
        #expect(try project.run(["stats", "--since", "yesterday"]).exitCode == 1)
    }

    @Test func theTextDashboardAndMarkdownSayTheSame() throws {
        let project = try fixture()
        let text = try project.run(["stats"])
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("2 specs (1 archived), 5 tasks, 5 completed"))
        #expect(text.stdout.contains("waiting 13h 0m (15%)"))
        #expect(text.stdout.contains("agents idle more than half their active window: bob 90% · alice 85%"))
        #expect(text.stdout.contains("critical path of A001, 1d 12h: L0.1 → L1.0"))
        #expect(text.stdout.contains("connection 1 (100% recovered) · timeout 1 (0% recovered)"))
        #expect(text.stdout.contains("skipped .claude/execution/C001.json:"))
        let markdown = try project.run(["stats", "--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("## exectrack stats"))
        #expect(markdown.stdout.contains("| L1 | 13h 0m | 20h 0m | 0ms | 3h 0m |"))
        #expect(try project.run(["stats", "--format", "html"]).exitCode == 1)
    }

    @Test func theSummaryCacheIsUsedAndRebuiltWhenASourceChanges() throws {
        let project = try fixture()
        let first = try project.run(["stats", "--json"]).stdout
        let cache = project.url(".claude/exectrack/stats-cache.json")
        #expect(FileManager.default.fileExists(atPath: cache.path))
        func withoutTime(_ text: String) -> String { text.split(separator: "\n").filter { !$0.contains("generated_at") }.joined(separator: "\n") }
        #expect(withoutTime(try project.run(["stats", "--json"]).stdout) == withoutTime(first), "the same figures from the cache")
        // A corrupt cache is rebuilt; a changed source is read again.
        try project.write(".claude/exectrack/stats-cache.json", "garbage")
        #expect(withoutTime(try project.run(["stats", "--json"]).stdout) == withoutTime(first))
        try FileManager.default.removeItem(at: project.url(".claude/execution/C001.json"))
        let after = try json(try project.run(["stats", "--json"]))
        #expect((after["skipped"] as? [Any])?.isEmpty == true)
        #expect(!(try String(contentsOf: cache, encoding: .utf8)).contains("C001"))
    }

    /// `archive` copies the file and moves its log; `init --force` then copies the file again,
    /// without a log: one run, counted once, its retried task with its first start from the log.
    @Test func copiesOfOneRunAreCountedOnce() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        for step in [["init", "F001"], ["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "failed"],
                     ["update", "F001", "L0", "0", "in_progress"], ["update", "F001", "L0", "0", "complete"],
                     ["update", "F001", "L0", "1", "in_progress"], ["archive", "F001"], ["init", "F001", "--force"]] {
            #expect(try project.run(step).exitCode == 0, "\(step)")
        }
        let archives = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution/archive").path).filter { $0.hasSuffix(".json") }
        #expect(archives.count == 2, "\(archives)")
        let stats = try json(try project.run(["stats", "--json"]))
        #expect(stats["specs"] as? Int == 2, "the live run and one archived copy")
        #expect(stats["tasks"] as? Int == 26)
        #expect(stats["completed"] as? Int == 1)
        let failures = try #require(stats["failures"] as? [String: Any])
        #expect(failures["retried_tasks"] as? Int == 1)
        // The retry shows: the copy with the log is the one kept.
        #expect(ms((((stats["time_split"] as? [String: Any])?["total"]) as? [String: Any])?["retried_ms"]) ?? 0 > 0)
    }

    /// Archive copies of several specs, and files that are not status files at all.
    @Test func archivesOfSeveralSpecsAndOddFiles() throws {
        let project = try Project()
        for spec in ["A1", "B1"] {
            try project.write("specs/\(spec)/layered-tasks.md", "# Feature: \(spec)\n\n## Layer 0: X\n- one task\n- two task\n")
            for step in [["init", spec], ["update", spec, "L0", "0", "in_progress"], ["update", spec, "L0", "0", "complete"],
                         ["update", spec, "L0", "1", "in_progress"], ["update", spec, "L0", "1", "complete"], ["archive", spec]] {
                #expect(try project.run(step).exitCode == 0, "\(step)")
            }
        }
        try project.write(".claude/execution/archive/AAA-20261201.json", #"{"feature": "AAA", "layers": {}}"#)
        #expect(mkfifo(project.url(".claude/execution/PIPE.json").path, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: project.url(".claude/execution/GONE.json").path, withDestinationPath: "nowhere.json")
        let stats = try json(try project.run(["stats", "--json"]))
        #expect(stats["tasks"] as? Int == 4, "each task once: \(stats["tasks"] ?? "")")
        #expect(stats["specs"] as? Int == 2 && stats["archived_specs"] as? Int == 0)
        let skipped = (stats["skipped"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
        #expect(Set(skipped) == [".claude/execution/PIPE.json", ".claude/execution/GONE.json"], "\(skipped)")
    }

    /// Tasks ticked in the plan before tracking began are complete, without a day to count them on.
    @Test func tasksCompleteFromThePlanCountAsCompleted() throws {
        let project = try Project()
        try project.write("specs/S1/layered-tasks.md", "# Feature: S1\n\n## Layer 0: X\n- [x] one\n- [x] two\n- [ ] three\n")
        #expect(try project.run(["init", "S1"]).exitCode == 0)
        #expect(try project.run(["update", "S1", "L0", "2", "complete"]).exitCode == 0)
        let stats = try json(try project.run(["stats", "--json"]))
        #expect(stats["completed"] as? Int == 3)
        let days = try #require((stats["velocity"] as? [String: Any])?["days"] as? [[String: Any]])
        #expect(days.map { $0["completed"] as? Int ?? 0 }.reduce(0, +) == 1, "only the tracked completion has a day")
    }

    @Test func anEmptyProjectHasNoHistoryYet() throws {
        let project = try Project()
        let run = try project.run(["stats"])
        #expect(run.exitCode == 0)
        #expect(run.stdout.contains("no history yet"))
        #expect(try json(try project.run(["stats", "--json"]))["tasks"] as? Int == 0)
    }

    /// N001 has not started; B001 and four more archived runs alike in mix, agents and words
    /// teach the estimate; an unlike archived spec and a live one do not.
    @Test func estimateLearnsFromSimilarFinishedSpecs() throws {
        let project = try fixture()
        let tooLittle = try project.run(["estimate", "A001"])
        #expect(tooLittle.exitCode == 0)
        #expect(tooLittle.stdout.contains("0 task(s) left"))
        try project.write(".claude/execution/N001.json", """
        {"feature": "N001", "created_at": "\(Self.time(4, 0))", "layers": {"L0": {"name": "Infra", "tasks": [
          {"id": "T1", "description": "Create schema tables", "agent": "bob", "complexity": "easy", "status": "pending"},
          {"id": "T2", "description": "Migrate old records", "agent": "carol", "complexity": "hard", "status": "pending"}]}}}
        """)
        let early = try json(try project.run(["estimate", "N001", "--json"]))
        #expect(early["enough_history"] as? Bool == false)
        #expect((early["reason"] as? String)?.contains("too little history") == true)
        // Four more archived runs like B001 (minutes): easy 40, 50, 60, 45; hard 360, 420, 540, 450.
        for (n, (easy, hard)) in [(40, 360), (50, 420), (60, 540), (45, 450)].enumerated() {
            try project.write(".claude/execution/archive/B00\(n + 2)-20261101.json", """
            {"feature": "B00\(n + 2)", "created_at": "\(Self.time(1, 0))", "layers": {"L0": {"name": "Infra", "tasks": [
              \(Self.task(0, "T1", "Create schema tables", complexity: "easy", agent: "bob", started: Self.time(5, 8), completed: Self.time(5, 8 + easy / 60, easy % 60))),
              \(Self.task(1, "T2", "Migrate old records", complexity: "hard", agent: "carol", started: Self.time(5, 9), completed: Self.time(5, 9 + hard / 60, hard % 60)))]}}}
            """)
        }
        // Unlike: other agents, other words, all medium.
        try project.write(".claude/execution/archive/X001-20261101.json", """
        {"feature": "X001", "created_at": "\(Self.time(1, 0))", "layers": {"L0": {"name": "UI", "tasks": [
          \((0..<6).map { Self.task($0, "T\($0)", "Paint button \($0)", complexity: "medium", agent: "dora", started: Self.time(6, 8), completed: Self.time(6, 20)) }.joined(separator: ",\n"))]}}}
        """)
        let estimate = try json(try project.run(["estimate", "N001", "--json"]))
        #expect(estimate["enough_history"] as? Bool == true, "\(estimate)")
        let learned = try #require(estimate["learned_from"] as? [[String: Any]])
        #expect(Set(learned.compactMap { $0["spec"] as? String }) == ["B001", "B002", "B003", "B004", "B005"],
                "archived and alike: not A001 (live), not X001 (unlike)")
        // Easy samples 30, 40, 45, 50, 60 minutes; hard 360, 420, 450, 480, 540 (nearest rank of
        // five: p25 the 2nd, p50 the 3rd, p75 the 4th, p90 the 5th). p25 40m + 7h; p50 45m + 7h30m;
        // p75 50m + 8h; p90 60m + 9h.
        let work = try #require(estimate["work_ms"] as? [String: Any])
        #expect(["p25", "p50", "p75", "p90"].map { ms(work[$0]) } == [460, 495, 530, 600].map { $0 * Self.minute })
        let text = try project.run(["estimate", "N001"])
        #expect(text.stdout.contains("N001: 2 task(s) left (easy 1, hard 1)"))
        #expect(text.stdout.contains("work left: 7h 40m to 8h 50m (p25–p75), median 8h 15m, p90 10h 0m"))
        #expect(try project.run(["estimate", "NOPE"]).exitCode == 2)
    }
}
