import Foundation
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

// docs/file-format.md ("nothing unknown is lost"), as a property over random valid status documents:
//
//     StatusFile(json:) → one transition at a fixed `now` → recompute (as every write does) → .json
//     → JSONWriter.encode → JSONParser.parse → StatusFile(json:)
//
// (a) every unknown field at every level (top, layer, task, error entry, warning entry) comes back
//     as exactly the same JSONValue — same number literals, same bytes in strings, same key order;
// (b) the known fields are what the transition should produce: the touched task's status and timing
//     checked rule by rule (docs/file-format.md), every untouched task exactly as it was read;
// (c) encoding is deterministic and parse(encode(x)) == x, for the generated document and the output.
//
// Fixed seed by default, so CI is reproducible; `EXECTRACK_PROPERTY_ITERATIONS=20000` for a longer
// run, `EXECTRACK_PROPERTY_SEED=<n>` for another sequence. A failure names its iteration's seed:
// rerun with that seed and ITERATIONS=1 to reproduce it alone.

// MARK: - Random JSON

/// Pieces of text that break naive writers: quotes, backslashes, line breaks, control characters,
/// emoji (multi-scalar too), combining marks, BOM, line separator, astral code points.
private let textPieces: [String] = [
    "a", "Z", "task", " ", "/", "\\", "\"", "\n", "\r", "\t", "\r\n", "\u{0}", "\u{1}", "\u{8}", "\u{C}",
    "\u{1B}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "😀", "👩‍💻", "🇫🇷", "漢字", "\u{2028}", "\u{FEFF}",
    "\u{FFFD}", "\u{10FFFF}", "{", "}", "[", "]", ":", ",", "null", "true", "1.50", "\\u0041", "</script>",
]

private extension Random {
    mutating func text(maxPieces: Int = 8) -> String {
        var s = ""
        for _ in 0..<int(0...maxPieces) { s += pick(textPieces) }
        return s
    }

    /// A JSON number literal as a person or another tool might write it.
    mutating func numberLiteral() -> String {
        if chance(0.3) {
            return pick(["1.50", "-0", "1e10", "1E+2", "-0.0", "0.1e-7", "123456789012345678901234567890",
                         "-9223372036854775809", "18446744073709551616", "2.5E-7", "0", "1.0", "100"])
        }
        var s = chance(0.3) ? "-" : ""
        if chance(0.2) {
            s += "0"
        } else {
            s += String(int(1...9))
            for _ in 0..<int(0...(chance(0.1) ? 30 : 6)) { s += String(int(0...9)) }
        }
        if chance(0.3) {
            s += "."
            for _ in 0..<int(1...5) { s += String(int(0...9)) }
        }
        if chance(0.2) {
            s += pick(["e", "E"]) + pick(["", "+", "-"])
            for _ in 0..<int(1...3) { s += String(int(0...9)) }
        }
        return s
    }

    /// A random JSON value, nesting at most `depth` more levels.
    mutating func jsonValue(depth: Int) -> JSONValue {
        let kind = int(0...(depth > 0 ? 5 : 3))
        switch kind {
        case 0: return chance(0.5) ? .null : .bool(chance(0.5))
        case 1: return .number(JSONNumber(numberLiteral())!)
        case 2, 3: return .string(text())
        case 4: return .array((0..<int(0...4)).map { _ in jsonValue(depth: depth - 1) })
        default: return .object(extraObject(avoiding: [], maxCount: 4, depth: depth - 1))
        }
    }

    /// Unknown fields: unique keys (as Swift compares them) none of which is in `known`.
    mutating func extraObject(avoiding known: Set<String>, maxCount: Int, depth: Int) -> JSONObject {
        var object = JSONObject()
        for _ in 0..<int(0...maxCount) {
            let key = chance(0.5) ? "x_" + text(maxPieces: 3) : text(maxPieces: 4)
            guard !known.contains(key), !object.keys.contains(key) else { continue }
            object.append(key, jsonValue(depth: depth))
        }
        return object
    }
}

// MARK: - Random status documents

/// The transitions' clock: every generated timestamp lies within a month either side.
private let now = t0.plus(seconds: 12_345)

/// A generated document and, level by level, the unknown fields put into it.
private struct GeneratedDocument {
    var json: JSONValue
    var topExtra: JSONObject
    var layerExtras: [String: JSONObject]
    var taskExtras: [String: [JSONObject]]
    var errorExtras: [JSONObject]
    var warningExtras: [JSONObject]
}

