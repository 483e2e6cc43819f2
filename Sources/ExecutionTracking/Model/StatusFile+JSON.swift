// Mapping between the model and its JSON document. Reading is lenient where older writers differ
// (aliases, numbers as strings, missing fields) and strict where guessing would lose data.
// Both directions stream — reading walks the parser over the file's bytes, writing streams into
// a JSONOutput — so a 10,000-task file never exists as a JSON tree.

/// Why a status document could not be read: it is not JSON, or it is JSON of the wrong shape.
public enum StatusFileDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case syntax(JSONSyntaxError)
    case shape(StatusFileShapeError)

    /// Completes "<file> …" in messages.
    public var description: String {
        switch self {
        case .syntax(let syntax): "is not valid JSON (\(syntax))"
        case .shape(let shape): "has an unexpected shape (\(shape))"
        }
    }
}

extension StatusFile {
    /// Reads a status document. Derived fields are not read: `recomputeDerivedFields` sets them.
    /// When a document is both malformed and of the wrong shape, the syntax error is reported:
    /// it is usually what broke the shape.
    public init(jsonBytes: [UInt8], defaultFeature: String = "") throws(StatusFileDecodingError) {
        do {
            self = try JSONParser.reading(jsonBytes, syntaxError: { $0 }) { parser in
                try StatusFile(from: &parser, defaultFeature: defaultFeature)
            }
        } catch let error as JSONSyntaxError {
            throw .syntax(error)
        } catch {
            do throws(JSONSyntaxError) {
                _ = try JSONParser.parse(jsonBytes)
            } catch let syntax {
                throw .syntax(syntax)
            }
            throw .shape(error as? StatusFileShapeError ?? StatusFileShapeError(path: "(top level)", problem: "\(error)"))
        }
    }

    /// Reads a document already parsed into a tree (Codable, validation).
    public init(json: JSONValue, defaultFeature: String = "") throws(StatusFileShapeError) {
        do {
            try self.init(jsonBytes: JSONWriter.bytes(style: .compact) { $0.value(json) }, defaultFeature: defaultFeature)
        } catch {
            switch error {
            case .shape(let shape): throw shape
            case .syntax(let syntax): throw StatusFileShapeError(path: "(top level)", problem: "\(syntax)")
            }
        }
    }

    /// The document's bytes in the writer's layout, ending with a newline.
    public func jsonBytes(capacity: Int = 1 << 16) -> [UInt8] {
        JSONWriter.bytes(capacity: capacity) { write(to: &$0) }
    }

    public var json: JSONValue { JSONValue(writtenBy: write) }

    enum Field: String, CaseIterable {
        case schemaVersion = "schema_version", feature, featureName = "feature_name", tasksFile = "tasks_file", status
        case currentLayer = "current_layer", createdAt = "created_at", startedAt = "started_at"
        case lastUpdated = "last_updated", completedAt = "completed_at", pausedAt = "paused_at"
        case pauseReason = "pause_reason", blockedAt = "blocked_at", blockedReason = "blocked_reason"
        case totalTasks = "total_tasks", completedTasks = "completed_tasks", failedTasks = "failed_tasks"
        case skippedTasks = "skipped_tasks", completionPercentage = "completion_percentage"
        case averageTaskDurationMs = "average_task_duration_ms", estimatedRemainingMs = "estimated_remaining_ms"
        case nextAction = "next_action", layers, errors, warnings
    }
    static let fields = KnownFields<Field>()

