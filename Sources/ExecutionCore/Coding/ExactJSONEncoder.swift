/// The project's Encoder: model types and their fields stream into the writer in the layout `jq`
/// prints, in the order their field tables give, followed by the members they did not know.
/// The same value always gives the same bytes. Any other Encodable goes through
/// `JSONTreeEncoder` and is written from the tree.
public final class ExactJSONEncoder: Encoder {
    // One encoder serves a whole document and each access is short (see ExactJSONDecoder).
    @exclusivity(unchecked) var out: JSONOutput
    /// The tree a foreign Encodable builds through this encoder's containers, written once it is done.
    private var pending: JSONTreeEncoder?
    /// Unchanged tasks to copy rather than write (`TaskList`), and those of the layer being written.
    @exclusivity(unchecked) var reuse: TaskReuse?
    @exclusivity(unchecked) var layerSpans: [Range<Int>?]?

    private init(style: JSONWriter.Style, capacity: Int) {
        out = JSONOutput(style: style, capacity: capacity)
    }

    /// The document's bytes; pretty output ends with a newline.
    public static func encode<T: Encodable>(
        _ value: T, style: JSONWriter.Style = .pretty, capacity: Int = 1 << 16
    ) throws -> [UInt8] {
        let encoder = ExactJSONEncoder(style: style, capacity: capacity)
        if let known = value as? any FieldValue {
            known.write(to: encoder)
        } else {
            try value.encode(to: encoder)
            encoder.out.value(encoder.pending?.value ?? .null)
        }
        return encoder.out.finished()
    }

    /// `encode` for a model value, which cannot fail.
    static func bytes<T: FieldValue>(_ value: T, style: JSONWriter.Style = .pretty, capacity: Int = 1 << 16,
                                     reusing reuse: TaskReuse? = nil) -> [UInt8] {
        let encoder = ExactJSONEncoder(style: style, capacity: capacity)
        encoder.reuse = reuse
        value.write(to: encoder)
        return encoder.out.finished()
    }

    /// What `write` writes, compact: one field's value (`FieldTable.patch`).
    static func compactBytes(_ write: (ExactJSONEncoder) -> Void) -> [UInt8] {
        let encoder = ExactJSONEncoder(style: .compact, capacity: 64)
        write(encoder)
        return encoder.out.finished()
    }

    /// A model value as a tree, for callers that inspect or embed it.
    static func tree<T: FieldValue>(_ value: T) -> JSONValue {
        do {
            return try JSONParser.parse(bytes(value, style: .compact, capacity: 1024))
        } catch {
            preconditionFailure("the writer produced invalid JSON (\(error))")
        }
    }

    public var codingPath: [any CodingKey] { [] }
    public var userInfo: [CodingUserInfoKey: Any] { [:] }

    public func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        foreign().container(keyedBy: type)
    }

    public func unkeyedContainer() -> any UnkeyedEncodingContainer { foreign().unkeyedContainer() }
    public func singleValueContainer() -> any SingleValueEncodingContainer { foreign().singleValueContainer() }

    private func foreign() -> JSONTreeEncoder {
        if let pending { return pending }
        let tree = JSONTreeEncoder()
        pending = tree
        return tree
    }
}
