// Codable over the JSONValue tree (JSON/JSONValue.swift), so Codable types can be read from and
// written to documents the parser and writer handle, without Foundation. Behaviour follows
// Foundation's JSONDecoder/JSONEncoder with default strategies: the same error cases and coding
// paths, null for a missing super decoder's key, `{}` for a value that encodes nothing.

/// Decodes or encodes any Codable type from or to a tree.
public enum JSONTree {
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: JSONTreeDecoder(value))
    }

    /// Like JSONEncoder, refuses a value that encodes nothing: a document needs a top-level value.
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONTreeEncoder()
        try value.encode(to: encoder)
        guard encoder.node.isSet else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) encoded no value."))
        }
        return encoder.value
    }
}

/// A key for any string or array index (the form error paths give array positions in).
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public let intValue: Int?

    public init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    public init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    public init?(stringValue: String) { self.init(stringValue) }
    public init?(intValue: Int) { self.init(index: intValue) }
}

// MARK: - Decoding

/// Decodes from one node of a tree; it is also the node's single value container.
final class JSONTreeDecoder: Decoder, SingleValueDecodingContainer, TreeValueReader {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, codingPath: [any CodingKey] = []) {
        self.value = value
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw Scalar.failure([String: Any].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedTreeDecoding(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw Scalar.failure([Any].self, value, codingPath) }
        return UnkeyedTreeDecoding(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueDecodingContainer { self }

    func next<T>(_ unbox: (JSONValue, [any CodingKey]) throws -> T) throws -> T { try unbox(value, codingPath) }
    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func decode(_: Int128.Type) throws -> Int128 { try next(Scalar.integer) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func decode(_: UInt128.Type) throws -> UInt128 { try next(Scalar.integer) }
}

/// The single value and unkeyed containers differ only in which value is next (and whether reading
/// it moves on), so they share the primitive overloads. Both are classes, so the unkeyed one can
/// move on in these non-mutating methods. The 128-bit overloads are in each type: the standard
/// library's defaults for them would make ones here ambiguous.
protocol TreeValueReader: AnyObject {
    /// `unbox` applied to the next value and its coding path.
    func next<T>(_ unbox: (JSONValue, [any CodingKey]) throws -> T) throws -> T
}

extension TreeValueReader {
    func decode(_: Bool.Type) throws -> Bool { try next(Scalar.bool) }
    func decode(_: String.Type) throws -> String { try next(Scalar.string) }
    func decode(_: Double.Type) throws -> Double { try next(Scalar.real) }
    func decode(_: Float.Type) throws -> Float { try next(Scalar.real) }
    func decode(_: Int.Type) throws -> Int { try next(Scalar.integer) }
    func decode(_: Int8.Type) throws -> Int8 { try next(Scalar.integer) }
    func decode(_: Int16.Type) throws -> Int16 { try next(Scalar.integer) }
    func decode(_: Int32.Type) throws -> Int32 { try next(Scalar.integer) }
    func decode(_: Int64.Type) throws -> Int64 { try next(Scalar.integer) }
    func decode(_: UInt.Type) throws -> UInt { try next(Scalar.integer) }
    func decode(_: UInt8.Type) throws -> UInt8 { try next(Scalar.integer) }
    func decode(_: UInt16.Type) throws -> UInt16 { try next(Scalar.integer) }
    func decode(_: UInt32.Type) throws -> UInt32 { try next(Scalar.integer) }
    func decode(_: UInt64.Type) throws -> UInt64 { try next(Scalar.integer) }
}

private final class UnkeyedTreeDecoding: UnkeyedDecodingContainer, TreeValueReader {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The current element and its path; past the end, `valueNotFound` for the type wanted.
    private func peek(_ type: Any.Type) throws -> (value: JSONValue, path: [any CodingKey]) {
        let path = codingPath + [AnyCodingKey(index: currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        return (elements[currentIndex], path)
    }

    /// Moves on only when `unbox` succeeds, so a caller may retry the element as another type.
    func next<T>(_ unbox: (JSONValue, [any CodingKey]) throws -> T) throws -> T {
        let current = try peek(T.self)
        let result = try unbox(current.value, current.path)
        currentIndex += 1
        return result
    }

    func decodeNil() throws -> Bool {
        guard try peek(Any?.self).value == .null else { return false }
        currentIndex += 1
        return true
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { try T(from: JSONTreeDecoder($0, codingPath: $1)) }
    }

    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func decode(_: Int128.Type) throws -> Int128 { try next(Scalar.integer) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func decode(_: UInt128.Type) throws -> UInt128 { try next(Scalar.integer) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next { try JSONTreeDecoder($0, codingPath: $1).container(keyedBy: type) }
    }

    func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try JSONTreeDecoder($0, codingPath: $1).unkeyedContainer() }
    }

    func superDecoder() throws -> any Decoder {
        try next { JSONTreeDecoder($0, codingPath: $1) }
    }
}

/// A class so lookups can remember where the last key was found: JSONObject.lookup tries the next
/// position first, which makes reading keys in document order (dictionaries, most structs) linear.
private final class KeyedTreeDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]
    private var hint = 0

    init(object: JSONObject, codingPath: [any CodingKey]) {
        self.object = object
        self.codingPath = codingPath
    }

    var allKeys: [Key] { object.entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    private func find(_ key: some CodingKey) -> JSONValue? {
        guard let found = object.lookup(key.stringValue, hint: hint) else { return nil }
        hint = found.index + 1
        return found.value
    }

    private func value<T>(_ key: Key, _ unbox: (JSONValue, [any CodingKey]) throws -> T) throws -> T {
        guard let value = find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value for key \"\(key.stringValue)\"."))
        }
        return try unbox(value, codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) { value, _ in value == .null } }
    func decode(_: Bool.Type, forKey key: Key) throws -> Bool { try value(key, Scalar.bool) }
    func decode(_: String.Type, forKey key: Key) throws -> String { try value(key, Scalar.string) }
    func decode(_: Double.Type, forKey key: Key) throws -> Double { try value(key, Scalar.real) }
    func decode(_: Float.Type, forKey key: Key) throws -> Float { try value(key, Scalar.real) }
    func decode(_: Int.Type, forKey key: Key) throws -> Int { try value(key, Scalar.integer) }
    func decode(_: Int8.Type, forKey key: Key) throws -> Int8 { try value(key, Scalar.integer) }
    func decode(_: Int16.Type, forKey key: Key) throws -> Int16 { try value(key, Scalar.integer) }
    func decode(_: Int32.Type, forKey key: Key) throws -> Int32 { try value(key, Scalar.integer) }
    func decode(_: Int64.Type, forKey key: Key) throws -> Int64 { try value(key, Scalar.integer) }
    func decode(_: UInt.Type, forKey key: Key) throws -> UInt { try value(key, Scalar.integer) }
    func decode(_: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key, Scalar.integer) }
    func decode(_: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key, Scalar.integer) }
    func decode(_: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key, Scalar.integer) }
    func decode(_: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key, Scalar.integer) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func decode(_: Int128.Type, forKey key: Key) throws -> Int128 { try value(key, Scalar.integer) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func decode(_: UInt128.Type, forKey key: Key) throws -> UInt128 { try value(key, Scalar.integer) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try value(key) { try T(from: JSONTreeDecoder($0, codingPath: $1)) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try value(key) { try JSONTreeDecoder($0, codingPath: $1).container(keyedBy: type) }
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try value(key) { try JSONTreeDecoder($0, codingPath: $1).unkeyedContainer() }
    }

    // As in Foundation, a missing key gives a decoder over null rather than an error here.
    func superDecoder() -> any Decoder { superDecoder(AnyCodingKey("super")) }
    func superDecoder(forKey key: Key) -> any Decoder { superDecoder(key) }

    private func superDecoder(_ key: some CodingKey) -> JSONTreeDecoder {
        JSONTreeDecoder(find(key) ?? .null, codingPath: codingPath + [key])
    }
}

/// Conversions between tree nodes and the primitive types, shared by all containers; `path` is
/// where the node sits, for the error.
private enum Scalar {
    /// Null where a value is needed is `valueNotFound`, any other wrong kind `typeMismatch` (as in Foundation).
    static func failure(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        let kind = switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
        let context = DecodingError.Context(codingPath: path, debugDescription: "Expected \(type) but found \(kind).")
        return value == .null ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let bool) = value else { throw failure(Bool.self, value, path) }
        return bool
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw failure(String.self, value, path) }
        return string
    }

    static func integer<I: FixedWidthInteger>(_ value: JSONValue, _ path: [any CodingKey]) throws -> I {
        guard case .number(let number) = value else { throw failure(I.self, value, path) }
        guard let integer = number.exactly(I.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Number \(number) is not representable as \(I.self)."))
        }
        return integer
    }

    /// Parsed straight into `F` (no rounding through Double first); a literal beyond `F`'s range
    /// would become infinity, which is refused.
    static func real<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: JSONValue, _ path: [any CodingKey]) throws -> F {
        guard case .number(let number) = value else { throw failure(F.self, value, path) }
        guard let real = F(number.literal), real.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Number \(number) does not fit in \(F.self)."))
        }
        return real
    }

    /// JSON has no infinities or NaN. Going through `description` keeps a Float's shortest digits
    /// (at most 9, which Double holds exactly) and is exact for a Double; JSONNumber(Double) then
    /// writes integral values without a fraction.
    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, _ path: [any CodingKey]) throws -> JSONValue {
        guard let number = Double(value.description).flatMap(JSONNumber.init) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) cannot be written in JSON."))
        }
        return .number(number)
    }
}