    init(from parser: inout JSONParser, defaultFeature: String) throws {
        let r = MemberReader(path: DocumentPath(base: ""))
        var feature: String?, featureName: String?, storedStatus: String?
        self.init(feature: "", featureName: "")
        extra = try r.object(&parser, Self.fields) { field, parser in
            switch field {
            case .schemaVersion:
                schemaVersion = try r.int(&parser, field) ?? Self.currentSchemaVersion
                guard schemaVersion >= 1 else { throw r.fail(field, "\(schemaVersion) is not a schema version (they start at 1)") }
            case .feature: feature = try r.string(&parser, field)
            case .featureName: featureName = try r.string(&parser, field)
            case .tasksFile: tasksFile = try r.string(&parser, field)
            case .status: storedStatus = try r.string(&parser, field)
            case .createdAt: createdAt = try r.timestamp(&parser, field)
            case .startedAt: startedAt = try r.timestamp(&parser, field)
            case .lastUpdated: lastUpdated = try r.timestamp(&parser, field)
            case .completedAt: completedAt = try r.timestamp(&parser, field)
            case .pausedAt: pausedAt = try r.timestamp(&parser, field)
            case .pauseReason: pauseReason = try r.string(&parser, field)
            case .blockedAt: blockedAt = try r.timestamp(&parser, field)
            case .blockedReason: blockReason = try r.string(&parser, field)
            case .currentLayer, .totalTasks, .completedTasks, .failedTasks, .skippedTasks, .completionPercentage,
                 .averageTaskDurationMs, .estimatedRemainingMs, .nextAction:
                _ = try parser.value()
            case .layers: layers = try Self.readLayers(&parser, r)
            case .errors:
                var read: [ErrorEntry] = []
                try r.forEachElement(&parser, field) { parser, i in
                    read.append(try ErrorEntry(from: &parser, path: DocumentPath(base: "errors", index: i)))
                }
                errors = read
            case .warnings:
                var read: [WarningEntry] = []
                try r.forEachElement(&parser, field) { parser, i in
                    read.append(try WarningEntry(from: &parser, path: DocumentPath(base: "warnings", index: i)))
                }
                warnings = read
            }
        }
        self.feature = feature ?? defaultFeature
        self.featureName = featureName ?? self.feature
        // A file paused by the original scripts carries only `"status": "paused"`.
        if let storedStatus, pausedAt == nil, blockedAt == nil {
            if storedStatus == ExecutionStatus.paused.rawValue { pausedAt = lastUpdated ?? startedAt ?? createdAt }
            if storedStatus == ExecutionStatus.blocked.rawValue { blockedAt = lastUpdated ?? startedAt ?? createdAt }
        }
        layers = Self.numericallyOrdered(layers)
    }

    /// Layers keyed `L0`, `L1`, ... (a repeated key: the last wins); some hand-written files list
    /// them in an array instead, where the position is the number.
    private static func readLayers(_ parser: inout JSONParser, _ r: MemberReader) throws -> [ExecutionLayer] {
        var read: [ExecutionLayer] = []
        switch try parser.peek() {
        case UInt8(ascii: "{"):
            try parser.beginObject()
            var first = true
            while let token = try parser.nextKey(&first) {
                let key = token.text
                let layer = try ExecutionLayer(from: &parser, key: key, path: DocumentPath(base: "layers.\(key)"))
                if let i = read.firstIndex(where: { JSONObject.sameKey($0.key, key) }) {
                    read[i] = layer
                } else {
                    read.append(layer)
                }
            }
        case UInt8(ascii: "["):
            try r.forEachElement(&parser, Field.layers) { parser, i in
                read.append(try ExecutionLayer(from: &parser, key: "L\(i)", path: DocumentPath(base: "layers", index: i)))
            }
        default:
            guard try parser.value().isNull else { throw r.fail(Field.layers, "expected an object keyed L0, L1, ...") }
        }
        return read
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

    func write(to out: inout JSONOutput) {
        out.beginObject()
        out.key(Field.schemaVersion); out.int(schemaVersion)
        out.key(Field.feature); out.string(feature)
        out.key(Field.featureName); out.string(featureName)
        // Only when a tasks file was named: files seeded from the usual place stay as they were.
        if let tasksFile { out.key(Field.tasksFile); out.string(tasksFile) }
        out.key(Field.status); out.string(status.rawValue)
        out.key(Field.currentLayer); out.string(currentLayer)
        out.key(Field.createdAt); out.timestamp(createdAt)
        out.key(Field.startedAt); out.timestamp(startedAt)
        out.key(Field.lastUpdated); out.timestamp(lastUpdated)
        out.key(Field.completedAt); out.timestamp(completedAt)
        out.key(Field.pausedAt); out.timestamp(pausedAt)
        out.key(Field.pauseReason); out.string(pauseReason)
        out.key(Field.blockedAt); out.timestamp(blockedAt)
        out.key(Field.blockedReason); out.string(blockReason)
        out.key(Field.totalTasks); out.int(totalTasks)
        out.key(Field.completedTasks); out.int(completedTasks)
        out.key(Field.failedTasks); out.int(failedTasks)
        out.key(Field.skippedTasks); out.int(skippedTasks)
        out.key(Field.completionPercentage); out.int(completionPercentage)
        out.key(Field.averageTaskDurationMs); out.int(averageTaskDurationMs)
        out.key(Field.estimatedRemainingMs); out.int(estimatedRemainingMs)
        out.key(Field.nextAction); out.string(nextAction)
        out.key(Field.layers)
        out.beginObject()
        for layer in layers {
            out.key(layer.key)
            layer.write(to: &out)
        }
        out.endObject()
        out.key(Field.errors)
        out.beginArray()
        for entry in errors {
            out.element()
            entry.write(to: &out)
        }
        out.endArray()
        out.key(Field.warnings)
        out.beginArray()
        for entry in warnings {
            out.element()
            entry.write(to: &out)
        }
        out.endArray()
        out.members(extra)
        out.endObject()
    }
}

extension ExecutionLayer {
    enum Field: String, CaseIterable {
        case name, status, totalTasks = "total_tasks", completedTasks = "completed_tasks"
        case failedTasks = "failed_tasks", skippedTasks = "skipped_tasks", startedAt = "started_at"
        case completedAt = "completed_at", durationMs = "duration_ms", tasks
    }
    static let fields = KnownFields<Field>()

