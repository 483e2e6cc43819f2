import Foundation
import Testing

/// The original scripts' documented command lines, unchanged, through the drop-in shims in
/// scripts/ (README, "Replacing the old scripts").
@Suite struct DropInTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A project with the shims copied in as scripts/, the way a user replaces the old scripts.
    func projectWithShims() throws -> Project {
        let project = try Project(specs: ["F001": f001Tasks])
        try FileManager.default.createDirectory(at: project.url("scripts"), withIntermediateDirectories: true)
        for name in ["exectrack-shim.sh", "update-status.sh", "parse-layered-tasks.sh", "calculate-metrics.sh"] {
            try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("scripts/\(name)"), to: project.url("scripts/\(name)"))
        }
        return project
    }

    /// Runs one line of shell as the seed writes it, with exectrack found through $EXECTRACK.
    @discardableResult
    func sh(_ project: Project, _ line: String) throws -> RunResult {
        try runProcess(Tool.bash.required(), ["-c", line], environment: ["EXECTRACK": exectrackBinary.path], in: project.root)
    }

    @Test func theSeedsWorkflowRunsThroughTheShims() throws {
        // The seed's own lines call jq and python3.
        for tool in [Tool.jq, .python3] { _ = try tool.required() }
        let project = try projectWithShims()
        // Step 1.
        var r = try sh(project, "bash scripts/update-status.sh init F001 && bash scripts/parse-layered-tasks.sh F001")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("F001")["total_tasks"] as? Int == 13)
        // Step 2, with the seed's jq edit.
        r = try sh(project, """
            jq '.layers.L0.status = "in_progress" | .layers.L0.started_at = "'$(date -u +%Y-%m-%dT%H:%M:%SZ)'"' \\
              .claude/execution/F001.json > .claude/execution/F001.json.tmp && \\
              mv .claude/execution/F001.json.tmp .claude/execution/F001.json
            bash scripts/update-status.sh update F001 L0 0 in_progress
            bash scripts/update-status.sh update F001 L0 0 complete
            bash scripts/update-status.sh update F001 L0 1 in_progress
            bash scripts/update-status.sh update F001 L0 1 complete
            bash scripts/update-status.sh complete-layer F001 L0
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        // Step 3.
        r = try sh(project, "bash scripts/update-status.sh report F001")
        for line in ["Feature F001: AI Chat Interface", "Overall Progress: 15% (2/13 tasks)", "Status: in_progress",
                     "Layer L0 (Infrastructure): ✅ complete (2/2 tasks)", "Layer L1 (Core Services):  ⏳ pending (0/5 tasks)",
                     "Errors: 0", "Next Action: Continue with L1 execution"] {
            #expect(r.stdout.contains(line), "\(line)")
        }
        // Step 4 and 5: the error, the count, the seed's branch.
        r = try sh(project, """
            for i in 0 1 2; do
              bash scripts/update-status.sh update F001 L1 $i in_progress && bash scripts/update-status.sh update F001 L1 $i complete
            done
            bash scripts/update-status.sh error F001 L1 3 "Database connection timeout"
            error_count=$(jq '.errors | length' .claude/execution/F001.json)
            if [ "$error_count" -gt 3 ]; then
              bash scripts/update-status.sh pause F001
              echo "Too many errors, pausing execution"
            fi
            echo "errors=$error_count"
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("errors=1"))
        #expect(!r.stdout.contains("pausing"))
        // The error-handler agent's snippet (Python, as in the seed).
        r = try sh(project, """
            python3 - <<'PY'
            import subprocess
            def handle_error(spec_id, layer, task_idx, error_msg):
                subprocess.run(["bash", "scripts/update-status.sh", "error", spec_id, layer, str(task_idx), error_msg], check=True)
                if "critical" in error_msg.lower():
                    subprocess.run(["bash", "scripts/update-status.sh", "pause", spec_id], check=True)
            handle_error("F001", "L1", 4, "Critical: permission denied on /srv")
            PY
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try project.status("F001")["status"] as? String == "paused")
        // The progress-tracker agent's snippet.
        r = try sh(project, """
            python3 - <<'PY'
            import json
            with open(".claude/execution/F001.json") as f:
                status = json.load(f)
            print(status['completion_percentage'], status['current_layer'])
            PY
            """)
        #expect(r.stdout == "38 L1\n")
        // Retry the failed tasks, resume, and finish every layer.
        r = try sh(project, """
            set -e
            bash scripts/update-status.sh resume F001
            for i in 3 4; do
              bash scripts/update-status.sh update F001 L1 $i pending
              bash scripts/update-status.sh update F001 L1 $i in_progress
              bash scripts/update-status.sh update F001 L1 $i complete
            done
            bash scripts/update-status.sh complete-layer F001 L1
            for layer in L2:4 L3:2; do
              name=${layer%%:*}; count=${layer##*:}
              for ((i = 0; i < count; i++)); do
                bash scripts/update-status.sh update F001 "$name" "$i" in_progress
                bash scripts/update-status.sh update F001 "$name" "$i" complete
              done
            done
            bash scripts/update-status.sh complete-layer F001 L2
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        // Step 6.
        r = try sh(project, "bash scripts/calculate-metrics.sh F001 && bash scripts/calculate-metrics.sh F001 --export")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Overall Progress: 100% (13/13 tasks)"))
        #expect(FileManager.default.fileExists(atPath: project.url(".claude/execution/F001-metrics.json").path))
        // Step 7.
        r = try sh(project, "bash scripts/update-status.sh complete-layer F001 L3 && bash scripts/update-status.sh report F001")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Overall Progress: 100% (13/13 tasks) ✅"))
        #expect(r.stdout.contains("Status: complete\nTotal Duration: "))
        #expect(r.stdout.contains("Next Action: Run tests with /testing:test F001"))
        // The seed's "Best Practices", "Archive" and "Troubleshooting" lines.
        r = try sh(project, """
            set -e
            mkdir -p .claude/execution/archive
            cp .claude/execution/F001.json .claude/execution/archive/F001-$(date +%Y%m%d).json
            jq '.layers.L0.tasks[0].duration_ms' .claude/execution/F001.json
            jq empty .claude/execution/F001.json
            chmod 644 .claude/execution/F001.json
            cp .claude/execution/F001.json.bak .claude/execution/F001.json
            bash scripts/calculate-metrics.sh F001 > /dev/null
            bash scripts/update-status.sh init F001
            bash scripts/parse-layered-tasks.sh F001
            jq -r .status .claude/execution/F001.json
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("pending\n"), "re-initialised: \(r.stdout)")
    }

    /// The seed's "Real-Time Monitoring" and "Status Webhooks" scripts, rebuilt in examples/.
    @Test func monitoringAndWebhookExamples() throws {
        // notify-slack.sh needs jq and curl; the listening webhook is python3.
        for tool in [Tool.jq, .curl, .python3] { _ = try tool.required() }
        let project = try projectWithShims()
        try sh(project, "bash scripts/update-status.sh init F001")
        try project.run(["update", "F001", "L0", "0", "complete"])
        let examples = Self.repository.appendingPathComponent("examples").path
        // No webhook configured: nothing is sent, and the script says so.
        var r = try sh(project, "unset SLACK_WEBHOOK_URL; bash '\(examples)/notify-slack.sh' F001")
        #expect(r.exitCode == 0)
        #expect(r.stderr.contains("SLACK_WEBHOOK_URL is not set; not sending: Feature F001: 7% complete (status: in_progress)"))
        // A webhook that records what it is sent.
        r = try sh(project, """
            python3 - <<'PY' &
            import http.server, socketserver
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    open('received.json', 'wb').write(body)
                    self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
                def log_message(self, *args): pass
            with socketserver.TCPServer(('127.0.0.1', 0), Hook) as server:
                open('port', 'w').write(str(server.server_address[1]))
                server.handle_request()
            PY
            for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
            SLACK_WEBHOOK_URL="http://127.0.0.1:$(cat port)/hook" bash '\(examples)/notify-slack.sh' F001
            wait
            cat received.json
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix(#"{"text":"Feature F001: 7% complete (status: in_progress)"}"#), "\(r.stdout)")
        // The watch script: piped, it prints the report and waits for changes.
        r = try sh(project, "timeout 1 bash '\(examples)/watch-progress.sh' F001 0.2; echo \"exit $?\"")
        #expect(r.stdout.contains("Overall Progress: 7% (1/13 tasks)"))
        #expect(r.stdout.hasSuffix("exit 124\n"), "runs until stopped")
    }

    @Test func shimsKeepTheOriginalExitCodes() throws {
        let project = try projectWithShims()
        try sh(project, "bash scripts/update-status.sh init F001")
        #expect(try sh(project, "bash scripts/update-status.sh update F001 L0 0 bogus").exitCode == 3)
        #expect(try sh(project, "bash scripts/update-status.sh update F002 L0 0 complete").exitCode == 2)
        #expect(try sh(project, "bash scripts/update-status.sh update F001 L9 0 complete").exitCode == 6)
        #expect(try sh(project, "bash scripts/update-status.sh").exitCode == 1)
        #expect(try sh(project, "bash scripts/calculate-metrics.sh").exitCode == 1)
        let missing = try runProcess(Tool.bash.required(), ["-c", "bash scripts/update-status.sh report F001"],
                                     environment: ["PATH": "/usr/bin:/bin"], in: project.root)
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("exectrack not found"))
    }

    @Test func filesWrittenByTheOriginalScriptsLoadAndUpgrade() throws {
        let project = try projectWithShims()
        // The shape the original scripts wrote: "completed" statuses, counters that disagree with
        // the tasks, a layer without tasks, no schema_version, timestamps without fractions.
        try project.write(".claude/execution/F001.json", """
        {
          "feature": "F001",
          "feature_name": "AI Chat Interface",
          "started_at": "2026-11-20T09:00:00Z",
          "last_updated": "2026-11-20T09:30:00Z",
          "status": "in_progress",
          "current_layer": "L1",
          "total_tasks": 0,
          "completed_tasks": 7,
          "completion_percentage": 0,
          "layers": {
            "L0": {"name": "Infrastructure", "status": "completed", "total_tasks": 2, "completed_tasks": 2,
                   "tasks": [
                     {"index": 0, "description": "Setup database schema", "command": "/db:migrate chat", "status": "completed",
                      "started_at": "2026-11-20T09:00:00Z", "completed_at": "2026-11-20T09:10:00Z", "duration_ms": 600000},
                     {"index": 1, "description": "Initialize API structure", "status": "completed",
                      "started_at": "2026-11-20T09:10:00Z", "completed_at": "2026-11-20T09:15:00Z", "duration_ms": 300000}
                   ]},
            "L1": {"name": "Core Services", "status": "pending", "total_tasks": 5,
                   "tasks": [{"index": 0, "description": "Implement message storage service", "status": "pending"}]},
            "L2": {"name": "Features", "status": "pending", "total_tasks": 4}
          },
          "errors": [{"layer": "L1", "task_index": 0, "error": "Database connection timeout", "timestamp": "2026-11-20T09:20:00Z"}],
          "next_action": "Continue with L1 execution",
          "custom_note": "written by the old scripts"
        }
        """)
        var r = try sh(project, "bash scripts/update-status.sh report F001")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Overall Progress: 66% (2/3 tasks)"))
        #expect(r.stdout.contains("Layer L0 (Infrastructure): ✅ complete (2/2 tasks)"))
        #expect(r.stdout.contains("Layer L2 (Features):       ✅ complete (0/0 tasks)"))
        r = try sh(project, "bash scripts/update-status.sh update F001 L1 0 in_progress && bash scripts/calculate-metrics.sh F001")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Average Task Duration: 7m 30s"))
        // The first write upgraded the file: statuses normalised, counters true, fields kept.
        let upgraded = try project.status("F001")
        #expect(upgraded["schema_version"] as? Int == 1)
        #expect(upgraded["total_tasks"] as? Int == 3)
        #expect(upgraded["custom_note"] as? String == "written by the old scripts")
        // The seed's jq lines still read it.
        #expect(try project.jq(".completion_percentage", ".claude/execution/F001.json").stdout == "66\n")
        #expect(try project.jq(".errors | length", ".claude/execution/F001.json").stdout == "1\n")
        #expect(try project.jq(".layers.L0.tasks[0].duration_ms", ".claude/execution/F001.json").stdout == "600000\n")
        #expect(try project.jq(".layers.L0.tasks[0].status", ".claude/execution/F001.json").stdout == "\"complete\"\n")
    }

    @Test func archiveCopiesAndRemoves() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let original = try project.statusBytes("F001")
        var r = try project.run(["archive", "F001"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        // The event log goes along (docs/events.md, "Archiving").
        let archivedFiles = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution/archive").path)
        let archived = archivedFiles.filter { $0.hasSuffix(".json") }
        #expect(archived.count == 1)
        #expect(archivedFiles.contains(archived[0].replacingOccurrences(of: ".json", with: ".events.jsonl")), "\(archivedFiles)")
        #expect(archived[0].range(of: #"^F001-\d{8}\.json$"#, options: .regularExpression) != nil, "\(archived)")
        r = try project.run(["archive", "F001", "--remove"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let both = try FileManager.default.contentsOfDirectory(atPath: project.url(".claude/execution/archive").path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(both.count == 2)
        #expect(both.contains { $0.range(of: #"^F001-\d{8}-\d{6}\.json$"#, options: .regularExpression) != nil }, "\(both)")
        for name in both {
            #expect(try Data(contentsOf: project.url(".claude/execution/archive/\(name)")) == original)
        }
        #expect(!FileManager.default.fileExists(atPath: project.statusURL("F001").path))
        #expect(try project.run(["list"]).stdout.contains("No specs"))
        #expect(try project.run(["archive", "F001"]).exitCode == 2)
    }

    /// The bash script completes commands, spec ids, options, and the values of arguments and
    /// options by their kind: layer keys from the spec's file, statuses, formats, severities, shells.
    @Test func bashCompletionOffersValuesByKind() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let bash = try project.run(["completions", "bash"])
        #expect(bash.exitCode == 0)
        try project.write("exectrack.bash", bash.stdout)
        #expect(try runProcess(Tool.bash.required(), ["-n", "exectrack.bash"], environment: [:], in: project.root).exitCode == 0)
        let cases: [(line: [String], offered: String)] = [
            (["cl"], "claim"),
            (["update", "F"], "F001"),
            (["update", "F001", ""], "L0 L1 L2 L3"),
            (["update", "F001", "L1", "3", "c"], "complete"),
            (["update", "--json", "F001", "L1", "3", ""], "pending in_progress complete failed skipped"),
            (["update", "--ou"], "--output"),
            (["update", "F001", "L1", "3", "done", "--output", ""], ""),
            (["report", "F001", "--format", ""], "text markdown json html"),
            (["export", "F001", "--format", "j"], "junit json"),
            (["error", "F001", "L0", "0", "boom", "--severity", "c"], "critical"),
            (["error", "F001", "L0", "0", "boom", "--category", "t"], "timeout"),
            (["warn", "F001", "careful", "--layer", "L"], "L0 L1 L2 L3"),
            (["next", "F001", "--layer", "L2"], "L2"),
            (["claim", "F001", "--layer", ""], "L0 L1 L2 L3"),
            (["completions", ""], "bash zsh"),
        ]
        var script = "source exectrack.bash\n"
        for c in cases {
            let words = (["exectrack"] + c.line).map { "'\($0)'" }.joined(separator: " ")
            script += "COMP_WORDS=(\(words)); COMP_CWORD=\(c.line.count); _exectrack; echo \"${COMPREPLY[*]}\"\n"
        }
        let completed = try runProcess(Tool.bash.required(), ["-c", script], environment: [:], in: project.root)
        let lines = completed.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, c) in cases.enumerated() {
            #expect(i < lines.count && lines[i] == c.offered, "exectrack \(c.line.joined(separator: " ")): got \(i < lines.count ? lines[i] : "nothing"); \(completed.stderr)")
        }
        #expect(try project.run(["completions", "fish"]).exitCode == 1)
    }

    /// The zsh script parses, and hands `_arguments` the same kinds: spec ids, layer keys from the
    /// spec's file, statuses, formats.
    @Test func zshCompletionOffersValuesByKind() throws {
        let zsh = try Tool.zsh.required()
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.write("_exectrack", try project.run(["completions", "zsh"]).stdout)
        let checked = try runProcess(zsh, ["-n", "_exectrack"], environment: [:], in: project.root)
        #expect(checked.exitCode == 0, "\(checked.stderr)")
        // zsh's completion functions replaced by ones that print what they are given.
        let r = try runProcess(zsh, ["-c", """
            _arguments() { print -rl -- "$@" }
            _describe() { print -r -- "described $1: ${(P)2}" }
            words=(exectrack update F001 ''); CURRENT=4
            source ./_exectrack
            words=(exectrack report F001 --format ''); CURRENT=5
            source ./_exectrack
            words=(update F001 ''); CURRENT=3
            _exectrack_layers
            """], environment: [:], in: project.root)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("1:spec:_exectrack_specs"))
        #expect(lines.contains("2:layer:_exectrack_layers"))
        #expect(lines.contains("4:status:(pending in_progress complete failed skipped)"))
        #expect(lines.contains("--format[default text; html is one self-contained page with a timeline]:format:(text markdown json html)"))
        #expect(lines.contains("described layer: L0 L1 L2 L3"))
    }
}