extension JSONNumber {
    /// The integer this literal denotes, if it is integral and `I` holds it. Judged on the digits,
    /// not through Double, so `1.0`, `-0` and `1e3` count while `1.5` and `1.00000000000000000001`
    /// do not, and a long literal is never rounded into range.
    fileprivate func exactly<I: FixedWidthInteger>(_: I.Type) -> I? {
        if let plain = I(literal) { return plain }
        let negative = literal.hasPrefix("-")
        let body = literal.dropFirst(negative ? 1 : 0)
        let mantissa = body.prefix { $0 != "e" && $0 != "E" }
        let whole = mantissa.prefix { $0 != "." }
        let fraction = mantissa.dropFirst(whole.count + 1)
        let digits = whole + fraction
        guard let first = digits.firstIndex(where: { $0 != "0" }) else { return 0 }
        let last = digits.lastIndex(where: { $0 != "0" })!
        let trailingZeros = digits.distance(from: last, to: digits.endIndex) - 1
        // The value is digits[first...last] × 10^power. A power of at least I.bitWidth is out of
        // range for certain, which also bounds the string built below.
        guard let exponent = mantissa.count == body.count ? 0 : Int(body.dropFirst(mantissa.count + 1)),
              case (let power, false) = (trailingZeros - fraction.count).addingReportingOverflow(exponent),
              power >= 0, power < I.bitWidth else { return nil }
        return I((negative ? "-" : "") + String(digits[first...last]) + String(repeating: "0", count: power))
    }
}

