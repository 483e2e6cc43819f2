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
        if style == .pretty { out.bytes.append(UInt8(ascii: "\n")) }
        return out.bytes
    }

    /// Escapes what JSON requires and nothing else: `/` and non-ASCII text are written as is.
    fileprivate static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let copied: Void? = s.utf8.withContiguousStorageIfAvailable { writeEscaped($0, into: &out) }
        if copied == nil { writeEscaped(Array(s.utf8), into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escaping in one step; most strings are a single run.
    private static func writeEscaped<C: RandomAccessCollection>(_ bytes: C, into out: inout [UInt8])
    where C.Element == UInt8, C.Index == Int {
        var runStart = bytes.startIndex
        for i in bytes.indices {
            let byte = bytes[i]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
            out.append(contentsOf: bytes[runStart..<i])
            runStart = i + 1
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            default:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
        }
        out.append(contentsOf: bytes[runStart..<bytes.endIndex])
    }
}

/// Streams JSON in the writer's layout: the model writes itself field by field, so a status file
/// is encoded without building a tree first. Call `key` before each member of an object and
/// `element` before each element of an array.
struct JSONOutput {
    fileprivate(set) var bytes: [UInt8]
    private let style: JSONWriter.Style
    private var indent = 0
    /// Whether the innermost open container has a member yet (it then needs a comma).
    private var hasMembers = false

    init(style: JSONWriter.Style, capacity: Int) {
        self.style = style
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A newline and enough spaces for any indent in one copy.
    private static let lineBreak: [UInt8] = [UInt8(ascii: "\n")] + Array(repeating: UInt8(ascii: " "), count: 64)

    private mutating func newline() {
        guard style == .pretty else { return }
        if indent < Self.lineBreak.count {
            Self.lineBreak.withUnsafeBufferPointer { bytes.append(contentsOf: $0.prefix(indent + 1)) }
        } else {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }
    }

    private mutating func member() {
        if hasMembers { bytes.append(UInt8(ascii: ",")) }
        hasMembers = true
        newline()
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        indent += 2
        hasMembers = false
    }

    // An empty container closes on the same line: `{}` and `[]`, as jq prints them.
    private mutating func close(_ bracket: UInt8) {
        indent -= 2
        if hasMembers { newline() }
        bytes.append(bracket)
        hasMembers = true
    }

    mutating func key(_ name: String) {
        member()
        JSONWriter.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if style == .pretty { bytes.append(UInt8(ascii: " ")) }
    }

    /// A key known to need no escaping (a model field's name), copied as it is.
    mutating func key(plain name: String) {
        member()
        var name = name
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8 { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: style == .pretty ? Self.colonSpace : Self.colon)
    }

    private static let colonSpace: [UInt8] = Array("\": ".utf8)
    private static let colon: [UInt8] = Array("\":".utf8)

    mutating func element() { member() }

    mutating func null() { bytes.append(contentsOf: "null".utf8) }
    mutating func bool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    mutating func int<Number: BinaryInteger>(_ value: Number) { bytes.append(contentsOf: String(value).utf8) }
    mutating func string(_ value: String) { JSONWriter.writeString(value, into: &bytes) }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int<Number: BinaryInteger>(_ value: Number?) {
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

    /// Appends the members of `object` to the object being written (the fields a type keeps
    /// without knowing them).
    mutating func members(_ object: JSONObject) {
        for entry in object.entries {
            key(entry.key)
            value(entry.value)
        }
    }

    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let literal): bytes.append(contentsOf: literal.utf8)
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
