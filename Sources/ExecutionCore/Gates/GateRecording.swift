// Recording gate attempts and what the record says (docs/gates.md): pure functions of the file,
// the attempt and the time.

extension StatusFile {
    /// Adds an attempt of the gate `name` to the layer at `layerIndex`: its attempt number is one
    /// more than the gate's last in the layer. The status follows from `score` and `threshold`
    /// when not given.
    @discardableResult
    public mutating func recordGate(_ result: GateResult, at layerIndex: Int, now: Timestamp) -> GateResult {
        var attempt = result
        attempt.name = result.name.trimmingWhitespace
        attempt.attempt = (layers[layerIndex].latestResult(of: attempt.name)?.attempt ?? 0) + 1
        attempt.executedAt = attempt.executedAt ?? now
        layers[layerIndex].gates = (layers[layerIndex].gates ?? []) + [attempt]
        return attempt
    }
}

/// What a JUnit XML file says, as `gate --from-junit` reads it: test cases and how they ended.
public struct JUnitSummary: Equatable, Sendable {
    public var tests = 0
    public var failures = 0
    public var errors = 0
    public var skipped = 0

    public var passed: Int { max(0, tests - failures - errors - skipped) }

    /// Passed over all the tests (a skipped test did not pass); nil without any test.
    public var score: Double? { tests > 0 ? Double(passed) / Double(tests) : nil }

    /// Counts the `<testcase>` elements and, in each, whether a `<failure>`, `<error>` or
    /// `<skipped>` element follows before the case ends. Nil when the document has no
    /// `<testsuite>` or `<testsuites>` element: it is not JUnit.
    public static func read(_ bytes: [UInt8]) -> JUnitSummary? {
        var summary = JUnitSummary()
        var sawSuite = false
        var inCase = false
        var outcome: String?
        func endCase() {
            guard inCase else { return }
            switch outcome {
            case "failure": summary.failures += 1
            case "error": summary.errors += 1
            case "skipped": summary.skipped += 1
            default: break
            }
            inCase = false
            outcome = nil
        }
        var i = 0
        let n = bytes.count
        while i < n {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            // Comments, CDATA and processing instructions hold no elements.
            if let end = skipSpecial(bytes, at: i) { i = end; continue }
            var j = i + 1
            let closing = j < n && bytes[j] == UInt8(ascii: "/")
            if closing { j += 1 }
            let nameStart = j
            while j < n, !isSpaceOrEnd(bytes[j]) { j += 1 }
            let name = String(decoding: bytes[nameStart..<j], as: UTF8.self)
            // The rest of the tag, quoted values included (a `>` inside quotes does not end it).
            var quote: UInt8?
            while j < n {
                let c = bytes[j]
                if let q = quote { if c == q { quote = nil } } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { quote = c } else if c == UInt8(ascii: ">") { break }
                j += 1
            }
            let selfClosing = j > 0 && j < n && bytes[j - 1] == UInt8(ascii: "/")
            switch (name, closing) {
            case ("testsuite", _), ("testsuites", _): sawSuite = true
            case ("testcase", false):
                endCase()
                summary.tests += 1
                inCase = !selfClosing
            case ("testcase", true): endCase()
            case ("failure", false), ("error", false), ("skipped", false):
                // A case's first failure or error decides; skipped only when nothing else does.
                if inCase, outcome == nil || outcome == "skipped" { outcome = name }
            default: break
            }
            i = j + 1
        }
        endCase()
        return sawSuite ? summary : nil
    }

    private static func isSpaceOrEnd(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
    }

    /// The position after a comment, CDATA section, declaration or processing instruction
    /// starting at `i`; nil for an element tag.
    private static func skipSpecial(_ bytes: [UInt8], at i: Int) -> Int? {
        func starts(_ text: String) -> Bool { bytes[i...].starts(with: text.utf8) }
        let end: String
        if starts("<!--") { end = "-->" } else if starts("<![CDATA[") { end = "]]>" } else if starts("<?") { end = "?>" } else if starts("<!") { end = ">" } else { return nil }
        let terminator = Array(end.utf8)
        var j = i + 2
        while j + terminator.count <= bytes.count {
            if bytes[j..<(j + terminator.count)].elementsEqual(terminator) { return j + terminator.count }
            j += 1
        }
        return bytes.count
    }
}