private let taskStatusSpellings = ["pending", "in_progress", "complete", "failed", "skipped", "completed", "done",
                                   "running", "started", "in-progress", "todo", "Complete", " done "]
private let severities = Severity.allCases.map(\.rawValue)

private extension Random {
    mutating func timestamp() -> Timestamp {
        now.adding(milliseconds: int64(-30 * 86_400_000...30 * 86_400_000))
    }

    /// A valid timestamp in one of the spellings the reader accepts.
    mutating func timestampValue() -> JSONValue {
        let stamp = timestamp()
        let iso = stamp.iso8601
        switch int(0...5) {
        case 0: return .string(String(iso.prefix(19)) + "Z")                      // no fraction
        case 1: return .string(String(iso.dropLast()) + "4567Z")                  // 7 fraction digits
        case 2: return .string(String(iso.prefix(19)) + "+02:00")                 // an offset
        case 3: return .string(String(iso.prefix(10)) + " " + String(iso.dropFirst(11)))  // space for T
        default: return .string(iso)
        }
    }

    mutating func optionalTimestamp() -> JSONValue? {
        switch int(0...3) {
        case 0: return nil
        case 1: return .null
        default: return timestampValue()
        }
    }

    mutating func optionalText() -> JSONValue? {
        switch int(0...3) {
        case 0: return nil
        case 1: return .null
        default: return .string(text())
        }
    }

    /// A non-negative integer, sometimes as a numeric string or in exponent form.
    mutating func count(_ range: ClosedRange<Int>) -> JSONValue {
        let n = int(range)
        switch int(0...5) {
        case 0: return .string(String(n))
        case 1 where n > 0 && n % 10 == 0: return .number(JSONNumber("\(n / 10)e1")!)
        default: return .int(n)
        }
    }

    /// Known entries and unknown ones, shuffled together: readers must not care about order.
    mutating func object(known: [(String, JSONValue?)], extra: JSONObject) -> JSONObject {
        var entries: [(key: String, value: JSONValue)] = known.compactMap { k, v in v.map { (k, $0) } }
        // Extras keep their relative order (that is what must be preserved); known keys go anywhere.
        var merged: [(key: String, value: JSONValue)] = []
        var extras = extra.entries[...]
        entries = shuffled(entries)
        while !entries.isEmpty || !extras.isEmpty {
            if !extras.isEmpty && (entries.isEmpty || chance(0.5)) {
                merged.append(extras.removeFirst())
            } else {
                merged.append(entries.removeFirst())
            }
        }
        return JSONObject(merged)
    }

    mutating func fileList() -> JSONValue? {
        switch int(0...3) {
        case 0: return nil
        case 1: return .array([])
        default: return .array((0..<int(1...3)).map { _ in .string("src/" + pick(["a", "b", "c"]) + ".swift") })
        }
    }

    mutating func task(layerKey: String, position: Int, extras: inout [JSONObject]) -> JSONValue {
        let extra = extraObject(avoiding: Set(ExecutionTask.fields.keys), maxCount: 3, depth: 3)
        extras.append(extra)
        let known: [(String, JSONValue?)] = [
            ("index", chance(0.8) ? .int(position) : .int(int(0...99))),
            ("id", chance(0.5) ? .string(String(format: "T%03d", int(0...999))) : (chance(0.5) ? .null : nil)),
            ("description", .string(chance(0.9) ? "Task " + text() : "")),
            ("command", optionalText()),
            ("agent", optionalText()),
            ("complexity", chance(0.5) ? .string(pick(["easy", "medium", "hard", "Mid"])) : optionalText()),
            ("dependencies", chance(0.5) ? .array((0..<int(0...3)).map { _ in .string(String(format: "T%03d", int(0...50))) }) : nil),
            ("parallel", chance(0.5) ? .bool(chance(0.5)) : (chance(0.5) ? .string(chance(0.5) ? "true" : "false") : nil)),
            ("status", chance(0.95) ? .string(pick(taskStatusSpellings)) : nil),
            ("started_at", optionalTimestamp()),
            ("completed_at", optionalTimestamp()),
            ("duration_ms", chance(0.5) ? count(0...9_000_000) : (chance(0.5) ? .null : nil)),
            ("attempts", chance(0.7) ? count(0...5) : nil),
            ("output", optionalText()),
            ("files_created", fileList()),
            ("files_modified", fileList()),
            ("error", optionalText()),
        ]
        return .object(object(known: known, extra: extra))
    }

