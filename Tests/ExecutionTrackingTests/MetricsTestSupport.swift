import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// examples/specs/F001 (L0 2, L1 5, L2 4, L3 2 tasks) driven through its workflow with fixed times.
/// Every figure the metrics tests expect is worked out by hand from the timeline below
/// (seconds after `t0` = 2026-11-21T10:00:00.000Z):
///
/// | task | agent        | complexity | start | end  | duration ms        |
/// |------|--------------|------------|-------|------|--------------------|
/// | L0.0 | db-architect | simple     | 0     | 1    | 1,000              |
/// | L0.1 | backend-dev  | moderate   | 0     | 250  | 250,000            |
/// | L1.0 | backend-dev  | moderate   | 300   | 360  | 60,000             |
/// | L1.1 | backend-dev  | complex    | 300   | 420  | 120,000 (failed)   |
/// |      |              |            | 460   | 520  | 60,000 (retry)     |
/// | L1.2 | ai-engineer  | Complex    | 400   | 500  | 100,000            |
/// | L1.3 | backend-dev  | moderate   | 540   | 600  | 60,000             |
/// | L1.4 | –            | –          | 540   | 570  | 30,000             |
/// | L2.0 | frontend-dev | complex    | 600   | 900  | 300,000            |
/// | L2.1 | frontend-dev | moderate   | 600   | 720  | 120,000            |
/// | L2.2 | frontend-dev | simple     | 600   | 690  | 90,000             |
/// | L2.3 | frontend-dev | simple     | 600   | 645  | 45,000             |
/// | L3.0 | qa-engineer  | complex    | 900   | 1500 | 600,000            |
/// | L3.1 | devops       | moderate   | 1500  | 1800 | 300,000            |
enum F001Run {
    static func at(_ seconds: Int64) -> Timestamp { t0.plus(seconds: seconds) }

    static let agents: [[String?]] = [
        ["db-architect", "backend-dev"],
        ["backend-dev", "backend-dev", "ai-engineer", "backend-dev", nil],
        ["frontend-dev", "frontend-dev", "frontend-dev", "frontend-dev"],
        ["qa-engineer", "devops"],
    ]
    static let complexities: [[String?]] = [
        ["simple", "moderate"],
        ["moderate", "complex", "Complex", "moderate", nil],
        ["complex", "moderate", "simple", "simple"],
        ["complex", "moderate"],
    ]

    static let connectionError = "Connection refused by database"

    static func base() -> StatusFile {
        var s = f001Status()
        for l in s.layers.indices {
            for t in s.layers[l].tasks.indices {
                s.layers[l].tasks[t].agent = agents[l][t]
                s.layers[l].tasks[t].complexity = complexities[l][t]
            }
        }
        s.recomputeDerivedFields()
        return s
    }

    static func run(_ s: inout StatusFile, _ layer: Int, _ task: Int, from start: Int64, to end: Int64) {
        s.setTaskStatus(.inProgress, at: loc(layer, task), now: at(start))
        s.setTaskStatus(.complete, at: loc(layer, task), now: at(end))
    }

