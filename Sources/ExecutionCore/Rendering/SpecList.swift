/// `exectrack list`: one line per spec under `.claude/execution/`.
public enum SpecList {
    /// A spec's state, or why its file could not be read.
    public enum Entry: Sendable {
        case readable(spec: String, status: StatusFile)
        case unreadable(spec: String, problem: String)
    }

    /// `liveness` judges each task in progress (docs/agents.md); stale and dead ones are named.
    public static func text(_ entries: [Entry], now: Timestamp, style: TextStyle, liveness: (ExecutionTask) -> Liveness = { _ in .active }) -> String {
        guard !entries.isEmpty else { return "No specs under .claude/execution/ (run: exectrack init SPEC)\n" }
        let idWidth = entries.map { name(of: $0).displayWidth }.max() ?? 0
        var out = ""
        for entry in entries {
            out += name(of: entry).padded(toWidth: idWidth + 2)
            switch entry {
            case .unreadable(_, let problem):
                out += style.paint("unreadable", code: "31") + "  \(problem.visibleControlCharacters)\n"
            case .readable(_, let raw):
                var s = raw
                s.recomputeDerivedFields()
                let statusText = s.status.rawValue.padded(toWidth: 11)
                let counts = leaseCounts(s, liveness)
                let running = counts.values.reduce(0, +)
                let lost = [Liveness.stale, .dead].filter { counts[$0, default: 0] > 0 }.map { "\(counts[$0]!) \($0.rawValue)" }
                out += style.paint(statusText, for: s.status)
                    + "  " + style.paint("[\(ProgressBar.bar(percent: s.completionPercentage))]", for: s.status)
                    + " " + "\(s.completionPercentage)%".padded(toWidth: 4)
                    + "  " + s.currentLayer.padded(toWidth: 8)
                    + "  running \(running)" + (lost.isEmpty ? "" : " (\(lost.joined(separator: ", ")))") + ", failed \(s.failedTasks)"
                    + (s.lastUpdated.map { ", updated \(DurationFormatting.ago($0, now: now))" } ?? "") + "\n"
            }
        }
        return out
    }

    public static func json(_ entries: [Entry], liveness: (ExecutionTask) -> Liveness = { _ in .active }) -> JSONValue {
        .array(entries.map { entry in
            var o = JSONObject()
            switch entry {
            case .unreadable(let spec, let problem):
                o.append("spec", .string(spec))
                o.append("error", .string(problem))
            case .readable(let spec, let raw):
                var s = raw
                s.recomputeDerivedFields()
                o.append("spec", .string(spec))
                o.append("feature_name", .string(s.featureName))
                o.append("status", .string(s.status.rawValue))
                o.append("completion_percentage", .int(s.completionPercentage))
                o.append("total_tasks", .int(s.totalTasks))
                o.append("current_layer", .string(s.currentLayer))
                let counts = leaseCounts(s, liveness)
                o.append("running_tasks", .int(counts.values.reduce(0, +)))
                o.append("live_tasks", .int(counts[.active, default: 0]))
                o.append("stale_tasks", .int(counts[.stale, default: 0]))
                o.append("dead_tasks", .int(counts[.dead, default: 0]))
                o.append("failed_tasks", .int(s.failedTasks))
                o.append("last_updated", .optional(s.lastUpdated))
            }
            return .object(o)
        })
    }

    /// Tasks in progress by the liveness of their agents.
    static func leaseCounts(_ s: StatusFile, _ liveness: (ExecutionTask) -> Liveness) -> [Liveness: Int] {
        var counts: [Liveness: Int] = [:]
        for task in s.allTasks where task.status == .inProgress { counts[liveness(task), default: 0] += 1 }
        return counts
    }

    static func name(of entry: Entry) -> String {
        switch entry {
        case .readable(let spec, _), .unreadable(let spec, _): spec
        }
    }
}
