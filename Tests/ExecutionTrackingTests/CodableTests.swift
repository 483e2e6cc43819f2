import Foundation
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

// The model's Codable conformance (docs/architecture.md, "The model and its JSON"), through the
// project's exact coders and through Foundation's, on the same documents.

/// Unknown members Foundation can carry exactly: no number literal it would rewrite.
private let plainExtra: JSONValue = .object(JSONObject([
    ("owner", .string("team-a \" / \n 😀")),
    ("ids", .array([.int(3), .int(1), .int(2)])),
    ("flags", .object(JSONObject([("on", .bool(true)), ("none", .null), ("list", .array([]))]))),
]))

/// The sample of StatusFileJSONTests with `extra` members at every level of the model.
private func statusWithExtras(_ extra: JSONValue) -> StatusFile {
    var s = StatusFileJSONTests().sampleStatus()
    s.tasksFile = "specs/F001/tasks.md"
    s.extra = JSONObject([("x_top", extra)])
    s.layers[1].extra = JSONObject([("x_layer", extra)])
    s.layers[1].tasks[2].extra = JSONObject([("x_task", extra), ("tokens", .int(1200))])
    s.errors[0].extra = JSONObject([("x_error", extra)])
    s.warnings[0].extra = JSONObject([("x_warning", extra)])
    return s
}

/// Extras compared by key and value: Foundation's coders do not keep key order.
private func unordered(_ object: JSONObject) -> [String: JSONValue] {
    Dictionary(object.entries.map { ($0.key, sortedKeys($0.value)) }, uniquingKeysWith: { $1 })
}

private func sortedKeys(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let o): .object(JSONObject(o.entries.sorted { $0.key < $1.key }.map { ($0.key, sortedKeys($0.value)) }))
    case .array(let a): .array(a.map(sortedKeys))
    default: value
    }
}

/// Every model object's extras, flattened with their place, unordered.
private func allExtras(_ s: StatusFile) -> [String: [String: JSONValue]] {
    var out = ["top": unordered(s.extra)]
    for layer in s.layers {
        out[layer.key] = unordered(layer.extra)
        for task in layer.tasks { out["\(layer.key).\(task.index)"] = unordered(task.extra) }
    }
    for (i, e) in s.errors.enumerated() { out["errors[\(i)]"] = unordered(e.extra) }
    for (i, w) in s.warnings.enumerated() { out["warnings[\(i)]"] = unordered(w.extra) }
    return out
}

/// The status with extras emptied: what remains are the known fields.
private func knownFields(_ s: StatusFile) -> StatusFile {
    var s = s
    s.extra = JSONObject()
    for l in s.layers.indices {
        s.layers[l].extra = JSONObject()
        for t in s.layers[l].tasks.indices { s.layers[l].tasks[t].extra = JSONObject() }
    }
    for i in s.errors.indices { s.errors[i].extra = JSONObject() }
    for i in s.warnings.indices { s.warnings[i].extra = JSONObject() }
    return s
}

private func foundationRoundTrip(_ s: StatusFile) throws -> StatusFile {
    try JSONDecoder().decode(StatusFile.self, from: JSONEncoder().encode(s))
}

/// The documents both paths are checked on: the sample with extras, the example in the
/// repository, and one from the original scripts.
private func fixtures() throws -> [(String, StatusFile)] {
    let example = try Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/output/F001.json"))
    let oldScript = """
        {"feature": "F002", "status": "paused", "last_updated": "2025-01-15T10:05:00Z",
         "layers": {"L1": {"name": "Core", "tasks": [{"description": "a", "status": "completed",
           "started_at": "2025-01-15T10:00:00Z", "completed_at": "2025-01-15T10:01:00Z"}]},
                    "L0": {"tasks": [{"description": "b", "status": "pending"}]}},
         "errors": [{"layer": "L1", "task_index": 0, "error": "Request timed out", "severity": "high"}],
         "warnings": ["bare string warning"]}
        """
    return [
        ("sample with extras", statusWithExtras(plainExtra)),
        ("examples/output/F001.json", try StatusFile(jsonBytes: Array(example))),
        ("original scripts' file", try StatusFile(jsonBytes: Array(oldScript.utf8))),
    ]
}

@Suite("Codable model")
struct CodableTests {
    @Test func theToolsOwnReadAndWriteAreTheCodableConformance() throws {
        for (name, status) in try fixtures() {
            let bytes = try ExactJSONEncoder.encode(status)
            #expect(bytes == status.jsonBytes(), "\(name)")
            let decoded = try ExactJSONDecoder.decode(StatusFile.self, from: bytes)
            #expect(decoded == status, "\(name)")
            #expect(try ExactJSONEncoder.encode(decoded) == bytes, "\(name): deterministic")
        }
    }

