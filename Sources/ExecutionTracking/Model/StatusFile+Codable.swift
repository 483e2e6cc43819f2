// Codable conformance for library users who work with JSONEncoder/JSONDecoder. The tool itself
// reads and writes through JSONParser/JSONWriter, which keep key order and number literals that
// Codable cannot carry; both paths share the one mapping in StatusFile+JSON.swift.

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
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

extension StatusFile: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
