import Testing
@testable import ExecutionCore
import SeededRandom

// Each faster path of the second performance round (docs/benchmarks.md) against the simple one it
// replaces, on random inputs.
//
// ASCIITaskLine.swift reads ASCII task lines by bytes; ParserState.characterTask reads any line by
// characters. Both must give the same task for every ASCII line: random lines built from the
// pieces a task line is made of (checkboxes, ids, tags, metadata groups, mentions, dependency
// phrases) and from random ASCII bytes. Line breaks are left out: the parser splits lines on them
// before a task is read.
@Suite struct FastPathTests {
    static let pieces = [
        "[ ]", "[x]", "[X]", "[-]", "[", "]", "T001", "T12a", "T7", "TX", "**", "*", "_", "task:", "Task:", "**Task:**",
        "**task**:", "1.2", "3.", "12", ".", "(", ")", "(`/cmd`, @a, simple)", "(`npm test`)", "( `x`", "`", "[P]", "[p]",
        "[US1]", "[us12]", "[USx]", "[Simple]", "[very complex]", "[ Hard ]", "[tag]", "depends on T001, T002",
        "Depends On T003 and T004", "depends on none", "depends on ", "@agent-1", "@a.b.", "(@x)", "@@y", "x@z", "@", "-", "--",
        ":", ";", ",", "word", "Implement", "the", "API", "\t", " ", "  ", "\u{0B}", "\u{0C}", "\u{1F}", "\u{7F}",
    ]

    static func line(_ random: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...14, using: &random) {
            if Int.random(in: 0..<5, using: &random) == 0 {
                let byte = UInt8.random(in: 0...0x7F, using: &random)
                if byte != 0x0A, byte != 0x0D { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            } else {
                text += pieces.randomElement(using: &random)!
            }
            if Bool.random(using: &random) { text += " " }
        }
        return text
    }

    @Test func everyASCIILineReadsAsTheCharacterPathReadsIt() throws {
        var random = SplitMix64(seed: 27)
        for n in 0..<40_000 {
            let text = Self.line(&random)
            let content = Substring(text)
            let bytes = try #require(ASCIITaskLine(content), "line \(n) is ASCII: \(text.debugDescription)")
            for numbered in [false, true] {
                let fast = bytes.task(line: n, numberedID: numbered)
                let simple = ParserState.characterTask(from: content, line: n, numberedID: numbered)
                #expect(fast == simple, "\(text.debugDescription), numberedID \(numbered)")
                if fast != simple { return }
            }
        }
    }

    @Test func linesWithOtherCharactersTakeTheCharacterPath() {
        for text in ["- [ ] T001 Café @zoë", "T002 Build — depends on T001", "[P] 日本語", "T003 x\u{301}"] {
            #expect(ASCIITaskLine(Substring(text)) == nil, "\(text)")
            #expect(ParserState.task(from: Substring(text), line: 1) == ParserState.characterTask(from: Substring(text), line: 1))
        }
    }

    @Test func theByteHelpersAgreeWithCharacterPropertiesOnEveryASCIIByte() {
        for byte in UInt8(0)...0x7F {
            let character = Character(Unicode.Scalar(byte))
            #expect(ASCIITaskLine.isWhitespace(byte) == character.isWhitespace, "byte \(byte)")
            #expect(ASCIITaskLine.isAlphanumeric(byte) == (character.isLetter || character.isNumber), "byte \(byte)")
            #expect(ASCIITaskLine.isDigit(byte) == character.isASCIIDigit, "byte \(byte)")
            #expect(byte.asciiLowercased == Array(String(character).lowercased().utf8)[0], "byte \(byte)")
        }
    }

