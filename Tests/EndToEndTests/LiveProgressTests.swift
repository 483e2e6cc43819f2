import Foundation
import Testing

/// watch, next, claim, list and colour, as users and agents meet them.
@Suite struct LiveProgressTests {
    /// A spec of `layers` × `perLayer` tasks in dialect C (ids T0001...).
    func bigSpec(layers: Int, perLayer: Int) -> String {
        var text = "# Layered Tasks: Parallel Work\n"
        var n = 0
        for layer in 0..<layers {
            text += "## Layer \(layer): Part \(layer)\n"
            for _ in 0..<perLayer {
                n += 1
                text += "- [ ] T\(String(format: "%04d", n)) Task number \(n)\n"
            }
        }
        return text
    }

    @Test func sixteenAgentsClaimEveryTaskExactlyOnce() throws {
        let project = try Project(specs: ["P200": bigSpec(layers: 4, perLayer: 50)])
        try project.run(["init", "P200"])
        // Each agent loops: claim, complete, until nothing is left; a short pause when nothing
        // is ready yet (the layer's last tasks are still running elsewhere).
        let script = """
        set -u
        while :; do
          out=$("$EXECTRACK" claim P200 --agent "agent-$1" 2>/tmp/claim-err-$$); rc=$?
          if [ $rc -eq 0 ]; then
            set -- "$1" $out
            "$EXECTRACK" update P200 "$2" "$3" complete >/dev/null || exit 1
            echo "$2 $3"
            set -- "$1"
          elif [ $rc -eq 6 ]; then
            grep -q "every task is complete" /tmp/claim-err-$$ && { rm -f /tmp/claim-err-$$; exit 0; }
            sleep 0.02
          else
            cat /tmp/claim-err-$$ >&2; exit $rc
          fi
        done
        """
        var agents: [(Process, URL)] = []
        for agent in 0..<16 {
            let process = Process()
            process.executableURL = try Tool.bash.required()
            process.arguments = ["-c", script, "agent", "\(agent)"]
            process.currentDirectoryURL = project.root
            process.environment = ["EXECTRACK": exectrackBinary.path, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
            let log = project.url("agent-\(agent).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = FileHandle.nullDevice
            agents.append((process, log))
        }
        for (process, _) in agents { try process.run() }
        for (process, _) in agents { process.waitUntilExit() }
        #expect(agents.allSatisfy { $0.0.terminationStatus == 0 })

        // Every task claimed exactly once across all agents.
        let claimed = try agents.flatMap { try String(contentsOf: $0.1, encoding: .utf8).split(separator: "\n").map(String.init) }
        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200)

        let status = try project.status("P200")
        #expect(status["status"] as? String == "complete")
        #expect(status["completed_tasks"] as? Int == 200)
        // Layers finished in order: no task of a layer started before the previous layer ended.
        let layers = status["layers"] as! [String: Any]
        for layer in 1..<4 {
            let previous = layers["L\(layer - 1)"] as! [String: Any]
            let tasks = (layers["L\(layer)"] as! [String: Any])["tasks"] as! [[String: Any]]
            let firstStart = tasks.compactMap { $0["started_at"] as? String }.min()!
            #expect((previous["completed_at"] as! String) <= firstStart, "L\(layer) started before L\(layer - 1) finished")
        }
        // Every task records one attempt by some agent.
        let tasks = layers.values.flatMap { (($0 as! [String: Any])["tasks"] as! [[String: Any]]) }
        #expect(tasks.allSatisfy { $0["attempts"] as? Int == 1 && ($0["agent"] as? String)?.hasPrefix("agent-") == true })
    }

    @Test func nextAndClaimFollowDependenciesAndLayers() throws {
        let project = try Project(specs: ["D1": """
        # Layered Tasks: Deps
        ## Layer 1: Base
        - [ ] T001 Model
        - [ ] T002 Storage depends on T001
        - [x] T003 Already done
        ## Layer 2: Top
        - [ ] T004 Endpoint depends on T002
        """])
        try project.run(["init", "D1"])
        var r = try project.run(["next", "D1"])
        #expect(r.stdout == "L1 0 T001 Model\n")
        r = try project.run(["next", "D1", "--any-layer", "--json"])
        let ready = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(ready.map { $0["id"] as? String } == ["T001"], "T004 waits on T002 even across layers")

        r = try project.run(["claim", "D1", "--agent", "ana", "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let claimed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(claimed["layer"] as? String == "L1")
        #expect(claimed["index"] as? Int == 0)
        #expect(claimed["id"] as? String == "T001")
        #expect(claimed["description"] as? String == "Model")
        #expect(claimed["agent"] as? String == "ana")

        let before = try project.fingerprint(".claude/execution/D1.json")
        r = try project.run(["claim", "D1"])
        #expect(r.exitCode == 6)
        #expect(r.stderr.contains("1 task running"))
        #expect(try project.fingerprint(".claude/execution/D1.json") == before)

        try project.run(["error", "D1", "L1", "T001", "compile error"])
        r = try project.run(["claim", "D1"])
        #expect(r.exitCode == 6)
        #expect(r.stderr.contains("failed task L1.0 must be retried"))

        try project.run(["update", "D1", "L1", "T001", "complete"])
        r = try project.run(["claim", "D1", "--layer", "top"])
        #expect(r.exitCode == 6, "a layer named by the start of its name; nothing of it is ready")
        #expect(r.stderr.contains("nothing ready in L2 of D1"))
        r = try project.run(["claim", "D1", "--layer", "L1"])
        #expect(r.stdout == "L1 1 T002 Storage\n")
        try project.run(["update", "D1", "L1", "1", "complete"])
        try project.run(["pause", "D1", "lunch"])
        r = try project.run(["claim", "D1"])
        #expect(r.exitCode == 6)
        #expect(r.stderr.contains("paused: lunch"))
        try project.run(["resume", "D1"])
        #expect(try project.run(["next", "D1", "--limit", "5"]).stdout == "L2 0 T004 Endpoint\n")
        try project.run(["claim", "D1"])
        try project.run(["update", "D1", "L2", "0", "done"])
        r = try project.run(["claim", "D1"])
        #expect(r.exitCode == 6)
        #expect(r.stderr.contains("every task is complete or skipped"))
    }

    @Test func listShowsEverySpec() throws {
        let project = try Project(specs: ["F001": f001Tasks, "F002": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["init", "F002"])
        try project.run(["update", "F002", "L0", "0", "in_progress"])
        try project.write(".claude/execution/BROKEN.json", "{ not json")
        try project.run(["metrics", "F001", "--export"])
        try FileManager.default.createDirectory(at: project.url(".claude/execution/archive"), withIntermediateDirectories: true)
        try project.write(".claude/execution/archive/OLD-20260101.json", "{}")
        var r = try project.run(["list"])
        #expect(r.exitCode == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("BROKEN  unreadable"))
        #expect(lines[1].hasPrefix("F001    pending      [░░░░░░░░░░] 0%    L0        running 0, failed 0, updated "))
        #expect(lines[2].hasPrefix("F002    in_progress  [░░░░░░░░░░] 0%    L0        running 1, failed 0, updated "))
        r = try project.run(["list", "--json"])
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(list.map { $0["spec"] as? String } == ["BROKEN", "F001", "F002"])
        #expect(list[2]["running_tasks"] as? Int == 1)
        #expect(list[0]["error"] is String)
    }

    @Test func pipedWatchPrintsOneReportPerChangeWithoutEscapes() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        let (watcher, out, err) = try startInBackground(project, ["watch", "F001", "--interval", "0.1", "--exit-on-complete"])
        Thread.sleep(forTimeInterval: 0.4)
        try project.run(["init", "F001"])
        // Each change waits for the watcher to see it: two intervals and a margin.
        var changes = 1
        for (layer, size) in f001LayerSizes.enumerated() {
            for task in 0..<size {
                Thread.sleep(forTimeInterval: 0.3)
                try project.run(["update", "F001", "L\(layer)", "\(task)", "complete"])
                changes += 1
            }
        }
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0, "exits 0 when the spec completes")
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(!text.contains("\u{1B}"))
        #expect(text.components(separatedBy: "Feature F001: AI Chat Interface").count - 1 == changes)
        #expect(text.contains("Overall Progress: 100% (13/13 tasks) ✅"))
        #expect(try String(contentsOf: err, encoding: .utf8).contains("waiting for .claude/execution/F001.json"))
    }

    @Test func watchKeepsTheLastGoodReportOverACorruptFile() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let (watcher, out, err) = try startInBackground(project, ["report", "F001", "--watch", "--interval", "0.1"])
        Thread.sleep(forTimeInterval: 0.4)
        try project.write(".claude/execution/F001.json", "{ half written")
        Thread.sleep(forTimeInterval: 0.4)
        try project.run(["init", "F001", "--force"])
        Thread.sleep(forTimeInterval: 0.4)
        watcher.terminate()
        watcher.waitUntilExit()
        let errors = try String(contentsOf: err, encoding: .utf8).split(separator: "\n")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("warning: cannot read .claude/execution/F001.json") == true)
        let reports = try String(contentsOf: out, encoding: .utf8).components(separatedBy: "Feature F001").count - 1
        #expect(reports == 2, "the first report, then the one after the file was fixed")
    }

