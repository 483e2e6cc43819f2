import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `metrics` (the script's step 6) and `export` for CI, run as users run them.
@Suite struct MetricsExportTests {
    /// F001 part-way: L0 done, L1 with a running task, a failed task with an error, a skip.
    func midRunProject() throws -> Project {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        for task in 0..<2 {
            try project.run(["update", "F001", "L0", "\(task)", "in_progress"])
            try project.run(["update", "F001", "L0", "\(task)", "complete", "--duration-ms", "\(1000 * (task + 1))"])
        }
        try project.run(["complete-layer", "F001", "L0"])
        try project.run(["update", "F001", "L1", "0", "in_progress"])
        try project.run(["update", "F001", "L1", "1", "in_progress"])
        try project.run(["error", "F001", "L1", "1", "Database <connection> timeout & \"retry\"", "--severity", "high"])
        try project.run(["update", "F001", "L1", "2", "skipped"])
        return project
    }

    @Test func calculateMetricsExportWritesTheScriptsFile() throws {
        let project = try midRunProject()
        let r = try project.run(["calculate-metrics", "F001", "--export"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Overall Progress: 23% (3/13 tasks)"))
        #expect(r.stdout.contains("Average Task Duration: "))
        #expect(r.stderr.contains("Exported metrics to .claude/execution/F001-metrics.json"))
        let data = try Data(contentsOf: project.url(".claude/execution/F001-metrics.json"))
        let metrics = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(metrics["spec"] as? String == "F001")
        #expect(metrics["completion_percentage"] as? Int == 23)
        #expect(metrics["completed_tasks"] as? Int == 2)
        #expect(metrics["failed_tasks"] as? Int == 1)
        #expect(metrics["error_count"] as? Int == 1)
        #expect(metrics["success_rate"] as? Double == 66.67)
        #expect((metrics["layer_metrics"] as? [String: Any])?.keys.sorted() == ["L0", "L1", "L2", "L3"])
        #expect(metrics["schema_version"] as? Int == 1)
        // The export's path can be chosen, and --format json prints the same document.
        // The export's directory is created when missing.
        let written = try project.run(["metrics", "F001", "--export", "out/m.json", "--format", "json"])
        #expect(written.exitCode == 0, "\(written.stderr)")
        let printed = try JSONSerialization.jsonObject(with: Data(written.stdout.utf8)) as! [String: Any]
        let exported = try JSONSerialization.jsonObject(with: Data(contentsOf: project.url("out/m.json"))) as! [String: Any]
        #expect(printed["generated_at"] as? String == exported["generated_at"] as? String)
        #expect(NSDictionary(dictionary: printed) == NSDictionary(dictionary: exported))
    }

    @Test func undefinedFiguresAreNullNotNaN() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let r = try project.run(["metrics", "F001", "--json"])
        #expect(r.exitCode == 0)
        #expect(!r.stdout.lowercased().contains("nan"))
        let metrics = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(metrics["average_duration_ms"] is NSNull)
        #expect(metrics["success_rate"] is NSNull)
        #expect(metrics["estimated_remaining_ms"] is NSNull)
        #expect(metrics["throughput_tasks_per_hour"] is NSNull)
        let text = try project.run(["metrics", "F001"])
        #expect(text.stdout.contains("Average Task Duration: n/a"))
        #expect(text.stdout.contains("Success Rate: n/a"))
    }

    @Test func junitExportMarksFailuresAndSkips() throws {
        let project = try midRunProject()
        let r = try project.run(["export", "F001", "--format", "junit"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let xml = try XMLDocument(data: Data(r.stdout.utf8))
        let suites = try xml.nodes(forXPath: "/testsuites/testsuite")
        #expect(suites.count == 4)
        let failures = try xml.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == 1)
        #expect((failures[0] as? XMLElement)?.attribute(forName: "message")?.stringValue == "Database <connection> timeout & \"retry\"")
        #expect((failures[0] as? XMLElement)?.attribute(forName: "type")?.stringValue == "timeout")
        // 13 tasks: 2 complete and 1 failed ran; the rest (1 skipped, 1 running, 8 pending) are skipped.
        #expect(try xml.nodes(forXPath: "//testcase").count == 13)
        #expect(try xml.nodes(forXPath: "//testcase/skipped").count == 10)
        let first = try xml.nodes(forXPath: "//testcase").first as? XMLElement
        #expect(first?.attribute(forName: "time")?.stringValue == "1.000")
        #expect(first?.attribute(forName: "name")?.stringValue == "L0.0 Setup database schema")
    }

    @Test func otlpExportIsStableAndNested() throws {
        let project = try midRunProject()
        try FileManager.default.createDirectory(at: project.url("artifacts"), withIntermediateDirectories: true)
        var r = try project.run(["export", "F001", "--format", "otlp", "--output", "artifacts/trace.otlp.json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let first = try JSONSerialization.jsonObject(with: Data(contentsOf: project.url("artifacts/trace.otlp.json"))) as! [String: Any]
        r = try project.run(["export", "F001", "--format", "otlp"])
        let second = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        func spans(_ doc: [String: Any]) -> [[String: Any]] {
            let resource = (doc["resourceSpans"] as! [[String: Any]])[0]
            return ((resource["scopeSpans"] as! [[String: Any]])[0]["spans"] as! [[String: Any]])
        }
        // Feature + L0 + L1 spans, and spans for the 2 + 2 started tasks (the skip never started).
        #expect(spans(first).count == 1 + 2 + 2 + 2)
        #expect(spans(first).map { $0["spanId"] as! String } == spans(second).map { $0["spanId"] as! String })
        let traceIDs = Set(spans(first).map { $0["traceId"] as! String })
        #expect(traceIDs.count == 1)
        let feature = spans(first).first { $0["parentSpanId"] == nil }!
        let layers = spans(first).filter { $0["parentSpanId"] as? String == feature["spanId"] as? String }
        #expect(layers.map { $0["name"] as? String } == ["L0 Infrastructure", "L1 Core Services"])
        let failed = spans(first).first { ($0["status"] as? [String: Any])?["code"] as? Int == 2 }
        #expect(failed?["name"] as? String == "Implement conversation service")
    }

    @Test func stepSummaryForGitHub() throws {
        let project = try midRunProject()
        let r = try project.run(["export", "F001", "--format", "markdown"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.hasPrefix("## Feature F001: AI Chat Interface\n"))
        #expect(r.stdout.contains("| L0 | Infrastructure | ✅ complete | `██████████` 100% | 2/2 | 0 |"))
        #expect(r.stdout.contains("### Failed tasks"))
        #expect(r.stdout.contains("### Metrics"))
        let json = try project.run(["export", "F001", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any])["spec"] as? String == "F001")
    }

    @Test func exportNeedsAKnownFormat() throws {
        let project = try midRunProject()
        #expect(try project.run(["export", "F001"]).exitCode == 1)
        #expect(try project.run(["export", "F001", "--format", "pdf"]).exitCode == 1)
        #expect(try project.run(["export", "NOPE", "--format", "junit"]).exitCode == 2)
    }
}