    /// EventLines finds line feeds eight bytes at a time; `split` one at a time. Long runs
    /// without a line feed and line feeds in every place of an eight-byte word both occur.
    @Test func linesAreTheBytesBetweenLineFeeds() {
        var random = SplitMix64(seed: 2027)
        for _ in 0..<3_000 {
            let density = Int.random(in: 2...40, using: &random)
            let bytes = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                Int.random(in: 0..<density, using: &random) == 0 ? UInt8(ascii: "\n") : UInt8.random(in: 0...255, using: &random)
            }
            var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            let tail = pieces.removeLast()
            var lines: [[UInt8]] = []
            let consumed = bytes.withUnsafeBufferPointer { EventLines.forEachLine(in: $0) { lines.append(Array($0)) } }
            #expect(lines == pieces)
            #expect(consumed == bytes.count - tail.count)
        }
    }

    /// `skipValue` passes over a value by its brackets and strings; `value()` parses it. On valid
    /// JSON both must stop at the same place: the element after it reads the same.
    @Test func skippingAValueEndsWhereParsingItEnds() throws {
        var random = SplitMix64(seed: 2028)
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &random))
            case 3:
                let pieces = ["a", "\"", "\\", "]", "}", "[", "{", ",", ":", "é", "😀", "\u{01}", "\n", " ", "\\\""]
                return .string((0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
            case 4: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) })
            default:
                return .object(JSONObject((0..<Int.random(in: 0...4, using: &random)).map { k in ("k\(k)]\"", value(depth + 1)) }))
            }
        }
        for n in 0..<3_000 {
            let skipped = value(0)
            let text = JSONWriter.encode(.array([skipped, .string("after")]), style: n % 2 == 0 ? .pretty : .compact)
            let after: String? = try JSONParser.reading(Array(text.utf8), syntaxError: { $0 }) { (parser) throws(JSONSyntaxError) -> String? in
                try parser.beginArray()
                var first = true
                _ = try parser.nextElement(&first)
                try parser.skipValue()
                guard try parser.nextElement(&first) else { return nil }
                let next = try parser.value().stringValue
                return try parser.nextElement(&first) ? nil : next
            }
            #expect(after == "after", "\(text)")
        }
    }

    /// `integer()` reads the plain integers of a status file from the bytes; anything else it
    /// leaves where it is for the whole-value path. Where it reads a number, the number is the one
    /// that path reads (`JSONValue.intValue`), and it stops where that path stops.
    @Test func integersReadFromBytesAreTheOnesTheValuePathReads() throws {
        var random = SplitMix64(seed: 2031)
        let pieces = ["0", "1", "9", "00", "-", "-0", ".", ".5", "e", "E3", "e+2", "1234567890", "99999999999999999", "x", " ", "\"", ","]
        for _ in 0..<30_000 {
            let text = (0..<Int.random(in: 1...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let bytes = Array("[\(text)]".utf8)
            typealias Read = (value: Int64?, end: Int)
            let (fast, whole) = try JSONParser.reading(bytes, syntaxError: { $0 }) { (parser) throws(JSONSyntaxError) -> (Read, Read?) in
                try parser.beginArray()
                var first = true
                _ = try parser.nextElement(&first)
                var other = parser
                let start = parser.position
                let fast = (parser.integer(), parser.position)
                #expect(fast.0 != nil || fast.1 == start, "\(text) moved without a value")
                let whole = (try? other.value()).map { ($0.intValue.map(Int64.init), other.position) }
                parser.position = bytes.count
                return (fast, whole)
            }
            guard let value = fast.value else { continue }
            #expect(whole?.value == value, "\(text)")
            #expect(whole?.end == fast.end, "\(text)")
        }
    }

    /// Between tokens, whitespace is skipped by runs: documents with random runs of spaces, tabs
    /// and line breaks between their tokens read as the same document written compactly.
    @Test func whitespaceRunsOfEveryLengthAreSkipped() throws {
        var random = SplitMix64(seed: 2032)
        let blanks = [" ", "  ", "\n", "\r\n", "\t", String(repeating: " ", count: 7), String(repeating: " ", count: 8),
                      String(repeating: " ", count: 9), String(repeating: " ", count: 17), "\n" + String(repeating: " ", count: 10)]
        let tokens = ["{", "\"a\"", ":", "[", "1", ",", "-20", ",", "null", ",", "true", ",", "\"x y\"", "]", ",", "\"b\"", ":", "{", "}", "}"]
        let compact = try JSONParser.parse(tokens.joined())
        for _ in 0..<5_000 {
            var text = ""
            for token in tokens {
                if Bool.random(using: &random) { text += blanks.randomElement(using: &random)! }
                text += token
            }
            if Bool.random(using: &random) { text += blanks.randomElement(using: &random)! }
            #expect(try JSONParser.parse(text) == compact, "\(text.debugDescription)")
        }
    }

    /// A model's reader tries the key it expects next (`writersKeyStart`, `takeKey`) before reading whatever
    /// key comes. Random objects (keys that match, nearly match, differ only by an escape or are
    /// not strings; random blanks, missing commas and colons) walked with random expectations give
    /// the same keys, positions and errors as a walk that reads every key.
    @Test func expectedKeysAreReadAsAnyKeyIsRead() {
        var random = SplitMix64(seed: 2041)
        let names = ["status", "statu", "statuss", "id", "\\u0069d", "st\\\"atus", "ïd", ""]
        let expectations: [StaticString] = ["status", "statu", "id", "", "started_at"]
        let blanks = ["", " ", "  ", " \n", "\n", "\n          ", "\t", "\r\n  "]
        let values = ["1", "\"x\"", "null", "[1, {}]", "{\"a\": 2}", "tru"]
        var matched = 0
        for _ in 0..<5_000 {
            // A third in the writer's layout (a line break and indent before each key, `": "`
            // after it), with its blanks now and then replaced by random ones.
            let writers = Int.random(in: 0..<3, using: &random) == 0
            func piece(_ writer: String) -> String {
                writers && Int.random(in: 0..<8, using: &random) > 0 ? writer : blanks.randomElement(using: &random)!
            }
            let indent = "\n" + String(repeating: " ", count: Int.random(in: 0...19, using: &random))
            var text = "{"
            for member in 0..<Int.random(in: 0...4, using: &random) {
                if member > 0 { text += Int.random(in: 0..<12, using: &random) == 0 ? " " : "," }
                text += piece(indent) + (Int.random(in: 0..<15, using: &random) == 0 ? "7" : "\"" + names.randomElement(using: &random)! + "\"")
                text += piece("") + (Int.random(in: 0..<15, using: &random) == 0 ? "" : ":") + piece(" ")
                text += values.randomElement(using: &random)! + piece("")
            }
            text += piece(String(indent.dropLast(2)))
            text += Int.random(in: 0..<10, using: &random) == 0 ? "" : "}"
            let expected = (0..<6).map { _ in expectations.randomElement(using: &random)! }
            func walk(_ fast: Bool) -> [String] {
                var log: [String] = []
                _ = try? JSONParser.reading(Array(text.utf8), syntaxError: { $0 }) { (parser) throws(JSONSyntaxError) in
                    try parser.beginObject()
                    var first = true
                    for step in expected.indices {
                        if fast, let start = parser.writersKeyStart(first: first), parser.takeKey(at: start, expected[step], first: &first) {
                            log.append("key \(expected[step]) at \(parser.position)")
                        } else {
                            do throws(JSONSyntaxError) {
                                guard let key = try parser.nextKey(&first) else {
                                    log.append("end at \(parser.position)")
                                    return
                                }
                                log.append("key \(key.text) at \(parser.position)")
                            } catch {
                                log.append("\(error)")
                                return
                            }
                        }
                        do throws(JSONSyntaxError) { try parser.skipValue() } catch {
                            log.append("\(error)")
                            return
                        }
                    }
                }
                return log
            }
            let fast = walk(true)
            #expect(fast == walk(false), "\(text.debugDescription)")
            if fast.contains(where: { $0.hasPrefix("key ") }) { matched += 1 }
        }
        #expect(matched > 1_000)
    }

    /// A write copies the tasks it left alone from the file it read (`TaskReuse`) instead of
    /// writing them again. Random files (escaped and non-ASCII text, every status, unknown
    /// members) with random changes (statuses, descriptions, tasks added, removed and moved,
    /// layers added and removed) give the bytes the writer gives for the whole file, with every
    /// copy served and with a source that stops serving midway.
    @Test func copiedTasksGiveTheBytesTheWriterGives() throws {
        var random = Random(seed: 2042)
        let words = ["Build", "the", "API", "say \"hi\"", "back\\slash", "tab\there", "café", "😀", "x"]
        let start = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        var copiedTasks = 0
        var changedFiles = 0
        for round in 0..<300 {
            var plan = ""
            for layer in 0..<random.int(1...4) {
                plan += "## Layer \(layer): Part \(layer)\n"
                for t in 0..<random.int(0...12) {
                    let text = (0..<random.int(1...5)).map { _ in random.pick(words) }.joined(separator: " ")
                    plan += "- [ ] T\(layer)\(t) \(text)\n"
                }
            }
            var file = StatusFile.seeded(feature: "F\(round)", from: LayeredTasksParser.parse(plan), now: start)
            for l in file.layers.indices {
                for t in file.layers[l].tasks.indices where random.chance(0.5) {
                    file.setTaskStatus(random.pick(TaskStatus.allCases), at: TaskLocation(layer: l, task: t),
                                       now: Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + Int64(random.int(1...99_999))))
                    if random.chance(0.1) { file.layers[l].tasks[t].extra["x_note"] = .string(random.pick(words)) }
                }
            }
            file.recomputeDerivedFields()
            let bytes = file.jsonBytes()
            let spans = TaskSpans()
            let read = try StatusFile(jsonBytes: bytes, spans: spans)
            var updated = read
            for _ in 0..<random.int(0...4) {
                guard !updated.layers.isEmpty else { break }
                let l = random.int(0...(updated.layers.count - 1))
                let count = updated.layers[l].tasks.count
                switch random.int(0...6) {
                case 0 where count > 0:
                    updated.setTaskStatus(random.pick(TaskStatus.allCases), at: TaskLocation(layer: l, task: random.int(0...(count - 1))),
                                          now: Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + 200_000))
                case 1 where count > 0: updated.layers[l].tasks[random.int(0...(count - 1))].description = random.pick(words)
                case 2: updated.layers[l].tasks.insert(ExecutionTask(index: 0, id: "N\(round)", description: random.pick(words)),
                                                       at: random.int(0...count))
                case 3 where count > 0: updated.layers[l].tasks.remove(at: random.int(0...(count - 1)))
                case 4 where count > 1: updated.layers[l].tasks.swapAt(0, count - 1)
                case 5: updated.layers.append(ExecutionLayer(key: "L\(updated.layers.count + 7)", name: "New"))
                case 6 where updated.layers.count > 1: updated.layers.remove(at: l)
                default: break
                }
            }
            updated.recomputeDerivedFields()
            let whole = updated.jsonBytes()
            if whole != bytes { changedFiles += 1 }
            func copy(_ range: Range<Int>, _ out: UnsafeMutableRawBufferPointer) -> Bool {
                bytes.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
                return true
            }
            guard let reuse = TaskReuse(updated: updated, source: read, spans: spans, copy: copy) else { continue }
            copiedTasks += reuse.unchanged
            #expect(updated.jsonBytes(reusing: reuse) == whole, "\(plan)")
            var served = random.int(0...3)
            let failing = TaskReuse(updated: updated, source: read, spans: spans) { range, out in
                served -= 1
                return served >= 0 && copy(range, out)
            }
            #expect(updated.jsonBytes(reusing: failing) == whole, "\(plan)")
        }
        #expect(copiedTasks > 1_000)
        #expect(changedFiles > 150)
    }

    /// A named value's reader takes its raw value without the aliases' work: for every name of
    /// every such type, that is the value the aliases' reader gives too.
    @Test func rawNamesReadAsTheAliasesReaderReadsThem() {
        func check<Value: NamedValue>(_: Value.Type) {
            for value in Value.allCases { #expect(Value(normalizing: value.rawValue).map { $0 == value } == true) }
        }
        check(TaskStatus.self)
        check(LayerStatus.self)
        check(ExecutionStatus.self)
        check(Severity.self)
        check(ErrorCategory.self)
        check(GateStatus.self)
        check(CostSource.self)
    }

    /// A string that needs no escaping is written in one copy; one that does is escaped run by
    /// run. Both read back as the string written, in both styles.
    @Test func stringsWrittenInOneCopyOrByRunsReadBack() throws {
        var random = SplitMix64(seed: 2033)
        let pieces = ["a", "Zz", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "é", "😀", " ", ""]
        for n in 0..<20_000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let written = JSONWriter.encode(.object(JSONObject([("k", .string(text))])), style: n % 2 == 0 ? .pretty : .compact)
            #expect(try JSONParser.parse(written).objectValue?["k"]?.stringValue == text, "\(text.debugDescription)")
        }
    }

    /// Timestamps are read from the string's bytes and written digit by digit into the buffer:
    /// a status file's timestamps of any instant read back as the same instant, and as the text
    /// `iso8601` makes.
    @Test func timestampsReadFromBytesAndWrittenInPlaceRoundTrip() throws {
        var random = SplitMix64(seed: 2034)
        for _ in 0..<5_000 {
            var task = ExecutionTask(index: 0, description: "t")
            let instant = Timestamp(millisecondsSinceEpoch: Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &random))
            task.startedAt = instant
            let bytes = try ExactJSONEncoder.encode(task)
            #expect(String(decoding: bytes, as: UTF8.self).contains("\"started_at\": \"\(instant.iso8601)\""))
            #expect(try ExactJSONDecoder.decode(ExecutionTask.self, from: bytes).startedAt == instant)
        }
        // Years outside 0...9999 do not fit the 24 bytes: they are written by the general path.
        for instant in [Timestamp(millisecondsSinceEpoch: 253_402_300_800_000), Timestamp(millisecondsSinceEpoch: -62_167_219_200_001)] {
            var task = ExecutionTask(index: 0, description: "t")
            task.startedAt = instant
            let text = String(decoding: try ExactJSONEncoder.encode(task), as: UTF8.self)
            #expect(text.contains("\"started_at\": \"\(instant.iso8601)\""))
            #expect(instant.iso8601 == "10000-01-01T00:00:00.000Z" || instant.iso8601.hasSuffix("-12-31T23:59:59.999Z"), "\(instant.iso8601)")
        }
    }

    /// A checkbox is read by bytes unless a non-ASCII byte follows it: on random text made of
    /// brackets, marks and combining characters, the answer is the character path's.
    @Test func checkboxesReadByBytesAsByCharacters() {
        var random = SplitMix64(seed: 2035)
        let pieces = ["[", "]", " ", "x", "X", "-", "\u{301}", "\u{20DD}", "é", "\r", "\n", "\t", "a", "😀", "[ ]", "[x]", "[X]"]
        for _ in 0..<30_000 {
            let text = (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            for start in [text.startIndex, text.index(text.startIndex, offsetBy: text.isEmpty ? 0 : 1)] {
                let content = text[start...]
                #expect(ParserState.checkbox(content) == ParserState.checkboxByCharacters(content), "\(text.debugDescription)")
            }
        }
    }

    /// `trimmed` returns a line whose edge bytes are plain ASCII as it is; otherwise it trims by characters.
    @Test func trimmingByBytesAgreesWithTrimmingByCharacters() {
        var random = SplitMix64(seed: 2029)
        let pieces = ["a", "#", " ", "\t", "\u{0B}", "\u{85}", "\u{A0}", "\u{2003}", "\u{301}", "é", "\r\n", "\u{7F}", "\u{01}", "~", "😀"]
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            #expect(Substring(text).trimmed == Substring(text).trimmedByCharacters, "\(text.debugDescription)")
        }
    }

    /// Line shapes read by bytes (`hasASCIIPrefix`, `indent(of:)`, `bulletText`) against their
    /// character readings, on random text of bullets, blanks, digits, combining marks and the
    /// characters canonically equal to ASCII ones (U+1FEF is a backtick, U+037E a semicolon).
    @Test func lineShapesReadByBytesAsByCharacters() {
        var random = SplitMix64(seed: 2036)
        let pieces = ["-", "*", "+", "#", ">", "`", "~", "<!--", "1", "12", "12345", ".", ")", " ", "\t", "a", "[ ]", "\u{301}",
                      "\u{1FEF}", "\u{37E}", "\u{212A}", "é", "\u{A0}", "\u{2003}", "😀", "**"]
        for _ in 0..<30_000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let line = Substring(text)
            for prefix: StaticString in ["#", ">", "```", "~~~", "<!--", "**"] {
                #expect(line.hasASCIIPrefix(prefix) == line.hasPrefix(prefix.description), "\(text.debugDescription) \(prefix)")
            }
            let characterIndent = line.prefix(while: { $0 == " " || $0 == "\t" }).reduce(0) { $0 + ($1 == "\t" ? 4 : 1) }
            #expect(ParserState.indent(of: line) == characterIndent, "\(text.debugDescription)")
            let trimmed = line.trimmed
            #expect(ParserState.bulletText(trimmed) == ParserState.bulletTextByCharacters(trimmed), "\(text.debugDescription)")
        }
    }

    /// The byte helpers `removingAll` and `firstRangeIgnoringASCIICase` against their definitions.
    @Test func byteSearchesFindWhatAPlainScanFinds() {
        var random = SplitMix64(seed: 2037)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...24, using: &random)).map { _ in Array("aAbB@()".utf8).randomElement(using: &random)! }
            let needle = (0..<Int.random(in: 1...3, using: &random)).map { _ in Array("ab@(".utf8).randomElement(using: &random)! }
            var kept: [UInt8] = [], i = 0
            while i < text.count {
                if text[i...].starts(with: needle) { i += needle.count } else { kept.append(text[i]); i += 1 }
            }
            #expect(text.removingAll(needle) == kept)
            let slice = text.dropFirst(Int.random(in: 0...2, using: &random))
            let found = slice.indices.first { slice[$0...].map(\.asciiLowercased).starts(with: needle) }
            #expect(slice.firstRangeIgnoringASCIICase(of: needle) == found.map { $0..<($0 + needle.count) })
        }
    }

    /// `TaskTransition.scan` compares keys and strings as bytes and stops at `to`; the same rules
    /// read from the parsed line's members, in order, give the same transition for random lines:
    /// members in any order, values of the wrong kind, escaped strings, integers written as text.
    @Test func transitionsScannedByBytesAreTheOnesTheTreeGives() throws {
        func simple(_ line: String) -> TaskTransition? {
            guard case .object(let object)? = try? JSONParser.parse(line) else { return nil }
            let changes = [EventType.taskStarted, .taskCompleted, .taskFailed, .taskSkipped, .taskReset].map(\.rawValue)
            var isChange = false, time: Int64?
            for (key, value) in object.entries {
                switch key {
                case "type":
                    isChange = value.stringValue.map(changes.contains) ?? false
                    if !isChange { return nil }
                case "time": time = value.stringValue.flatMap(Timestamp.init(iso8601:))?.millisecondsSinceEpoch
                case "data":
                    guard isChange, let time, case .object(let data) = value else { return nil }
                    var layer: String?, index: Int?
                    for (key, value) in data.entries {
                        switch key {
                        case "layer": layer = value.stringValue
                        case "index": index = value.intValue
                        case "to":
                            guard let layer, let index, let to = value.stringValue.flatMap(TaskStatus.init(rawValue:)) else { return nil }
                            return TaskTransition(layer: layer, index: index, time: time, to: to)
                        default: break
                        }
                    }
                    return nil
                default: break
                }
            }
            return nil
        }
        var random = SplitMix64(seed: 2038)
        var found = 0, compactFound = 0, compactDecided = 0
        func pick(_ choices: [String]) -> String { choices.randomElement(using: &random)! }
        for _ in 0..<20_000 {
            var data = [
                "\"actor\":" + pick(["{\"pid\":7,\"host\":\"h\\\"x\"}", "{\"pid\":7,\"host\":\"ü\"}", "[\"]\"]", "null", "\"é\"", "true"]),
                "\"layer\":" + pick(["\"L1\"", "\"L1\"", "\"L1\"", "\"L\\u0031\"", "1", "null", "\"é\""]),
                "\"index\":" + pick(["0", "7", "0", "7", "-1", "2.0", "\" 4 \"", "\"x\"", "1e1", "12345678901234567890", "null"]),
                "\"to\":" + pick(["\"in_progress\"", "\"complete\"", "\"failed\"", "\"done\"", "\"compl\\u0065te\"", "3"]),
                "\"from\":\"pending\"", "\"task\":{\"id\":\"T1\",\"to\":[1,{\"a\":\"}\"}]}",
            ]
            // A third in any order; the others in the order the log's writer uses.
            if Int.random(in: 0..<3, using: &random) == 0 { data.shuffle(using: &random) }
            data.removeLast(Int.random(in: 0...2, using: &random))
            if Bool.random(using: &random) { data.removeFirst() }
            var members = [
                "\"specversion\":\"1.0\"", "\"id\":" + pick(["\"S-3-x\"", "\"S-3-x\"", "\"S-\\u0033\"", "\"ü\""]),
                // Sometimes with the key escaped: the parser decodes it to "type".
                pick(["\"type\":", "\"type\":", "\"type\":", "\"t\\u0079pe\":"]) + pick(["\"dev.exectrack.task.started\"", "\"dev.exectrack.task.completed\"", "\"dev.exectrack.task.reset\"",
                                     "\"dev.exectrack.task.updated\"", "\"dev.exectrack.task.st\\u0061rted\"", "1", "null"]),
                "\"time\":" + pick(["\"2026-12-07T10:00:00.000Z\"", "\"2026-12-07T10:00:00.000Z\"", "\"2026-12-07T10:00:00Z\"", "\"yesterday\"", "5"]),
                "\"subject\":" + pick(["\"L1/\\\"T1\\\"\"", "\"L1/T1\"", "\"L1/T1\"", "\"ü/1\""]),
                "\"seq\":" + pick(["3", "3", "3", "3.5", "-2", "null"]),
                "\"data\":" + (Int.random(in: 0..<6, using: &random) == 0 ? pick(["[]", "null", "{}"]) : "{" + data.joined(separator: ",") + "}"),
            ]
            if Int.random(in: 0..<3, using: &random) == 0 { members.shuffle(using: &random) }
            for _ in 0..<Int.random(in: 0...2, using: &random) { members.remove(at: Int.random(in: 0..<members.count, using: &random)) }
            let line = "{" + members.joined(separator: pick([",", ",", ",", " , "])) + "}"
            let scanned = Array(line.utf8).withUnsafeBufferPointer(TaskTransition.scan)
            #expect(scanned == simple(line), "\(line)")
            if scanned != simple(line) { return }
            if scanned != nil { found += 1 }
            var compact = Array(line.utf8).withUnsafeBufferPointer(CompactEventLine.init)
            switch compact.read() {
            case .transition: compactFound += 1
            case .none: compactDecided += 1
            case .unknown: break
            }
        }
        // Lines that are transitions are among them, not only lines that are not; and the
        // writer's form is read by CompactEventLine, transitions and others.
        #expect(found > 400, "\(found) transitions")
        #expect(compactFound > 20 && compactDecided > 2_000, "\(compactFound) transitions and \(compactDecided) others read compactly")
        // Lines as the log's writer writes them are all read compactly, to the same result.
        for n in 0..<3_000 {
            let kind = pick(["started", "completed", "failed", "skipped", "reset", "updated", "claimed"])
            let line = #"{"specversion":"1.0","id":"S0000-\#(n)-x","source":"exectrack/S0000","type":"dev.exectrack.task.\#(kind)","#
                + #""time":"2026-12-0\#(n % 9 + 1)T10:00:\#(10 + n % 50).\#(100 + n % 900)Z","subject":"L\#(n % 4)/T\#(n)","#
                + #""datacontenttype":"application/json","seq":\#(n + 1),"statusdigest":"f715355b9154ffd1","#
                + #""data":{"actor":{"pid":\#(n),"host":"vm"},"layer":"L\#(n % 4)","index":\#(n),"from":"pending","#
                + #""to":"\#(pick(["in_progress", "complete", "failed", "skipped", "pending"]))","task":{"id":"T\#(n)","notes":"a \"b\" ü"}}}"#
            let scanned = Array(line.utf8).withUnsafeBufferPointer(TaskTransition.scan)
            #expect(scanned == simple(line), "\(line)")
            var compact = Array(line.utf8).withUnsafeBufferPointer(CompactEventLine.init)
            if case .unknown = compact.read() { Issue.record("not read compactly: \(line)") }
            if scanned != simple(line) { return }
        }
    }

    /// The writer's buffer grows while it is written and hands its array over: documents of
    /// several MiB, with one string of over 1 MiB, read back as what was written.
    @Test func documentsLargerThanAChunkReadBackWhole() throws {
        var random = SplitMix64(seed: 2030)
        for style in [JSONWriter.Style.compact, .pretty] {
            var items: [JSONValue] = (0..<40_000).map { i in
                i % 3 == 0 ? .int(Int.random(in: Int.min...Int.max, using: &random))
                    : .string(String(repeating: "é\"x", count: Int.random(in: 0...40, using: &random)))
            }
            items.insert(.string(String(repeating: "z", count: (1 << 20) + 17)), at: 20_000)
            let text = JSONWriter.encode(.array(items), style: style)
            #expect(text.utf8.count > 3 * (1 << 20))
            #expect(try JSONParser.parse(text) == .array(items))
        }
    }

    // EventType's written-out lookup by name against a scan of every case: each name, and names
    // one edit away from one (a byte changed, dropped or added, the case changed), which share
    // its length or miss it by one.
    @Test func eventTypesAreFoundByNameAsAScanFindsThem() {
        var random = SplitMix64(seed: 2712)
        var names = EventType.allCases.map(\.rawValue) + ["", "dev.exectrack.", "task.started", String(repeating: "x", count: 300), "dev.exectrack.task.startedé"]
        for _ in 0..<5_000 {
            var bytes = Array(EventType.allCases.randomElement(using: &random)!.rawValue.utf8)
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0x20...0x7E, using: &random)
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(UInt8.random(in: 0x20...0x7E, using: &random), at: at)
            default: bytes[at] = bytes[at] ^ 0x20
            }
            names.append(String(decoding: bytes, as: UTF8.self))
        }
        var found = 0
        for name in names {
            let scanned = EventType.allCases.first { $0.rawValue == name }
            #expect(EventType(rawValue: name) == scanned, "\(name)")
            if scanned != nil { found += 1 }
        }
        #expect(found >= EventType.allCases.count)
    }

    // A write's `fields` patch (FieldTable.patch: each own field written and compared on its own)
    // against the merge patch of the two headers' trees, which is what it replaced: random pairs
    // of files whose own fields and unknown members are drawn from a pool of values (absent,
    // null, equal or different), for the spec and for each layer, and from no file at all.
    @Test func ownFieldPatchesAreTheMergePatchOfTheTrees() throws {
        func mergePatch(from old: JSONObject, to new: JSONObject) -> JSONObject {
            var patch = JSONObject()
            for (key, value) in new.entries where old[key] != value && !(value.isNull && old[key] == nil) {
                patch.append(key, value)
            }
            for key in old.keys where new[key] == nil { patch.append(key, .null) }
            return patch
        }
        let absent: JSONValue? = nil
        let setStamps: [JSONValue?] = [.string("2026-01-01T00:00:00.000Z"), .string("2026-02-03T04:05:06.789Z")]
        let stamps: [JSONValue?] = [.null] + setStamps
        let texts: [JSONValue?] = [.null, .string("why"), .string("other")]
        let specPool: [String: [JSONValue?]] = [
            "schema_version": [.int(1), .int(2)], "feature": [.string("F001"), .string("F002")],
            "feature_name": [.string("Feature"), .string("Other")], "tasks_file": [absent, .string("specs/a.md"), .string("specs/b.md")],
            "created_at": stamps, "started_at": stamps, "last_updated": stamps, "completed_at": stamps, "paused_at": stamps,
            "pause_reason": texts, "blocked_at": stamps, "blocked_reason": texts,
            "budget_usd": [absent, .double(10.5), .int(20)], "budget_exceeded_at": [absent] + setStamps,
            "planned_at": [absent] + setStamps,
            "x_custom": [absent, .int(1), .object(JSONObject([("a", .int(1))])), .null], "x_other": [absent, .string("é")],
        ]
        let layerPool: [String: [JSONValue?]] = [
            "name": [.string("Infra"), .string("Core")], "started_at": stamps, "completed_at": stamps,
            "depends_on": [absent, .strings(["L0"]), .strings([])], "required_gates": [absent, .strings(["tests"])],
            "gates_overridden_at": [absent] + setStamps, "gates_override_reason": [absent, .string("hotfix")],
            "x_layer": [absent, .int(1), .null],
        ]
        let base = StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("""
            ## Layer 0: Infra
            - [ ] T1 One
            ## Layer 1: Core
            - [ ] T2 Two
            """), now: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))
        var random = Random(seed: 2713)
        func drawn(_ object: JSONObject, _ pool: [String: [JSONValue?]]) -> JSONObject {
            var object = object
            for (key, values) in pool.sorted(by: { $0.key < $1.key }) { object[key] = random.pick(values) }
            return object
        }
        func variant() -> StatusFile? {
            guard case .object(var header) = base.json, case .object(var layers) = header["layers"] ?? .null else { return nil }
            for key in layers.keys {
                guard case .object(let layer) = layers[key] ?? .null else { return nil }
                layers[key] = .object(drawn(layer, layerPool))
            }
            header = drawn(header, specPool)
            header["layers"] = .object(layers)
            return try? StatusFile(json: .object(header))
        }
        var files: [StatusFile] = []
        while files.count < 300 {
            if let file = variant() { files.append(file) }
        }
        var changed = 0
        for (old, new) in zip(files, files.dropFirst()) {
            let patch = StatusFile.ownPatch(from: old, to: new)
            #expect(patch == mergePatch(from: old.ownFields, to: new.ownFields))
            if !patch.isEmpty { changed += 1 }
            for (was, now) in zip(old.layers, new.layers) {
                #expect(ExecutionLayer.ownPatch(from: was, to: now) == mergePatch(from: was.ownFields, to: now.ownFields))
            }
            #expect(StatusFile.ownPatch(from: nil, to: new) == mergePatch(from: JSONObject(), to: new.ownFields))
            #expect(ExecutionLayer.ownPatch(from: nil, to: new.layers[0]) == mergePatch(from: JSONObject(), to: new.layers[0].ownFields))
            #expect(StatusFile.ownPatch(from: new, to: new).isEmpty)
        }
        #expect(changed > 250)
    }

    // `[String].joined(separator:)` (Support/Text.swift) against the standard library's, reached
    // through a generic context: random arrays of random pieces (empty, ASCII, combining marks
    // that join the previous piece's last character, emoji), compared by their bytes.
    @Test func joinedStringsAreTheStandardLibrarysJoin() {
        func standard<S: BidirectionalCollection>(_ strings: S, _ separator: String) -> String where S.Element == String {
            strings.joined(separator: separator)
        }
        let pieces = ["", "a", "word", "e", "\u{301}", "👩‍💻", " ", ", ", "\n", "ü", "x\u{301}y"]
        var random = Random(seed: 2714)
        for _ in 0..<5_000 {
            let strings = (0..<random.int(0...6)).map { _ in (0..<random.int(0...3)).map { _ in random.pick(pieces) }.joined() }
            let separator = random.pick(pieces)
            #expect(Array(strings.joined(separator: separator).utf8) == Array(standard(strings, separator).utf8))
            #expect(Array(strings.joined().utf8) == Array(standard(strings, "").utf8))
        }
    }

    static let markupPieces = ["", "a", "plain words", "&", "<", ">", "\"", "'", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{80}",
                               "\u{85}", "\u{9F}", "\u{A0}", "é", "\u{F000}", "\u{FFFD}", "\u{FFFE}", "\u{FFFF}", "😀", "x\u{301}", "日本", "&amp;"]

    /// Markup escaping reads bytes (Support/Text.swift); the simple path walks the scalars.
    /// Both must agree for the HTML page's and the JUnit report's rules, on random texts.
    @Test func markupEscapingByBytesIsEscapingByScalars() {
        func simple(_ text: String, apostrophe: String, control: (Unicode.Scalar) -> String?) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "'": out += apostrophe
                case "\n": out += "&#10;"
                default: if let replacement = control(scalar) { out += replacement } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out
        }
        let xml: (Unicode.Scalar) -> String? = { scalar in
            scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF ? "[\(scalar.value)]" : nil
        }
        let html: (Unicode.Scalar) -> String? = { scalar in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "&#\(0x2400 + min(scalar.value, 0x20));" : nil
        }
        var random = Random(seed: 2029)
        for _ in 0..<5_000 {
            let text = (0..<random.int(0...8)).map { _ in random.pick(Self.markupPieces) }.joined()
            #expect(text.markupEscaped(apostrophe: "&apos;", control: xml) == simple(text, apostrophe: "&apos;", control: xml), "\(text.debugDescription)")
            #expect(HTMLReport.escape(text) == simple(text, apostrophe: "&#39;", control: html), "\(text.debugDescription)")
            let out = ByteBuffer(capacity: 8)
            HTMLReport.appendEscaped(text, to: out)
            #expect(String(decoding: out.taken(), as: UTF8.self) == HTMLReport.escape(text))
        }
    }

    /// The page's data block replaces `<`, `>`, `&`, U+2028 and U+2029 found eight bytes at a
    /// time; the simple path replaces them in the text.
    @Test func embeddedDataIsTheTextWithItsReplacements() {
        var random = Random(seed: 2030)
        for _ in 0..<3_000 {
            let text = (0..<random.int(0...12)).map { _ in random.pick(Self.markupPieces + ["\u{2028}", "\u{2029}", "\u{2027}", "\u{20AC}", "</script>"]) }.joined()
            let json = Array(JSONWriter.encode(.array([.string(text)]), style: .compact).utf8)
            let out = ByteBuffer(capacity: 8)
            HTMLReport.appendEmbedded(json, to: out)
            var simple = String(decoding: json, as: UTF8.self)
            for (from, to) in [("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u{2028}", "\\u2028"), ("\u{2029}", "\\u2029")] {
                simple = simple.replacing(from, with: to)
            }
            #expect(String(decoding: out.taken(), as: UTF8.self) == simple, "\(text.debugDescription)")
        }
    }

    /// Transitions are grouped by chains through the list (SpecHistory.swift); the simple path
    /// filters the list for each task.
    @Test func transitionGroupsAreTheTasksTransitionsInLogOrder() {
        var random = Random(seed: 2031)
        for _ in 0..<300 {
            let transitions = (0..<random.int(0...60)).map { n in
                TaskTransition(layer: random.pick(["L0", "L1", "Layer 2"]), index: random.int(0...4), time: Int64(n), to: random.pick([.pending, .inProgress, .complete, .failed, .skipped]))
            }
            let byTask = TransitionsByTask(transitions)
            for layer in ["L0", "L1", "Layer 2", "L9"] {
                for index in -1...5 {
                    #expect(Array(byTask[layer, index]) == transitions.filter { $0.layer == layer && $0.index == index })
                }
            }
        }
    }

    /// Timestamps in the written form are read by their places (Timestamp.swift), any other
    /// form piece by piece: the same instant for written timestamps, valid or spoiled.
    @Test func writtenTimestampsReadAsThePieceByPieceReaderReadsThem() {
        var random = Random(seed: 2032)
        var canonical = 0
        for _ in 0..<30_000 {
            var bytes = Array(Timestamp(millisecondsSinceEpoch: random.int64(-62_135_596_800_000...253_402_300_799_999)).iso8601.utf8)
            if random.chance(0.4) { bytes[random.int(0...(bytes.count - 1))] = random.pick(Array("0123456789-:.TtZz x/".utf8) + [random.byte()]) }
            bytes.withUnsafeBufferPointer { b in
                #expect(Timestamp(iso8601: b) == Timestamp.parsed(b), "\(String(decoding: b, as: UTF8.self))")
                if let fast = Timestamp.canonical(b) {
                    canonical += 1
                    #expect(fast == Timestamp.parsed(b), "\(String(decoding: b, as: UTF8.self))")
                }
            }
        }
        #expect(canonical > 15_000)
    }
}