    /// A detached tmux session of `columns` × `rows`, colour on, running `watch F001` in the
    /// project. The shell ignores Ctrl-C so it survives to print the exit code; exectrack
    /// installs its own handler.
    struct TmuxWatch {
        let tmux: String
        let session = "exectrack-\(UUID().uuidString.prefix(8))"
        let project: Project

        init(_ project: Project, columns: Int, rows: Int) throws {
            tmux = try Tool.tmux.required().path
            self.project = project
            let command = "trap '' INT; cd '\(project.root.path)' && '\(exectrackBinary.path)' watch F001 --interval 0.2; "
                + "echo EXITED \\$?; sleep 30"
            let r = try run(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)",
                             "env -u NO_COLOR -u LINES -u COLUMNS TERM=xterm-256color sh -c \"\(command)\""])
            #expect(r.exitCode == 0, "\(r.stdout)")
        }

        @discardableResult
        func run(_ args: [String]) throws -> RunResult { try spawnAndWait([tmux] + args, in: project.root) }
        func screen(escapes: Bool = false) throws -> String {
            try run(["capture-pane", "-p"] + (escapes ? ["-e"] : []) + ["-t", session]).stdout
        }
        func kill() { _ = try? run(["kill-session", "-t", session]) }
    }

    @Test func terminalWatchRedrawsInPlaceAndRestoresTheScreen() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        let watch = try TmuxWatch(project, columns: 100, rows: 40)
        defer { watch.kill() }
        Thread.sleep(forTimeInterval: 0.8)
        var screen = try watch.screen()
        #expect(screen.contains("Overall Progress: 0% (0/13 tasks)"))
        #expect(screen.contains("watching .claude/execution/F001.json every 0.2s"))

        try project.run(["update", "F001", "L0", "0", "in_progress"])
        try project.run(["update", "F001", "L0", "0", "complete"])
        Thread.sleep(forTimeInterval: 0.5)
        screen = try watch.screen()
        #expect(screen.contains("Overall Progress: 7% (1/13 tasks)"))
        #expect(screen.components(separatedBy: "Feature F001").count - 1 == 1, "redrawn in place, not appended")
        // Colour on a terminal: the captured escape sequences include SGR codes.
        #expect(try watch.screen(escapes: true).contains("\u{1B}[33m"), "yellow for the running layer")

        try watch.run(["send-keys", "-t", watch.session, "C-c"])
        Thread.sleep(forTimeInterval: 0.5)
        screen = try watch.screen()
        #expect(screen.contains("EXITED 130"))
        #expect(!screen.contains("Overall Progress"), "the alternate screen is gone")
    }

    /// A terminal shorter and narrower than the report shows its top, header first, with no line
    /// wrapped, says how much is cut, and keeps the footer.
    @Test func terminalWatchShowsWhatFitsOnAShortTerminal() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L1", "0", "in_progress"])
        let watch = try TmuxWatch(project, columns: 40, rows: 8)
        defer { watch.kill() }
        Thread.sleep(forTimeInterval: 0.8)
        let lines = try watch.screen().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 8, "\(lines)")
        #expect(lines[0].hasPrefix("━━━━━━━━━━"), "the header comes first: \(lines)")
        #expect(lines[1] == "Feature F001: AI Chat Interface")
        #expect(lines[2].hasPrefix("━━━━━━━━━━"))
        #expect(lines[6].hasPrefix("… ") && lines[6].contains("more lines"), "\(lines)")
        #expect(lines[7].hasPrefix("watching .claude/execution/F001"), "the footer stays: \(lines)")
        #expect(lines.allSatisfy { $0.count <= 40 }, "no line is wider than the terminal")
    }

    @Test func colourOnlyOnTerminalsAndNeverWithNoColor() throws {
        let project = try Project(specs: ["F001": f001Tasks])
        try project.run(["init", "F001"])
        try project.run(["update", "F001", "L0", "0", "complete"])
        let piped = try project.run(["report", "F001"], environment: ["NO_COLOR": ""])
        #expect(!piped.stdout.contains("\u{1B}"))
        // Under a pseudo-terminal (script), colour appears unless NO_COLOR is set.
        func underTerminal(_ noColor: String?) throws -> String {
            var env = ["TERM": "xterm"]
            env["NO_COLOR"] = noColor ?? ""
            let command = "'\(exectrackBinary.path)' report F001"
            return try runProcess(Tool.script.required(), ["-qec", command, "/dev/null"],
                                  environment: env, in: project.root).stdout
        }
        #expect(try underTerminal(nil).contains("\u{1B}[33m"), "yellow for the running layer")
        #expect(!(try underTerminal("1")).contains("\u{1B}["))
    }
}
