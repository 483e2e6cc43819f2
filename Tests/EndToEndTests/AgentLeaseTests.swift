import Foundation
import Testing

/// Leases end to end (docs/agents.md): real agent processes, killed; leases from elsewhere; what
/// `heartbeat`, `reap`, `agents` and `validate` say.
@Suite struct AgentLeaseTests {
    private func tasksFile(_ count: Int, layers: Int = 3) -> String {
        var text = "# Feature: Agents\n"
        for l in 0..<layers {
            text += "\n## Layer \(l): Part \(l)\n"
            for t in 0..<(count / layers) { text += "- [ ] T\(l)\(String(format: "%02d", t)) Build piece \(t) of part \(l)\n" }
        }
        return text
    }

    private func status(_ project: Project) throws -> [String: Any] { try project.status("F001") }

    private func tasks(_ project: Project) throws -> [[String: Any]] {
        let layers = try status(project)["layers"] as? [String: Any] ?? [:]
        return layers.keys.sorted().flatMap { ((layers[$0] as? [String: Any])?["tasks"] as? [[String: Any]]) ?? [] }
    }

    private func events(_ project: Project) throws -> [[String: Any]] {
        let data = try Data(contentsOf: project.url(".claude/execution/F001.events.jsonl"))
        return try data.split(separator: 0x0A).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }

    @Test func eightAgentsThreeKilledEveryTaskFinishes() throws {
        let project = try Project(specs: ["F001": tasksFile(24)])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        let script = project.url("agent.sh")
        try project.write("agent.sh", """
        #!/bin/sh
        # One agent: claims, works 0.3 s, completes; stops when the spec is complete.
        export EXECTRACK_AGENT_PID=$$
        n=0
        while [ $n -lt 400 ]; do
          if line=$("$BIN" claim F001 --agent "$NAME" --any-layer --ttl 30s 2>/dev/null); then
            set -- $line
            sleep 0.3
            "$BIN" update F001 "$1" "$2" complete --agent "$NAME" >/dev/null 2>&1
          else
            "$BIN" report F001 --json 2>/dev/null | grep -q '"status": "complete"' && exit 0
            sleep 0.05
          fi
          n=$((n + 1))
        done
        exit 1
        """)
        let started = Date()
        let agents = try (0..<8).map { i in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [script.path]
            process.currentDirectoryURL = project.root
            var env = ProcessInfo.processInfo.environment
            env["BIN"] = exectrackBinary.path
            env["NAME"] = "agent-\(i)"
            env["XDG_CONFIG_HOME"] = emptyConfigDirectory.path
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        // Victims killed at random moments while they hold a task, until three died holding one.
        // An agent is killed with what it started (an exectrack mid-write, a sleep).
        var generator = SystemRandomNumberGenerator()
        var candidates = Array(agents.indices.shuffled(using: &generator))
        var killedHolding: [Int32: String] = [:]
        var killed: [Int] = []
        while killedHolding.count < 3, let victim = candidates.popLast() {
            usleep(UInt32.random(in: 0...300_000, using: &generator))
            let pid = agents[victim].processIdentifier
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, agents[victim].isRunning {
                guard try holds(project, pid) else {
                    usleep(5_000)
                    continue
                }
                // Frozen with its children, it holds what it holds: checked, then killed.
                kill(pid, SIGSTOP)
                let started = children(of: pid)
                for child in started { kill(child, SIGSTOP) }
                let holding = try holds(project, pid)
                for child in started { kill(child, SIGKILL) }
                kill(pid, SIGKILL)
                killed.append(victim)
                if holding { killedHolding[pid] = "agent-\(victim)" }
                break
            }
        }
        #expect(killedHolding.count == 3, "three agents died holding a task")
        let deadline = Date().addingTimeInterval(90)
        for agent in agents {
            while agent.isRunning, Date() < deadline { usleep(20_000) }
            if agent.isRunning { agent.terminate() }
        }
        let elapsed = Date().timeIntervalSince(started)
        let all = try tasks(project)
        let states = Dictionary(grouping: all, by: { $0["status"] as? String ?? "?" }).mapValues(\.count)
        #expect(states["in_progress"] == nil, "\(states)")
        #expect(all.allSatisfy { ["complete", "failed"].contains($0["status"] as? String ?? "") }, "\(states)")
        let reaps = try events(project).filter { $0["type"] as? String == "dev.exectrack.agent.reaped" }
        let reapedPids = Set(reaps.compactMap { (($0["data"] as? [String: Any])?["previous_owner"] as? [String: Any])?["pid"] as? Int })
        #expect(reapedPids == Set(killedHolding.keys.map(Int.init)))
        let listed = try project.run(["agents", "F001", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        let dead = Set(rows.filter { $0["state"] as? String == "dead" }.compactMap { $0["id"] as? String })
        #expect(dead == Set(killedHolding.values))
        #expect(rows.count == 8)
        let validate = try project.run(["validate", "F001"])
        #expect(validate.exitCode == 0, "\(validate.stdout)")
        print("agents: 8 agents, 24 tasks, \(killed.count) killed (\(killedHolding.count) holding a task), \(reaps.count) reaps, "
              + "\(states["complete"] ?? 0) complete, \(states["failed"] ?? 0) failed, "
              + "\(all.reduce(0) { $0 + ($1["attempts"] as? Int ?? 0) }) attempts | \(String(format: "%.1f", elapsed))s")
    }

    /// Whether a task in progress is held by `pid`.
    private func holds(_ project: Project, _ pid: Int32) throws -> Bool {
        try tasks(project).contains { task in
            task["status"] as? String == "in_progress" && (task["claimed_by"] as? [String: Any])?["pid"] as? Int == Int(pid)
        }
    }

    /// The processes whose parent is `pid`, from /proc.
    private func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 2 else { return false }
            return Int32(fields[1]) == pid
        }
    }

    /// Changes the first task of F001's L0 that `matches`, as another tool (or another machine) would.
    private func editTask(_ project: Project, matching: ([String: Any]) -> Bool = { $0["claimed_by"] != nil },
                          _ change: (inout [String: Any]) -> Void) throws {
        var root = try status(project)
        var layers = root["layers"] as! [String: Any]
        var l0 = layers["L0"] as! [String: Any]
        var list = l0["tasks"] as! [[String: Any]]
        guard let i = list.firstIndex(where: matching) else { throw POSIXError(.ENOENT) }
        change(&list[i])
        l0["tasks"] = list
        layers["L0"] = l0
        root["layers"] = layers
        try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted]).write(to: project.statusURL("F001"))
    }

    /// Changes the lease of F001's first task that has one.
    private func editLease(_ project: Project, _ change: (inout [String: Any]) -> Void) throws {
        try editTask(project) { task in
            var lease = task["claimed_by"] as! [String: Any]
            change(&lease)
            task["claimed_by"] = lease
        }
    }

    @Test func aPidIsJudgedOnlyWhereItMeansTheSameProcess() throws {
        let project = try Project(specs: ["F001": tasksFile(6)])
        try project.run(["init", "F001"])
        let gone = Int32.max - 7   // no such process
        #expect(try project.run(["claim", "F001", "--agent", "a1", "--pid", "\(getpid())"]).exitCode == 0)
        let first = try tasks(project)[0]["claimed_by"] as? [String: Any]
        #expect(first?["pid"] as? Int == Int(getpid()))
        #expect((first?["pid_start"] as? Int ?? 0) > 0 && (first?["boot_id"] as? String)?.isEmpty == false)
        #expect((first?["pid_ns"] as? String)?.hasPrefix("pid:[") == true)
        #expect(try project.run(["agents", "F001"]).stdout.contains("a1  active"))

        // The pid reused: same pid, another start time.
        try editLease(project) { $0["pid_start"] = ($0["pid_start"] as! Int) + 1 }
        #expect(try project.run(["agents", "F001"]).stdout.contains("a1  dead"))
        // A lease recorded in another pid namespace (a container sharing the boot id), with a pid
        // that is gone here: never dead by pid, active within its TTL.
        try editLease(project) { $0["pid"] = Int(gone); $0["pid_ns"] = "pid:[4026599999]" }
        #expect(try project.run(["agents", "F001"]).stdout.contains("a1  active"))
        #expect(try project.run(["reap", "F001", "--grace", "0s"]).stdout.contains("Nothing to reap"))
        // No namespace recorded: TTL only.
        try editLease(project) { $0.removeValue(forKey: "pid_ns") }
        #expect(try project.run(["agents", "F001"]).stdout.contains("a1  active"))
        // The same gone pid recorded in our namespace: dead at once, and reaped.
        try editLease(project) { $0["pid_ns"] = first?["pid_ns"] }
        #expect(try project.run(["agents", "F001"]).stdout.contains("a1  dead"))
        #expect(try project.run(["reap", "F001"]).stdout.contains("reaped L0 0"))
    }

    @Test func heartbeatRenewsOnlyWhatTheAgentHolds() throws {
        let project = try Project(specs: ["F001": tasksFile(6)])
        try project.run(["init", "F001"])
        #expect(try project.run(["claim", "F001", "--agent", "a1"]).exitCode == 0)
        #expect(try project.run(["claim", "F001", "--agent", "a2"]).exitCode == 0)
        let renewed = try project.run(["heartbeat", "F001", "--agent", "a1", "--ttl", "2m"])
        #expect(renewed.exitCode == 0 && renewed.stdout.contains("renewed L0 0"), "\(renewed.stdout)\(renewed.stderr)")
        #expect(try tasks(project)[0]["lease_ttl_s"] as? Int == 120)
        let notHeld = try project.run(["heartbeat", "F001", "--agent", "a1", "--task", "L0/T001"])
        #expect(notHeld.exitCode == 6)
        #expect(notHeld.stderr.contains("held by a2"), "\(notHeld.stderr)")
        let nothing = try project.run(["heartbeat", "F001", "--agent", "a3"])
        #expect(nothing.exitCode == 6 && nothing.stderr.contains("holds no task"))
        #expect(try project.run(["heartbeat", "F001", "--agent", "a1", "--task", "L0"]).exitCode == 1)
        #expect(try project.run(["heartbeat", "F001", "--agent", "a1", "--ttl", "soon"]).exitCode == 1)
        let types = try events(project).map { ($0["type"] as? String ?? "").replacingOccurrences(of: "dev.exectrack.", with: "") }
        #expect(types.suffix(1) == ["task.heartbeat"])

        // The holder's in_progress renews within the attempt; --restart starts another.
        try project.run(["update", "F001", "L0", "0", "in_progress", "--agent", "a1"])
        #expect(try tasks(project)[0]["attempts"] as? Int == 1)
        try project.run(["update", "F001", "L0", "0", "in_progress", "--agent", "a1", "--restart"])
        #expect(try tasks(project)[0]["attempts"] as? Int == 2)
    }

    @Test func reapToFailedLogsAnAgentLostErrorAndValidateReportsImpossibleLeases() throws {
        let project = try Project(specs: ["F001": tasksFile(6)])
        try project.run(["init", "F001"])
        try project.run(["claim", "F001", "--agent", "a1", "--pid", "\(Int32.max - 7)"])
        // The pid given was gone when claimed: no start time, so the TTL decides; make it old.
        try editLease(project) { $0["pid_start"] = 1 }
        let dry = try project.run(["reap", "F001", "--dry-run", "--json"])
        #expect(dry.exitCode == 0 && dry.stdout.contains(#""liveness": "dead""#), "\(dry.stdout)")
        #expect(try tasks(project)[0]["status"] as? String == "in_progress")
        let reaped = try project.run(["reap", "F001", "--to", "failed"])
        #expect(reaped.exitCode == 0 && reaped.stdout.contains("reaped L0 0"))
        let root = try status(project)
        let errors = root["errors"] as? [[String: Any]] ?? []
        #expect(errors.last?["category"] as? String == "agent_lost")
        #expect(try tasks(project)[0]["status"] as? String == "failed")
        #expect(try tasks(project)[0]["claimed_by"] == nil)

        try project.run(["claim", "F001", "--agent", "a2"])
        try editTask(project, matching: { $0["status"] as? String == "in_progress" }) { task in
            var lease = task["claimed_by"] as! [String: Any]
            lease["pid"] = 0
            task["claimed_by"] = lease
            task["lease_ttl_s"] = -5
            task["heartbeat_at"] = "2099-01-01T00:00:00.000Z"
        }
        let validate = try project.run(["validate", "F001", "--json"])
        #expect(validate.exitCode == 6)
        for field in ["claimed_by.pid", "lease_ttl_s", "heartbeat_at"] { #expect(validate.stdout.contains(field), "\(field)") }
        #expect(try project.run(["agents", "F001"]).exitCode == 0)
        #expect(try project.run(["report", "F001"]).exitCode == 0)
        #expect(try project.run(["reap", "F001", "--dry-run"]).exitCode == 0)
    }
}
