#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SeededRandom
import Testing

/// docs/reliability.md, "The write protocol", under load and under SIGKILL, with real processes.
///
/// 1. Many writer processes mixing every kind of mutation on one spec, while readers run
///    `report --format json` in a loop: no successful write is lost, nothing is duplicated, the
///    counters agree with the tasks, and no reader ever sees a broken file. Also with the writers
///    split across two worktrees sharing `.claude/execution` through a symlink.
/// 2. Hundreds of writers killed at a random moment: the file is always whole, and is either the
///    state before the killed command or exactly the state after it; stray temp files are removed
///    by the next writer once they are more than a minute old, and only then.
///
/// Both print their figures so CI logs show them. Serialized: each needs both cores to itself.
@Suite(.serialized) struct ReliabilityStressTests {

    // MARK: - 1. Concurrency stress

    /// One planned mutation of one writer.
    enum Operation {
        /// `update in_progress`, then `update complete --output TEXT`.
        case update(layer: Int, task: Int, output: String)
        case error(layer: Int, task: Int, message: String)
        case warn(message: String)
        case claim(agent: String)
        /// May refuse (exit 6) while another writer's task in the layer is unfinished.
        case completeLayer(layer: Int)
    }

    /// What a writer logged for one operation.
    enum Outcome: Equatable {
        case ok(detail: String)
        /// `complete-layer` refused (exit 6): another writer's L3 task was still unfinished.
        case notDone
        /// An update whose `in_progress` succeeded and whose `complete` failed with `code`.
        case half(code: Int)
        case failed(code: Int)
        case missing
    }

    struct StressFigures {
        var writers = 0
        var commands = 0
        var attempted = 0
        var succeeded = 0
        var found = 0
        var completeLayerNotDone = 0
        var lockTimeouts = 0
        var slowestCommandMs = 0
        var readerRuns = 0
        var readerErrors = 0
        /// Successful commands whose effect is missing from the file.
        var lost = 0
    }

    @Test func concurrentWritersLoseNothingAndReadersNeverSeeABrokenFile() throws {
        let clock = ContinuousClock()
        let started = clock.now
        for (writers, updates, worktrees) in [(2, 40, false), (8, 20, false), (32, 6, false), (16, 8, true)] {
            let t0 = clock.now
            let figures = try stress(writers: writers, updatesEach: updates, worktrees: worktrees)
            let seconds = (clock.now - t0).seconds
            print("stress: writers=\(figures.writers) x \(updates) ops\(worktrees ? " across 2 worktrees" : "")"
                + " | updates attempted=\(figures.attempted) (\(figures.commands) commands)"
                + " succeeded=\(figures.succeeded) found=\(figures.found) lost=\(figures.lost)"
                + " complete-layer not-done=\(figures.completeLayerNotDone)"
                + " lock timeouts=\(figures.lockTimeouts) slowest command=\(figures.slowestCommandMs)ms"
                + " | reader runs=\(figures.readerRuns) reader errors=\(figures.readerErrors)"
                + " | \(String(format: "%.1f", seconds))s")
        }
        print("stress: total \(String(format: "%.1f", (clock.now - started).seconds))s")
    }

    /// A spec of 4 layers: L0 the pool `claim` takes from, L1 the tasks `update` finishes, L2 the
    /// tasks `error` fails, L3 one task per writer followed by `complete-layer L3`. L0, L1 and L2 have
    /// one spare task that nobody touches (it must stay pending).
    func plan(writers: Int, updatesEach m: Int, tag: String) -> (spec: String, operations: [[Operation]], layerSizes: [Int]) {
        precondition(m >= 3)
        var counts = [0, 0, 0, writers]
        var operations: [[Operation]] = []
        for w in 0..<writers {
            var mine: [Operation] = []
            for k in 0..<m {
                if k == m - 2 {
                    mine.append(.update(layer: 3, task: w, output: "writer \(w) op \(k)"))
                } else if k == m - 1 {
                    mine.append(.completeLayer(layer: 3))
                } else {
                    switch (w + k) % 6 {
                    case 1:
                        mine.append(.warn(message: "warning from writer \(w) op \(k) [\(tag)]"))
                    case 3:
                        mine.append(.error(layer: 2, task: counts[2], message: "error from writer \(w) op \(k) [\(tag)]"))
                        counts[2] += 1
                    case 4:
                        mine.append(.claim(agent: "w\(w)"))
                        counts[0] += 1
                    default:
                        mine.append(.update(layer: 1, task: counts[1], output: "writer \(w) op \(k)"))
                        counts[1] += 1
                    }
                }
            }
            operations.append(mine)
        }
        let sizes = [counts[0] + 1, counts[1] + 1, counts[2] + 1, counts[3]]
        var text = "# Layered Tasks: Stress\n"
        var n = 0
        for (layer, size) in sizes.enumerated() {
            text += "## Layer \(layer): Part \(layer)\n"
            for _ in 0..<size {
                n += 1
                text += "- [ ] T\(String(format: "%04d", n)) Stress task \(n)\n"
            }
        }
        return (text, operations, sizes)
    }