// MARK: - Encoding

/// A value being encoded. Containers hold their node by reference, so a nested container or super
/// encoder handed out earlier can still be written after its later siblings; `tree` reads the
/// result out at the end.
private final class Node {
    private enum Kind { case unset, value(JSONValue), object, array }
    private var kind = Kind.unset
    /// Object keys in insertion order; `children` holds their values (or an array's elements).
    private var keys: [String] = []
    private var children: [Node] = []
    /// Each key's position, by its bytes, the way JSONObject compares keys.
    private var positions: [[UInt8]: Int] = [:]

    var isSet: Bool {
        if case .unset = kind { return false }
        return true
    }

    var count: Int { children.count }

    private func reset(_ newKind: Kind) {
        kind = newKind
        keys = []
        children = []
        positions = [:]
    }

    func set(_ value: JSONValue) { reset(.value(value)) }

    /// Keeps an existing object, so a class and its superclass can write into one keyed container.
    func makeObject() {
        if case .object = kind { return }
        reset(.object)
    }

    func makeArray() {
        if case .array = kind { return }
        reset(.array)
    }

    /// The node for `key`, appended if new. `fresh` replaces an existing one in its place (encoding
    /// a value again); otherwise it is reused (a nested container asked for twice adds to one object).
    func child(_ key: String, fresh: Bool) -> Node {
        let bytes = Array(key.utf8)
        if let i = positions[bytes] {
            if fresh { children[i] = Node() }
            return children[i]
        }
        positions[bytes] = keys.count
        keys.append(key)
        return appendChild()
    }

    func appendChild() -> Node {
        let node = Node()
        children.append(node)
        return node
    }

    var tree: JSONValue {
        switch kind {
        case .unset: .object(JSONObject())
        case .value(let value): value
        case .object: .object(JSONObject(zip(keys, children).map { (key: $0, value: $1.tree) }))
        case .array: .array(children.map({ $0.tree }))
        }
    }
}

/// Encodes into one node of a tree; it is also the node's single value container.
final class JSONTreeEncoder: Encoder, SingleValueEncodingContainer, TreeValueWriter {
    fileprivate let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    convenience init(codingPath: [any CodingKey] = []) {
        self.init(node: Node(), codingPath: codingPath)
    }

