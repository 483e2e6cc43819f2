import Foundation
import Testing

/// `report --format html` and `export --format chrome-trace` (docs/html-report.md): what the page
/// and the trace hold, checked in the files and, where Chromium is installed, in a real browser.
@Suite struct HTMLReportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/html")

    /// Every text the status file gives a page, hostile: a script that would mark the window, an
    /// image with a handler, entities, quotes, a line separator.
    static let hostile = "</script><script>window.__exectrack_pwned=1</script><img src=x onerror=\"window.__exectrack_pwned=2\"> &amp; 'q' \u{2028}end"

    /// A spec run by hand: L0.0 failed once then completed, L0.1 completed, an error, a passing
    /// gate, usage on L0.0; L1.0 running.
    func worked() throws -> Project {
        let project = try Project(specs: ["F001": f001Tasks])
        for step in [["init", "F001"], ["claim", "F001", "--agent", "db-agent"], ["error", "F001", "L0", "0", "Connection refused by the database"],
                     ["update", "F001", "L0", "0", "in_progress", "--agent", "db-agent"], ["update", "F001", "L0", "0", "complete"],
                     ["claim", "F001", "--agent", "api-agent"], ["update", "F001", "L0", "1", "complete"],
                     ["gate", "F001", "L0", "tests", "--status", "passed"],
                     ["usage", "F001", "L0", "0", "--input-tokens", "2000", "--output-tokens", "300", "--model", "claude-sonnet-4-5"],
                     ["claim", "F001", "--agent", "api-agent"]] {
            let run = try project.run(step)
            #expect(run.exitCode == 0, "\(step): \(run.stderr)")
        }
        return project
    }

    func hostileProject() throws -> Project {
        let project = try Project()
        let text = String(data: try JSONSerialization.data(withJSONObject: Self.hostile, options: .fragmentsAllowed), encoding: .utf8)!
        try project.write(".claude/execution/H001.json", """
        {"feature": "H001", "feature_name": \(text), "created_at": "2026-11-02T00:00:00.000Z", "layers": {
          "L0": {"name": \(text), "tasks": [
            {"id": "T1", "description": \(text), "agent": \(text), "status": "complete", "started_at": "2026-11-02T10:00:00.000Z",
             "completed_at": "2026-11-02T11:00:00.000Z", "attempts": 1},
            {"id": "T2", "description": "plain", "status": "failed", "started_at": "2026-11-02T10:30:00.000Z",
             "completed_at": "2026-11-02T10:45:00.000Z", "attempts": 1, "error": \(text)}],
          "gates": [{"name": \(text), "status": "failed", "executed_at": "2026-11-02T11:30:00.000Z", "attempt": 1, "details": \(text)}]}},
         "errors": [{"layer": "L0", "task_index": 1, "error": \(text), "timestamp": "2026-11-02T10:45:00.000Z", "severity": "high",
                     "category": "other"}]}
        """)
        return project
    }

    /// The JSON in the page's data block.
    func data(_ page: String) throws -> [String: Any] {
        let open = #"<script type="application/json" id="exectrack-data">"#
        let start = try #require(page.range(of: open)).upperBound
        let end = try #require(page.range(of: "</script>", range: start..<page.endIndex)).lowerBound
        return try #require(try JSONSerialization.jsonObject(with: Data(page[start..<end].utf8)) as? [String: Any])
    }

    func attempts(_ page: String) throws -> [[String: Any]] {
        try #require((try data(page)["timeline"] as? [String: Any])?["attempts"] as? [[String: Any]])
    }

    @Test func theTimelineHoldsEveryAttemptAndTheTraceToo() throws {
        let project = try worked()
        let run = try project.run(["report", "F001", "--format", "html", "--output", "report.html"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let page = try String(contentsOf: project.url("report.html"), encoding: .utf8)
        for id in ["summary", "timeline", "layers", "errors", "gates", "usage"] { #expect(page.contains("id=\"\(id)\""), "section \(id)") }
        let all = try attempts(page)
        // L0.0: failed (the error), then completed; L0.1 completed; L1.0 running.
        #expect(all.map { "\($0["layer"]!).\($0["index"]!)#\($0["attempt"]!) \($0["outcome"]!)" }
            == ["L0.0#1 failed", "L0.0#2 complete", "L0.1#1 complete", "L1.0#1 in_progress"])
        #expect(all[3]["end"] is NSNull, "a running attempt has no end")
        #expect(page.components(separatedBy: "<rect class=\"attempt").count - 1 == 4, "one bar per attempt")
        #expect(page.contains("class=\"marker error"), "the error is marked")
        #expect(page.contains("class=\"marker gate m-passed"), "so is the gate")
        #expect(Set(all.map { $0["agent"] as? String }) == ["db-agent", "api-agent"])
        // The same attempts in the trace: one complete event each, on its agent's thread.
        let trace = try project.run(["export", "F001", "--format", "chrome-trace"])
        #expect(trace.exitCode == 0, "\(trace.stderr)")
        let events = try #require((try JSONSerialization.jsonObject(with: Data(trace.stdout.utf8)) as? [String: Any])?["traceEvents"] as? [[String: Any]])
        let complete = events.filter { $0["ph"] as? String == "X" }
        #expect(complete.count == 4)
        #expect(complete.allSatisfy { ($0["ts"] as? Int ?? -1) >= 0 && ($0["dur"] as? Int ?? -1) >= 0 })
        let threads = events.filter { $0["name"] as? String == "thread_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        #expect(Set(threads).isSuperset(of: ["db-agent", "api-agent"]), "\(threads)")
        #expect(events.contains { $0["ph"] as? String == "i" && $0["cat"] as? String == "error" })
        #expect(events.contains { $0["ph"] as? String == "C" && $0["name"] as? String == "cost_usd" })
        // The live view is text: --watch with --format html or --output is refused.
        #expect(try project.run(["report", "F001", "--watch", "--format", "html"]).exitCode == 1)
        // export --format html is the same page.
        #expect(try project.run(["export", "F001", "--format", "html", "--output", "export.html"]).exitCode == 0)
        #expect(try attempts(String(contentsOf: project.url("export.html"), encoding: .utf8)).count == 4)
    }

    /// The log is read block by block (docs/benchmarks.md): lines longer than a block, a log
    /// past the 64 MiB a status file may have, and a last line still being written change
    /// nothing in the timeline.
    @Test func aLongLogWithLongLinesGivesTheSameTimeline() throws {
        let project = try worked()
        let log = ".claude/execution/F001.events.jsonl"
        #expect(try project.run(["report", "F001", "--format", "html", "--output", "before.html"]).exitCode == 0)
        let before = try attempts(String(contentsOf: project.url("before.html"), encoding: .utf8))
        let lines = try String(contentsOf: project.url(log), encoding: .utf8).split(separator: "\n").map(String.init)
        let megabyte = String(repeating: "x", count: 1 << 20) + "\n"
        var padded = String(repeating: megabyte, count: 66)
        for (n, line) in lines.enumerated() { padded += String(repeating: "y", count: 100_000 + n * 37_000) + "\n" + line + "\n" }
        // Most of an event, the start of another attempt of a done task: a write in progress,
        // which would add a fifth attempt if it were read as a line.
        let started = try #require(lines.first { $0.contains("\"dev.exectrack.task.started\"") })
        padded += String(started.prefix(started.count - 10))
        try project.write(log, padded)
        let run = try project.run(["report", "F001", "--format", "html", "--output", "after.html"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let after = try attempts(String(contentsOf: project.url("after.html"), encoding: .utf8))
        #expect(after.count == 4)
        #expect(after.map { "\($0["layer"]!).\($0["index"]!)#\($0["attempt"]!) \($0["outcome"]!) \($0["start"]!)" }
            == before.map { "\($0["layer"]!).\($0["index"]!)#\($0["attempt"]!) \($0["outcome"]!) \($0["start"]!)" })
    }

    @Test func everyTextIsEscapedAndThePageFetchesNothing() throws {
        let project = try hostileProject()
        let run = try project.run(["report", "H001", "--format", "html"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let page = run.stdout
        #expect(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        #expect(page.components(separatedBy: "<script").count - 1 == 1, "the data block is the page's only script element")
        #expect(!page.contains("<img"), "no image element, escaped or not")
        #expect(!page.contains(" src=\"") && !page.contains(" href=\"") && !page.contains("url("), "nothing to fetch")
        let block = try #require(page.range(of: "id=\"exectrack-data\">")).upperBound
        #expect(!page[block...].contains("\u{2028}"), "no raw line separator in the data")
        #expect(page[block...].contains("\\u003c/script\\u003e"), "the data's </script> cannot end its block")
        let descriptions = try attempts(page).compactMap { $0["description"] as? String }
        #expect(descriptions.contains(Self.hostile), "the data holds the text as it was")
        #expect(page.contains("&lt;/script&gt;&lt;script&gt;window.__exectrack_pwned=1"), "shown as text")
    }

    /// Chromium, its driver and Selenium, or the test is skipped saying what to install.
    func browser() throws -> URL {
        let python = try Tool.python3.required()
        for path in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: path) {
            try skipTest("\(path) is missing (install the chromium and chromium-driver packages)")
        }
        let probe = try runProcess(python, ["-c", "import selenium"], environment: [:], in: FileManager.default.temporaryDirectory)
        if probe.exitCode != 0 { try skipTest("Selenium is not installed (pip install selenium)") }
        return python
    }

    func open(_ page: URL, screenshot: URL? = nil) throws -> [String: Any] {
        let python = try browser()
        let run = try runProcess(python, [Self.fixtures.appendingPathComponent("browser.py").path, page.path] + (screenshot.map { [$0.path] } ?? []),
                                 environment: [:], in: page.deletingLastPathComponent())
        #expect(run.exitCode == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\n\(run.stderr)")
    }

    @Test func aRealBrowserRendersItWithNoErrorAndNoRequest() throws {
        _ = try browser()
        let project = try worked()
        #expect(try project.run(["report", "F001", "--format", "html", "--output", "report.html"]).exitCode == 0)
        let screenshot = artifactsDirectory?.appendingPathComponent("report.screenshot.png")
        let seen = try open(project.url("report.html"), screenshot: screenshot)
        #expect(seen["ready_state"] as? String == "complete")
        #expect(seen["sections"] as? [String] == ["summary", "timeline", "layers", "errors", "gates", "usage"])
        #expect(seen["bars"] as? Int == 4 && seen["data_attempts"] as? Int == 4, "one bar per attempt: \(seen)")
        #expect((seen["markers"] as? Int ?? 0) >= 2)
        #expect((seen["console"] as? [String])?.isEmpty == true, "\(seen["console"] ?? "")")
        #expect(seen["requests"] as? [String] == [project.url("report.html").absoluteURL.absoluteString], "only the page itself: \(seen["requests"] ?? "")")
        #expect((seen["first_bar_title"] as? String)?.contains("attempt 1: failed") == true)
        if let screenshot { #expect(FileManager.default.fileExists(atPath: screenshot.path)) }
    }

    @Test func hostileTextsStayTextInTheBrowser() throws {
        _ = try browser()
        let project = try hostileProject()
        #expect(try project.run(["report", "H001", "--format", "html", "--output", "page.html"]).exitCode == 0)
        let seen = try open(project.url("page.html"))
        #expect(seen["alert"] as? String == "undefined", "no injected script ran")
        #expect(seen["scripts"] as? Int == 1 && seen["images"] as? Int == 0 && seen["with_handlers"] as? Int == 0, "\(seen)")
        #expect((seen["heading"] as? String)?.contains("</script><script>window.__exectrack_pwned=1</script>") == true, "\(seen["heading"] ?? "")")
        #expect((seen["data_descriptions"] as? [String])?.contains(Self.hostile) == true)
        #expect((seen["error_messages"] as? [String])?.first?.contains("<img src=x onerror=") == true)
        #expect((seen["console"] as? [String])?.isEmpty == true, "\(seen["console"] ?? "")")
        #expect((seen["requests"] as? [String])?.count == 1)
    }

    /// 10,000 finished tasks by eight agents: the page stays a few MB, and every bar is there.
    @Test func tenThousandTasks() throws {
        let project = try Project()
        var tasks: [String] = []
        let base = 1_793_613_600_000 as Int64
        for i in 0..<10_000 {
            let start = base + Int64(i / 8) * 600_000, end = start + 300_000 + Int64(i % 5) * 60_000
            func iso(_ ms: Int64) -> String {
                let date = Date(timeIntervalSince1970: Double(ms) / 1000)
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                return f.string(from: date)
            }
            tasks.append(#"{"id": "T\#(i)", "description": "Task \#(i)", "agent": "agent-\#(i % 8)", "status": "complete", "started_at": "\#(iso(start))", "completed_at": "\#(iso(end))", "attempts": 1}"#)
        }
        try project.write(".claude/execution/BIG.json", #"{"feature": "BIG", "created_at": "2026-11-02T10:00:00.000Z", "layers": {"L0": {"name": "All", "tasks": ["#
            + tasks.joined(separator: ",\n") + "]}}}")
        #expect(try project.run(["report", "BIG", "--format", "html", "--output", "big.html"]).exitCode == 0)
        let size = try FileManager.default.attributesOfItem(atPath: project.url("big.html").path)[.size] as? Int ?? 0
        #expect(size < 8 << 20, "\(size) bytes")
        #expect(try attempts(String(contentsOf: project.url("big.html"), encoding: .utf8)).count == 10_000)
        _ = try browser()
        let seen = try open(project.url("big.html"))
        #expect(seen["bars"] as? Int == 10_000)
        #expect((seen["console"] as? [String])?.isEmpty == true)
    }
}
