/// `parse --check`: what the parser found per layer, and every line it could not place.
public enum TasksCheck {

    public static func text(_ tasks: LayeredTasks, path: String) -> String {
        var out = "\(path): feature \(tasks.featureName.map { "\"\($0.visibleControlCharacters)\"" } ?? "(none; the spec id is used)"), "
            + "\(counted(tasks.layers.count, "layer")), \(counted(tasks.taskCount, "task"))\n"
            + "format: \(tasks.format.rawValue) (\(tasks.formatReason))\n"
        for layer in tasks.layers {
            out += "\n\(layer.key) \(layer.name.visibleControlCharacters) (line \(layer.line), \(counted(layer.tasks.count, "task")))\n"
            if let waits = layer.dependsOn { out += "  waits for: \(waits.isEmpty ? "nothing (starts at once)" : waits.joined(separator: ", "))\n" }
            if !layer.gates.isEmpty { out += "  gates required: \(layer.gates.joined(separator: ", ").visibleControlCharacters)\n" }
            for (i, task) in layer.tasks.enumerated() {
                var facts: [String] = []
                if let agent = task.agent { facts.append("agent \(agent)") }
                if let complexity = task.complexity { facts.append("complexity \(complexity)") }
                if !task.dependencies.isEmpty { facts.append("depends on \(task.dependencies.joined(separator: ", "))") }
                if task.parallel { facts.append("parallel") }
                if let command = task.command { facts.append("command \(command)") }
                if let story = task.story { facts.append("story \(story)") }
                if !task.requirements.isEmpty { facts.append("requirements \(task.requirements.joined(separator: ", "))") }
                out += "  \(task.done ? "[x]" : "[ ]") \(i)"
                    + (task.id.map { " \($0)" } ?? "") + " \(task.description.visibleControlCharacters)"
                    + (facts.isEmpty ? "" : " — " + facts.joined(separator: "; ").visibleControlCharacters)
                    + "  (line \(task.line))\n"
                for note in task.notes { out += "        note: \(note.visibleControlCharacters)\n" }
            }
        }
        if tasks.taskCount == 0, tasks.diagnostics.isEmpty {
            out += "\nNo line looked like a task in any of the formats read (layered tasks, spec-kit, Kiro, OpenSpec, task headings; "
                + "docs/layered-tasks-format.md).\n"
        } else if tasks.diagnostics.isEmpty {
            out += "\nEvery task-like line was understood.\n"
        } else {
            out += "\nNot understood (\(tasks.diagnostics.count)):\n"
            for d in tasks.diagnostics {
                out += "  line \(d.line): \(d.message): \(String(d.text.prefix(120)).visibleControlCharacters)\n"
            }
        }
        if tasks.taskCount == 0 { out += "\nNo tasks found.\n" }
        return out
    }

    public static func json(_ tasks: LayeredTasks, path: String) -> JSONValue {
        var o = JSONObject()
        o.append("path", .string(path))
        o.append("feature_name", .optional(tasks.featureName))
        o.append("format", .string(tasks.format.rawValue))
        o.append("format_reason", .string(tasks.formatReason))
        o.append("task_count", .int(tasks.taskCount))
        o.append("layers", .array(tasks.layers.map { layer in
            var l = JSONObject()
            l.append("layer", .string(layer.key))
            l.append("name", .string(layer.name))
            l.append("line", .int(layer.line))
            l.append("agents", .strings(layer.agents))
            l.append("dependencies", .strings(layer.dependencies))
            l.append("gates", .strings(layer.gates))
            l.append("depends_on", layer.dependsOn.map(JSONValue.strings) ?? .null)
            l.append("notes", .strings(layer.notes))
            l.append("tasks", .array(layer.tasks.enumerated().map { i, task in
                var t = JSONObject()
                t.append("index", .int(i))
                t.append("id", .optional(task.id))
                t.append("description", .string(task.description))
                t.append("command", .optional(task.command))
                t.append("agent", .optional(task.agent))
                t.append("complexity", .optional(task.complexity))
                t.append("dependencies", .strings(task.dependencies))
                t.append("parallel", .bool(task.parallel))
                t.append("done", .bool(task.done))
                t.append("story", .optional(task.story))
                t.append("requirements", .strings(task.requirements))
                t.append("notes", .strings(task.notes))
                t.append("line", .int(task.line))
                return .object(t)
            }))
            return .object(l)
        }))
        o.append("diagnostics", .array(tasks.diagnostics.map { d in
            var e = JSONObject()
            e.append("line", .int(d.line))
            e.append("message", .string(d.message))
            e.append("text", .string(d.text))
            return .object(e)
        }))
        return .object(o)
    }
}
