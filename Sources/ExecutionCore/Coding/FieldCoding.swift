// How one field's value is read and written. The exact reader is lenient where older writers and
// hand edits differ (numbers as strings, `"true"`, a lone string for a list) and strict where a
// guess would lose data; any other Decoder gets the types' own Codable behaviour.

/// How a field's value is coded; a type's own coding is its `FieldValue` conformance.
public protocol FieldCoding: SendableMetatype {
    associatedtype Value

    static func read(_ decoder: ExactJSONDecoder) throws -> Value
    static func write(_ value: Value, to encoder: ExactJSONEncoder)
    static func decode(_ container: KeyedDecodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws -> Value
    static func encode(_ value: Value, _ container: inout KeyedEncodingContainer<AnyCodingKey>,
                       forKey key: AnyCodingKey) throws
    /// Whether `read` takes `null` itself; for other types null leaves the field's default.
    static var readsNull: Bool { get }
    static func isNil(_ value: Value) -> Bool
}

extension FieldCoding {
    public static var readsNull: Bool { false }
    public static func isNil(_ value: Value) -> Bool { false }
}

/// A type that codes itself as a field's value.
public protocol FieldValue: Codable, FieldCoding where Value == Self {
    static func read(_ decoder: ExactJSONDecoder) throws -> Self
    func write(to encoder: ExactJSONEncoder)
    /// Writes the value at `pointer` (an element of an array) in place, without copying it out.
    static func write(at pointer: UnsafePointer<Self>, to encoder: ExactJSONEncoder)
    /// The value, or nil for `null` (and whatever else the type takes for "none", such as an
    /// empty timestamp).
    static func readUnlessNull(_ decoder: ExactJSONDecoder) throws -> Self?
}

extension FieldValue {
    public static func write(_ value: Self, to encoder: ExactJSONEncoder) { value.write(to: encoder) }

    public static func write(at pointer: UnsafePointer<Self>, to encoder: ExactJSONEncoder) {
        pointer.pointee.write(to: encoder)
    }

    public static func decode(_ container: KeyedDecodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws -> Self {
        try container.decode(Self.self, forKey: key)
    }

    public static func encode(_ value: Self, _ container: inout KeyedEncodingContainer<AnyCodingKey>,
                              forKey key: AnyCodingKey) throws {
        try container.encode(value, forKey: key)
    }

    public static func readUnlessNull(_ decoder: ExactJSONDecoder) throws -> Self? {
        decoder.parser.skipNull() ? nil : try read(decoder)
    }
}

extension Optional: FieldCoding where Wrapped: FieldValue {}

extension Optional: FieldValue where Wrapped: FieldValue {
    public static var readsNull: Bool { true }
    public static func isNil(_ value: Self) -> Bool { value == nil }

    public static func read(_ decoder: ExactJSONDecoder) throws -> Self {
        try Wrapped.readUnlessNull(decoder)
    }

    public func write(to encoder: ExactJSONEncoder) {
        if let self { self.write(to: encoder) } else { encoder.out.null() }
    }

    public static func decode(_ container: KeyedDecodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws -> Self {
        try container.decodeIfPresent(Wrapped.self, forKey: key)
    }
}

extension String: FieldValue {
    /// A number stands for its literal (`"id": 12`).
    public static func read(_ decoder: ExactJSONDecoder) throws -> String {
        if try decoder.parser.peek() == UInt8(ascii: "\"") { return try decoder.parser.string() }
        switch try decoder.parser.value() {
        case .number(let number): return number.literal
        default: throw decoder.fail("expected a string")
        }
    }

    public func write(to encoder: ExactJSONEncoder) { encoder.out.string(self) }
}

extension Bool: FieldValue {
    public static func read(_ decoder: ExactJSONDecoder) throws -> Bool {
        switch try decoder.parser.value() {
        case .bool(let value): return value
        case .string("true"): return true
        case .string("false"): return false
        default: throw decoder.fail("expected true or false")
        }
    }

    public func write(to encoder: ExactJSONEncoder) { encoder.out.bool(self) }
}

/// Integers are read from `1.0`, `1e3` and numeric strings (`"120"`) too, which hand edits and
/// older writers produce (`JSONValue.intValue`).
extension FieldValue where Self: FixedWidthInteger {
    public static func read(_ decoder: ExactJSONDecoder) throws -> Self {
        // Plain integers straight from the bytes; anything else as a whole value.
        guard let int = try decoder.parser.integer() ?? decoder.parser.value().intValue.map(Int64.init),
              let value = Self(exactly: int) else {
            throw decoder.fail("expected an integer")
        }
        return value
    }