    init(from parser: inout JSONParser, key: String, path: DocumentPath) throws {
        let r = MemberReader(path: path)
        self.init(key: key, name: key)
        let tasksPath = path.field(Field.tasks.rawValue)
        extra = try r.object(&parser, Self.fields) { field, parser in
            switch field {
            case .name: name = try r.string(&parser, field) ?? key
            case .startedAt: startedAt = try r.timestamp(&parser, field)
            case .completedAt: completedAt = try r.timestamp(&parser, field)
            case .status, .totalTasks, .completedTasks, .failedTasks, .skippedTasks, .durationMs:
                _ = try parser.value()
            case .tasks:
                var read: [ExecutionTask] = []
                try r.forEachElement(&parser, field) { parser, i in
                    read.append(try ExecutionTask(from: &parser, position: i, path: DocumentPath(base: tasksPath, index: i)))
                }
                tasks = read
            }
        }
    }

    public var json: JSONValue { JSONValue(writtenBy: write) }

    func write(to out: inout JSONOutput) {
        out.beginObject()
        out.key(Field.name); out.string(name)
        out.key(Field.status); out.string(status.rawValue)
        out.key(Field.totalTasks); out.int(totalTasks)
        out.key(Field.completedTasks); out.int(completedTasks)
        out.key(Field.failedTasks); out.int(failedTasks)
        out.key(Field.skippedTasks); out.int(skippedTasks)
        out.key(Field.startedAt); out.timestamp(startedAt)
        out.key(Field.completedAt); out.timestamp(completedAt)
        out.key(Field.durationMs); out.int(durationMs)
        out.key(Field.tasks)
        out.beginArray()
        for task in tasks {
            out.element()
            task.write(to: &out)
        }
        out.endArray()
        out.members(extra)
        out.endObject()
    }
}

extension ExecutionTask {
    enum Field: String, CaseIterable {
        case index, id, description, command, agent, complexity, dependencies, parallel, status
        case startedAt = "started_at", completedAt = "completed_at", durationMs = "duration_ms", attempts
        case output, filesCreated = "files_created", filesModified = "files_modified", error
    }
    static let fields = KnownFields<Field>()

    init(from parser: inout JSONParser, position: Int, path: DocumentPath) throws {
        let r = MemberReader(path: path)
        var readAttempts: Int?
        self.init(index: position, description: "")
        extra = try r.object(&parser, Self.fields) { field, parser in
            switch field {
            case .index: _ = try parser.value()
            case .id: id = try r.string(&parser, field)
            case .description: description = try r.string(&parser, field) ?? ""
            case .command: command = try r.string(&parser, field)
            case .agent: agent = try r.string(&parser, field)
            case .complexity: complexity = try r.string(&parser, field)
            case .dependencies: dependencies = try r.strings(&parser, field)
            case .parallel: parallel = try r.bool(&parser, field) ?? false
            case .status:
                status = try r.named(&parser, field, "task status", valid: TaskStatus.validValuesList,
                                     TaskStatus.init(normalizing:)) ?? .pending
            case .startedAt: startedAt = try r.timestamp(&parser, field)
            case .completedAt: completedAt = try r.timestamp(&parser, field)
            case .durationMs:
                durationMs = nil
                if let ms = try r.int(&parser, field) {
                    guard ms >= 0 else { throw r.fail(field, "must not be negative") }
                    guard Int64(ms) <= Limits.maxDurationMs else {
                        throw r.fail(field, "\(ms) is more than \(Limits.maxDurationMs) (100 years in milliseconds)")
                    }
                    durationMs = Int64(ms)
                }
            case .attempts:
                readAttempts = try r.int(&parser, field)
                if let n = readAttempts, n > Limits.maxAttempts {
                    throw r.fail(field, "\(n) is more than \(Limits.maxAttempts)")
                }
            case .output: output = try r.string(&parser, field)
            case .filesCreated: filesCreated = try r.strings(&parser, field)
            case .filesModified: filesModified = try r.strings(&parser, field)
            case .error: error = try r.string(&parser, field)
            }
        }
        attempts = max(0, readAttempts ?? (startedAt == nil ? 0 : 1))
    }

