// How users name layers and tasks on the command line: `L1`, `1` or a layer name; a 0-based
// index or a task id such as `T012`.

extension StatusFile {
    /// The position in `layers` of the layer named by `reference`.
    public func layerIndex(for reference: String) throws(TrackerError) -> Int {
        let ref = reference.trimmingWhitespace
        let lowered = ref.lowercased()
        if let i = layers.firstIndex(where: { $0.key.lowercased() == lowered }) { return i }
        if let n = Int(ref), let i = layers.firstIndex(where: { $0.number == n }) { return i }
        if !lowered.isEmpty, let i = layers.firstIndex(where: { $0.name.lowercased() == lowered }) { return i }
        // A unique start of a name will do: "foundation" for "Foundation & Setup".
        let starts = layers.indices.filter { !lowered.isEmpty && layers[$0].name.lowercased().hasPrefix(lowered) }
        if starts.count == 1 { return starts[0] }
        let known = layers.map { "\($0.key) (\($0.name))" }.joined(separator: ", ")
        throw TrackerError(.precondition, "unknown layer '\(reference.singleLine)'; layers are: "
            + (known.isEmpty ? "none" : known))
    }

    /// The location of the task named by `reference` (an index or an id) in the given layer.
    public func taskLocation(layer layerIndex: Int, task reference: String) throws(TrackerError) -> TaskLocation {
        let layer = layers[layerIndex]
        let ref = reference.trimmingWhitespace
        if !ref.isEmpty, ref.allSatisfy({ $0.isASCIIDigit }) {
            guard let index = Int(ref), layer.tasks.indices.contains(index) else {
                let range = layer.tasks.isEmpty ? "it has no tasks" : "valid: 0-\(layer.tasks.count - 1)"
                throw TrackerError(.precondition, "task index \(ref.prefix(24)) is out of range for \(layer.key) (\(range))")
            }
            return TaskLocation(layer: layerIndex, task: index)
        }
        if ref.hasPrefix("-"), ref.dropFirst().allSatisfy({ $0.isASCIIDigit }), ref.count > 1 {
            throw TrackerError(.usage, "task index must be 0 or more, or a task id; got '\(ref.prefix(24))'")
        }
        let lowered = ref.lowercased()
        if !lowered.isEmpty, let i = layer.tasks.firstIndex(where: { $0.id?.lowercased() == lowered }) {
            return TaskLocation(layer: layerIndex, task: i)
        }
        if let other = layers.first(where: { $0.tasks.contains { $0.id?.lowercased() == lowered } }), !lowered.isEmpty {
            throw TrackerError(.precondition, "task '\(ref)' is in \(other.key), not \(layer.key)")
        }
        throw TrackerError(.precondition, "no task '\(reference.singleLine)' in \(layer.key); give a 0-based index or a task id")
    }
}