    mutating func document() -> GeneratedDocument {
        var layerExtras: [String: JSONObject] = [:]
        var taskExtras: [String: [JSONObject]] = [:]
        // Distinct layer numbers, written in a random order (the reader sorts them numerically).
        let numbers = shuffled(Array(0...12)).prefix(int(0...5))
        var layers = JSONObject()
        for n in shuffled(Array(numbers)) {
            let key = "L\(n)"
            let extra = extraObject(avoiding: Set(ExecutionLayer.fields.keys), maxCount: 3, depth: 3)
            layerExtras[key] = extra
            var extras: [JSONObject] = []
            let tasks = (0..<int(0...6)).map { task(layerKey: key, position: $0, extras: &extras) }
            taskExtras[key] = extras
            let known: [(String, JSONValue?)] = [
                ("name", chance(0.9) ? .string(text()) : nil),
                ("status", .string(pick(["pending", "in_progress", "complete", "failed"]))),
                ("total_tasks", .int(int(0...50))),      // derived: never trusted
                ("completed_tasks", .int(int(0...50))),
                ("failed_tasks", .int(int(0...50))),
                ("skipped_tasks", .int(int(0...50))),
                ("started_at", optionalTimestamp()),
                ("completed_at", optionalTimestamp()),
                ("duration_ms", chance(0.5) ? .int(int(0...1_000_000)) : .null),
                ("tasks", .array(tasks)),
            ]
            layers.append(key, .object(object(known: known, extra: extra)))
        }
        let layerKeys = layers.keys

        var errorExtras: [JSONObject] = []
        let errors: [JSONValue] = (0..<int(0...4)).map { _ in
            let extra = extraObject(avoiding: Set(ErrorEntry.fields.keys), maxCount: 3, depth: 3)
            errorExtras.append(extra)
            let known: [(String, JSONValue?)] = [
                ("layer", .string(layerKeys.isEmpty || chance(0.1) ? "L7" : pick(layerKeys))),
                ("task_index", chance(0.9) ? .int(int(0...6)) : .null),
                ("task_id", chance(0.3) ? .string("T001") : nil),
                ("task_description", optionalText()),
                ("error", .string(pick(["Database connection timeout", "permission denied", "boom", text()]))),
                ("timestamp", optionalTimestamp()),
                ("severity", .string(pick(severities))),
                ("category", chance(0.6) ? .string(pick(ErrorCategory.allCases.map(\.rawValue))) : nil),
                ("recovery_action", optionalText()),
                ("resolved_at", chance(0.3) ? timestampValue() : (chance(0.5) ? .null : nil)),
            ]
            return .object(object(known: known, extra: extra))
        }
        var warningExtras: [JSONObject] = []
        let warnings: [JSONValue] = (0..<int(0...3)).map { _ in
            let extra = extraObject(avoiding: Set(WarningEntry.fields.keys), maxCount: 3, depth: 3)
            warningExtras.append(extra)
            let known: [(String, JSONValue?)] = [
                ("message", .string(text())),
                ("timestamp", optionalTimestamp()),
                ("severity", .string(pick(severities))),
                ("layer", chance(0.5) && !layerKeys.isEmpty ? .string(pick(layerKeys)) : .null),
                ("task_index", chance(0.5) ? .int(int(0...6)) : nil),
            ]
            return .object(object(known: known, extra: extra))
        }

        let topExtra = extraObject(avoiding: Set(StatusFile.fields.keys), maxCount: 5, depth: 4)
        let paused = chance(0.3)
        let blocked = chance(0.2)
        let known: [(String, JSONValue?)] = [
            ("schema_version", chance(0.9) ? .int(1) : .string("1")),
            ("feature", .string(chance(0.8) ? "F\(int(1...999))" : text())),
            ("feature_name", chance(0.9) ? .string(text()) : nil),
            ("status", .string(pick(["pending", "in_progress", "paused", "blocked", "failed", "complete"]))),
            ("current_layer", .string(pick(["L0", "L3", "complete"]))),
            ("created_at", optionalTimestamp()),
            ("started_at", optionalTimestamp()),
            ("last_updated", optionalTimestamp()),
            ("completed_at", optionalTimestamp()),
            ("paused_at", paused ? timestampValue() : .null),
            ("pause_reason", paused ? .string(text()) : .null),
            ("blocked_at", blocked ? timestampValue() : nil),
            ("blocked_reason", blocked ? .string(text()) : nil),
            ("total_tasks", .int(int(0...99))),
            ("completed_tasks", .int(int(0...99))),
            ("failed_tasks", .int(int(0...99))),
            ("skipped_tasks", .int(int(0...99))),
            ("completion_percentage", .number(JSONNumber(numberLiteral())!)),
            ("average_task_duration_ms", chance(0.5) ? .int(int(0...99_999)) : .null),
            ("estimated_remaining_ms", .null),
            ("next_action", .string(text())),
            ("layers", .object(layers)),
            ("errors", .array(errors)),
            ("warnings", .array(warnings)),
        ]
        return GeneratedDocument(json: .object(object(known: known, extra: topExtra)), topExtra: topExtra,
                                 layerExtras: layerExtras, taskExtras: taskExtras, errorExtras: errorExtras,
                                 warningExtras: warningExtras)
    }
}