    public var json: JSONValue { JSONValue(writtenBy: write) }

    func write(to out: inout JSONOutput) {
        out.beginObject()
        out.key(Field.index); out.int(index)
        out.key(Field.id); out.string(id)
        out.key(Field.description); out.string(description)
        out.key(Field.command); out.string(command)
        out.key(Field.agent); out.string(agent)
        out.key(Field.complexity); out.string(complexity)
        out.key(Field.dependencies); out.strings(dependencies)
        out.key(Field.parallel); out.bool(parallel)
        out.key(Field.status); out.string(status.rawValue)
        out.key(Field.startedAt); out.timestamp(startedAt)
        out.key(Field.completedAt); out.timestamp(completedAt)
        out.key(Field.durationMs); out.int(durationMs)
        out.key(Field.attempts); out.int(attempts)
        out.key(Field.output); out.string(output)
        out.key(Field.filesCreated); out.strings(filesCreated)
        out.key(Field.filesModified); out.strings(filesModified)
        out.key(Field.error); out.string(error)
        out.members(extra)
        out.endObject()
    }
}

extension ErrorEntry {
    enum Field: String, CaseIterable {
        case layer, taskIndex = "task_index", taskId = "task_id", taskDescription = "task_description"
        case error, timestamp, severity, category, recoveryAction = "recovery_action", resolvedAt = "resolved_at"
    }
    static let fields = KnownFields<Field>()

    init(from parser: inout JSONParser, path: DocumentPath) throws {
        let r = MemberReader(path: path)
        var category: ErrorCategory?
        self.init(layer: "", taskIndex: nil, taskDescription: nil, message: "", timestamp: nil,
                  severity: .medium, category: .other, recoveryAction: nil)
        extra = try r.object(&parser, Self.fields) { field, parser in
            switch field {
            case .layer: layer = try r.string(&parser, field) ?? ""
            case .taskIndex:
                taskIndex = try r.int(&parser, field)
                if let index = taskIndex, index < 0 { throw r.fail(field, "must not be negative") }
            case .taskId: taskId = try r.string(&parser, field)
            case .taskDescription: taskDescription = try r.string(&parser, field)
            case .error: message = try r.string(&parser, field) ?? ""
            case .timestamp: timestamp = try r.timestamp(&parser, field)
            case .severity:
                severity = try r.named(&parser, field, "severity", valid: Severity.validValuesList,
                                       Severity.init(normalizing:)) ?? .medium
            case .category:
                category = try r.named(&parser, field, "error category", ErrorCategory.init(normalizing:))
            case .recoveryAction: recoveryAction = try r.string(&parser, field)
            case .resolvedAt: resolvedAt = try r.timestamp(&parser, field)
            }
        }
        self.category = category ?? ErrorCategory.classify(message)
    }

    public var json: JSONValue { JSONValue(writtenBy: write) }

    func write(to out: inout JSONOutput) {
        out.beginObject()
        out.key(Field.layer); out.string(layer)
        out.key(Field.taskIndex); out.int(taskIndex)
        out.key(Field.taskId); out.string(taskId)
        out.key(Field.taskDescription); out.string(taskDescription)
        out.key(Field.error); out.string(message)
        out.key(Field.timestamp); out.timestamp(timestamp)
        out.key(Field.severity); out.string(severity.rawValue)
        out.key(Field.category); out.string(category.rawValue)
        out.key(Field.recoveryAction); out.string(recoveryAction)
        out.key(Field.resolvedAt); out.timestamp(resolvedAt)
        out.members(extra)
        out.endObject()
    }
}

extension WarningEntry {
    enum Field: String, CaseIterable {
        case message, timestamp, severity, layer, taskIndex = "task_index"
    }
    static let fields = KnownFields<Field>()

