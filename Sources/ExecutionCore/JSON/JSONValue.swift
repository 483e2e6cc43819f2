/// A JSON document kept exactly as read: object keys stay in document order and numbers keep
/// their literal text, so fields this tool does not understand are written back unchanged.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text as it appeared (or as this tool formatted it).
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    /// `null` for nil: the model's optional fields are always written, so readers see every key.
    public static func optional(_ string: String?) -> JSONValue { string.map(JSONValue.string) ?? .null }
    public static func optional(_ stamp: Timestamp?) -> JSONValue { stamp.map { .string($0.iso8601) } ?? .null }
    public static func optional(_ int: Int64?) -> JSONValue { int.map { .number(JSONNumber($0)) } ?? .null }
    public static func optional(_ int: Int?) -> JSONValue { int.map { .int($0) } ?? .null }
    public static func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }

    /// A finite number; nil (undefined figures) and non-finite values become `null`.
    public static func double(_ value: Double?) -> JSONValue {
        value.flatMap(JSONNumber.init).map(JSONValue.number) ?? .null
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A JSON number as a finite double; nil for anything else.
    public var numberValue: Double? {
        guard case .number(let number) = self, let value = number.double, value.isFinite else { return nil }
        return value
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Integral numbers, also when written as `1.0`, `1e3` or as a numeric string (`"120"`), which
    /// hand edits and older writers produce.
    public var intValue: Int? {
        let text: String
        switch self {
        case .number(let number): text = number.literal
        case .string(let s): text = s.trimmingWhitespace
        default: return nil
        }
        if let exact = Int(text) { return exact }
        guard let real = Double(text), real.isFinite, real.rounded() == real,
              abs(real) < 9.0e15 else { return nil }
        return Int(real)
    }
}

/// A JSON object that remembers key order. Lookups are linear: objects in status files have a few
/// dozen keys at most, where a scan beats hashing.
public struct JSONObject: Equatable, Sendable {
    public private(set) var entries: [(key: String, value: JSONValue)]

    public init(_ entries: [(key: String, value: JSONValue)] = []) {
        self.entries = entries
    }

    /// Keys compare by their bytes, as RFC 8259 says: Swift's `==` would take "é" and "e\u{301}"
    /// for one key and merge two fields.
    static func sameKey(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
        }
        return (contiguous ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { sameKey($0.key, $1.key) && $0.value == $1.value }
    }

    public var keys: [String] { entries.map({ $0.key }) }
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`, looked for first at `hint` (where readers expect it: status files list
    /// their keys in a fixed order), then everywhere. Returns where it was found.
    func lookup(_ key: String, hint: Int) -> (value: JSONValue, index: Int)? {
        if hint < entries.count, Self.sameKey(entries[hint].key, key) { return (entries[hint].value, hint) }
        guard let i = entries.firstIndex(where: { Self.sameKey($0.key, key) }) else { return nil }
        return (entries[i].value, i)
    }

    public subscript(key: String) -> JSONValue? {
        get { entries.first(where: { Self.sameKey($0.key, key) })?.value }
        set {
            if let i = entries.firstIndex(where: { Self.sameKey($0.key, key) }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// For the parser: appends, unless the key is already there (then the new value wins).
    mutating func appendOrReplace(_ key: String, _ value: JSONValue) {
        if let i = entries.firstIndex(where: { Self.sameKey($0.key, key) }) {
            entries[i].value = value
        } else {
            entries.append((key, value))
        }
    }

    mutating func replaceValue(at index: Int, with value: JSONValue) {
        entries[index].value = value
    }

    /// Appends without checking for an existing key; for building fresh objects in a known order.
    public mutating func append(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
    }

    public mutating func insert(_ key: String, _ value: JSONValue, at index: Int) {
        entries.insert((key, value), at: index)
    }

    /// The object without the members named in `keys`.
    public func removing(_ keys: Set<String>) -> JSONObject {
        JSONObject(entries.filter { !keys.contains($0.key) })
    }

}