// MARK: - Transitions

private enum Transition: CustomStringConvertible {
    case setStatus(TaskStatus, TaskLocation, TaskUpdateDetails)
    case logError(String, TaskLocation, Severity, ErrorCategory?, String?)
    case logWarning(String, String?, Int?, Severity)
    case pause(String?)
    case resume
    case completeLayer(Int)

    var description: String {
        switch self {
        case let .setStatus(s, l, d): "setTaskStatus(\(s.rawValue), layer \(l.layer) task \(l.task), \(d))"
        case let .logError(m, l, s, c, r): "logError(\(m.debugDescription), layer \(l.layer) task \(l.task), \(s), \(String(describing: c)), \(String(describing: r)))"
        case let .logWarning(m, l, t, s): "logWarning(\(m.debugDescription), \(String(describing: l)), \(String(describing: t)), \(s))"
        case let .pause(r): "pause(\(String(describing: r)))"
        case .resume: "resume()"
        case let .completeLayer(l): "completeLayer(\(l), force: true)"
        }
    }

    func apply(to status: inout StatusFile) {
        switch self {
        case let .setStatus(s, l, d): status.setTaskStatus(s, at: l, details: d, now: now)
        case let .logError(m, l, s, c, r): status.logError(m, at: l, severity: s, category: c, recoveryAction: r, now: now)
        case let .logWarning(m, l, t, s): status.logWarning(m, layer: l, taskIndex: t, severity: s, now: now)
        case let .pause(r): status.pause(reason: r, now: now)
        case .resume: status.resume()
        case let .completeLayer(l):
            do { try status.completeLayer(at: l, force: true, now: now) } catch {
                Issue.record("completeLayer with force threw: \(error)")
            }
        }
    }
}

private extension Random {
    mutating func transition(for status: StatusFile) -> Transition {
        let locations = status.layers.indices.flatMap { l in status.layers[l].tasks.indices.map { TaskLocation(layer: l, task: $0) } }
        var kinds = [2, 3, 4]
        if !locations.isEmpty { kinds += [0, 0, 0, 1, 1] }
        // complete-layer refuses while the spec has no tasks at all.
        if !locations.isEmpty { kinds += [5, 5] }
        switch pick(kinds) {
        case 0:
            let details = TaskUpdateDetails(
                output: chance(0.4) ? text() : nil,
                filesCreated: (0..<int(0...2)).map { _ in "src/" + pick(["a", "b", "d"]) + ".swift" },
                filesModified: (0..<int(0...2)).map { _ in "src/" + pick(["a", "c"]) + ".swift" },
                durationMs: chance(0.3) ? int64(0...5_000_000) : nil,
                agent: chance(0.3) ? text(maxPieces: 3) : nil)
            return .setStatus(pick(TaskStatus.allCases), pick(locations), details)
        case 1:
            return .logError(pick(["Request timed out", "ECONNREFUSED", "permission denied", text()]), pick(locations),
                             pick(Severity.allCases), chance(0.3) ? pick(ErrorCategory.allCases) : nil,
                             chance(0.3) ? text() : nil)
        case 2:
            return .logWarning(text(), chance(0.5) ? pick(status.layers.map(\.key) + ["L99"]) : nil,
                               chance(0.5) ? int(0...5) : nil, pick(Severity.allCases))
        case 3: return .pause(chance(0.7) ? text() : nil)
        case 4: return .resume
        default: return .completeLayer(int(0...(status.layers.count - 1)))
        }
    }
}