    init(from parser: inout JSONParser, path: DocumentPath) throws {
        // The original scripts may have logged warnings as bare strings.
        if try parser.peek() == UInt8(ascii: "\"") {
            guard case .string(let text) = try parser.value() else { preconditionFailure("a string value") }
            self.init(message: text, timestamp: nil)
            return
        }
        let r = MemberReader(path: path)
        self.init(message: "", timestamp: nil)
        extra = try r.object(&parser, Self.fields) { field, parser in
            switch field {
            case .message: message = try r.string(&parser, field) ?? ""
            case .timestamp: timestamp = try r.timestamp(&parser, field)
            case .severity:
                severity = try r.named(&parser, field, "severity", valid: Severity.validValuesList,
                                       Severity.init(normalizing:)) ?? .low
            case .layer: layer = try r.string(&parser, field)
            case .taskIndex:
                taskIndex = try r.int(&parser, field)
                if let index = taskIndex, index < 0 { throw r.fail(field, "must not be negative") }
            }
        }
    }

    public var json: JSONValue { JSONValue(writtenBy: write) }

    func write(to out: inout JSONOutput) {
        out.beginObject()
        out.key(Field.message); out.string(message)
        out.key(Field.timestamp); out.timestamp(timestamp)
        out.key(Field.severity); out.string(severity.rawValue)
        out.key(Field.layer); out.string(layer)
        out.key(Field.taskIndex); out.int(taskIndex)
        out.members(extra)
        out.endObject()
    }
}

extension JSONValue {
    /// The tree of what `write` streams, for callers that inspect or embed one model value.
    init(writtenBy write: (inout JSONOutput) -> Void) {
        // The writer only produces valid JSON, so the parse cannot fail.
        self = try! JSONParser.parse(JSONWriter.bytes(style: .compact, capacity: 1024, write))
    }
}

extension JSONOutput {
    mutating func key<Field: RawRepresentable>(_ field: Field) where Field.RawValue == String {
        key(plain: field.rawValue)
    }

    mutating func timestamp(_ stamp: Timestamp?) {
        string(stamp?.iso8601)
    }
}

/// Where an object sits in the document (`layers.L0.tasks[3]`), spelled out only when an error
/// names it, so reading a task builds no path text.
struct DocumentPath {
    let base: String
    var index: Int?

    init(base: String, index: Int? = nil) {
        self.base = base
        self.index = index
    }

    var text: String { index.map { "\(base)[\($0)]" } ?? base }

    func field(_ key: String) -> String {
        let prefix = text
        return prefix.isEmpty ? key : "\(prefix).\(key)"
    }
}

/// The fields an object type knows, matched against a key's bytes. Files list keys in the order
/// the writer puts them, so the field after the previous match is tried first and a lookup is
/// usually one comparison.
struct KnownFields<Field: RawRepresentable & CaseIterable & Sendable>: Sendable where Field.RawValue == String {
    private let fields: [Field]
    private let names: [[UInt8]]

    init() {
        fields = Array(Field.allCases)
        names = fields.map { Array($0.rawValue.utf8) }
    }

    func match(_ key: JSONKey, after previous: inout Int) -> Field? {
        key.withUTF8 { bytes in
            func matches(_ i: Int) -> Bool {
                names[i].count == bytes.count && names[i].withUnsafeBytes { Self.equal($0, UnsafeRawBufferPointer(bytes)) }
            }
            let expected = previous + 1
            if expected < names.count, matches(expected) {
                previous = expected
                return fields[expected]
            }
            guard let i = names.indices.first(where: matches) else { return nil }
            previous = i
            return fields[i]
        }
    }

    /// Byte equality of two buffers of the same length, eight bytes at a time.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < a.count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

/// Reads the members of one object into typed values, naming the member's path in every error.
struct MemberReader {
    let path: DocumentPath

    func fail<Field: RawRepresentable>(_ field: Field, _ problem: String) -> StatusFileShapeError
    where Field.RawValue == String {
        StatusFileShapeError(path: path.field(field.rawValue), problem: problem)
    }