    func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The bash script of one writer: waits for the start signal, runs its operations in order and
    /// logs `ok K [detail]`, `notdone K`, `half K CODE` or `fail K CODE` for each, then
    /// `slowest MS`, the longest any of its commands took (lock wait included).
    func writerScript(_ operations: [Operation], spec: String, rootArguments: String) -> String {
        var s = """
        set -u
        while [ ! -e "$GO" ]; do sleep 0.005; done
        slowest=0
        x() {
          local start=${EPOCHREALTIME//[!0-9]/} rc
          "$EXECTRACK" "$@" \(rootArguments) 2>>"$ERRLOG"; rc=$?
          local ms=$(( (${EPOCHREALTIME//[!0-9]/} - start) / 1000 ))
          [ $ms -gt $slowest ] && slowest=$ms
          return $rc
        }

        """
        for (k, op) in operations.enumerated() {
            switch op {
            case let .update(layer, task, output):
                s += "if x update \(spec) L\(layer) \(task) in_progress >/dev/null; then "
                    + "if x update \(spec) L\(layer) \(task) complete --output \(shellQuote(output)) >/dev/null; "
                    + "then echo \"ok \(k)\"; else echo \"half \(k) $?\"; fi; else echo \"fail \(k) $?\"; fi\n"
            case let .error(layer, task, message):
                s += "if x error \(spec) L\(layer) \(task) \(shellQuote(message)) >/dev/null; "
                    + "then echo \"ok \(k)\"; else echo \"fail \(k) $?\"; fi\n"
            case let .warn(message):
                s += "if x warn \(spec) \(shellQuote(message)) >/dev/null; "
                    + "then echo \"ok \(k)\"; else echo \"fail \(k) $?\"; fi\n"
            case let .claim(agent):
                s += "x claim \(spec) --agent \(agent) >\"$CLAIMED\"; rc=$?; "
                    + "if [ $rc -eq 0 ]; then echo \"ok \(k) $(<\"$CLAIMED\")\"; else echo \"fail \(k) $rc\"; fi\n"
            case let .completeLayer(layer):
                s += "x complete-layer \(spec) L\(layer) >/dev/null; rc=$?; "
                    + "if [ $rc -eq 0 ]; then echo \"ok \(k)\"; elif [ $rc -eq 6 ]; then echo \"notdone \(k)\"; "
                    + "else echo \"fail \(k) $rc\"; fi\n"
            }
        }
        return s + "echo \"slowest $slowest\"\n"
    }

    /// A reader: `report --format json` until the stop file appears, each output kept as
    /// `<dir>/<n>.json`, each exit code logged as `n code`.
    let readerScript = """
    set -u
    i=0
    while [ ! -e "$STOP" ]; do
      i=$((i+1))
      "$EXECTRACK" report "$SPEC" --format json >"$OUT/$i.json" 2>>"$ERRLOG"
      echo "$i $?" >>"$OUT/log"
    done
    """

