// Mapping between the model and its JSON document. Reading is lenient where older writers differ
// (aliases, numbers as strings, missing fields) and strict where guessing would lose data.

/// Reads typed fields of one JSON object, naming the field's path in every error. A class so
/// that it can remember where the last field was: reading fields in the order the writer put
/// them in makes every lookup a single comparison.
final class FieldReader {
    let object: JSONObject
    let path: String
    private var next = 0
    /// Entries already read (first 64), which are known fields without a set lookup.
    private var read: UInt64 = 0

    init(_ value: JSONValue, path: String) throws(StatusFileShapeError) {
        guard case .object(let object) = value else {
            throw StatusFileShapeError(path: path.isEmpty ? "(top level)" : path, problem: "expected an object")
        }
        self.object = object
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ key: String, _ problem: String) -> StatusFileShapeError {
        StatusFileShapeError(path: fieldPath(key), problem: problem)
    }

    /// The value unless it is missing or null.
    func present(_ key: String) -> JSONValue? {
        guard let (value, index) = object.lookup(key, hint: next) else { return nil }
        next = index + 1
        if index < 64 { read |= 1 << UInt64(index) }
        return value.isNull ? nil : value
    }

    /// The entries that are not fields of `known`, in document order: what `extra` keeps.
    func extras(_ known: Set<String>) -> JSONObject {
        JSONObject(object.entries.enumerated().filter { i, entry in
            !(i < 64 && read & (1 << UInt64(i)) != 0) && !known.contains(entry.key)
        }.map(\.element))
    }

    func string(_ key: String) throws(StatusFileShapeError) -> String? {
        guard let value = present(key) else { return nil }
        switch value {
        case .string(let s): return s
        case .number(let literal): return literal
        default: throw fail(key, "expected a string")
        }
    }

    func int(_ key: String) throws(StatusFileShapeError) -> Int? {
        guard let value = present(key) else { return nil }
        guard let int = value.intValue else { throw fail(key, "expected an integer") }
        return int
    }

    func timestamp(_ key: String) throws(StatusFileShapeError) -> Timestamp? {
        guard let text = try string(key), !text.isEmpty else { return nil }
        guard let stamp = Timestamp(iso8601: text) else {
            throw fail(key, "expected an ISO 8601 timestamp, found \"\(text.singleLine)\"")
        }
        return stamp
    }

    func bool(_ key: String) throws(StatusFileShapeError) -> Bool? {
        guard let value = present(key) else { return nil }
        switch value {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"): return false
        default: throw fail(key, "expected true or false")
        }
    }

    /// An array of strings; a lone string (as some hand edits write) counts as one element.
    func strings(_ key: String) throws(StatusFileShapeError) -> [String] {
        guard let value = present(key) else { return [] }
        switch value {
        case .string(let s): return s.isEmpty ? [] : [s]
        case .array(let elements):
            var result: [String] = []
            for (i, element) in elements.enumerated() {
                switch element {
                case .string(let s): result.append(s)
                case .number(let literal): result.append(literal)
                default: throw StatusFileShapeError(path: "\(fieldPath(key))[\(i)]", problem: "expected a string")
                }
            }
            return result
        default: throw fail(key, "expected an array of strings")
        }
    }

    /// An array's elements; an empty object stands for an empty array (a common hand-edit slip).
    func elements(_ key: String) throws(StatusFileShapeError) -> [JSONValue] {
        guard let value = present(key) else { return [] }
        switch value {
        case .array(let elements): return elements
        case .object(let o) where o.isEmpty: return []
        default: throw fail(key, "expected an array")
        }
    }
}

extension StatusFile {
    static let knownKeys: Set<String> = [
        "schema_version", "feature", "feature_name", "created_at", "started_at", "last_updated",
        "completed_at", "status", "paused_at", "pause_reason", "blocked_at", "blocked_reason",
        "current_layer", "total_tasks", "completed_tasks", "failed_tasks", "skipped_tasks",
        "completion_percentage", "average_task_duration_ms", "estimated_remaining_ms", "next_action",
        "layers", "errors", "warnings",
    ]

