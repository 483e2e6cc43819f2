/// One task as `next` and `claim` print it.
public enum TaskListing {
    /// `L1 2 T005 Implement chat service (@backend-agent)`: layer, index, id, description —
    /// the layer and index first, so scripts can pass them straight to `update`.
    public static func line(_ status: StatusFile, _ location: TaskLocation) -> String {
        let task = status.task(at: location)
        return "\(status.layers[location.layer].key) \(task.index)" + (task.id.map { " \($0)" } ?? "")
            + " \(task.description.visibleControlCharacters)" + (task.agent.map { " (@\($0.visibleControlCharacters))" } ?? "")
    }

    public static func json(_ status: StatusFile, _ location: TaskLocation) -> JSONValue {
        let task = status.task(at: location)
        var o = JSONObject()
        o.append("layer", .string(status.layers[location.layer].key))
        o.append("index", .int(task.index))
        o.append("id", .optional(task.id))
        o.append("description", .string(task.description))
        o.append("agent", .optional(task.agent))
        o.append("dependencies", .strings(task.dependencies))
        o.append("status", .string(task.status.rawValue))
        return .object(o)
    }
}