    func bash(_ script: String, arguments: [String] = [], in directory: URL, environment: [String: String], stdout: URL) throws -> Process {
        let process = Process()
        process.executableURL = try Tool.bash.required()
        process.arguments = ["-c", script, "bash"] + arguments
        process.currentDirectoryURL = directory
        process.environment = ["EXECTRACK": exectrackBinary.path, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
            .merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        return process
    }

    func stress(writers n: Int, updatesEach m: Int, worktrees: Bool) throws -> StressFigures {
        let spec = "S\(n)X\(m)"
        let tag = UUID().uuidString.prefix(8)
        let (specText, operations, sizes) = plan(writers: n, updatesEach: m, tag: String(tag))
        let project = try Project(specs: [spec: specText])
        try #require(try project.run(["init", spec]).exitCode == 0)
        let work = project.url("stress")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)

        // The second worktree: a sibling with its own .git/, whose .claude/execution is a symlink
        // to the first one's.
        let sibling = project.root.deletingLastPathComponent()
            .appendingPathComponent(project.root.lastPathComponent + "-worktree", isDirectory: true)
        defer { if worktrees { try? FileManager.default.removeItem(at: sibling) } }
        if worktrees {
            try FileManager.default.createDirectory(at: sibling.appendingPathComponent(".git"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: sibling.appendingPathComponent(".claude"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: sibling.appendingPathComponent(".claude/execution"),
                                                       withDestinationURL: project.url(".claude/execution"))
        }
        let go = work.appendingPathComponent("go")
        let stop = work.appendingPathComponent("stop")
        let errLog = work.appendingPathComponent("stderr.log")

        // Readers first, so they run for the whole write phase.
        var readers: [(Process, URL)] = []
        for r in 0..<2 {
            let dir = work.appendingPathComponent("reader-\(r)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("log").path, contents: nil)
            let cwd = worktrees && r == 1 ? sibling : project.root
            let process = try bash(readerScript, in: cwd,
                                   environment: ["STOP": stop.path, "OUT": dir.path, "SPEC": spec, "ERRLOG": errLog.path],
                                   stdout: dir.appendingPathComponent("stdout"))
            readers.append((process, dir))
        }
        for (process, _) in readers { try process.run() }

        // Writers: in the worktree variant, even writers work from the first worktree and odd ones
        // from the second; every other pair names the other worktree with --root.
        var writerProcesses: [(Process, URL)] = []
        for w in 0..<n {
            var cwd = project.root
            var rootArguments = ""
            if worktrees {
                cwd = w % 2 == 0 ? project.root : sibling
                if w % 4 >= 2 { rootArguments = "--root " + shellQuote((w % 2 == 0 ? sibling : project.root).path) }
            }
            let log = work.appendingPathComponent("writer-\(w).log")
            let process = try bash(writerScript(operations[w], spec: spec, rootArguments: rootArguments), in: cwd,
                                   environment: ["GO": go.path, "ERRLOG": errLog.path,
                                                 "CLAIMED": work.appendingPathComponent("claimed-\(w)").path],
                                   stdout: log)
            writerProcesses.append((process, log))
        }
        for (process, _) in writerProcesses { try process.run() }
        _ = FileManager.default.createFile(atPath: go.path, contents: nil)
        for (process, _) in writerProcesses { process.waitUntilExit() }
        _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
        for (process, _) in readers { process.waitUntilExit() }
        #expect(writerProcesses.allSatisfy { $0.0.terminationStatus == 0 })
        #expect(readers.allSatisfy { $0.0.terminationStatus == 0 })

        var figures = StressFigures()
        figures.writers = n

        // What the writers say they did.
        var outcomes: [[Outcome]] = []
        for (w, (_, log)) in writerProcesses.enumerated() {
            var mine = [Outcome](repeating: .missing, count: operations[w].count)
            for line in try String(contentsOf: log, encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 2).map(String.init)
                if fields.count == 2, fields[0] == "slowest", let ms = Int(fields[1]) {
                    figures.slowestCommandMs = max(figures.slowestCommandMs, ms)
                    continue
                }
                guard fields.count >= 2, let k = Int(fields[1]), mine.indices.contains(k) else {
                    Issue.record("writer \(w): unexpected log line \(line)")
                    continue
                }
                switch fields[0] {
                case "ok": mine[k] = .ok(detail: fields.count > 2 ? fields[2] : "")
                case "notdone": mine[k] = .notDone
                case "half": mine[k] = .half(code: fields.count > 2 ? Int(fields[2]) ?? -1 : -1)
                default: mine[k] = .failed(code: fields.count > 2 ? Int(fields[2]) ?? -1 : -1)
                }
            }
            outcomes.append(mine)
        }
        let stderrText = (try? String(contentsOf: errLog, encoding: .utf8)) ?? ""

        // The file, read with Foundation's parser.
        let status = try project.status(spec)
        let shapeProblems = statusShapeProblems(status)
        #expect(shapeProblems.isEmpty, "\(shapeProblems)")
        let layers = try #require(status["layers"] as? [String: Any])
        func tasks(_ layer: Int) -> [[String: Any]] {
            (layers["L\(layer)"] as? [String: Any])?["tasks"] as? [[String: Any]] ?? []
        }
        let errors = status["errors"] as? [[String: Any]] ?? []
        let warnings = status["warnings"] as? [[String: Any]] ?? []

        // Every task touched by a successful operation, to check that nothing else changed.
        var touched: Set<String> = []
        var claimedBy: [Int: String] = [:]
        var failures: [String] = []
        var lostOperations: [String] = []
        for w in 0..<n {
            for (k, op) in operations[w].enumerated() {
                figures.attempted += 1
                switch op {
                case .update: figures.commands += 2
                default: figures.commands += 1
                }
                let outcome = outcomes[w][k]
                switch outcome {
                case .notDone:
                    if case .completeLayer = op { figures.completeLayerNotDone += 1 } else { failures.append("writer \(w) op \(k): notdone") }
                    continue
                case .half(let code):
                    // `in_progress` is in the file, `complete` is not.
                    if code == 7 { figures.lockTimeouts += 1 } else { failures.append("writer \(w) op \(k) \(op): complete exit \(code)") }
                    if case let .update(layer, task, _) = op {
                        touched.insert("L\(layer).\(task)")
                        let t = tasks(layer).indices.contains(task) ? tasks(layer)[task] : [:]
                        if !(t["status"] as? String == "in_progress" && t["attempts"] as? Int == 1 && t["output"] is NSNull) {
                            lostOperations.append("writer \(w) op \(k) \(op): in_progress succeeded, complete failed; task is \(t)")
                        }
                    }
                    continue
                case .failed(let code):
                    // A command that failed must have changed nothing (checked below through the
                    // untouched tasks and the error and warning counts).
                    if code == 7 { figures.lockTimeouts += 1 } else { failures.append("writer \(w) op \(k) \(op): exit \(code)") }
                    continue
                case .missing:
                    failures.append("writer \(w) op \(k) \(op): not logged")
                    continue
                case .ok:
                    figures.succeeded += 1
                }
                guard case .ok(let detail) = outcome else { continue }
                var present = false
                switch op {
                case let .update(layer, task, output):
                    touched.insert("L\(layer).\(task)")
                    let t = tasks(layer).indices.contains(task) ? tasks(layer)[task] : [:]
                    present = t["status"] as? String == "complete" && t["output"] as? String == output
                        && t["attempts"] as? Int == 1 && t["completed_at"] is String && t["started_at"] is String
                case let .error(layer, task, message):
                    touched.insert("L\(layer).\(task)")
                    let t = tasks(layer).indices.contains(task) ? tasks(layer)[task] : [:]
                    let entries = errors.filter { $0["error"] as? String == message }
                    present = t["status"] as? String == "failed" && t["error"] as? String == message
                        && entries.count == 1 && entries.first?["layer"] as? String == "L\(layer)"
                        && entries.first?["task_index"] as? Int == task
                case let .warn(message):
                    present = warnings.filter { $0["message"] as? String == message }.count == 1
                case let .claim(agent):
                    // `L0 7 T0008 Stress task 8 (@w3)`
                    let words = detail.split(separator: " ")
                    if words.count >= 2, words[0] == "L0", let index = Int(words[1]) {
                        touched.insert("L0.\(index)")
                        if let other = claimedBy[index] {
                            failures.append("L0.\(index) claimed by both \(other) and \(agent)")
                        }
                        claimedBy[index] = agent
                        let t = tasks(0).indices.contains(index) ? tasks(0)[index] : [:]
                        present = t["status"] as? String == "in_progress" && t["agent"] as? String == agent
                            && t["attempts"] as? Int == 1
                    }
                case let .completeLayer(layer):
                    let l = layers["L\(layer)"] as? [String: Any] ?? [:]
                    present = l["status"] as? String == "complete" && l["completed_at"] is String
                }
                if present { figures.found += 1 } else { lostOperations.append("writer \(w) op \(k) \(op) [\(detail)]") }
            }
        }
        #expect(failures.isEmpty, "failed operations: \(failures.prefix(20)); stderr: \(stderrText.prefix(2000))")
        // A fair lock queues 32 writers of ~50 ms each in ~2 s; the 10 s default timeout should
        // never expire here. (It does when waiters starve: see the lock-timeout figure.)
        let timeoutNote = "\(figures.lockTimeouts) commands gave up on the lock (exit 7) after 10 s; "
            + "slowest command \(figures.slowestCommandMs) ms; stderr: \(stderrText.prefix(1000))"
        #expect(figures.lockTimeouts == 0, "\(timeoutNote)")
        figures.lost = lostOperations.count
        #expect(lostOperations.isEmpty, "lost: \(lostOperations.prefix(20))")

        // Nothing beyond the union of what succeeded: no duplicate or stray entries, untouched
        // tasks still pending.
        let okErrors = zip(operations.joined(), outcomes.joined()).filter {
            if case .error = $0.0, case .ok = $0.1 { return true } else { return false }
        }.count
        let okWarnings = zip(operations.joined(), outcomes.joined()).filter {
            if case .warn = $0.0, case .ok = $0.1 { return true } else { return false }
        }.count
        #expect(errors.count == okErrors, "error entries \(errors.count), successful error commands \(okErrors)")
        #expect(warnings.count == okWarnings, "warnings \(warnings.count), successful warn commands \(okWarnings)")
        for (layer, size) in sizes.enumerated() {
            #expect(tasks(layer).count == size)
            for (index, task) in tasks(layer).enumerated() where !touched.contains("L\(layer).\(index)") {
                #expect(task["status"] as? String == "pending" && task["attempts"] as? Int == 0,
                        "L\(layer).\(index) was changed by no successful command: \(task)")
            }
        }

        // Counters agree with the tasks.
        var total = 0, complete = 0, failed = 0, skipped = 0
        for layer in 0..<sizes.count {
            let l = layers["L\(layer)"] as? [String: Any] ?? [:]
            let ts = tasks(layer)
            let c = ts.filter { $0["status"] as? String == "complete" }.count
            let f = ts.filter { $0["status"] as? String == "failed" }.count
            let s = ts.filter { $0["status"] as? String == "skipped" }.count
            #expect(l["total_tasks"] as? Int == ts.count, "L\(layer)")
            #expect(l["completed_tasks"] as? Int == c, "L\(layer)")
            #expect(l["failed_tasks"] as? Int == f, "L\(layer)")
            #expect(l["skipped_tasks"] as? Int == s, "L\(layer)")
            total += ts.count; complete += c; failed += f; skipped += s
        }
        #expect(status["total_tasks"] as? Int == total)
        #expect(status["completed_tasks"] as? Int == complete)
        #expect(status["failed_tasks"] as? Int == failed)
        #expect(status["skipped_tasks"] as? Int == skipped)
        #expect(status["completion_percentage"] as? Int == (complete + skipped) * 100 / total)
        #expect(status["current_layer"] as? String == "L0")
        // The last writer to finish its L3 task found the layer finished.
        let everyL3TaskDone = zip(operations.joined(), outcomes.joined()).allSatisfy {
            if case .update(3, _, _) = $0.0 { return $0.1 == .ok(detail: "") } else { return true }
        }
        if everyL3TaskDone {
            #expect((layers["L3"] as? [String: Any])?["status"] as? String == "complete")
            #expect(figures.completeLayerNotDone < n, "some writer's complete-layer L3 came after every L3 task was done")
        }

        // The tool reads its own result and finds it consistent (`validate` also hands the file to
        // .ci/run's schema check).
        #expect(try project.run(["report", spec, "--format", "json"]).exitCode == 0)
        let validation = try project.run(["validate", spec])
        #expect(validation.exitCode == 0, "\(validation.stdout)\(validation.stderr)")
        try expectLogReplaysToTheFile(project, spec)

        // Readers: every run exited 0 with JSON on stdout, and progress never went backwards.
        var readerProblems: [String] = []
        for (r, (_, dir)) in readers.enumerated() {
            var lastDone = -1
            for line in try String(contentsOf: dir.appendingPathComponent("log"), encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, let i = Int(fields[0]), let code = Int(fields[1]) else {
                    readerProblems.append("reader \(r): bad log line \(line)")
                    continue
                }
                figures.readerRuns += 1
                let data = (try? Data(contentsOf: dir.appendingPathComponent("\(i).json"))) ?? Data()
                let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
                guard code == 0, let report, let done = report["done_tasks"] as? Int,
                      report["total_tasks"] as? Int == total, report["layers"] is [Any] else {
                    figures.readerErrors += 1
                    readerProblems.append("reader \(r) run \(i): exit \(code), \(data.count) bytes: \(String(decoding: data.prefix(200), as: UTF8.self))")
                    continue
                }
                if done < lastDone { readerProblems.append("reader \(r) run \(i): done_tasks went back from \(lastDone) to \(done)") }
                lastDone = done
            }
        }
        #expect(figures.readerRuns > 0)
        #expect(figures.readerErrors == 0)
        #expect(readerProblems.isEmpty, "\(readerProblems.prefix(10)); stderr: \(stderrText.prefix(2000))")
        return figures
    }

    /// What docs/file-format.md and Schemas/execution-status.schema.json require of a status file; empty
    /// when the shape is right.
    func statusShapeProblems(_ status: [String: Any]) -> [String] {
        var problems: [String] = []
        for key in ["schema_version", "feature", "feature_name", "status", "current_layer", "total_tasks",
                    "completed_tasks", "failed_tasks", "skipped_tasks", "completion_percentage",
                    "average_task_duration_ms", "estimated_remaining_ms", "next_action", "layers", "errors",
                    "warnings", "last_updated"] where status[key] == nil {
            problems.append("missing \(key)")
        }
        guard let layers = status["layers"] as? [String: Any], !layers.isEmpty else { return problems + ["no layers"] }
        for (key, value) in layers {
            guard let layer = value as? [String: Any] else { problems.append("\(key) is not an object"); continue }
            for field in ["name", "status", "total_tasks", "completed_tasks", "failed_tasks", "tasks"] where layer[field] == nil {
                problems.append("\(key) missing \(field)")
            }
            for (i, task) in (layer["tasks"] as? [[String: Any]] ?? []).enumerated() {
                for field in ["index", "description", "status", "attempts"] where task[field] == nil {
                    problems.append("\(key).\(i) missing \(field)")
                }
            }
        }
        if !(status["errors"] is [Any]) { problems.append("errors is not an array") }
        if !(status["warnings"] is [Any]) { problems.append("warnings is not an array") }
        return problems
    }

    // MARK: - 2. Crash test

    /// Starts `exectrack` with posix_spawn (so the child stays ours, unreaped, until waitpid: a
    /// kill can never hit a recycled pid), with an empty signal mask and default dispositions.
    /// The log replays to the status file byte for byte, and no write was taken for a hand edit:
    /// writes that died before publishing were voided, never applied (docs/events.md). Returns
    /// the number of events and of voids.
    @discardableResult
    func expectLogReplaysToTheFile(_ project: Project, _ spec: String) throws -> (events: Int, voided: Int) {
        let types = ((try? Data(contentsOf: project.url(".claude/execution/\(spec).events.jsonl"))) ?? Data())
            .split(separator: 0x0A).compactMap { (try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["type"] as? String }
        #expect(!types.contains("dev.exectrack.status.edited_externally"))
        let replayed = try project.run(["replay", spec])
        let file = try project.statusBytes(spec)
        #expect(replayed.exitCode == 0 && Data(replayed.stdout.utf8) == file, "\(replayed.stderr)")
        return (types.count, types.filter { $0 == "dev.exectrack.event.voided" }.count)
    }

    func spawnExectrack(_ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = [exectrackBinary.path] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let env = ProcessInfo.processInfo.environment.filter { $0.key != "EXECTRACK_ROOT" }.map { "\($0.key)=\($0.value)" } + ["NO_COLOR=1"]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exectrackBinary.path, &actions, &attributes, &cArgs, &cEnv)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        return pid
    }

    /// Waits for a child; returns (exit code, terminating signal), one of them 0.
    func reap(_ pid: pid_t) -> (code: Int32, signal: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return signal != 0 ? (0, signal) : ((status >> 8) & 0xFF, 0)
    }

    /// The file with everything that depends on the clock masked: timestamps and durations.
    func timeless(_ value: Any, key: String = "") -> Any {
        switch value {
        case let object as [String: Any]:
            return object.reduce(into: [String: Any]()) { $0[$1.key] = timeless($1.value, key: $1.key) }
        case let array as [Any]:
            return array.map { timeless($0, key: key) }
        case let string as String:
            let isTimestamp = string.count >= 20 && string.dropFirst(4).hasPrefix("-") && string.dropFirst(10).hasPrefix("T")
            return isTimestamp ? "<time>" : string
        case is NSNull:
            return value
        default:
            return key.hasSuffix("_ms") ? "<ms>" : value
        }
    }

    /// Equality of two values from JSONSerialization.
    func jsonEqual(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { jsonEqual(value, $0) } ?? false }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case let (x as String, y as String):
            return x == y
        case (is NSNull, is NSNull):
            return true
        case (is NSNull, _), (_, is NSNull), (is String, _), (_, is String), (is [Any], _), (_, is [Any]),
             (is [String: Any], _), (_, is [String: Any]):
            return false
        default:
            return String(describing: a) == String(describing: b)
        }
    }

    @Test func killedWritersLeaveTheOldOrTheNewFileAndStaleTempsAreRemoved() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let spec = "F001"
        let project = try Project(specs: [spec: f001Tasks])
        try #require(try project.run(["init", spec]).exitCode == 0)
        // Where the killed command is re-run on a copy of the "before" file, to know the "after".
        let reference = try Project(specs: [spec: f001Tasks])
        try #require(try reference.run(["init", spec]).exitCode == 0)
        let execution = project.url(".claude/execution")
        let tempPrefix = ".\(spec).json.tmp."
        func tempFiles() -> Set<String> {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: execution.path)) ?? []).filter { $0.hasPrefix(tempPrefix) })
        }

        var rng = SplitMix64(seed: 0x6578_6563_7472_6B06)   // fixed seed
        let iterations = 800
        var kills = 0, finishedBeforeKill = 0, torn = 0, tornBackups = 0, oldState = 0, newState = 0, neither = 0
        var leftovers: Set<String> = []
        var backupLagging = 0, tornLogTails = 0
        let backupURL = project.url(".claude/execution/\(spec).json.bak")
        var problems: [String] = []
        let statuses = ["in_progress", "complete", "pending", "failed", "skipped"]

        for iteration in 0..<iterations {
            let before = try project.statusBytes(spec)
            let backupBefore = try? Data(contentsOf: backupURL)
            // A command chosen by the seed: mostly updates, also warn, error and claim.
            let layer = Int.random(in: 0..<f001LayerSizes.count, using: &rng)
            let task = Int.random(in: 0..<f001LayerSizes[layer], using: &rng)
            let arguments: [String]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                arguments = ["update", spec, "L\(layer)", "\(task)", statuses.randomElement(using: &rng)!,
                             "--output", "crash iteration \(iteration)"]
            case 5, 6:
                arguments = ["warn", spec, "crash warning \(iteration)"]
            case 7, 8:
                arguments = ["error", spec, "L\(layer)", "\(task)", "crash error \(iteration)"]
            default:
                arguments = ["claim", spec, "--agent", "crash-\(iteration)", "--any-layer"]
            }
            let delay = UInt32.random(in: 0...15_000, using: &rng)

            let pid = try spawnExectrack(arguments + ["--root", project.root.path])
            if delay > 0 { usleep(delay) }
            kill(pid, SIGKILL)
            let (code, signal) = reap(pid)
            if signal == SIGKILL { kills += 1 } else {
                finishedBeforeKill += 1
                if code != 0 && code != 6 { problems.append("iteration \(iteration): \(arguments) exited \(code)") }
            }
            leftovers.formUnion(tempFiles())

            // Whole, and of the right shape.
            let after = try project.statusBytes(spec)
            guard let parsed = try? JSONSerialization.jsonObject(with: after) as? [String: Any],
                  statusShapeProblems(parsed).isEmpty else {
                torn += 1
                problems.append("iteration \(iteration): torn file after killing \(arguments) at \(delay)µs: "
                    + String(decoding: after.prefix(300), as: UTF8.self))
                try Data(before).write(to: project.statusURL(spec))   // go on from a sound state
                continue
            }
            // The event log (docs/events.md): every complete line an event, seqs consecutive, and
            // the status file reflecting no event the log does not have (the log is written first).
            // Only the last line may be torn, and the next write cuts it off.
            let log = (try? Data(contentsOf: project.url(".claude/execution/\(spec).events.jsonl"))) ?? Data()
            let logLines = log.split(separator: 0x0A, omittingEmptySubsequences: false)
            if logLines.last?.isEmpty == false { tornLogTails += 1 }
            let seqs = logLines.dropLast().compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])?["seq"] as? Int
            }
            if seqs.count != logLines.count - 1 || seqs != Array(1..<(seqs.count + 1)) {
                problems.append("iteration \(iteration): the event log's complete lines are not events 1...\(seqs.count)")
            }
            if let reflected = parsed["event_seq"] as? Int, reflected > (seqs.last ?? 0) {
                problems.append("iteration \(iteration): event_seq \(reflected) is past the log's last event \(seqs.last ?? 0)")
            }

            // The `.bak` is whole, and is either what it was or the file before this write (it
            // is replaced after the new file is in place, so a kill in between leaves it one
            // version behind).
            let backup = try? Data(contentsOf: backupURL)
            if let backup, (try? JSONSerialization.jsonObject(with: backup)) == nil { tornBackups += 1 }
            if backup != backupBefore && backup != before {
                problems.append("iteration \(iteration): after \(arguments) (signal \(signal), exit \(code)) .bak is "
                    + "neither the previous .bak nor the file before the write")
            }

            // Old or new: the bytes before, or exactly what the command does to them.
            if after == before {
                oldState += 1
                if signal == 0 && code == 0 {
                    // Fine only if the command changes nothing on this state (repeating a
                    // terminal status): the same command on a copy must not write either.
                    try before.write(to: reference.statusURL(spec))
                    _ = try runProcess(exectrackBinary, arguments, environment: [:], in: reference.root)
                    if try reference.statusBytes(spec) != before {
                        problems.append("iteration \(iteration): \(arguments) exited 0 and left the file unchanged")
                    }
                }
                continue
            }
            try before.write(to: reference.statusURL(spec))
            let rerun = try runProcess(exectrackBinary, arguments, environment: [:], in: reference.root)
            let expected = try? JSONSerialization.jsonObject(with: reference.statusBytes(spec))
            let previous = try JSONSerialization.jsonObject(with: before) as! [String: Any]
            // `event_seq` counts this project's log, which differs from the reference's: the log
            // is checked on its own above.
            var mine = parsed
            mine["event_seq"] = nil
            var theirs = expected as? [String: Any]
            theirs?["event_seq"] = nil
            if rerun.exitCode == 0, let theirs, jsonEqual(timeless(mine), timeless(theirs)),
               parsed["last_updated"] as? String != previous["last_updated"] as? String {
                newState += 1
                if backup != before {
                    backupLagging += 1
                    if signal == 0 { problems.append("iteration \(iteration): \(arguments) finished but .bak is not the file before it") }
                }
            } else {
                neither += 1
                problems.append("iteration \(iteration): after killing \(arguments) at \(delay)µs the file is neither "
                    + "the old state nor the command's result (re-run exit \(rerun.exitCode))")
            }
        }
        let crashSeconds = (clock.now - started).seconds
        #expect(kills + finishedBeforeKill == iterations)
        #expect(torn == 0)
        #expect(tornBackups == 0)
        #expect(neither == 0)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(kills > iterations / 4, "most writers should die mid-run; the delays are too long for this machine")
        #expect(newState > 0, "some killed or finished writers should have committed")
        #expect(try project.run(["report", spec, "--format", "json"]).exitCode == 0)
        let validation = try project.run(["validate", spec])
        #expect(validation.exitCode == 0, "\(validation.stdout)\(validation.stderr)")
        let (eventCount, voids) = try expectLogReplaysToTheFile(project, spec)

        // Stray temp files: the next writer removes those more than a minute old, and no other.
        let now = Date()
        func plant(_ name: String, age: TimeInterval) throws -> String {
            let url = execution.appendingPathComponent(name)
            try Data("{ \"half\": ".utf8).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: url.path)
            return name
        }
        let staleTemp = try plant("\(tempPrefix)999999.1", age: 300)
        let staleBackupTemp = try plant("\(tempPrefix)999999.2.bak", age: 3600)
        let freshTemp = try plant("\(tempPrefix)999999.3", age: 0)
        let recentTemp = try plant("\(tempPrefix)999999.4", age: 30)
        let unrelated = try plant("notes-\(spec).txt", age: 3600)
        let killedLeftovers = tempFiles().subtracting([staleTemp, staleBackupTemp, freshTemp, recentTemp])
        #expect(try project.run(["update", spec, "L0", "0", "in_progress"]).exitCode == 0)
        var remaining = tempFiles()
        #expect(!remaining.contains(staleTemp), "a 5-minute-old temp file survived the next write")
        #expect(!remaining.contains(staleBackupTemp), "an hour-old .bak temp file survived the next write")
        #expect(remaining.contains(freshTemp), "a temp file younger than a minute was removed")
        #expect(remaining.contains(recentTemp), "a 30-second-old temp file was removed")
        #expect(remaining.isSuperset(of: killedLeftovers), "temp files of writers killed seconds ago were removed")
        #expect(FileManager.default.fileExists(atPath: execution.appendingPathComponent(unrelated).path))
        // Once those are old too, the next writer removes every one.
        for name in remaining {
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-120)],
                                                  ofItemAtPath: execution.appendingPathComponent(name).path)
        }
        #expect(try project.run(["update", spec, "L0", "0", "complete"]).exitCode == 0)
        remaining = tempFiles()
        #expect(remaining.isEmpty, "left: \(remaining)")
        #expect(FileManager.default.fileExists(atPath: execution.appendingPathComponent(unrelated).path))
        #expect(FileManager.default.fileExists(atPath: project.statusURL(spec).path + ".bak"))
        #expect(FileManager.default.fileExists(atPath: project.statusURL(spec).path + ".lock"))
        let cleaned = 2 + killedLeftovers.count + 2   // the two stale plants, the kills', then fresh + recent

        print("crash: iterations=\(iterations) kills=\(kills) finished-before-kill=\(finishedBeforeKill)"
            + " torn=\(torn) torn-backups=\(tornBackups) torn-log-tails=\(tornLogTails) events=\(eventCount) voided-by-next-write=\(voids) old-state=\(oldState) new-state=\(newState) (of which .bak one version behind=\(backupLagging)) neither=\(neither)"
            + " | temp files left by kills=\(leftovers.count) (still present=\(killedLeftovers.count))"
            + " temp files cleaned=\(cleaned) | \(String(format: "%.1f", crashSeconds))s crash loop, "
            + "\(String(format: "%.1f", (clock.now - started).seconds))s total")
    }
}

private extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