    /// Reads a status document. Derived fields are not read: `recomputeDerivedFields` sets them.
    public init(json: JSONValue, defaultFeature: String = "") throws(StatusFileShapeError) {
        let r = try FieldReader(json, path: "")
        let feature = try r.string("feature") ?? defaultFeature
        self.init(feature: feature, featureName: try r.string("feature_name") ?? feature)
        schemaVersion = try r.int("schema_version") ?? Self.currentSchemaVersion
        createdAt = try r.timestamp("created_at")
        startedAt = try r.timestamp("started_at")
        lastUpdated = try r.timestamp("last_updated")
        completedAt = try r.timestamp("completed_at")
        pausedAt = try r.timestamp("paused_at")
        pauseReason = try r.string("pause_reason")
        blockedAt = try r.timestamp("blocked_at")
        blockReason = try r.string("blocked_reason")
        // A file paused by the original scripts carries only `"status": "paused"`.
        if let stored = try r.string("status"), pausedAt == nil, blockedAt == nil {
            if stored == ExecutionStatus.paused.rawValue { pausedAt = lastUpdated ?? startedAt ?? createdAt }
            if stored == ExecutionStatus.blocked.rawValue { blockedAt = lastUpdated ?? startedAt ?? createdAt }
        }

        switch r.present("layers") {
        case nil:
            layers = []
        case .object(let object)?:
            var read: [ExecutionLayer] = []
            for (key, value) in object.entries {
                read.append(try ExecutionLayer(json: value, key: key, path: "layers.\(key)"))
            }
            layers = read
        case .array(let elements)?:
            // Some hand-written files list layers in an array; their position is their number.
            var read: [ExecutionLayer] = []
            for (i, value) in elements.enumerated() {
                read.append(try ExecutionLayer(json: value, key: "L\(i)", path: "layers[\(i)]"))
            }
            layers = read
        default:
            throw r.fail("layers", "expected an object keyed L0, L1, ...")
        }
        layers = Self.numericallyOrdered(layers)

        var readErrors: [ErrorEntry] = []
        for (i, value) in try r.elements("errors").enumerated() {
            readErrors.append(try ErrorEntry(json: value, path: "errors[\(i)]"))
        }
        errors = readErrors
        var readWarnings: [WarningEntry] = []
        for (i, value) in try r.elements("warnings").enumerated() {
            readWarnings.append(try WarningEntry(json: value, path: "warnings[\(i)]"))
        }
        warnings = readWarnings
        extra = r.extras(Self.knownKeys)
    }

