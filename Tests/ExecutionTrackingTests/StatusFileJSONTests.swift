import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// Values a newer writer or a `jq` edit might leave anywhere: key order, number literals and
/// escapes must all survive.
let oddExtra: JSONValue = .object(JSONObject([
    ("zz", .number(JSONNumber("1.0")!)),
    ("aa", .number(JSONNumber("1e3")!)),
    ("big", .number(JSONNumber("123456789012345678901234567890")!)),
    ("negzero", .number(JSONNumber("-0")!)),
    ("text", .string("quote \" slash / nl \n emoji 😀 ctrl \u{01}")),
    ("nested", .object(JSONObject([("b", .array([.null, .bool(true), .array([])])), ("a", .object(JSONObject()))]))),
    ("nothing", .null),
]))

@Suite("Status file JSON mapping")
struct StatusFileJSONTests {
    /// A status file with progress, an error and a warning, as the tool would write it.
    func sampleStatus() -> StatusFile {
        var s = f001Status()
        s.createdAt = t0
        s.layers[1].tasks[2].id = "T007"
        s.layers[1].tasks[2].command = "/implement:client llm"
        s.layers[1].tasks[2].agent = "ai-agent"
        s.layers[1].tasks[2].complexity = "hard"
        s.layers[1].tasks[2].dependencies = ["T001", "T002"]
        s.layers[1].tasks[2].parallel = true
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0.plus(seconds: 1))
        s.setTaskStatus(.complete, at: loc(0, 0), details: TaskUpdateDetails(output: "ok", filesCreated: ["db/schema.sql"]),
                        now: t0.plus(seconds: 61))
        s.setTaskStatus(.inProgress, at: loc(1, 2), now: t0.plus(seconds: 70))
        s.logError("ECONNREFUSED", at: loc(1, 2), severity: .high, now: t0.plus(seconds: 80))
        s.logWarning("slow", layer: "L1", taskIndex: 2, severity: .medium, now: t0.plus(seconds: 81))
        s.lastUpdated = t0.plus(seconds: 81)
        s.recomputeDerivedFields()
        return s
    }

    @Test func writtenDocumentHasTheDocumentedFieldsInOrder() throws {
        let o = sampleStatus().json.objectValue!
        #expect(o.keys == ["schema_version", "feature", "feature_name", "status", "current_layer", "created_at",
                           "started_at", "last_updated", "completed_at", "paused_at", "pause_reason", "blocked_at",
                           "blocked_reason", "total_tasks", "completed_tasks", "failed_tasks", "skipped_tasks",
                           "completion_percentage", "average_task_duration_ms", "estimated_remaining_ms",
                           "next_action", "layers", "errors", "warnings"])
        let layer = o["layers"]!.objectValue!["L0"]!.objectValue!
        #expect(layer.keys == ["name", "status", "total_tasks", "completed_tasks", "failed_tasks", "skipped_tasks",
                               "started_at", "completed_at", "duration_ms", "tasks"])
        let task = layer["tasks"]!.arrayValue![0].objectValue!
        #expect(task.keys == ["index", "id", "description", "command", "agent", "complexity", "dependencies",
                              "parallel", "status", "started_at", "completed_at", "duration_ms", "attempts", "output",
                              "files_created", "files_modified", "error"])
        #expect(task["status"] == .string("complete"))
        #expect(task["duration_ms"] == .number(JSONNumber("60000")!))
        #expect(task["started_at"] == .string("2026-11-21T10:00:01.000Z"))
        #expect(task["files_created"] == .array([.string("db/schema.sql")]))
        let error = o["errors"]!.arrayValue![0].objectValue!
        #expect(error.keys == ["layer", "task_index", "task_id", "task_description", "error", "timestamp", "severity",
                               "category", "recovery_action", "resolved_at"])
        #expect(error["category"] == .string("connection"))
        #expect(error["task_id"] == .string("T007"))
        let warning = o["warnings"]!.arrayValue![0].objectValue!
        #expect(warning.keys == ["message", "timestamp", "severity", "layer", "task_index"])
        #expect(o["schema_version"] == .int(1))
        #expect(o["status"] == .string("in_progress"))
        #expect(o["completion_percentage"] == .int(7))
    }

    /// The reader stops at the first wrong shape; when the text is broken further on, the syntax
    /// error is what gets reported, since that is usually what broke the shape.
    @Test func decodingErrorsNameTheRealProblem() {
        func failure(_ text: String) -> StatusFileDecodingError? {
            do {
                _ = try StatusFile(jsonBytes: Array(text.utf8))
                return nil
            } catch {
                return error
            }
        }
        guard case .shape(let shape)? = failure(#"{"layers": {"L0": {"tasks": [{"status": "bogus"}]}}}"#) else {
            Issue.record("a wrong status is a shape error")
            return
        }
        #expect(shape.path == "layers.L0.tasks[0].status")
        guard case .syntax(let syntax)? = failure(#"{"layers": 5, "errors": [1,]}"#) else {
            Issue.record("a syntax error after a wrong shape is reported as the syntax error")
            return
        }
        #expect(syntax.message == "unexpected character")
        guard case .syntax? = failure(#"{"feature": "F"} trailing"#) else {
            Issue.record("data after the document is a syntax error")
            return
        }
        guard case .shape(let top)? = failure("[1, 2]") else {
            Issue.record("an array is not a status file")
            return
        }
        #expect(top.description == "(top level): expected an object")
    }

    @Test func roundTripIsByteIdentical() throws {
        let s = sampleStatus()
        let text = JSONWriter.encode(s.json)
        var reread = try StatusFile(json: try JSONParser.parse(text))
        // Counters are not trusted on read; recomputing a consistent file restores the same bytes.
        reread.recomputeDerivedFields()
        #expect(JSONWriter.encode(reread.json) == text)
        #expect(reread == s)
    }

    @Test func unknownFieldsAtEveryLevelSurviveByteForByte() throws {
        // Extras appended at the end of every object, as they are after one write.
        var doc = sampleStatus().json.objectValue!
        doc["x_top"] = oddExtra
        var layers = doc["layers"]!.objectValue!
        var l1 = layers["L1"]!.objectValue!
        l1["x_layer"] = oddExtra
        var tasks = l1["tasks"]!.arrayValue!
        var task = tasks[2].objectValue!
        task["x_task"] = oddExtra
        task["tokens"] = .object(JSONObject([("input", .int(1200)), ("output", .int(300))]))
        tasks[2] = .object(task)
        l1["tasks"] = .array(tasks)
        layers["L1"] = .object(l1)
        doc["layers"] = .object(layers)
        var errors = doc["errors"]!.arrayValue!
        var error = errors[0].objectValue!
        error["x_error"] = oddExtra
        errors[0] = .object(error)
        doc["errors"] = .array(errors)
        var warnings = doc["warnings"]!.arrayValue!
        var warning = warnings[0].objectValue!
        warning["x_warning"] = oddExtra
        warnings[0] = .object(warning)
        doc["warnings"] = .array(warnings)

        let text = JSONWriter.encode(.object(doc))
        var status = try StatusFile(json: try JSONParser.parse(text))
        status.recomputeDerivedFields()
        #expect(status.extra == JSONObject([("x_top", oddExtra)]))
        #expect(status.layers[1].extra == JSONObject([("x_layer", oddExtra)]))
        #expect(status.layers[1].tasks[2].extra.keys == ["x_task", "tokens"])
        #expect(status.errors[0].extra == JSONObject([("x_error", oddExtra)]))
        #expect(status.warnings[0].extra == JSONObject([("x_warning", oddExtra)]))
        #expect(JSONWriter.encode(status.json) == text)
    }

    /// `parse` reads `tasks_file` alone before it takes the lock (StatusFile.tasksFile(inJSON:));
    /// it must be what the whole decode reads, wherever the field stands and whatever surrounds it.
    @Test func tasksFileAloneIsWhatTheWholeDecodeReads() throws {
        var status = sampleStatus()
        status.tasksFile = "specs/F001/pläne \"1\".md"
        status.extra = JSONObject([("x_top", oddExtra), ("tasks_file_x", .string("no"))])
        status.layers[1].extra = JSONObject([("tasks_file", .string("nested, not this one"))])
        let written = status.jsonBytes()
        #expect(StatusFile.tasksFile(inJSON: written) == "specs/F001/pläne \"1\".md")
        // The field last, after every other, in a compact document.
        var doc = try JSONParser.parse(written).objectValue!
        let path = doc["tasks_file"]!
        doc["tasks_file"] = nil
        doc["tasks_file"] = path
        let moved = Array(JSONWriter.encode(.object(doc), style: .compact).utf8)
        #expect(StatusFile.tasksFile(inJSON: moved) == (try StatusFile(jsonBytes: moved)).tasksFile)
        status.tasksFile = nil
        #expect(StatusFile.tasksFile(inJSON: status.jsonBytes()) == nil)
        // Brackets and escaped quotes inside the strings of a skipped member are text.
        let tricky = #"{"layers": {"L0": ["x \" ] } [ \\", {"tasks_file": "no"}], "é": "}"}, "tasks_file": "t.md", "n": [1, {}]}"#
        #expect(StatusFile.tasksFile(inJSON: Array(tricky.utf8)) == "t.md")
        for broken in ["", "[1]", "{\"tasks_file\": 3}", "{\"layers\": {\"L0\": [}, \"tasks_file\": \"a\"}", "{\"tasks_file\": \"a\"} x"] {
            #expect(StatusFile.tasksFile(inJSON: Array(broken.utf8)) == nil, "\(broken)")
        }
    }

    @Test func unknownFieldsSurviveAReadModifyWrite() throws {
        let text = """
        {
          "custom_top": {"owner": "team-a", "ids": [3, 1, 2]},
          "feature": "F001",
          "layers": {
            "L0": {
              "name": "Infrastructure",
              "x_layer": 1.50,
              "tasks": [
                {"description": "Setup", "x_task": {"z": 1, "a": 2}, "status": "pending"},
                {"description": "Other", "status": "pending", "x_task2": "\\u00e9\\ud83d\\ude00"}
              ]
            }
          },
          "errors": [
            {"layer": "L0", "task_index": 0, "error": "old", "severity": "low", "x_error": [1e3]}
          ],
          "warnings": [
            {"message": "w", "x_warning": -0}
          ],
          "x_last": null
        }
        """
        var s = try StatusFile(json: try JSONParser.parse(text))
        s.setTaskStatus(.inProgress, at: loc(0, 0), now: t0)
        s.setTaskStatus(.complete, at: loc(0, 0), now: t0.plus(seconds: 2))
        s.logWarning("new", now: t0)
        s.recomputeDerivedFields()
        let out = try JSONParser.parse(JSONWriter.encode(s.json)).objectValue!
        #expect(out["custom_top"] == .object(JSONObject([("owner", .string("team-a")),
                                                         ("ids", .array([.int(3), .int(1), .int(2)]))])))
        #expect(out["x_last"] == .null)
        #expect(out.keys.suffix(2) == ["custom_top", "x_last"])
        let l0 = out["layers"]!.objectValue!["L0"]!.objectValue!
        #expect(l0["x_layer"] == .number(JSONNumber("1.50")!))
        let tasks = l0["tasks"]!.arrayValue!
        #expect(tasks[0].objectValue!["x_task"] == .object(JSONObject([("z", .int(1)), ("a", .int(2))])))
        #expect(tasks[0].objectValue!["status"] == .string("complete"))
        #expect(tasks[1].objectValue!["x_task2"] == .string("é😀"))
        #expect(out["errors"]!.arrayValue![0].objectValue!["x_error"] == .array([.number(JSONNumber("1e3")!)]))
        #expect(out["warnings"]!.arrayValue![0].objectValue!["x_warning"] == .number(JSONNumber("-0")!))
        #expect(out["warnings"]!.arrayValue!.count == 2)
    }

    @Test func oldScriptShapesLoad() throws {
        let text = """
        {
          "feature": "F001",
          "feature_name": "AI Chat Interface",
          "started_at": "2025-01-15T10:00:00Z",
          "last_updated": "2025-01-15T10:05:00Z",
          "status": "in_progress",
          "current_layer": "L1",
          "total_tasks": 0,
          "layers": {
            "L0": {
              "name": "Infrastructure",
              "status": "completed",
              "tasks": [
                {"index": 0, "description": "Setup database schema", "status": "completed",
                 "started_at": "2025-01-15T10:00:00Z", "completed_at": "2025-01-15T10:02:00Z", "duration_ms": "120"},
                {"index": 1, "description": "Initialize API structure", "status": "done", "duration_ms": 1.0e2}
              ]
            },
            "L1": {"name": "Core Services", "status": "pending"},
            "L2": {"name": "Features", "tasks": {}},
            "L3": {}
          },
          "errors": [],
          "warnings": ["disk almost full"]
        }
        """
        var s = try StatusFile(json: try JSONParser.parse(text))
        #expect(s.layers.map(\.key) == ["L0", "L1", "L2", "L3"])
        #expect(s.layers[0].tasks.map(\.status) == [.complete, .complete])
        #expect(s.layers[0].tasks[0].durationMs == 120)
        #expect(s.layers[0].tasks[0].attempts == 1)  // started once, per the timestamps
        #expect(s.layers[0].tasks[1].durationMs == 100)
        #expect(s.layers[0].tasks[1].attempts == 0)
        #expect(s.layers[1].tasks.isEmpty)
        #expect(s.layers[2].tasks.isEmpty)
        #expect(s.layers[3].name == "L3")
        #expect(s.schemaVersion == 1)
        #expect(s.warnings == [WarningEntry(message: "disk almost full", timestamp: nil)])
        #expect(s.startedAt == ts("2025-01-15T10:00:00Z"))
        s.recomputeDerivedFields()
        #expect(s.totalTasks == 2)
        #expect(s.completionPercentage == 100)
        #expect(s.status == .complete)
        // Written back in the current shape.
        let task = s.json.objectValue!["layers"]!.objectValue!["L0"]!.objectValue!["tasks"]!.arrayValue![0].objectValue!
        #expect(task["status"] == .string("complete"))
        #expect(task["duration_ms"] == .number(JSONNumber("120")!))
        #expect(task["started_at"] == .string("2025-01-15T10:00:00.000Z"))
    }

    @Test func minimalDocumentsLoad() throws {
        let empty = try StatusFile(json: try JSONParser.parse("{}"), defaultFeature: "F7")
        #expect(empty.feature == "F7")
        #expect(empty.featureName == "F7")
        #expect(empty.layers.isEmpty && empty.errors.isEmpty && empty.warnings.isEmpty)

        let task = try StatusFile(json: try JSONParser.parse(#"{"layers": {"L0": {"tasks": [{}]}}}"#))
        #expect(task.layers[0].tasks[0] == ExecutionTask(index: 0, description: ""))

        // Layers given as an array take their position as number.
        let array = try StatusFile(json: try JSONParser.parse(#"{"layers": [{"name": "A"}, {"name": "B"}]}"#))
        #expect(array.layers.map(\.key) == ["L0", "L1"])
        #expect(array.layers.map(\.name) == ["A", "B"])
    }

    @Test func pausedFileFromTheOldScriptsStaysPaused() throws {
        var s = try StatusFile(json: try JSONParser.parse(
            #"{"feature": "F1", "status": "paused", "last_updated": "2025-01-15T10:05:00Z", "layers": {"L0": {"tasks": [{"description": "a", "status": "in_progress"}]}}}"#))
        #expect(s.pausedAt == ts("2025-01-15T10:05:00Z"))
        s.recomputeDerivedFields()
        #expect(s.status == .paused)
    }

    @Test func errorEntriesWithoutCategoryAreClassifiedOnRead() throws {
        let s = try StatusFile(json: try JSONParser.parse(
            #"{"errors": [{"layer": "L1", "task_index": "3", "error": "Connection refused", "timestamp": "2025-01-15T10:05:00+01:00"}]}"#))
        let e = s.errors[0]
        #expect(e.category == .connection)
        #expect(e.severity == .medium)
        #expect(e.taskIndex == 3)
        #expect(e.timestamp == ts("2025-01-15T09:05:00Z"))
    }

    @Test func wrongShapesNameTheirPath() throws {
        func shapeError(_ text: String) -> StatusFileShapeError? {
            do {
                _ = try StatusFile(json: try JSONParser.parse(text))
                return nil
            } catch let e as StatusFileShapeError {
                return e
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
        #expect(shapeError("[]")?.description == "(top level): expected an object")
        #expect(shapeError(#"{"layers": 3}"#)?.description == "layers: expected an object keyed L0, L1, ...")
        #expect(shapeError(#"{"layers": {"L1": []}}"#)?.description == "layers.L1: expected an object")
        #expect(shapeError(#"{"layers": {"L1": {"tasks": [{}, {}, {"status": "bogus"}]}}}"#)?.description
            == "layers.L1.tasks[2].status: unknown task status \"bogus\" (valid: pending, in_progress, complete, failed, skipped)")
        #expect(shapeError(#"{"layers": {"L0": {"tasks": [{"duration_ms": -5}]}}}"#)?.description
            == "layers.L0.tasks[0].duration_ms: must not be negative")
        #expect(shapeError(#"{"layers": {"L0": {"tasks": [{"duration_ms": "soon"}]}}}"#)?.description
            == "layers.L0.tasks[0].duration_ms: expected an integer")
        #expect(shapeError(#"{"started_at": "yesterday"}"#)?.description
            == "started_at: expected an ISO 8601 timestamp, found \"yesterday\"")
        #expect(shapeError(#"{"errors": [{"severity": "huge"}]}"#)?.description
            == "errors[0].severity: unknown severity \"huge\" (valid: low, medium, high, critical)")
        #expect(shapeError(#"{"layers": {"L0": {"tasks": [{"files_created": [1, {}]}]}}}"#)?.description
            == "layers.L0.tasks[0].files_created[1]: expected a string")
        #expect(shapeError(#"{"feature": {}}"#)?.description == "feature: expected a string")
    }
}
