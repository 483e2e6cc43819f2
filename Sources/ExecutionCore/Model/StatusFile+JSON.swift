// The status document's bytes and tree, through the project's decoder and encoder
// (Coding/ExactJSONDecoder.swift, Coding/ExactJSONEncoder.swift).

extension StatusFile {
    /// Reads a status document; `defaultFeature` names a document without a `feature` (and,
    /// when it has no `feature_name` either, names the feature).
    /// `spans`, when given, records where each task's bytes are (`TaskReuse`).
    public init(jsonBytes: [UInt8], defaultFeature: String = "", spans: TaskSpans? = nil) throws(StatusFileDecodingError) {
        self = try ExactJSONDecoder.decode(StatusFile.self, from: jsonBytes, spans: spans)
        if feature.isEmpty {
            feature = defaultFeature
            if featureName.isEmpty { featureName = defaultFeature }
        }
    }

    /// The document's `tasks_file` alone, the rest skipped unread: `parse` needs it before it
    /// takes the lock, under which it reads the whole file. Nil when absent or unreadable.
    public static func tasksFile(inJSON bytes: [UInt8]) -> String? {
        try? JSONParser.reading(bytes, syntaxError: { $0 }) { (parser) throws(JSONSyntaxError) -> String? in
            guard try parser.peek() == UInt8(ascii: "{") else { return nil }
            try parser.beginObject()
            var first = true, found: String?
            while let key = try parser.nextKey(&first) {
                guard key.text == "tasks_file" else {
                    try parser.skipValue()
                    continue
                }
                if case .string(let path) = try parser.value() { found = path }
            }
            return found
        }
    }

    /// Reads a document already parsed into a tree (validation).
    public init(json: JSONValue, defaultFeature: String = "") throws(StatusFileShapeError) {
        do {
            try self.init(jsonBytes: JSONWriter.bytes(style: .compact) { $0.value(json) }, defaultFeature: defaultFeature)
        } catch {
            switch error {
            case .shape(let shape): throw shape
            case .syntax(let syntax): throw StatusFileShapeError(path: "(top level)", problem: "\(syntax)")
            }
        }
    }

    /// The document's bytes in the writer's layout, ending with a newline; the tasks `reuse`
    /// names are copied from their source.
    public func jsonBytes(capacity: Int = 1 << 16, reusing reuse: TaskReuse? = nil) -> [UInt8] {
        ExactJSONEncoder.bytes(self, capacity: capacity, reusing: reuse)
    }

    /// Numbered layers by number; others after them, in the order given.
    static func numericallyOrdered(_ layers: [ExecutionLayer]) -> [ExecutionLayer] {
        layers.enumerated().sorted { a, b in
            switch (a.element.number, b.element.number) {
            case let (x?, y?): return x != y ? x < y : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map({ $0.element })
    }
}

/// The layers as the file holds them: an object keyed `L0`, `L1`, ... (a repeated key: the last
/// wins). Some hand-written files list them in an array instead, where the position is the number.
public enum LayersByKey: FieldCoding {
    public typealias Value = [ExecutionLayer]

    public static func read(_ decoder: ExactJSONDecoder) throws -> [ExecutionLayer] {
        switch try decoder.parser.peek() {
        case UInt8(ascii: "{"):
            var layers: [ExecutionLayer] = []
            try decoder.parser.beginObject()
            var first = true
            try decoder.inField {
                while let token = try decoder.parser.nextKey(&first) {
                    let key = token.text
                    append(try decoder.at(.key(key)) { try ExecutionLayer.read(decoder) }, to: &layers)
                }
            }
            return layers
        case UInt8(ascii: "["):
            return try [ExecutionLayer].read(decoder)
        default:
            guard try decoder.parser.value().isNull else { throw decoder.fail("expected an object keyed L0, L1, ...") }
            return []
        }
    }

    public static func write(_ layers: [ExecutionLayer], to encoder: ExactJSONEncoder) {
        encoder.out.beginObject()
        for layer in layers {
            encoder.out.dynamicKey(layer.key)
            encoder.layerSpans = encoder.reuse?.spans[layer.key]
            layer.write(to: encoder)
            encoder.layerSpans = nil
        }
        encoder.out.endObject()
    }

    public static func decode(_ container: KeyedDecodingContainer<AnyCodingKey>, forKey key: AnyCodingKey) throws -> [ExecutionLayer] {
        if let list = try? container.decode([ExecutionLayer].self, forKey: key) { return list }
        let keyed = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key)
        var layers: [ExecutionLayer] = []
        for layerKey in keyed.allKeys {
            append(try keyed.decode(ExecutionLayer.self, forKey: layerKey), to: &layers)
        }
        return layers
    }

    public static func encode(_ layers: [ExecutionLayer], _ container: inout KeyedEncodingContainer<AnyCodingKey>,
                              forKey key: AnyCodingKey) throws {
        var keyed = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key)
        for layer in layers {
            try keyed.encode(layer, forKey: AnyCodingKey(layer.key))
        }
    }

    private static func append(_ layer: ExecutionLayer, to layers: inout [ExecutionLayer]) {
        if let i = layers.firstIndex(where: { JSONObject.sameKey($0.key, layer.key) }) {
            layers[i] = layer
        } else {
            layers.append(layer)
        }
    }
}
