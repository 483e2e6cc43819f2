/// One task as `next` and `claim` print it.
public enum TaskListing {
    /// `L1 2 T005 Implement chat service (@backend-agent)`: layer, index, id, description —
    /// the layer and index first, so scripts can pass them straight to `update`.
    public static func line(_ status: StatusFile, _ location: TaskLocation) -> String {
        let task = status.task(at: location)
        return "\(status.layers[location.layer].key) \(task.index)" + (task.id.map { " \($0)" } ?? "")
            + " \(task.description.visibleControlCharacters)" + (task.agent.map { " (@\($0.visibleControlCharacters))" } ?? "")
    }

    /// The members that name a task in every JSON output: `layer`, `index`, `id`,
    /// `description`, `agent`.
    static func reference(layer: String, index: Int, id: String?, description: String, agent: String?) -> JSONObject {
        JSONObject([("layer", .string(layer)), ("index", .int(index)), ("id", .optional(id)),
                    ("description", .string(description)), ("agent", .optional(agent))])
    }

    public static func json(_ status: StatusFile, _ location: TaskLocation) -> JSONValue {
        let task = status.task(at: location)
        var o = reference(layer: status.layers[location.layer].key, index: task.index, id: task.id,
                          description: task.description, agent: task.agent)
        o.append("dependencies", .strings(task.dependencies))
        o.append("status", .string(task.status.rawValue))
        return .object(o)
    }
}