    /// A task's lease and usage are held out of line (`Indirect`): they read, write and compare
    /// as inline optionals would, on both coders, are omitted when nil, and a copy of a task
    /// changed afterwards leaves the original as it was.
    @Test func fieldsHeldOutOfLineBehaveAsInlineOptionals() throws {
        var task = ExecutionTask(index: 0, id: "T1", description: "Build it")
        task.claimedBy = AgentProcess(agent: "impl", pid: 42)
        task.usage = TokenUsage(models: [ModelUsage(model: "claude-sonnet-4-5", input: 10, output: 5)], costUsd: 0.25, costSource: .reported)
        let bytes = try ExactJSONEncoder.encode(task)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"claimed_by\": {") && text.contains("\"usage\": {"))
        #expect(try ExactJSONDecoder.decode(ExecutionTask.self, from: bytes) == task)
        #expect(try JSONDecoder().decode(ExecutionTask.self, from: JSONEncoder().encode(task)) == task)

        var copy = task
        copy.claimedBy?.agent = "other"
        copy.usage = nil
        #expect(task.claimedBy?.agent == "impl" && task.usage?.costUsd == 0.25)
        #expect(copy != task)
        let plain = String(decoding: try ExactJSONEncoder.encode(copy), as: UTF8.self)
        #expect(!plain.contains("\"usage\"") && plain.contains("\"agent\": \"other\""))

        var same = ExecutionTask(index: 0, id: "T1", description: "Build it")
        same.claimedBy = AgentProcess(agent: "impl", pid: 42)
        same.usage = task.usage
        #expect(same == task, "equal by value, not by box")
    }

    @Test func foundationRoundTripsEveryKnownAndUnknownField() throws {
        for (name, status) in try fixtures() {
            let back = try foundationRoundTrip(status)
            #expect(knownFields(back) == knownFields(status), "\(name)")
            #expect(allExtras(back) == allExtras(status), "\(name)")
        }
    }

    @Test func foundationAndTheExactCodersReadEachOther() throws {
        for (name, status) in try fixtures() {
            let fromFoundation = try StatusFile(jsonBytes: Array(JSONEncoder().encode(status)))
            #expect(knownFields(fromFoundation) == knownFields(status), "\(name)")
            #expect(allExtras(fromFoundation) == allExtras(status), "\(name)")
            let byFoundation = try JSONDecoder().decode(StatusFile.self, from: Data(status.jsonBytes()))
            #expect(knownFields(byFoundation) == knownFields(status), "\(name)")
            #expect(allExtras(byFoundation) == allExtras(status), "\(name)")
        }
    }

    /// What Foundation cannot carry, as docs/architecture.md says: literals become Double or
    /// Int64 values. The exact coders keep them.
    @Test func numberLiteralsAreExactOnlyThroughTheExactCoders() throws {
        let status = statusWithExtras(oddExtra)
        let exact = try ExactJSONDecoder.decode(StatusFile.self, from: ExactJSONEncoder.encode(status))
        #expect(exact.layers[1].tasks[2].extra["x_task"] == oddExtra)
        let viaFoundation = try foundationRoundTrip(status).layers[1].tasks[2].extra["x_task"]?.objectValue
        #expect(viaFoundation?["zz"] == .int(1))
        #expect(viaFoundation?["big"] == .number(JSONNumber("1.2345678901234568e+29")!))
        #expect(viaFoundation?["text"] == oddExtra.objectValue?["text"])
    }

    @Test func derivedFieldsAfterFoundationAreAsHeldOrRecomputedNeverDefaults() throws {
        let status = statusWithExtras(plainExtra)
        let viaFoundation = try foundationRoundTrip(status)
        #expect(viaFoundation.totalTasks == 13)
        #expect(viaFoundation.completedTasks == 1)
        #expect(viaFoundation.status == .inProgress)
        #expect(viaFoundation.currentLayer == "L0")
        #expect(viaFoundation.nextAction == status.nextAction)
        #expect(viaFoundation.layers[0].durationMs == status.layers[0].durationMs)

        // Without any derived field in the document, they are recomputed from the tasks.
        var object = try JSONParser.parse(status.jsonBytes()).objectValue!
        for key in ["status", "current_layer", "total_tasks", "completed_tasks", "completion_percentage", "next_action"] {
            object[key] = nil
        }
        let stripped = try JSONDecoder().decode(StatusFile.self, from: Data(JSONWriter.encode(.object(object)).utf8))
        #expect(stripped.totalTasks == 13)
        #expect(stripped.completedTasks == 1)
        #expect(stripped.completionPercentage == 7)
        #expect(stripped.status == .inProgress)
        #expect(stripped.nextAction == status.nextAction)
    }

    @Test func errorsNameTheFieldAndItsPathOnBothPaths() throws {
        var object = try JSONParser.parse(f001Status().jsonBytes()).objectValue!
        var layers = object["layers"]!.objectValue!
        var l1 = layers["L1"]!.objectValue!
        var tasks = l1["tasks"]!.arrayValue!
        var task = tasks[3].objectValue!
        task["duration_ms"] = .string("soon")
        tasks[3] = .object(task)
        l1["tasks"] = .array(tasks)
        layers["L1"] = .object(l1)
        object["layers"] = .object(layers)
        let bytes = Array(JSONWriter.encode(.object(object)).utf8)

        #expect(throws: StatusFileDecodingError.shape(StatusFileShapeError(
            path: "layers.L1.tasks[3].duration_ms", problem: "expected an integer"))) {
            try StatusFile(jsonBytes: bytes)
        }
        do {
            _ = try JSONDecoder().decode(StatusFile.self, from: Data(bytes))
            Issue.record("Foundation decoded a string duration")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
                    == ["layers", "L1", "tasks", "3", "duration_ms"])
        }
    }

    @Test func rangeChecksApplyOnBothPaths() throws {
        var status = f001Status()
        status.layers[0].tasks[0].durationMs = -5
        let bytes = status.jsonBytes()
        #expect(throws: StatusFileDecodingError.shape(StatusFileShapeError(
            path: "layers.L0.tasks[0].duration_ms", problem: "must not be negative"))) {
            try StatusFile(jsonBytes: bytes)
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StatusFile.self, from: Data(bytes)) }
    }

    /// The exact coders serve any Codable type, not only the model: through a tree.
    @Test func otherCodableTypesGoThroughTheTree() throws {
        struct Probe: Codable, Equatable {
            var name: String
            var counts: [Int]
            var nested: [String: Bool]
            var when: Timestamp?
        }
        let probe = Probe(name: "p \"q\"", counts: [1, 2], nested: ["a": true], when: t0)
        let bytes = try ExactJSONEncoder.encode(probe, style: .compact)
        #expect(try ExactJSONDecoder.decode(Probe.self, from: bytes) == probe)
        #expect(try JSONDecoder().decode(Probe.self, from: Data(bytes)) == probe)
    }

    /// A field's row and its schema entry are the two places a field is declared
    /// (docs/architecture.md, "Adding a stored field"): they must name the same keys.
    @Test func theSchemaDescribesExactlyTheDeclaredFields() throws {
        let text = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Schemas/execution-status.schema.json"), encoding: .utf8)
        let schema = try JSONParser.parse(text).objectValue!
        func properties(_ object: JSONObject?) -> Set<String> { Set(object?["properties"]?.objectValue?.keys ?? []) }
        let defs = schema["$defs"]?.objectValue
        #expect(properties(schema) == Set(StatusFile.fields.keys))
        #expect(properties(defs?["layer"]?.objectValue) == Set(ExecutionLayer.fields.keys))
        #expect(properties(defs?["task"]?.objectValue) == Set(ExecutionTask.fields.keys))
        #expect(properties(defs?["errorEntry"]?.objectValue) == Set(ErrorEntry.fields.keys))
        #expect(properties(defs?["warningEntry"]?.objectValue) == Set(WarningEntry.fields.keys))
    }

    @Test func everyModelTypeDecodesAlone() throws {
        let task = statusWithExtras(oddExtra).layers[1].tasks[2]
        let bytes = try ExactJSONEncoder.encode(task)
        var back = try ExactJSONDecoder.decode(ExecutionTask.self, from: bytes)
        back.index = task.index  // the position in a layer, which a lone task does not have
        #expect(back == task)
        #expect(try JSONDecoder().decode(WarningEntry.self, from: Data(#""just text""#.utf8)).message == "just text")
    }
}

@Suite("JSON numbers")
struct JSONNumberTests {
    @Test(arguments: ["0", "-0", "1.50", "1e10", "1E+2", "-0.0e-7", "123456789012345678901234567890"])
    func validLiteralsAreKeptAsWritten(_ literal: String) {
        #expect(JSONNumber(literal)?.literal == literal)
    }

    @Test(arguments: ["", " 1", "1 ", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "--1", "NaN", "Infinity",
                      "1_000", "１", "1\u{0}", "\"1\"", "[1]"])
    func invalidLiteralsCannotBeMade(_ literal: String) {
        #expect(JSONNumber(literal) == nil)
    }

    @Test func nonFiniteDoublesAreNoNumbers() {
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(2.5)?.literal == "2.5")
        #expect(JSONNumber(3.0)?.literal == "3")
    }
}
