/// `exectrack list`: one line per spec under `.claude/execution/`.
public enum SpecList {
    /// A spec's state, or why its file could not be read.
    public enum Entry: Sendable {
        case readable(spec: String, status: StatusFile)
        case unreadable(spec: String, problem: String)
    }

    public static func text(_ entries: [Entry], now: Timestamp, style: TextStyle) -> String {
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
                let running = s.allTasks.filter { $0.status == .inProgress }.count
                out += style.paint(statusText, for: s.status)
                    + "  " + style.paint("[\(ProgressBar.bar(percent: s.completionPercentage))]", for: s.status)
                    + " " + "\(s.completionPercentage)%".padded(toWidth: 4)
                    + "  " + s.currentLayer.padded(toWidth: 8)
                    + "  running \(running), failed \(s.failedTasks)"
                    + (s.lastUpdated.map { ", updated \(DurationFormatting.ago($0, now: now))" } ?? "") + "\n"
            }
        }
        return out
    }

    public static func json(_ entries: [Entry]) -> JSONValue {
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
                o.append("running_tasks", .int(s.allTasks.filter { $0.status == .inProgress }.count))
                o.append("failed_tasks", .int(s.failedTasks))
                o.append("last_updated", .optional(s.lastUpdated))
            }
            return .object(o)
        })
    }

    static func name(of entry: Entry) -> String {
        switch entry {
        case .readable(let spec, _), .unreadable(let spec, _): spec
        }
    }
}
