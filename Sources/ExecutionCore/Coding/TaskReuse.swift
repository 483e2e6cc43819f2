// A write that changes one task of a 10,000-task file need not write the other 9,999 again: when
// the file being replaced is the one the last write published (its digest in the event log,
// docs/events.md), each task's bytes there are the writer's bytes for that task, and a task the
// write left as it was can be copied from the file instead (docs/benchmarks.md, "Unchanged
// tasks"). The reader records where each task's bytes are (`TaskSpans`); the writer copies the
// runs of tasks that are equal to the ones read (`TaskReuse`).

/// Where each task of a document is in its bytes, by layer key and position: recorded by the
/// reader when asked (`StatusFile(jsonBytes:spans:)`), for layers written as the writer writes
/// them (an object keyed `L0`, `L1`, ...).
public final class TaskSpans {
    private var byLayer: [String: [Range<Int>]] = [:]
    /// The layer whose tasks are being read, and their places so far.
    private var current: (key: String, spans: [Range<Int>])?

    public init() {}

    /// A task's bytes, read at `path` (`layers.<key>.tasks[<i>]`); tasks elsewhere are not kept.
    /// Tasks are read in order, so a layer's first task says whose the ones after it are.
    func record(_ span: Range<Int>, at path: [PathComponent]) {
        guard path.count == 4, case .index(let i) = path[3] else { return }
        if i == 0 {
            finish()
            guard case .field(let layers) = path[0], Bytes.equal(layers, "layers"), case .key(let key) = path[1],
                  case .field(let tasks) = path[2], Bytes.equal(tasks, "tasks") else { return }
            current = (key, [])
        }
        guard current?.spans.count == i else { return }
        current!.spans.append(span)
    }

    /// The places of the tasks of the layer `key`; a key given twice keeps the last layer
    /// (`LayersByKey`), and its tasks' places.
    func spans(of key: String) -> [Range<Int>]? {
        finish()
        return byLayer[key]
    }

    private func finish() {
        if let current { byLayer[current.key] = current.spans }
        current = nil
    }
}

/// The tasks of a status file about to be written that are as they were read, with their bytes'
/// place in the source; `copy` fills a buffer with a range of the source's bytes (false when it
/// cannot, and the tasks are then written).
public struct TaskReuse {
    /// By layer key, for each task position: the task's bytes in the source when it is unchanged.
    let spans: [String: [Range<Int>?]]
    let copy: (Range<Int>, UnsafeMutableRawBufferPointer) -> Bool
    /// How many tasks are copied rather than written.
    public let unchanged: Int

    /// The tasks of `updated` equal to the task at the same position of the same layer of
    /// `source`, the file as read, whose bytes `spans` recorded. Nil when there are none.
    public init?(updated: StatusFile, source: StatusFile, spans: TaskSpans,
                 copy: @escaping (Range<Int>, UnsafeMutableRawBufferPointer) -> Bool) {
        var reusable: [String: [Range<Int>?]] = [:]
        var unchanged = 0
        for layer in updated.layers {
            guard let old = source.layers.first(where: { $0.key == layer.key }), let recorded = spans.spans(of: layer.key),
                  recorded.count == old.tasks.count else { continue }
            var places = recorded.prefix(min(layer.tasks.count, old.tasks.count)).map { Optional($0) }
            for t in layer.tasks.indicesDiffering(from: old.tasks) { places[t] = nil }
            unchanged += places.count { $0 != nil }
            reusable[layer.key] = places
        }
        guard unchanged > 0 else { return nil }
        self.spans = reusable
        self.copy = copy
        self.unchanged = unchanged
    }
}

/// A layer's tasks: an array of tasks, written by copying runs of unchanged tasks when the
/// encoder has a `TaskReuse` for the layer being written (`LayersByKey.write` says which).
public enum TaskList: FieldCoding {
    public typealias Value = [ExecutionTask]

    public static func read(_ decoder: ExactJSONDecoder) throws -> [ExecutionTask] { try [ExecutionTask].read(decoder) }

    public static func write(_ tasks: [ExecutionTask], to encoder: ExactJSONEncoder) {
        guard encoder.reuse != nil, let places = encoder.layerSpans else { return tasks.write(to: encoder) }
        encoder.out.beginArray()
        tasks.withUnsafeBufferPointer { tasks in
            let count = min(tasks.count, places.count)
            var t = 0
            while t < tasks.count {
                encoder.out.element()
                if t < count, let reuse = encoder.reuse, let first = places[t] {
                    // A run of unchanged tasks is one range of the source: the tasks and the
                    // separators between them, which are the writer's.
                    var last = t
                    while last + 1 < count, places[last + 1] != nil { last += 1 }
                    let run = first.lowerBound..<places[last]!.upperBound
                    if encoder.out.raw(count: run.count, { reuse.copy(run, $0) }) {
                        t = last + 1
                        continue
                    }
                    // The source could not be read: this task and the rest are written.
                    encoder.reuse = nil
                }
                ExecutionTask.write(at: tasks.baseAddress! + t, to: encoder)
                t += 1
            }
        }
        encoder.out.endArray()
    }

    public static func decode(_ container: KeyedDecodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws -> [ExecutionTask] {
        try [ExecutionTask].decode(container, forKey: key)
    }

    public static func encode(_ tasks: [ExecutionTask], _ container: inout KeyedEncodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws {
        try [ExecutionTask].encode(tasks, &container, forKey: key)
    }
}
