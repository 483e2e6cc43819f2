/// Why a JSON text could not be read, with the 1-based line and column of the problem.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public var description: String { "\(message) at line \(line), column \(column)" }
}

/// A strict RFC 8259 reader over UTF-8 bytes. Strict because a status file that is only half
/// written or hand-mangled must be reported, never half-understood.
public struct JSONParser {
    /// Deep enough for any status file, shallow enough that hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    // A raw buffer, valid for the duration of `parse`: indexing it costs no bounds checks or
    // reference counting, which is most of the time a parse takes.
    private let bytes: UnsafeBufferPointer<UInt8>
    // Internal for tests only (Tests/ExecutionTrackingTests/FastPathTests.swift).
    var position = 0
    private var depth = 0

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try reading(bytes, syntaxError: { $0 }) { parser throws(JSONSyntaxError) in try parser.parseValue() }
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let end = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return JSONSyntaxError(message: message, line: line, column: end - lineStart + 1)
    }

    // Called between every two tokens, and in a pretty-printed file almost always at a byte that
    // is not whitespace or at a line break followed by indentation: both are taken without a loop
    // over single bytes.
    @inline(__always)
    private mutating func skipWhitespace() {
        if position < bytes.count, bytes[position] > 0x20 { return }
        // One space, as after every key of a pretty-printed file, needs no run.
        if position + 1 < bytes.count, bytes[position] == 0x20, bytes[position + 1] > 0x20 {
            position += 1
            return
        }
        skipWhitespaceRun()
    }

    private mutating func skipWhitespaceRun() {
        var i = position
        // Indentation by `spacesEnd`; a line break costs one step more. The last few bytes of the
        // document, byte by byte.
        while true {
            i = spacesEnd(from: i)
            guard i < bytes.count, bytes[i] != 0x20 else { break }
            switch bytes[i] {
            case 0x0A, 0x0D, 0x09: i += 1
            default:
                position = i
                return
            }
        }
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default:
                position = i
                return
            }
        }
        position = i
    }

    private func load8(at offset: Int) -> UInt64 { Bytes.load8(bytes.baseAddress!, at: offset) }

    /// The first byte at or after `start` that is not a space, the spaces passed eight bytes at a
    /// time (exact: a byte XOR a space is zero only for a space); where fewer than eight bytes are
    /// left first, the first of those, for the caller to go on byte by byte.
    @inline(__always)
    private func spacesEnd(from start: Int) -> Int {
        var i = start
        while i + 8 <= bytes.count {
            let other = load8(at: i) ^ (Bytes.ones &* 0x20)
            if other != 0 { return i + other.trailingZeroBitCount / 8 }
            i += 8
        }
        return i
    }

    /// Where the run of string bytes that need no attention (ASCII, no quote, backslash or
    /// control character) that starts at `start` ends; checks eight bytes at a time.
    func plainRunEnd(from start: Int) -> Int {
        var i = start
        while i + 8 <= bytes.count {
            let x = load8(at: i)
            // Quote, backslash, below 0x20 (what is below 0x20 is zero after subtracting it,
            // with a borrow), or not ASCII.
            let flags = Bytes.bytes(x, equalTo: 0x22) | Bytes.bytes(x, equalTo: 0x5C)
                | (((x &- Bytes.ones &* 0x20) & ~x) | x) & (Bytes.ones &* 0x80)
            if flags != 0 { return i + flags.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            i += 1
        }
        return i
    }

    /// Where the first quote, bracket or brace at or after `start` is (the end when there is
    /// none): what `skipValue` stops at, found eight bytes at a time like `plainRunEnd`'s bytes.
    private func structuralByte(from start: Int) -> Int {
        var i = start
        while i + 8 <= bytes.count {
            let x = load8(at: i)
            // Setting bit 5 makes `[` and `]` into `{` and `}`, and no other byte into either.
            let folded = x | (Bytes.ones &* 0x20)
            let flags = Bytes.bytes(x, equalTo: 0x22) | Bytes.bytes(folded, equalTo: 0x7B) | Bytes.bytes(folded, equalTo: 0x7D)
            if flags != 0 { return i + flags.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"): return i
            default: i += 1
            }
        }
        return i
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of data") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of data") }
        for i in 0..<count where bytes[position + i] != literal.utf8Start[i] {
            throw error("invalid literal")
        }
        position += count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try beginObject()
        var object = JSONObject()
        var seenKeys: UInt64 = 0
        // Past a few dozen keys the sketch is full and a scan per key would make a large object
        // quadratic: positions by the key's bytes (byte-exact, as `JSONObject.sameKey`).
        var positions: [[UInt8]: Int]?
        var first = true
        while let token = try nextKey(&first) {
            let key = token.text
            if positions != nil {
                let bytes = Array(key.utf8)
                if let i = positions![bytes] {
                    object.replaceValue(at: i, with: try parseValue())
                } else {
                    positions![bytes] = object.entries.count
                    object.append(key, try parseValue())
                }
                continue
            }
            // Duplicate keys: the last value wins, as in jq and JavaScript. A 64-bit sketch of the
            // keys seen (length and first byte) skips the search for almost every key.
            let bit: UInt64 = 1 << UInt64((key.utf8.count &* 31 &+ Int(key.utf8.first ?? 0)) & 63)
            if seenKeys & bit == 0 {
                seenKeys |= bit
                object.append(key, try parseValue())
            } else {
                object.appendOrReplace(key, try parseValue())
            }
            if object.entries.count == 64 {
                positions = Dictionary(object.entries.enumerated().map { (Array($0.element.key.utf8), $0.offset) }, uniquingKeysWith: { $1 })
            }
        }
        return .object(object)
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try beginArray()
        var elements: [JSONValue] = []
        var first = true
        while try nextElement(&first) {
            elements.append(try parseValue())
        }
        return .array(elements)
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        func digits() -> Int {
            let from = position
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                position += 1
            }
            return position - from
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw error("invalid number", at: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw error("invalid number", at: start)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("invalid number", at: start) }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw error("invalid number", at: start) }
        }
        return .number(JSONNumber(checked: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)))
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let opening = position
        // Fast path: a string of plain ASCII is made in one step.
        let plainEnd = plainRunEnd(from: opening + 1)
        if plainEnd < bytes.count, bytes[plainEnd] == UInt8(ascii: "\"") {
            position = plainEnd + 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[(opening + 1)..<plainEnd]), as: UTF8.self)
        }
        var result = ""
        var runStart = opening + 1
        position = plainEnd
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                try appendRun(&result, from: runStart)
                position += 1
                return result
            case UInt8(ascii: "\\"):
                try appendRun(&result, from: runStart)
                position += 1
                try parseEscape(into: &result)
                runStart = position
            case 0x00..<0x20:
                throw error("control character in string")
            default:
                position += 1
            }
        }
        throw error("unterminated string", at: opening)
    }

    private func appendRun(_ result: inout String, from start: Int) throws(JSONSyntaxError) {
        guard start < position else { return }
        let run = UnsafeBufferPointer(rebasing: bytes[start..<position])
        // ASCII needs no validation; anything else is checked before it becomes a String.
        if run.allSatisfy({ $0 < 0x80 }) {
            result += String(decoding: run, as: UTF8.self)
        } else if let text = String(validating: run, as: UTF8.self) {
            result += text
        } else {
            throw error("invalid UTF-8 in string", at: start)
        }
    }

    private mutating func parseEscape(into result: inout String) throws(JSONSyntaxError) {
        guard position < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): result.append("\"")
        case UInt8(ascii: "\\"): result.append("\\")
        case UInt8(ascii: "/"): result.append("/")
        case UInt8(ascii: "b"): result.append("\u{08}")
        case UInt8(ascii: "f"): result.append("\u{0C}")
        case UInt8(ascii: "n"): result.append("\n")
        case UInt8(ascii: "r"): result.append("\r")
        case UInt8(ascii: "t"): result.append("\t")
        case UInt8(ascii: "u"):
            let first = try parseHex4()
            if (0xD800..<0xDC00).contains(first) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                      bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate in \\u escape")
                }
                position += 2
                let second = try parseHex4()
                guard (0xDC00..<0xE000).contains(second) else { throw error("unpaired surrogate in \\u escape") }
                let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                result.unicodeScalars.append(Unicode.Scalar(scalar)!)
            } else if let scalar = Unicode.Scalar(first) {
                result.unicodeScalars.append(scalar)
            } else {
                throw error("unpaired surrogate in \\u escape")
            }
        default:
            throw error("invalid escape sequence")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

