/// `exectrack list`: one line per spec under `.claude/execution/`.
public enum SpecList {
    /// A spec's state, or why its file could not be read.
    public enum Entry: Sendable {
        case readable(spec: String, status: StatusFile)
        case unreadable(spec: String, problem: String)
    }

    public static func text(_ entries: [Entry], now: Timestamp, style: TextStyle) -> String {
        guard !entries.isEmpty else { return "No specs under .claude/execution/ (run: exectrack init SPEC)\n" }
        let idWidth = entries.map { name(of: $0).count }.max() ?? 0
        var out = ""
        for entry in entries {
            let id = name(of: entry)
            out += id + String(repeating: " ", count: idWidth - id.count + 2)
            switch entry {
            case .unreadable(_, let problem):
                out += style.paint("unreadable", code: "31") + "  \(problem.visibleControlCharacters)\n"
            case .readable(_, let raw):
                var s = raw
                s.recomputeDerivedFields()
                let statusText = s.status.rawValue + String(repeating: " ", count: max(0, 11 - s.status.rawValue.count))
                let running = s.allTasks.filter { $0.status == .inProgress }.count
                out += style.paint(statusText, for: s.status)
                    + "  " + style.paint("[\(ProgressBar.bar(percent: s.completionPercentage))]", for: s.status)
                    + " " + pad("\(s.completionPercentage)%", 4)
                    + "  " + pad(s.currentLayer, 8)
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

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
