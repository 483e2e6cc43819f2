/// Writes JSON deterministically in the layout `jq` prints (two-space indent, `"key": value`),
/// so a file edited by `jq` and then by this tool differs only where the data differs.
public enum JSONWriter {
    public enum Style: Sendable { case pretty, compact }

    /// The document's text; pretty output ends with one newline.
    public static func encode(_ value: JSONValue, style: Style = .pretty) -> String {
        String(decoding: bytes(style: style) { $0.value(value) }, as: UTF8.self)
    }

    /// The bytes `write` streams into a `JSONOutput`; pretty output ends with one newline.
    static func bytes(style: Style = .pretty, capacity: Int = 1 << 16, _ write: (inout JSONOutput) -> Void) -> [UInt8] {
        var out = JSONOutput(style: style, capacity: capacity)
        write(&out)
        return out.finished()
    }
}

/// Streams JSON in the writer's layout: the model writes itself field by field, so a status file
/// is encoded without building a tree first. Call `key` before each member of an object and
/// `element` before each element of an array.
struct JSONOutput {
    fileprivate let buffer: ByteBuffer
    private let style: JSONWriter.Style
    private var indent = 0
    /// Whether the innermost open container has a member yet (it then needs a comma).
    private var hasMembers = false

    init(style: JSONWriter.Style, capacity: Int) {
        self.style = style
        buffer = ByteBuffer(capacity: capacity)
    }

    /// Starts a member: the comma after the previous one and, in pretty output, the line break
    /// and indent, written with one copy into the buffer.
    @inline(__always)
    private mutating func member() {
        let (comma, indent) = nextMember()
        guard comma || indent >= 0 else { return }
        buffer.write(atMost: 2 + max(indent, 0)) { out in Self.memberStart(out, comma: comma, indent: indent) }
    }

    /// What goes before the member being started: a comma unless it is the first, and the
    /// indent of its line (-1 in compact output, which has no line breaks).
    @inline(__always)
    private mutating func nextMember() -> (comma: Bool, indent: Int) {
        defer { hasMembers = true }
        return (hasMembers, style == .pretty ? indent : -1)
    }

    /// The comma (when `comma`) and, unless `indent` is negative, a newline and `indent` spaces;
    /// returns the number of bytes.
    @inline(__always)
    private static func memberStart(_ out: UnsafeMutablePointer<UInt8>, comma: Bool, indent: Int) -> Int {
        var n = 0
        if comma {
            out[0] = UInt8(ascii: ",")
            n = 1
        }
        guard indent >= 0 else { return n }
        out[n] = UInt8(ascii: "\n")
        (out + n + 1).initialize(repeating: UInt8(ascii: " "), count: indent)
        return n + 1 + indent
    }

    @inline(__always)
    private func newline() {
        guard style == .pretty else { return }
        let indent = self.indent
        buffer.write(atMost: 1 + indent) { out in Self.memberStart(out, comma: false, indent: indent) }
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        buffer.append(bracket)
        indent += 2
        hasMembers = false
    }

    // An empty container closes on the same line: `{}` and `[]`, as jq prints them.
    private mutating func close(_ bracket: UInt8) {
        indent -= 2
        if hasMembers { newline() }
        buffer.append(bracket)
        hasMembers = true
    }

    /// A name known only at run time, escaped as any string. (Named apart from `key` so that a
    /// literal name takes the unescaped `StaticString` path: Swift prefers `String` for a literal.)
    mutating func dynamicKey(_ name: String) {
        member()
        string(name)
        separator()
    }

    /// A model field's name, which needs no escaping, copied as it is: the whole member start,
    /// name and separator in one write (the encoder writes 300,000 of them at 10,000 tasks).
    mutating func key(_ name: StaticString) {
        let (comma, indent) = nextMember()
        let length = name.utf8CodeUnitCount
        buffer.write(atMost: 6 + max(indent, 0) + length) { out in
            var n = Self.memberStart(out, comma: comma, indent: indent)
            out[n] = UInt8(ascii: "\"")
            (out + n + 1).update(from: name.utf8Start, count: length)
            n += 1 + length
            out[n] = UInt8(ascii: "\"")
            out[n + 1] = UInt8(ascii: ":")
            n += 2
            if indent >= 0 {
                out[n] = UInt8(ascii: " ")
                n += 1
            }
            return n
        }
    }

    /// The bytes written; pretty output ends with one newline.
    func finished() -> [UInt8] {
        if style == .pretty { buffer.append(UInt8(ascii: "\n")) }
        return buffer.taken()
    }

    @inline(__always)
    private func separator() {
        buffer.append(UInt8(ascii: ":"))
        if style == .pretty { buffer.append(UInt8(ascii: " ")) }
    }

    mutating func element() { member() }

    /// `count` bytes that `fill` puts in place, as they are (JSON in this writer's layout at this
    /// depth); nothing when `fill` fails.
    func raw(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Bool) -> Bool {
        var filled = false
        buffer.write(atMost: count) { out in
            filled = fill(UnsafeMutableRawBufferPointer(start: out, count: count))
            return filled ? count : 0
        }
        return filled
    }

    func null() { buffer.append("null") }
    func bool(_ value: Bool) { buffer.append(value ? "true" : "false") }
    func int<Number: BinaryInteger>(_ value: Number) { buffer.appendDecimal(Int64(value)) }