/// The table in docs/file-format.md ("How statuses change") transcribed as data: a row per status
/// set, a cell per field. The oracle below only interprets these cells, so it shares no rule with
/// `setTaskStatus`, which it checks.
private enum Cell { case now, cleared, kept, plusOne, measured }

private let statusTable: [TaskStatus: (startedAt: Cell, completedAt: Cell, durationMs: Cell, attempts: Cell, error: Cell)] = [
    .inProgress: (startedAt: .now, completedAt: .cleared, durationMs: .cleared, attempts: .plusOne, error: .kept),
    .complete: (startedAt: .kept, completedAt: .now, durationMs: .measured, attempts: .kept, error: .cleared),
    .skipped: (startedAt: .kept, completedAt: .now, durationMs: .measured, attempts: .kept, error: .cleared),
    .failed: (startedAt: .kept, completedAt: .now, durationMs: .measured, attempts: .kept, error: .kept),
    .pending: (startedAt: .cleared, completedAt: .cleared, durationMs: .cleared, attempts: .kept, error: .cleared),
]

private func stamp(_ cell: Cell, _ before: Timestamp?) -> Timestamp? {
    switch cell {
    case .now: now
    case .cleared: nil
    default: before
    }
}

private func expectedTask(_ before: ExecutionTask, _ status: TaskStatus, _ details: TaskUpdateDetails) -> ExecutionTask {
    guard let row = statusTable[status] else {
        Issue.record("no row for \(status) in the status table")
        return before
    }
    var t = before
    t.status = status
    t.startedAt = stamp(row.startedAt, before.startedAt)
    t.completedAt = stamp(row.completedAt, before.completedAt)
    switch row.durationMs {
    case .cleared: t.durationMs = nil
    // "completed_at - started_at (null if never started, or --duration-ms)"; the generated
    // timestamps lie a month either side of now, so a start after now gives 0, never negative.
    case .measured: t.durationMs = details.durationMs ?? t.startedAt.map { max(0, now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) }
    default: break
    }
    if row.attempts == .plusOne { t.attempts = before.attempts + 1 }
    if row.error == .cleared { t.error = nil }
    // Details an update gives are recorded whatever the status (docs/file-format.md).
    if let output = details.output { t.output = output }
    if let agent = details.agent { t.agent = agent }
    for f in details.filesCreated where !t.filesCreated.contains(f) { t.filesCreated.append(f) }
    for f in details.filesModified where !t.filesModified.contains(f) { t.filesModified.append(f) }
    return t
}

/// Marks open errors of one task resolved at `now` (a retry, completion or skip).
private func resolving(_ errors: [ErrorEntry], layer: String, task: Int) -> [ErrorEntry] {
    errors.map { e in
        var e = e
        if e.resolvedAt == nil && e.layer == layer && e.taskIndex == task { e.resolvedAt = now }
        return e
    }
}

// MARK: - Checks

private func compact(_ value: JSONValue) -> String { JSONWriter.encode(value, style: .compact) }

/// Equal as JSONValue (key order, literals) and byte for byte once encoded (Swift's String ==
/// treats canonically equivalent text as equal; the file must not change even that).
private func sameExtra(_ a: JSONObject, _ b: JSONObject) -> Bool {
    a == b && Array(compact(.object(a)).utf8) == Array(compact(.object(b)).utf8)
}

private struct Problems {
    var list: [String] = []
    mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { list.append(message()) }
    }
}

