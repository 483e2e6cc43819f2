/// Why a document could not be decoded: it is not JSON, or it is JSON of the wrong shape.
public enum StatusFileDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case syntax(JSONSyntaxError)
    case shape(StatusFileShapeError)

    /// Completes "<file> …" in messages.
    public var description: String {
        switch self {
        case .syntax(let syntax): "is not valid JSON (\(syntax))"
        case .shape(let shape): "has an unexpected shape (\(shape))"
        }
    }
}

/// The project's Decoder: model types (`ModelObject`) and their fields are read straight off the
/// parser, so a 10,000-task file never exists as a tree; number literals and key order of the
/// members a type does not know are kept exactly. Any other Decodable is decoded through
/// `JSONTreeDecoder` from the value at the parser.
public final class ExactJSONDecoder: Decoder {
    // One decoder serves a whole document and each access is short: the run-time exclusivity
    // check would cost more than the access.
    @exclusivity(unchecked) var parser: JSONParser
    @exclusivity(unchecked) var path: [PathComponent] = []
    /// The field being read in the innermost object, named by errors.
    @exclusivity(unchecked) var field: StaticString?
    /// Where the objects of types that record theirs are, when the caller asked.
    let spans: TaskSpans?
    private init(parser: JSONParser, spans: TaskSpans?) {
        self.parser = parser
        self.spans = spans
    }

    /// Decodes the document in `bytes`. When a document is both malformed and of the wrong
    /// shape, the syntax error is reported: it is usually what broke the shape.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], spans: TaskSpans? = nil) throws(StatusFileDecodingError) -> T {
        do {
            return try JSONParser.reading(bytes, syntaxError: { $0 }) { parser in
                let decoder = ExactJSONDecoder(parser: parser, spans: spans)
                defer { parser = decoder.parser }
                return try T(from: decoder)
            }
        } catch let error as JSONSyntaxError {
            throw .syntax(error)
        } catch {
            do throws(JSONSyntaxError) {
                _ = try JSONParser.parse(bytes)
            } catch let syntax {
                throw .syntax(syntax)
            }
            switch error {
            case let shape as StatusFileShapeError: throw .shape(shape)
            case let decoding as DecodingError: throw .shape(StatusFileShapeError(decoding))
            default: throw .shape(StatusFileShapeError(path: "(top level)", problem: "\(error)"))
            }
        }
    }

    public var codingPath: [any CodingKey] { path.map({ $0.codingKey }) }
    public var userInfo: [CodingUserInfoKey: Any] { [:] }

    // A type that is not a model type gets the value at the parser as a tree.
    public func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try tree().container(keyedBy: type)
    }

    public func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try tree().unkeyedContainer() }
    public func singleValueContainer() throws -> any SingleValueDecodingContainer { try tree().singleValueContainer() }

    private func tree() throws -> JSONTreeDecoder { JSONTreeDecoder(try parser.value(), codingPath: codingPath) }

    // MARK: Where the reader is

    /// Runs `body` one level down, at `component` (a layer's key, an element's index).
    @inline(__always)
    func at<T>(_ component: PathComponent, _ body: () throws -> T) rethrows -> T {
        path.append(component)
        defer {
            path.removeLast()
        }
        field = nil
        return try body()
    }

    /// Runs `body` inside the value of the field being read (a list, the layers).
    @inline(__always)
    func inField<T>(_ body: () throws -> T) rethrows -> T {
        guard let name = field else { return try body() }
        defer { field = name }
        return try at(.field(name), body)
    }

    /// The error for the value being read, located by its path in the document.
    func fail(_ problem: String, field other: String? = nil) -> StatusFileShapeError {
        var text = PathComponent.text(path)
        if let name = other ?? field?.description { text = PathComponent.text([.key(text), .key(name)]) }
        return StatusFileShapeError(path: text.isEmpty ? "(top level)" : text, problem: problem)
    }
}

/// One step of a path in a document, as errors spell it: `layers.L1.tasks[3].duration_ms`.
enum PathComponent {
    /// A model field (its key is a literal in the field table: no copy is made).
    case field(StaticString)
    case key(String)
    case index(Int)

    var codingKey: AnyCodingKey {
        switch self {
        case .field(let name): AnyCodingKey(name.description)
        case .key(let key): AnyCodingKey(key)
        case .index(let i): AnyCodingKey(index: i)
        }
    }

    static func text(_ path: [PathComponent]) -> String {
        var text = ""
        for component in path {
            switch component {
            case .index(let i): text += "[\(i)]"
            case .field(let name): text += text.isEmpty ? name.description : ".\(name)"
            case .key(let key) where key.isEmpty: continue
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            }
        }
        return text
    }
}

extension StatusFileShapeError {
    /// A Codable error located by its coding path.
    init(_ error: DecodingError) {
        let (path, problem): ([any CodingKey], String) = switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): (c.codingPath, c.debugDescription)
        case .keyNotFound(let key, let c): (c.codingPath + [key], "missing")
        @unknown default: ([], "\(error)")
        }
        let text = PathComponent.text(path.map { $0.intValue.map(PathComponent.index) ?? .key($0.stringValue) })
        self.init(path: text.isEmpty ? "(top level)" : text, problem: problem)
    }
}