    /// Numbered layers by number; others after them, in the order given.
    static func numericallyOrdered(_ layers: [ExecutionLayer]) -> [ExecutionLayer] {
        layers.enumerated().sorted { a, b in
            switch (a.element.number, b.element.number) {
            case let (x?, y?): return x != y ? x < y : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.append("schema_version", .int(schemaVersion))
        o.append("feature", .string(feature))
        o.append("feature_name", .string(featureName))
        o.append("status", .string(status.rawValue))
        o.append("current_layer", .string(currentLayer))
        o.append("created_at", .optional(createdAt))
        o.append("started_at", .optional(startedAt))
        o.append("last_updated", .optional(lastUpdated))
        o.append("completed_at", .optional(completedAt))
        o.append("paused_at", .optional(pausedAt))
        o.append("pause_reason", .optional(pauseReason))
        o.append("blocked_at", .optional(blockedAt))
        o.append("blocked_reason", .optional(blockReason))
        o.append("total_tasks", .int(totalTasks))
        o.append("completed_tasks", .int(completedTasks))
        o.append("failed_tasks", .int(failedTasks))
        o.append("skipped_tasks", .int(skippedTasks))
        o.append("completion_percentage", .int(completionPercentage))
        o.append("average_task_duration_ms", .optional(averageTaskDurationMs))
        o.append("estimated_remaining_ms", .optional(estimatedRemainingMs))
        o.append("next_action", .string(nextAction))
        var layerObject = JSONObject()
        for layer in layers { layerObject.append(layer.key, layer.json) }
        o.append("layers", .object(layerObject))
        o.append("errors", .array(errors.map(\.json)))
        o.append("warnings", .array(warnings.map(\.json)))
        for entry in extra.entries { o.append(entry.key, entry.value) }
        return .object(o)
    }
}

extension ExecutionLayer {
    static let knownKeys: Set<String> = [
        "name", "status", "total_tasks", "completed_tasks", "failed_tasks", "skipped_tasks",
        "started_at", "completed_at", "duration_ms", "tasks",
    ]

    init(json: JSONValue, key: String, path: String) throws(StatusFileShapeError) {
        let r = try FieldReader(json, path: path)
        let name = try r.string("name") ?? key
        let started = try r.timestamp("started_at")
        let completed = try r.timestamp("completed_at")
        var tasks: [ExecutionTask] = []
        for (i, value) in try r.elements("tasks").enumerated() {
            tasks.append(try ExecutionTask(json: value, position: i, path: "\(path).tasks[\(i)]"))
        }
        self.init(key: key, name: name, tasks: tasks, extra: r.extras(Self.knownKeys))
        startedAt = started
        completedAt = completed
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.append("name", .string(name))
        o.append("status", .string(status.rawValue))
        o.append("total_tasks", .int(totalTasks))
        o.append("completed_tasks", .int(completedTasks))
        o.append("failed_tasks", .int(failedTasks))
        o.append("skipped_tasks", .int(skippedTasks))
        o.append("started_at", .optional(startedAt))
        o.append("completed_at", .optional(completedAt))
        o.append("duration_ms", .optional(durationMs))
        o.append("tasks", .array(tasks.map(\.json)))
        for entry in extra.entries { o.append(entry.key, entry.value) }
        return .object(o)
    }
}

extension ExecutionTask {
    static let knownKeys: Set<String> = [
        "index", "id", "description", "command", "agent", "complexity", "dependencies", "parallel",
        "status", "started_at", "completed_at", "duration_ms", "attempts", "output", "files_created",
        "files_modified", "error",
    ]

    // Fields are read in the order the writer puts them, so each lookup is one comparison.
    init(json: JSONValue, position: Int, path: String) throws(StatusFileShapeError) {
        let r = try FieldReader(json, path: path)
        let id = try r.string("id")
        let description = try r.string("description") ?? ""
        let command = try r.string("command")
        let agent = try r.string("agent")
        let complexity = try r.string("complexity")
        let dependencies = try r.strings("dependencies")
        let parallel = try r.bool("parallel") ?? false
        var status = TaskStatus.pending
        if let text = try r.string("status") {
            guard let s = TaskStatus(normalizing: text) else {
                throw r.fail("status", "unknown task status \"\(text.singleLine)\" (valid: \(TaskStatus.validValuesList))")
            }
            status = s
        }
        self.init(index: position, id: id, description: description, command: command, agent: agent,
                  complexity: complexity, dependencies: dependencies, parallel: parallel, status: status,
                  extra: r.extras(Self.knownKeys))
        startedAt = try r.timestamp("started_at")
        completedAt = try r.timestamp("completed_at")
        if let ms = try r.int("duration_ms") {
            guard ms >= 0 else { throw r.fail("duration_ms", "must not be negative") }
            durationMs = Int64(ms)
        }
        attempts = max(0, try r.int("attempts") ?? (startedAt == nil ? 0 : 1))
        output = try r.string("output")
        filesCreated = try r.strings("files_created")
        filesModified = try r.strings("files_modified")
        error = try r.string("error")
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.append("index", .int(index))
        o.append("id", .optional(id))
        o.append("description", .string(description))
        o.append("command", .optional(command))
        o.append("agent", .optional(agent))
        o.append("complexity", .optional(complexity))
        o.append("dependencies", .strings(dependencies))
        o.append("parallel", .bool(parallel))
        o.append("status", .string(status.rawValue))
        o.append("started_at", .optional(startedAt))
        o.append("completed_at", .optional(completedAt))
        o.append("duration_ms", .optional(durationMs))
        o.append("attempts", .int(attempts))
        o.append("output", .optional(output))
        o.append("files_created", .strings(filesCreated))
        o.append("files_modified", .strings(filesModified))
        o.append("error", .optional(error))
        for entry in extra.entries { o.append(entry.key, entry.value) }
        return .object(o)
    }
}

extension ErrorEntry {
    static let knownKeys: Set<String> = [
        "layer", "task_index", "task_id", "task_description", "error", "timestamp", "severity",
        "category", "recovery_action", "resolved_at",
    ]

    init(json: JSONValue, path: String) throws(StatusFileShapeError) {
        let r = try FieldReader(json, path: path)
        let message = try r.string("error") ?? ""
        var severity = Severity.medium
        if let text = try r.string("severity") {
            guard let s = Severity(normalizing: text) else {
                throw r.fail("severity", "unknown severity \"\(text.singleLine)\" (valid: \(Severity.validValuesList))")
            }
            severity = s
        }
        var category = ErrorCategory.classify(message)
        if let text = try r.string("category") {
            guard let c = ErrorCategory(normalizing: text) else {
                throw r.fail("category", "unknown error category \"\(text.singleLine)\"")
            }
            category = c
        }
        self.init(layer: try r.string("layer") ?? "", taskIndex: try r.int("task_index"),
                  taskId: try r.string("task_id"), taskDescription: try r.string("task_description"),
                  message: message, timestamp: try r.timestamp("timestamp"), severity: severity,
                  category: category, recoveryAction: try r.string("recovery_action"),
                  resolvedAt: try r.timestamp("resolved_at"), extra: r.extras(Self.knownKeys))
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.append("layer", .string(layer))
        o.append("task_index", .optional(taskIndex))
        o.append("task_id", .optional(taskId))
        o.append("task_description", .optional(taskDescription))
        o.append("error", .string(message))
        o.append("timestamp", .optional(timestamp))
        o.append("severity", .string(severity.rawValue))
        o.append("category", .string(category.rawValue))
        o.append("recovery_action", .optional(recoveryAction))
        o.append("resolved_at", .optional(resolvedAt))
        for entry in extra.entries { o.append(entry.key, entry.value) }
        return .object(o)
    }
}

extension WarningEntry {
    static let knownKeys: Set<String> = ["message", "timestamp", "severity", "layer", "task_index"]

    init(json: JSONValue, path: String) throws(StatusFileShapeError) {
        // The original scripts may have logged warnings as bare strings.
        if case .string(let text) = json {
            self.init(message: text, timestamp: nil)
            return
        }
        let r = try FieldReader(json, path: path)
        var severity = Severity.low
        if let text = try r.string("severity") {
            guard let s = Severity(normalizing: text) else {
                throw r.fail("severity", "unknown severity \"\(text.singleLine)\" (valid: \(Severity.validValuesList))")
            }
            severity = s
        }
        self.init(message: try r.string("message") ?? "",
                  timestamp: try r.timestamp("timestamp"), severity: severity,
                  layer: try r.string("layer"), taskIndex: try r.int("task_index"),
                  extra: r.extras(Self.knownKeys))
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.append("message", .string(message))
        o.append("timestamp", .optional(timestamp))
        o.append("severity", .string(severity.rawValue))
        o.append("layer", .optional(layer))
        o.append("task_index", .optional(taskIndex))
        for entry in extra.entries { o.append(entry.key, entry.value) }
        return .object(o)
    }
}