    /// Escapes what JSON requires and nothing else: `/` and non-ASCII text are written as is.
    func string(_ value: String) {
        var value = value
        value.withUTF8 { text in
            @inline(__always) func needsEscape(_ byte: UInt8) -> Bool {
                byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F
            }
            // Most strings need no escaping: quotes and text in one write.
            guard text.contains(where: needsEscape) else {
                buffer.write(atMost: text.count + 2) { out in
                    out[0] = UInt8(ascii: "\"")
                    if let start = text.baseAddress { (out + 1).update(from: start, count: text.count) }
                    out[text.count + 1] = UInt8(ascii: "\"")
                    return text.count + 2
                }
                return
            }
            buffer.append(UInt8(ascii: "\""))
            // Copies runs that need no escaping in one step.
            var runStart = 0
            for i in text.indices {
                let byte = text[i]
                guard needsEscape(byte) else { continue }
                buffer.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text)[runStart..<i]))
                runStart = i + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.append("\\\"")
                case UInt8(ascii: "\\"): buffer.append("\\\\")
                case 0x0A: buffer.append("\\n")
                case 0x0D: buffer.append("\\r")
                case 0x09: buffer.append("\\t")
                case 0x08: buffer.append("\\b")
                case 0x0C: buffer.append("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.append("\\u00")
                    buffer.append(hex.utf8Start[Int(byte >> 4)])
                    buffer.append(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            buffer.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text)[runStart...]))
            buffer.append(UInt8(ascii: "\""))
        }
    }

    /// A timestamp's text, formatted in place.
    func timestamp(_ value: Timestamp) {
        buffer.append(UInt8(ascii: "\""))
        buffer.appendTimestamp(value)
        buffer.append(UInt8(ascii: "\""))
    }

    func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    func int<Number: BinaryInteger>(_ value: Number?) {
        if let value { int(value) } else { null() }
    }

    mutating func strings(_ values: [String]) {
        beginArray()
        for value in values {
            element()
            string(value)
        }
        endArray()
    }

    /// An array of one object per item, `members` writing each one's members.
    mutating func objects<Items: Sequence>(_ items: Items, _ members: (inout JSONOutput, Items.Element) -> Void) {
        beginArray()
        for item in items {
            element()
            beginObject()
            members(&self, item)
            endObject()
        }
        endArray()
    }

    /// Appends the members of `object` to the object being written (the fields a type keeps
    /// without knowing them).
    mutating func members(_ object: JSONObject) {
        for entry in object.entries {
            dynamicKey(entry.key)
            value(entry.value)
        }
    }

    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let number): buffer.append(verbatim: number.literal)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements {
                self.element()
                self.value(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            members(object)
            endObject()
        }
    }
}

/// A growable byte buffer that appends with one copy. `Array.append(contentsOf:)` costs about a
/// hundred instructions a call, which adds up over the 400,000 small appends of a 10,000-task file.
/// The bytes live in the array `taken` hands over, so the finished document is never copied: at
/// 10,000 tasks that copy was 6 MB of a write's peak memory (docs/benchmarks.md).
final class ByteBuffer {
    /// Written through its pointer only inside `withUnsafeMutable…` calls; nothing else holds it,
    /// so the exclusivity check per append is not needed.
    @exclusivity(unchecked) private var storage: [UInt8]
    private var count = 0

    init(capacity: Int) {
        storage = Self.room(max(capacity, 64))
    }

    /// `size` bytes that need no zeroing: each is written before `taken` hands it over.
    private static func room(_ size: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { _, initialized in initialized = size }
    }

    /// The bytes written; the buffer is empty afterwards.
    func taken() -> [UInt8] {
        var result = storage
        storage = []
        result.removeLast(result.count - count)
        count = 0
        return result
    }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > storage.count { grow(extra) }
    }

    private func grow(_ extra: Int) {
        var grown = Self.room(max(storage.count * 2, count + extra))
        grown.withUnsafeMutableBytes { to in
            storage.withUnsafeBytes { to.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        }
        storage = grown
    }

    /// Lets `body` write up to `limit` bytes at the end in one step; it returns how many it wrote.
    @inline(__always)
    func write(atMost limit: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(limit)
        storage.withUnsafeMutableBufferPointer { count += body($0.baseAddress! + count) }
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        write(atMost: 1) { out in
            out[0] = byte
            return 1
        }
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        write(atMost: bytes.count) { out in
            UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: bytes.count)
            return bytes.count
        }
    }

    /// Text copied as it is, with no escaping.
    func append(verbatim text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `value.iso8601`, formatted in place.
    func appendTimestamp(_ value: Timestamp) {
        var written = true
        write(atMost: 24) { out in
            guard let count = value.write(to: out) else {
                written = false
                return 0
            }
            return count
        }
        if !written { append(verbatim: value.iso8601) }
    }

    /// The decimal digits of `value`, written without making a String.
    func appendDecimal(_ value: Int64) {
        // At most a sign and 19 digits (Int64.min).
        write(atMost: 20) { out in
            var magnitude = value.magnitude
            var digits = 0
            repeat {
                digits += 1
                magnitude /= 10
            } while magnitude > 0
            let sign = value < 0 ? 1 : 0
            if value < 0 { out[0] = UInt8(ascii: "-") }
            magnitude = value.magnitude
            for position in stride(from: sign + digits - 1, through: sign, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            return sign + digits
        }
    }
}
