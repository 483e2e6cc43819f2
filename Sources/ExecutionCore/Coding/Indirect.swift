/// An optional field kept out of line, as one pointer: a task's lease and usage are set on few
/// tasks but would take 288 of its 608 bytes inline, and every array of tasks is copied, grown
/// and held whole in memory (docs/benchmarks.md, peak memory). A boxed value is never changed in
/// place: setting the field makes a new box, so copies of a task stay independent.
///
/// Declared without requirements on `Wrapped`, which the extensions add: the runtime checks a
/// declaration's requirements when it first makes the type's metadata, and each check scans every
/// conformance record in the binary (docs/benchmarks.md, 13 tasks).
public struct Indirect<Wrapped> {
    // Immutable, and only ever holding a Sendable value (see the Sendable extension).
    private final class Box: @unchecked Sendable {
        let value: Wrapped
        init(_ value: Wrapped) { self.value = value }
    }

    private let box: Box?

    public init(_ value: Wrapped?) { box = value.map(Box.init) }

    public var value: Wrapped? { box?.value }
}

extension Indirect: Sendable where Wrapped: Sendable {}

extension Indirect: Equatable where Wrapped: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.value == rhs.value }
}

// Read, written and coded exactly as `Wrapped?`.
extension Indirect: Decodable where Wrapped: FieldValue {
    public init(from decoder: any Decoder) throws { self.init(try Wrapped?(from: decoder)) }
}

extension Indirect: Encodable where Wrapped: FieldValue {
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension Indirect: FieldCoding where Wrapped: FieldValue {}

extension Indirect: FieldValue where Wrapped: FieldValue {
    public static var readsNull: Bool { true }
    public static func isNil(_ value: Self) -> Bool { value.box == nil }

    public static func read(_ decoder: ExactJSONDecoder) throws -> Self { Indirect(try Wrapped?.read(decoder)) }
    public func write(to encoder: ExactJSONEncoder) { value.write(to: encoder) }

    public static func decode(_ container: KeyedDecodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws -> Self {
        Indirect(try Wrapped?.decode(container, forKey: key))
    }

    public static func encode(_ value: Self, _ container: inout KeyedEncodingContainer<AnyCodingKey>,
                              forKey key: AnyCodingKey) throws {
        try Wrapped?.encode(value.value, &container, forKey: key)
    }
}