    fileprivate init(node: Node, codingPath: [any CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    /// The tree encoded so far (`{}` if nothing was).
    var value: JSONValue { node.tree }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoding(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedTreeEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    var nextPath: [any CodingKey] { codingPath }
    func write(_ value: JSONValue) { node.set(value) }
    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: self) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func encode(_ value: Int128) throws { write(.number(JSONNumber(value))) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func encode(_ value: UInt128) throws { write(.number(JSONNumber(value))) }
}

/// The single value and unkeyed containers differ only in where the next value goes, so they share
/// the primitive overloads (the 128-bit ones are in each type, as for TreeValueReader).
protocol TreeValueWriter {
    /// Where the next value goes, for errors.
    var nextPath: [any CodingKey] { get }
    mutating func write(_ value: JSONValue)
}

extension TreeValueWriter {
    mutating func encodeNil() throws { write(.null) }
    mutating func encode(_ value: Bool) throws { write(.bool(value)) }
    mutating func encode(_ value: String) throws { write(.string(value)) }
    mutating func encode(_ value: Double) throws { write(try Scalar.number(value, nextPath)) }
    mutating func encode(_ value: Float) throws { write(try Scalar.number(value, nextPath)) }
    mutating func encode(_ value: Int) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int8) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int16) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int32) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int64) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt8) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt16) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt32) throws { write(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt64) throws { write(.number(JSONNumber(value))) }
}

private struct UnkeyedTreeEncoding: UnkeyedEncodingContainer, TreeValueWriter {
    let node: Node
    let codingPath: [any CodingKey]

    var count: Int { node.count }
    var nextPath: [any CodingKey] { codingPath + [AnyCodingKey(index: count)] }

    func write(_ value: JSONValue) { node.appendChild().set(value) }

    /// The next element's encoder; its place is taken now, whenever it is written.
    private func nextEncoder() -> JSONTreeEncoder {
        let path = nextPath
        return JSONTreeEncoder(node: node.appendChild(), codingPath: path)
    }

    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: nextEncoder()) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func encode(_ value: Int128) throws { write(.number(JSONNumber(value))) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func encode(_ value: UInt128) throws { write(.number(JSONNumber(value))) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nextEncoder().container(keyedBy: type)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nextEncoder().unkeyedContainer() }
    func superEncoder() -> any Encoder { nextEncoder() }
}

private struct KeyedTreeEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func put(_ value: JSONValue, _ key: Key) { node.child(key.stringValue, fresh: true).set(value) }

    private func encoder(_ key: some CodingKey, fresh: Bool) -> JSONTreeEncoder {
        JSONTreeEncoder(node: node.child(key.stringValue, fresh: fresh), codingPath: codingPath + [key])
    }

    func encodeNil(forKey key: Key) throws { put(.null, key) }
    func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    func encode(_ value: Double, forKey key: Key) throws { put(try Scalar.number(value, codingPath + [key]), key) }
    func encode(_ value: Float, forKey key: Key) throws { put(try Scalar.number(value, codingPath + [key]), key) }
    func encode(_ value: Int, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: Int8, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: Int16, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: Int32, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: Int64, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: UInt, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: UInt8, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: UInt16, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: UInt32, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    func encode(_ value: UInt64, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func encode(_ value: Int128, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    func encode(_ value: UInt128, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: encoder(key, fresh: true))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(key, fresh: false).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder(key, fresh: false).unkeyedContainer()
    }

    func superEncoder() -> any Encoder { encoder(AnyCodingKey("super"), fresh: true) }
    func superEncoder(forKey key: Key) -> any Encoder { encoder(key, fresh: true) }
}

// MARK: - JSONValue

// The tree coders hand JSONValue its node as it is, so number literals (`1.50`, `-0`, integers
// beyond Int64) and key order survive them. Other coders get the closest Codable rendering.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // The project's coders carry the value exactly (literals, key order).
        if let tree = decoder as? JSONTreeDecoder {
            self = tree.value
            return
        }
        if let exact = decoder as? ExactJSONDecoder {
            self = try exact.parser.value()
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int64.self) {
            self = .number(JSONNumber(int))
        } else if let double = try? container.decode(Double.self) {
            self = JSONNumber(double).map(JSONValue.number) ?? .null
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            // Codable does not expose key order; sorting keeps the result deterministic.
            let dictionary = try container.decode([String: JSONValue].self)
            self = .object(JSONObject(dictionary.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let tree = encoder as? JSONTreeEncoder {
            tree.write(self)
            return
        }
        if let exact = encoder as? ExactJSONEncoder {
            exact.out.value(self)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let number):
            if let int = number.int64 { try container.encode(int) } else { try container.encode(number.double ?? 0) }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o):
            try container.encode(Dictionary(o.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        }
    }
}