/// Runs one iteration; returns what went wrong (empty when the properties hold).
private func checkOnce(seed: UInt64) -> (transition: String, document: String, problems: [String]) {
    var random = Random(seed: seed)
    let generated = random.document()
    var p = Problems()
    let documentText = JSONWriter.encode(generated.json)

    // (c) on the generated document.
    p.check(JSONWriter.encode(generated.json) == documentText, "encoding the generated document twice differs")
    do {
        let reparsed = try JSONParser.parse(documentText)
        p.check(reparsed == generated.json, "parse(encode(document)) != document")
        p.check(JSONWriter.encode(reparsed) == documentText, "encode(parse(encode(document))) differs")
        let compactText = JSONWriter.encode(generated.json, style: .compact)
        p.check((try? JSONParser.parse(compactText)) == generated.json, "compact round trip of the document differs")
    } catch {
        p.check(false, "the generated document does not parse back: \(error)")
    }

    let before: StatusFile
    do {
        before = try StatusFile(json: generated.json)
    } catch {
        return ("(none)", documentText, p.list + ["a valid document was refused: \(error)"])
    }

    // (a) for the first read too: the reader itself must keep every unknown field.
    p.check(sameExtra(before.extra, generated.topExtra), "top-level extras changed on read")

    let transition = random.transition(for: before)
    var after = before
    transition.apply(to: &after)
    after.recomputeDerivedFields()
    let output = after.json
    let text = JSONWriter.encode(output)

    // (c) on the output.
    p.check(JSONWriter.encode(output) == text, "encoding the output twice differs")
    p.check(JSONWriter.encode(output, style: .compact) == JSONWriter.encode(output, style: .compact), "compact encoding differs")
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(text)
    } catch {
        return (transition.description, documentText, p.list + ["the output does not parse: \(error)"])
    }
    p.check(reparsed == output, "parse(encode(output)) != output")
    p.check(JSONWriter.encode(reparsed) == text, "encode(parse(encode(output))) differs")

    let read: StatusFile
    do {
        read = try StatusFile(json: reparsed)
    } catch {
        return (transition.description, documentText, p.list + ["the written document was refused: \(error)"])
    }

    // Same state, same bytes: reading what was written and writing it again changes nothing.
    var again = read
    again.recomputeDerivedFields()
    p.check(JSONWriter.encode(again.json) == text, "rewriting the written file without a change gives other bytes")

    // (a) every extra field, level by level, against what the generator put in.
    p.check(sameExtra(read.extra, generated.topExtra),
            "top-level extras: \(compact(.object(read.extra))) != \(compact(.object(generated.topExtra)))")
    p.check(read.layers.map(\.key) == before.layers.map(\.key), "layer keys changed: \(read.layers.map(\.key))")
    for layer in read.layers {
        if let extra = generated.layerExtras[layer.key] {
            p.check(sameExtra(layer.extra, extra), "\(layer.key) extras: \(compact(.object(layer.extra))) != \(compact(.object(extra)))")
        } else {
            p.check(false, "unexpected layer \(layer.key)")
        }
        let taskExtras = generated.taskExtras[layer.key] ?? []
        p.check(layer.tasks.count == taskExtras.count, "\(layer.key) has \(layer.tasks.count) tasks, expected \(taskExtras.count)")
        for (i, task) in layer.tasks.enumerated() where i < taskExtras.count {
            p.check(sameExtra(task.extra, taskExtras[i]),
                    "\(layer.key).\(i) extras: \(compact(.object(task.extra))) != \(compact(.object(taskExtras[i])))")
        }
    }
    p.check(read.errors.count >= generated.errorExtras.count, "errors were dropped")
    for (i, extra) in generated.errorExtras.enumerated() where i < read.errors.count {
        p.check(sameExtra(read.errors[i].extra, extra), "errors[\(i)] extras: \(compact(.object(read.errors[i].extra))) != \(compact(.object(extra)))")
    }
    p.check(read.warnings.count >= generated.warningExtras.count, "warnings were dropped")
    for (i, extra) in generated.warningExtras.enumerated() where i < read.warnings.count {
        p.check(sameExtra(read.warnings[i].extra, extra), "warnings[\(i)] extras: \(compact(.object(read.warnings[i].extra))) != \(compact(.object(extra)))")
    }

    // (b) known fields: the expected state, built from `before` by the rules of docs/file-format.md.
    var expectedTasks = before.layers.map(\.tasks)
    var expectedErrors = before.errors
    var expectedWarnings = before.warnings
    var expectedPausedAt = before.pausedAt
    var expectedPauseReason = before.pauseReason
    var expectedBlockedAt = before.blockedAt
    var expectedBlockReason = before.blockReason
    var expectedLayerCompletedAt: (Int, Timestamp)?
    switch transition {
    case let .setStatus(status, l, details):
        expectedTasks[l.layer][l.task] = expectedTask(before.task(at: l), status, details)
        if status != .failed { expectedErrors = resolving(expectedErrors, layer: before.layers[l.layer].key, task: l.task) }
    case let .logError(message, l, severity, category, recovery):
        let task = before.task(at: l)
        var failed = expectedTask(task, .failed, TaskUpdateDetails())
        failed.error = message
        expectedTasks[l.layer][l.task] = failed
        let resolvedCategory = category ?? ErrorCategory.classify(message)
        expectedErrors.append(ErrorEntry(layer: before.layers[l.layer].key, taskIndex: l.task, taskId: task.id,
                                         taskDescription: task.description, message: message, timestamp: now,
                                         severity: severity, category: resolvedCategory,
                                         recoveryAction: recovery ?? resolvedCategory.suggestedRecovery))
        if severity == .critical {
            expectedPausedAt = before.pausedAt ?? now
            expectedPauseReason = "critical error in \(before.layers[l.layer].key) task \(l.task): \(message)"
        }
    case let .logWarning(message, layer, taskIndex, severity):
        expectedWarnings.append(WarningEntry(message: message, timestamp: now, severity: severity, layer: layer, taskIndex: taskIndex))
    case let .pause(reason):
        expectedPausedAt = before.pausedAt ?? now
        if let reason { expectedPauseReason = reason }
    case .resume:
        expectedPausedAt = nil
        expectedPauseReason = nil
        expectedBlockedAt = nil
        expectedBlockReason = nil
    case let .completeLayer(l):
        for (i, task) in before.layers[l].tasks.enumerated() where !task.status.isDone {
            expectedTasks[l][i] = expectedTask(task, .skipped, TaskUpdateDetails())
            expectedErrors = resolving(expectedErrors, layer: before.layers[l].key, task: i)
        }
        let lastCompletion = expectedTasks[l].compactMap(\.completedAt).max()
        expectedLayerCompletedAt = (l, before.layers[l].completedAt ?? lastCompletion ?? now)
    }

    p.check(read.feature == before.feature, "feature changed")
    p.check(read.featureName == before.featureName, "feature_name changed")
    p.check(read.schemaVersion == before.schemaVersion, "schema_version changed")
    p.check(read.createdAt == before.createdAt, "created_at changed")
    p.check(read.lastUpdated == before.lastUpdated, "last_updated changed (pure transitions do not stamp it)")
    p.check(read.pausedAt == expectedPausedAt, "paused_at \(String(describing: read.pausedAt)), expected \(String(describing: expectedPausedAt))")
    p.check(read.pauseReason == expectedPauseReason, "pause_reason \(String(describing: read.pauseReason)), expected \(String(describing: expectedPauseReason))")
    p.check(read.blockedAt == expectedBlockedAt, "blocked_at changed")
    p.check(read.blockReason == expectedBlockReason, "blocked_reason changed")
    for (l, layer) in read.layers.enumerated() where l < before.layers.count {
        p.check(layer.name == before.layers[l].name, "\(layer.key) name changed")
        for (i, task) in layer.tasks.enumerated() where i < expectedTasks[l].count {
            let expected = expectedTasks[l][i]
            guard task != expected else { continue }
            let touched = expected != before.layers[l].tasks[i]
            // Field by field, so a failure says which rule broke.
            var diffs: [String] = []
            if task.status != expected.status { diffs.append("status \(task.status) != \(expected.status)") }
            if task.startedAt != expected.startedAt { diffs.append("started_at \(String(describing: task.startedAt)) != \(String(describing: expected.startedAt))") }
            if task.completedAt != expected.completedAt { diffs.append("completed_at \(String(describing: task.completedAt)) != \(String(describing: expected.completedAt))") }
            if task.durationMs != expected.durationMs { diffs.append("duration_ms \(String(describing: task.durationMs)) != \(String(describing: expected.durationMs))") }
            if task.attempts != expected.attempts { diffs.append("attempts \(task.attempts) != \(expected.attempts)") }
            if task.error != expected.error { diffs.append("error \(String(describing: task.error)) != \(String(describing: expected.error))") }
            if task.output != expected.output { diffs.append("output changed") }
            if task.agent != expected.agent { diffs.append("agent \(String(describing: task.agent)) != \(String(describing: expected.agent))") }
            if task.filesCreated != expected.filesCreated || task.filesModified != expected.filesModified { diffs.append("files changed") }
            if task.id != expected.id || task.description != expected.description || task.command != expected.command
                || task.complexity != expected.complexity || task.dependencies != expected.dependencies
                || task.parallel != expected.parallel { diffs.append("identity fields changed") }
            if task.index != expected.index { diffs.append("index \(task.index) != \(expected.index)") }
            if diffs.isEmpty { diffs.append("differs (extra?)") }
            p.check(false, "\(touched ? "touched" : "UNTOUCHED") task \(layer.key).\(i): " + diffs.joined(separator: "; "))
        }
    }
    if let (l, completedAt) = expectedLayerCompletedAt, l < read.layers.count {
        p.check(read.layers[l].completedAt == completedAt,
                "completeLayer: \(read.layers[l].key).completed_at \(String(describing: read.layers[l].completedAt)) != \(completedAt)")
        p.check(read.layers[l].tasks.allSatisfy(\.status.isDone), "completeLayer left unfinished tasks")
    }
    // Error and warning entries, known fields included (extras were compared above).
    p.check(read.errors.count == expectedErrors.count, "\(read.errors.count) errors, expected \(expectedErrors.count)")
    for (i, (got, want)) in zip(read.errors, expectedErrors).enumerated() {
        var w = want
        w.extra = got.extra
        p.check(got == w, "errors[\(i)]: \(got) != \(want)")
    }
    p.check(read.warnings.count == expectedWarnings.count, "\(read.warnings.count) warnings, expected \(expectedWarnings.count)")
    for (i, (got, want)) in zip(read.warnings, expectedWarnings).enumerated() {
        var w = want
        w.extra = got.extra
        p.check(got == w, "warnings[\(i)]: \(got) != \(want)")
    }
    return (transition.description, documentText, p.list)
}

