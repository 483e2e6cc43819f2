/// A JSON number as its literal text: `1.50`, `-0` and `123456789012345678901234567890` stay what
/// they were, because converting them to `Double` would change the file's bytes (docs/file-format.md).
/// Only valid RFC 8259 number literals can be made, so writing one always produces valid JSON.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    public let literal: String

    /// Nil unless `literal` is exactly one JSON number (no sign `+`, no leading zeros, no spaces).
    public init?(_ literal: String) {
        guard case .number(let parsed)? = try? JSONParser.parse(literal), parsed.literal == literal else { return nil }
        self = parsed
    }

    public init<Integer: BinaryInteger>(_ value: Integer) {
        literal = String(value)
    }

    /// A finite value; nil for infinities and NaN, which JSON cannot hold. Integral values below
    /// 10^15 are written without a fraction (`3`, not `3.0`).
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        literal = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// For the parser, which has already checked the grammar.
    init(checked literal: String) {
        self.literal = literal
    }

    public var description: String { literal }

    /// The value when it is an integer that fits, written as one (`120`, not `1.2e2`).
    public var int64: Int64? { Int64(literal) }

    /// The nearest Double (large or long literals lose precision).
    public var double: Double? { Double(literal) }
}