    /// Walks the object at the parser: `read` consumes the value of each known field; the other
    /// members are returned in document order (a repeated key: the last value wins).
    func object<Field>(_ parser: inout JSONParser, _ fields: KnownFields<Field>,
                       _ read: (Field, inout JSONParser) throws -> Void) throws -> JSONObject {
        guard try parser.peek() == UInt8(ascii: "{") else {
            throw StatusFileShapeError(path: path.text.isEmpty ? "(top level)" : path.text, problem: "expected an object")
        }
        try parser.beginObject()
        var extra = JSONObject()
        var first = true
        var previous = -1
        while let key = try parser.nextKey(&first) {
            if let field = fields.match(key, after: &previous) {
                try read(field, &parser)
            } else {
                extra.appendOrReplace(key.text, try parser.value())
            }
        }
        return extra
    }

    /// The value unless it is null.
    private func present(_ parser: inout JSONParser) throws -> JSONValue? {
        let value = try parser.value()
        return value.isNull ? nil : value
    }

    func string<Field: RawRepresentable>(_ parser: inout JSONParser, _ field: Field) throws -> String?
    where Field.RawValue == String {
        switch try present(&parser) {
        case nil: return nil
        case .string(let s)?: return s
        case .number(let number)?: return number.literal
        default: throw fail(field, "expected a string")
        }
    }

    /// A string naming one of a fixed set of values (a status, a severity), read by `parse`;
    /// text it does not know is refused, naming `what` and, when given, the valid names. `valid`
    /// is an autoclosure because this runs for every task and the list is only needed on error.
    func named<Field: RawRepresentable, Value>(
        _ parser: inout JSONParser, _ field: Field, _ what: String, valid: @autoclosure () -> String? = nil,
        _ parse: (String) -> Value?
    ) throws -> Value? where Field.RawValue == String {
        guard let text = try string(&parser, field) else { return nil }
        guard let value = parse(text) else {
            throw fail(field, "unknown \(what) \"\(text.singleLine)\"" + (valid().map { " (valid: \($0))" } ?? ""))
        }
        return value
    }

    /// Integral numbers, also as `1.0` or `"120"` (see `JSONValue.intValue`).
    func int<Field: RawRepresentable>(_ parser: inout JSONParser, _ field: Field) throws -> Int?
    where Field.RawValue == String {
        guard let value = try present(&parser) else { return nil }
        guard let int = value.intValue else { throw fail(field, "expected an integer") }
        return int
    }

    func timestamp<Field: RawRepresentable>(_ parser: inout JSONParser, _ field: Field) throws -> Timestamp?
    where Field.RawValue == String {
        guard let text = try string(&parser, field), !text.isEmpty else { return nil }
        guard let stamp = Timestamp(iso8601: text) else {
            throw fail(field, "expected an ISO 8601 timestamp, found \"\(text.singleLine)\"")
        }
        return stamp
    }

    func bool<Field: RawRepresentable>(_ parser: inout JSONParser, _ field: Field) throws -> Bool?
    where Field.RawValue == String {
        switch try present(&parser) {
        case nil: return nil
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        default: throw fail(field, "expected true or false")
        }
    }

    /// An array of strings; a lone string (as some hand edits write) counts as one element.
    func strings<Field: RawRepresentable>(_ parser: inout JSONParser, _ field: Field) throws -> [String]
    where Field.RawValue == String {
        switch try present(&parser) {
        case nil: return []
        case .string(let s)?: return s.isEmpty ? [] : [s]
        case .array(let elements)?:
            var result: [String] = []
            for (i, element) in elements.enumerated() {
                switch element {
                case .string(let s): result.append(s)
                case .number(let number): result.append(number.literal)
                default:
                    throw StatusFileShapeError(path: "\(path.field(field.rawValue))[\(i)]", problem: "expected a string")
                }
            }
            return result
        default: throw fail(field, "expected an array of strings")
        }
    }

    /// Calls `body` with the parser at each element of an array; null and an empty object (a
    /// common hand-edit slip) stand for an empty array.
    func forEachElement<Field: RawRepresentable>(
        _ parser: inout JSONParser, _ field: Field, _ body: (inout JSONParser, Int) throws -> Void
    ) throws where Field.RawValue == String {
        guard try parser.peek() == UInt8(ascii: "[") else {
            switch try parser.value() {
            case .null: return
            case .object(let object) where object.isEmpty: return
            default: throw fail(field, "expected an array")
            }
        }
        try parser.beginArray()
        var first = true
        var i = 0
        while try parser.nextElement(&first) {
            try body(&parser, i)
            i += 1
        }
    }
}