    public func write(to encoder: ExactJSONEncoder) { encoder.out.int(self) }
}

extension Int: FieldValue {}
extension Int64: FieldValue {}

/// A list: a JSON array; a lone string counts as a one-element list of strings, and null or `{}`
/// (a common hand-edit slip) as an empty list.
extension Array: FieldCoding where Element: FieldValue {}

extension Array: FieldValue where Element: FieldValue {
    public static func read(_ decoder: ExactJSONDecoder) throws -> [Element] {
        switch try decoder.parser.peek() {
        case UInt8(ascii: "["):
            try decoder.parser.beginArray()
            var first = true
            // Most lists in a status file are empty: they cost no step into the path.
            guard try decoder.parser.nextElement(&first) else { return [] }
            var elements: [Element] = []
            try decoder.inField {
                repeat {
                    try decoder.at(.index(elements.count)) { elements.append(try Element.read(decoder)) }
                } while try decoder.parser.nextElement(&first)
            }
            return elements
        case UInt8(ascii: "\"") where Element.self == String.self:
            let text = try String.read(decoder)
            return text.isEmpty ? [] : (text as? Element).map { [$0] } ?? []
        default:
            switch try decoder.parser.value() {
            case .null: return []
            case .object(let object) where object.isEmpty: return []
            default: throw decoder.fail("expected an array")
            }
        }
    }

    public func write(to encoder: ExactJSONEncoder) {
        encoder.out.beginArray()
        withUnsafeBufferPointer { elements in
            for i in elements.indices {
                encoder.out.element()
                Element.write(at: elements.baseAddress! + i, to: encoder)
            }
        }
        encoder.out.endArray()
    }
}

/// A value written as a string (a timestamp, a status): parsed from its text, or refused saying why.
public protocol TextValue: FieldValue {
    static func parse(_ text: String) -> Result<Self, FieldProblem>
    var text: String { get }
}

extension TextValue {
    public static func read(_ decoder: ExactJSONDecoder) throws -> Self {
        try parse(try String.read(decoder)).mapError { decoder.fail($0.message) }.get()
    }

    public func write(to encoder: ExactJSONEncoder) { encoder.out.string(text) }

    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }

    static func decodeText(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        return try parse(try container.decode(String.self)).mapError {
            DecodingError.dataCorruptedError(in: container, debugDescription: $0.message)
        }.get()
    }

    func encodeText(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension Timestamp: TextValue {
    public static func parse(_ text: String) -> Result<Timestamp, FieldProblem> {
        Timestamp(iso8601: text).map { .success($0) }
            ?? .failure(FieldProblem("expected an ISO 8601 timestamp, found \"\(text.singleLine)\""))
    }

    public var text: String { iso8601 }

    public func write(to encoder: ExactJSONEncoder) { encoder.out.timestamp(self) }

    /// An empty string is no timestamp, as older writers put it.
    public static func readUnlessNull(_ decoder: ExactJSONDecoder) throws -> Timestamp? {
        if decoder.parser.skipNull() { return nil }
        let text: String
        if try decoder.parser.peek() == UInt8(ascii: "\"") {
            // Timestamps are most of a status file's strings: read from the bytes, no String made.
            let token = try decoder.parser.text()
            if let timestamp = token.withUTF8({ Timestamp(iso8601: $0) }) { return timestamp }
            text = token.text
        } else {
            text = try String.read(decoder)
        }
        return text.isEmpty ? nil : try parse(text).mapError { decoder.fail($0.message) }.get()
    }
}

/// One of a fixed set of names (a status, a severity): the reader takes the aliases
/// `init(normalizing:)` knows and refuses other text, listing the valid names.
public protocol NamedValue: TextValue, RawRepresentable, CaseIterable where RawValue == String {
    init?(normalizing input: String)
    /// What the value is, for messages ("task status").
    static var kind: String { get }
}

extension NamedValue {
    public static var validValuesList: String { allCases.map({ $0.rawValue }).joined(separator: ", ") }

    public static func parse(_ text: String) -> Result<Self, FieldProblem> {
        Self(normalizing: text).map { .success($0) }
            ?? .failure(FieldProblem("unknown \(kind) \"\(text.singleLine)\" (valid: \(validValuesList))"))
    }

    /// The raw value, as files this tool wrote hold it, is taken without the aliases' work.
    public static func read(_ decoder: ExactJSONDecoder) throws -> Self {
        let text = try String.read(decoder)
        if let exact = Self(rawValue: text) { return exact }
        return try parse(text).mapError { decoder.fail($0.message) }.get()
    }

    public var text: String { rawValue }

    // Said again here: RawRepresentable's Codable would be as specific as TextValue's, and the
    // compiler would then synthesize an enum coding instead of either.
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

/// Any JSON, kept exactly (a field whose content is free-form, such as an event's `data`).
extension JSONValue: FieldValue {
    public static func read(_ decoder: ExactJSONDecoder) throws -> JSONValue { try decoder.parser.value() }
    public func write(to encoder: ExactJSONEncoder) { encoder.out.value(self) }
}

/// A finite number (a cost in dollars); numeric strings are read too, as for integers.
extension Double: FieldValue {
    public static func read(_ decoder: ExactJSONDecoder) throws -> Double {
        let value = try decoder.parser.value()
        let literal: String? = switch value {
        case .number(let number): number.literal
        case .string(let text): text.trimmingWhitespace
        default: nil
        }
        guard let literal, let double = Double(literal), double.isFinite else { throw decoder.fail("expected a number") }
        return double
    }

    public func write(to encoder: ExactJSONEncoder) { encoder.out.value(.double(self)) }
}