// MARK: - Tests

@Suite struct LosslessPropertyTests {
    static let iterations = Int(environmentNumber("EXECTRACK_PROPERTY_ITERATIONS") ?? 300)
    static let baseSeed = environmentNumber("EXECTRACK_PROPERTY_SEED") ?? 0x5EED_0F_E8EC_7AC4

    @Test func unknownFieldsAndTransitionsSurviveARoundTrip() {
        var failures = 0
        var transitionKinds: [String: Int] = [:]
        for iteration in 0..<Self.iterations {
            let seed = Self.baseSeed &+ UInt64(iteration)
            let result = checkOnce(seed: seed)
            transitionKinds[String(result.transition.prefix(while: { $0 != "(" })), default: 0] += 1
            guard !result.problems.isEmpty else { continue }
            failures += 1
            let problems = result.problems.prefix(12).joined(separator: "\n  ")
            Issue.record("""
                iteration \(iteration) (rerun: EXECTRACK_PROPERTY_SEED=\(seed) EXECTRACK_PROPERTY_ITERATIONS=1), \
                transition \(result.transition):
                  \(problems)
                document (\(result.document.utf8.count) bytes): \(String(result.document.prefix(3000)))
                """)
            if failures >= 3 { break }
        }
        // The generator must reach every transition, or the property says little.
        for kind in ["setTaskStatus", "logError", "logWarning", "pause", "resume", "completeLayer"] where Self.iterations >= 100 {
            #expect(transitionKinds[kind, default: 0] > 0, "no iteration applied \(kind): \(transitionKinds)")
        }
    }

    /// RFC 8259 §8.3: member names are compared code unit by code unit. Two keys that differ only
    /// in Unicode normalisation (é as one scalar, e + combining accent) are two fields, and both
    /// must survive, as they do in jq.
    @Test func keysThatDifferOnlyInNormalisationAreDistinctFields() throws {
        let text = "{\"x_\u{E9}\": 1, \"x_e\u{301}\": 2}"
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.entries.count == 2, "one of the two keys was dropped: \(compact(value))")
        #expect(Array(JSONWriter.encode(value, style: .compact).utf8) == Array("{\"x_\u{E9}\":1,\"x_e\u{301}\":2}".utf8))
        let status = try StatusFile(json: try JSONParser.parse("{\"feature\": \"F1\", \"x_\u{E9}\": 1, \"x_e\u{301}\": 2}"))
        #expect(status.extra.entries.count == 2, "extras: \(compact(.object(status.extra)))")
    }
}