/// An object key or a string value as it appears in the document. A plain ASCII one (field
/// names always, and timestamps) is its raw bytes, so matching or parsing it creates
/// no String.
enum JSONText {
    case raw(UnsafeBufferPointer<UInt8>)
    case decoded(String)

    /// The key's text.
    var text: String {
        switch self {
        case .decoded(let text): return text
        case .raw(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch self {
        case .raw(let bytes): return body(bytes)
        case .decoded(var text): return text.withUTF8(body)
        }
    }

    /// Whether the text is `other`, compared by bytes: no string is made. Inlined: a reader
    /// compares each key of a line with several names (docs/benchmarks.md).
    @inline(__always)
    func `is`(_ other: StaticString) -> Bool {
        guard case .raw(let bytes) = self else { return withUTF8 { Bytes.equal($0, other) } }
        return Bytes.equal(bytes, other)
    }
}

// Pull reading: a decoder walks objects and arrays itself and takes whole values only where it
// wants them, so a status file becomes the model without an intermediate tree.
extension JSONParser {
    /// Runs `body` on a parser at the document's first value, then requires that only whitespace
    /// follows it. `syntaxError` turns this function's own findings into `body`'s error type.
    static func reading<T, Failure: Error>(
        _ bytes: [UInt8], syntaxError: (JSONSyntaxError) -> Failure,
        _ body: (inout JSONParser) throws(Failure) -> T
    ) throws(Failure) -> T {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> T in
            var parser = JSONParser(bytes: buffer)
            // A UTF-8 byte order mark is tolerated: editors on some systems add one.
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { parser.position = 3 }
            parser.skipWhitespace()
            guard parser.position < buffer.count else { throw syntaxError(parser.error("empty document")) }
            let value = try body(&parser)
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw syntaxError(parser.error("unexpected data after the JSON value")) }
            return value
        }
    }