    static func completeLayer(_ s: inout StatusFile, _ layer: Int, at seconds: Int64,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try s.completeLayer(at: layer, force: false, now: at(seconds))
        } catch {
            Issue.record("completeLayer(\(layer)) failed: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Step 1: L0 complete (1,000 ms and 250,000 ms); "now" is t0 + 5m.
    static let afterL0Now = at(300)
    static func afterL0() -> StatusFile {
        var s = base()
        run(&s, 0, 0, from: 0, to: 1)
        run(&s, 0, 1, from: 0, to: 250)
        completeLayer(&s, 0, at: 250)
        s.recomputeDerivedFields()
        return s
    }

    /// Step 2: mid-L1. L1.0 complete, L1.1 failed with a logged (high, connection) error, L1.2
    /// running; "now" is t0 + 7m 30s.
    static let midL1Now = at(450)
    static func midL1() -> StatusFile {
        var s = afterL0()
        run(&s, 1, 0, from: 300, to: 360)
        s.setTaskStatus(.inProgress, at: loc(1, 1), now: at(300))
        s.logError(connectionError, at: loc(1, 1), severity: .high, category: .connection,
                   recoveryAction: "Restart the database container", now: at(420))
        s.setTaskStatus(.inProgress, at: loc(1, 2), now: at(400))
        s.recomputeDerivedFields()
        return s
    }

    /// Step 3: L1.1 retried and complete, L1.2 complete; "now" is t0 + 9m.
    static let afterRetryNow = at(540)
    static func afterRetry() -> StatusFile {
        var s = midL1()
        s.setTaskStatus(.pending, at: loc(1, 1), now: at(460))
        run(&s, 1, 1, from: 460, to: 520)
        s.setTaskStatus(.complete, at: loc(1, 2), now: at(500))
        s.recomputeDerivedFields()
        return s
    }

    /// Step 4: everything complete at t0 + 30m; "now" is t0 + 33m 20s.
    static let completeNow = at(2000)
    static func complete() -> StatusFile {
        var s = afterRetry()
        run(&s, 1, 3, from: 540, to: 600)
        run(&s, 1, 4, from: 540, to: 570)
        completeLayer(&s, 1, at: 600)
        run(&s, 2, 0, from: 600, to: 900)
        run(&s, 2, 1, from: 600, to: 720)
        run(&s, 2, 2, from: 600, to: 690)
        run(&s, 2, 3, from: 600, to: 645)
        completeLayer(&s, 2, at: 900)
        run(&s, 3, 0, from: 900, to: 1500)
        run(&s, 3, 1, from: 1500, to: 1800)
        completeLayer(&s, 3, at: 1800)
        s.recomputeDerivedFields()
        return s
    }
}

// MARK: - Building expected values

func layerFigures(_ key: String, _ name: String, _ status: LayerStatus, total: Int, completed: Int = 0,
                  failed: Int = 0, skipped: Int = 0, percent: Int, duration: Int64? = nil,
                  average: Int64? = nil, startedAt: Timestamp? = nil,
                  completedAt: Timestamp? = nil) -> ExecutionMetrics.LayerFigures {
    ExecutionMetrics.LayerFigures(
        key: key, name: name, status: status, totalTasks: total, completedTasks: completed,
        failedTasks: failed, skippedTasks: skipped, completionPercentage: percent, durationMs: duration,
        averageDurationMs: average, startedAt: startedAt, completedAt: completedAt)
}

func groupFigures(_ name: String, total: Int, completed: Int = 0, failed: Int = 0,
                  average: Int64? = nil) -> ExecutionMetrics.GroupFigures {
    ExecutionMetrics.GroupFigures(name: name, totalTasks: total, completedTasks: completed,
                                  failedTasks: failed, averageDurationMs: average)
}

func taskRef(_ layer: String, _ index: Int, _ description: String, agent: String?, _ ms: Int64,
             id: String? = nil) -> ExecutionMetrics.TaskRef {
    ExecutionMetrics.TaskRef(layer: layer, index: index, id: id, description: description, agent: agent,
                             durationMs: ms)
}

/// `severity count` pairs, all severities in declaration order.
func severityCounts(_ m: ExecutionMetrics) -> [String] {
    m.errorsBySeverity.map { "\($0.0.rawValue) \($0.1)" }
}

/// `category count` pairs, all categories in declaration order.
func categoryCounts(_ m: ExecutionMetrics) -> [String] {
    m.errorsByCategory.map { "\($0.0.rawValue) \($0.1)" }
}

// MARK: - JSON checks

/// The metrics export encoded as text, as written to disk.
func metricsExportText(_ m: ExecutionMetrics) -> String {
    JSONWriter.encode(MetricsExport.json(m))
}

/// The metrics export encoded and parsed back: what a reader of the file sees.
func metricsExportObject(_ m: ExecutionMetrics, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONObject {
    let parsed = try JSONParser.parse(metricsExportText(m))
    guard let object = parsed.objectValue else {
        Issue.record("metrics export is not an object", sourceLocation: sourceLocation)
        return JSONObject()
    }
    return object
}

/// Number literals anywhere in `value` that are not finite JSON numbers.
func nonFiniteNumbers(_ value: JSONValue) -> [String] {
    switch value {
    case .number(let number):
        return number.double.map { $0.isFinite ? [] : [number.literal] } ?? [number.literal]
    case .array(let elements):
        return elements.flatMap(nonFiniteNumbers)
    case .object(let object):
        return object.entries.flatMap { nonFiniteNumbers($0.value) }
    case .null, .bool, .string:
        return []
    }
}

/// JSON text with the contents of string literals removed, lowercased: what is left are keys'
/// quotes, punctuation, numbers and literals, where "nan" or "inf" must never appear.
func jsonTextOutsideStrings(_ text: String) -> String {
    var out = ""
    var inString = false
    var escaped = false
    for ch in text {
        if inString {
            if escaped {
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "\"" {
                inString = false
                out.append(ch)
            }
        } else {
            if ch == "\"" { inString = true }
            out.append(ch)
        }
    }
    return out.lowercased()
}

/// `object[path[0]][path[1]]...`, nil when a key is missing.
func jsonAt(_ object: JSONObject, _ path: String...) -> JSONValue? {
    var current: JSONValue = .object(object)
    for key in path {
        guard let next = current.objectValue?[key] else { return nil }
        current = next
    }
    return current
}

// MARK: - XML checks

/// Problems that would make `xml` not well-formed XML 1.0 (or that show an unescaped special
/// character): unbalanced tags, a raw `<`/`>`/`&` in text or attribute values, an unknown
/// entity, a control character XML cannot carry or a raw newline inside an attribute or text
/// element. Empty when the document is fine.
func xmlProblems(_ xml: String) -> [String] {
    var problems: [String] = []
    var stack: [String] = []
    var roots = 0
    let scalars = Array(xml.unicodeScalars)
    var i = 0

    func checkEntity(at start: Int) -> Int {
        // scalars[start] == "&"; returns the index after the entity.
        var j = start + 1
        var name = ""
        while j < scalars.count, scalars[j] != ";", j - start < 12 {
            name.unicodeScalars.append(scalars[j])
            j += 1
        }
        let known = ["amp", "lt", "gt", "quot", "apos"]
        let numeric = name.hasPrefix("#") && name.count > 1
            && (name.dropFirst().allSatisfy(\.isASCIIDigit)
                || (name.dropFirst().first == "x" && name.count > 2 && name.dropFirst(2).allSatisfy(\.isHexDigit)))
        if j >= scalars.count || scalars[j] != ";" || !(known.contains(name) || numeric) {
            problems.append("bad entity near offset \(start): &\(name)")
            return start + 1
        }
        if numeric {
            let digits = name.dropFirst()
            let value = digits.first == "x" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            if let value, value < 0x20, value != 0x9, value != 0xA, value != 0xD {
                problems.append("character reference to a forbidden control character: &\(name);")
            }
        }
        return j + 1
    }

    func isForbidden(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0xFFFE || s.value == 0xFFFF
    }

    var textSinceTag = ""
    while i < scalars.count {
        let s = scalars[i]
        if s == "<" {
            if !stack.isEmpty, textSinceTag.contains("\n"), !textSinceTag.allSatisfy(\.isWhitespace) {
                problems.append("raw newline in text content: \(textSinceTag.debugDescription)")
            }
            textSinceTag = ""
            // A tag: read to the closing '>' outside quotes.
            var j = i + 1
            var tag = ""
            var quote: Unicode.Scalar?
            while j < scalars.count {
                let c = scalars[j]
                if let q = quote {
                    if c == q {
                        quote = nil
                    } else if c == "<" {
                        problems.append("raw < in attribute value")
                    } else if c == "&" {
                        let next = checkEntity(at: j)
                        for k in j..<next { tag.unicodeScalars.append(scalars[k]) }
                        j = next
                        continue
                    } else if c == "\n" || c == "\r" || c == "\t" {
                        problems.append("raw whitespace control character in attribute value (normalised away by parsers)")
                    } else if isForbidden(c) {
                        problems.append("forbidden character U+\(String(c.value, radix: 16)) in attribute value")
                    }
                } else if c == "\"" || c == "'" {
                    quote = c
                } else if c == ">" {
                    break
                } else if c == "<" {
                    problems.append("raw < inside a tag")
                }
                tag.unicodeScalars.append(c)
                j += 1
            }
            if j >= scalars.count { problems.append("unterminated tag"); break }
            if tag.hasPrefix("?") {
                if !tag.hasSuffix("?") { problems.append("bad processing instruction") }
            } else if tag.hasPrefix("/") {
                let name = String(tag.dropFirst()).trimmingCharactersWhitespace
                if stack.last != name { problems.append("closing </\(name)> does not match <\(stack.last ?? "none")>") }
                if !stack.isEmpty { stack.removeLast() }
            } else {
                let selfClosing = tag.hasSuffix("/")
                let name = String(tag.prefix { !$0.isWhitespace && $0 != "/" })
                if name.isEmpty { problems.append("empty tag name") }
                if stack.isEmpty { roots += 1 }
                if !selfClosing { stack.append(name) }
            }
            i = j + 1
        } else if s == "&" {
            i = checkEntity(at: i)
        } else {
            if s == ">" { problems.append("raw > in text content") }
            if isForbidden(s) { problems.append("forbidden character U+\(String(s.value, radix: 16)) in text") }
            textSinceTag.unicodeScalars.append(s)
            i += 1
        }
    }
    if !stack.isEmpty { problems.append("unclosed elements: \(stack)") }
    if roots != 1 { problems.append("\(roots) root elements") }
    return problems
}

extension String {
    fileprivate var trimmingCharactersWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

// MARK: - OTLP helpers

/// The spans of an OTLP/JSON trace export, in order.
func otlpSpans(_ export: JSONValue) -> [JSONObject] {
    guard let resourceSpans = export.objectValue?["resourceSpans"]?.arrayValue,
          let scopeSpans = resourceSpans.first?.objectValue?["scopeSpans"]?.arrayValue,
          let spans = scopeSpans.first?.objectValue?["spans"]?.arrayValue else { return [] }
    return spans.compactMap(\.objectValue)
}

/// A span attribute's value as text (`stringValue` or `intValue`), nil when absent.
func otlpAttribute(_ span: JSONObject, _ key: String) -> String? {
    guard let attributes = span["attributes"]?.arrayValue else { return nil }
    for attribute in attributes {
        guard let o = attribute.objectValue, o["key"]?.stringValue == key,
              let value = o["value"]?.objectValue else { continue }
        return value["stringValue"]?.stringValue ?? value["intValue"]?.stringValue
    }
    return nil
}

func isLowercaseHex(_ text: String, length: Int) -> Bool {
    text.count == length && text.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
}