    /// The first byte of the value at the position (`{`, `[`, `"`, `t`, `n`, a digit...).
    func peek() throws(JSONSyntaxError) -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of data") }
        return bytes[position]
    }

    /// The value at the position, whole.
    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        try parseValue()
    }

    /// Moves past the value at the position without building it: a member a reader does not
    /// need. A string, object or array is passed over by its quotes and brackets alone, so what
    /// is inside it is not checked: only for readers that read the whole document again before
    /// relying on it, or that take the rest of a line on trust (the event log's own lines).
    mutating func skipValue() throws(JSONSyntaxError) {
        let first = try peek()
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") else {
            // A count or a sequence number, most often: read where it is, without a value made.
            if integer() == nil { _ = try parseValue() }
            return
        }
        // A string with no escape in it, most often: passed over in one scan.
        if first == UInt8(ascii: "\"") {
            let end = plainRunEnd(from: position + 1)
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                position = end + 1
                return
            }
        }
        var open = 0
        repeat {
            position = structuralByte(from: position)
            guard position < bytes.count else { break }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position = plainRunEnd(from: position + 1)
                while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                    position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
                    position = plainRunEnd(from: min(position, bytes.count))
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["): open += 1
            default: open -= 1
            }
            position += 1
        } while open > 0 && position < bytes.count
        guard open == 0 else { throw error("unexpected end of data") }
        position = min(position, bytes.count)
    }

    /// Moves past a `null` at the position and says so; anything else stays where it is.
    mutating func skipNull() -> Bool {
        guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
              bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l") else { return false }
        position += 4
        return true
    }

    /// The string at the position (which must be one), as its raw bytes when it is plain ASCII.
    mutating func text() throws(JSONSyntaxError) -> JSONText {
        guard try peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        return try scanKey()
    }

    /// The string at the position (which must be one).
    mutating func string() throws(JSONSyntaxError) -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        return try parseString()
    }

    /// The integer at the position when it is one that fits, written without fraction or
    /// exponent (as every writer writes counts and durations), moving past it; nil, staying, for
    /// anything else, which the caller reads as a whole value.
    mutating func integer() -> Int64? {
        var i = position
        let negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let start = i
        var magnitude: UInt64 = 0
        while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10, i - start < 18 {
            magnitude = magnitude &* 10 &+ UInt64(bytes[i] &- UInt8(ascii: "0"))
            i += 1
        }
        // Leading zeros, a fraction, an exponent or 19 digits and more: the general path.
        guard i > start, !(bytes[start] == UInt8(ascii: "0") && i - start > 1) else { return nil }
        if i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "0")...UInt8(ascii: "9"): return nil
            default: break
            }
        }
        position = i
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// Enters the object at the position; `nextKey` then walks its keys.
    mutating func beginObject() throws(JSONSyntaxError) {
        try enter()
        position += 1
    }

    /// The next key of the object being read, leaving the position at its value; nil after the
    /// closing brace. `first` is true until the first call.
    mutating func nextKey(_ first: inout Bool) throws(JSONSyntaxError) -> JSONText? {
        skipWhitespace()
        if first {
            first = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                closeContainer()
                return nil
            }
        } else {
            guard position < bytes.count else { throw error("unexpected end of data in object") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                closeContainer()
                return nil
            default: throw error("expected ',' or '}' in object")
            }
            skipWhitespace()
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw error("expected a string key")
        }
        let key = try scanKey()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw error("expected ':' after key")
        }
        position += 1
        skipWhitespace()
        return key
    }

    /// Where the next member's key starts (its opening quote) when the object is in the writer's
    /// layout: the comma after the previous member, a line break and the indent; nil otherwise,
    /// for `nextKey` to read whatever comes (another layout, the end, an error). The position does
    /// not move: `takeKey` moves it when the key is one the reader expects.
    func writersKeyStart(first: Bool) -> Int? {
        var i = position
        if !first, i + 1 < bytes.count, bytes[i] == UInt8(ascii: ","), bytes[i + 1] == 0x0A {
            i += 2
        } else if first, i < bytes.count, bytes[i] == 0x0A {
            i += 1
        } else {
            return nil
        }
        let end = spacesEnd(from: i)
        return end < bytes.count && bytes[end] != 0x20 ? end : nil
    }

    /// Whether the key at `start` (from `writersKeyStart`) is the plain `expected`, written
    /// `"key": ` before its value as the writer writes it; if so the position moves to the value
    /// and `first` turns false. Most keys of a status file are read this way, without making a
    /// key to match.
    mutating func takeKey(at start: Int, _ expected: StaticString, first: inout Bool) -> Bool {
        let count = expected.utf8CodeUnitCount
        guard start + count + 4 < bytes.count, bytes[start] == UInt8(ascii: "\""), bytes[start + count + 1] == UInt8(ascii: "\""),
              bytes[start + count + 2] == UInt8(ascii: ":"), bytes[start + count + 3] == 0x20, bytes[start + count + 4] > 0x20,
              Bytes.equal(UnsafeRawPointer(expected.utf8Start), UnsafeRawPointer(bytes.baseAddress! + start + 1), count: count) else {
            return false
        }
        position = start + count + 4
        first = false
        return true
    }

    /// Enters the array at the position; `nextElement` then walks its elements.
    mutating func beginArray() throws(JSONSyntaxError) {
        try enter()
        position += 1
    }

    /// Moves to the next element of the array being read; false after the closing bracket.
    mutating func nextElement(_ first: inout Bool) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if first {
            first = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                closeContainer()
                return false
            }
        } else {
            guard position < bytes.count else { throw error("unexpected end of data in array") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                closeContainer()
                return false
            default: throw error("expected ',' or ']' in array")
            }
            skipWhitespace()
        }
        return true
    }

    private mutating func closeContainer() {
        position += 1
        depth -= 1
    }

    /// A key's bytes in place when it is plain ASCII (field names always are); any other key is
    /// decoded like a string.
    private mutating func scanKey() throws(JSONSyntaxError) -> JSONText {
        let end = plainRunEnd(from: position + 1)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return .decoded(try parseString()) }
        let raw = UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end])
        position = end + 1
        return .raw(raw)
    }
}
