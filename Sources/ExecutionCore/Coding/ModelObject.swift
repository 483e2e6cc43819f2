// How the model becomes JSON and back (docs/architecture.md, "The model and its JSON"). Each model type
// lists its stored fields once, in `fields`; Codable conformance, the exact reader and writer,
// unknown-field capture and the key order of written files all come from that list.

/// A type of the status file's model (the file, a layer, a task, an error or warning entry).
public protocol ModelObject: FieldValue, Equatable, Sendable {
    /// Every field at its default: decoding starts here and sets what the document holds.
    init()
    /// The stored fields, in the order the writer puts them (`Field` documents the options).
    static var fields: FieldTable<Self> { get }
    /// The members this version does not know, in document order, written back after the known ones.
    var extra: JSONObject { get set }
    /// Rules that need the whole object once its fields are read: defaults that depend on other
    /// fields, a layer's key, a task's position. Pure: everything it may use is in `decoded`.
    mutating func didDecode(_ decoded: DecodedFields<Self>) throws(FieldProblem)
    /// Whether a reader asked for `TaskSpans` records where this type's objects are in the bytes.
    static var recordsSpans: Bool { get }
}

extension ModelObject {
    public mutating func didDecode(_ decoded: DecodedFields<Self>) throws(FieldProblem) {}
    public static var recordsSpans: Bool { false }

    public init(from decoder: any Decoder) throws {
        self = try Self.decodeFields(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        if let exact = encoder as? ExactJSONEncoder {
            write(to: exact)
        } else {
            try Self.fields.encode(self, to: encoder)
        }
    }

    /// The exact decoder streams the object off its parser; any other decoder (Foundation's
    /// `JSONDecoder`, `JSONTree`) goes through keyed containers.
    public static func decodeFields(from decoder: any Decoder) throws -> Self {
        if let exact = decoder as? ExactJSONDecoder { return try read(exact) }
        return try fields.decode(from: decoder)
    }

    public static func read(_ decoder: ExactJSONDecoder) throws -> Self {
        try decoder.inField { try fields.read(decoder) }
    }

    public func write(to encoder: ExactJSONEncoder) {
        withUnsafePointer(to: self) { Self.fields.write(at: $0, to: encoder) }
    }

    public static func write(at pointer: UnsafePointer<Self>, to encoder: ExactJSONEncoder) {
        fields.write(at: pointer, to: encoder)
    }

    /// The object as a tree, for callers that inspect or embed one model value.
    public var json: JSONValue { ExactJSONEncoder.tree(self) }
}

/// A field's value that is not what the field allows: the decoders add where it is.
public struct FieldProblem: Error, Equatable, Sendable {
    public let message: String
    /// The field it concerns, when `didDecode` names another field than the one being read.
    public var field: String?

    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }
}

/// One stored field of `Model`, declared in its `fields` table.
public struct Field<Model>: Sendable {
    let row: FieldRow

    /// `check` returns why a value read from a document is refused (a range, a sign).
    @inline(__always)
    public static func field<Value: FieldValue>(
        _ key: StaticString, _ path: WritableKeyPath<Model, Value>, _ derivation: Derivation = .stored,
        omittedWhenNil: Bool = false, check: (@Sendable (Value) -> String?)? = nil
    ) -> Field {
        Field(row: FieldRow(key, offset: offset(of: path), coding: Value.self, derivation: derivation,
                            omittedWhenNil: omittedWhenNil, check: check))
    }

    /// A field written in another shape than its type's own (the layers, keyed by `L<n>`).
    @inline(__always)
    public static func field<Coding: FieldCoding>(
        _ key: StaticString, _ path: WritableKeyPath<Model, Coding.Value>, coding: Coding.Type,
        _ derivation: Derivation = .stored, omittedWhenNil: Bool = false, check: (@Sendable (Coding.Value) -> String?)? = nil
    ) -> Field {
        Field(row: FieldRow(key, offset: offset(of: path), coding: coding, derivation: derivation,
                            omittedWhenNil: omittedWhenNil, check: check))
    }

    /// A stored property's place in the model. Inlined where the key path is written, the
    /// compiler turns it into a constant: no key path object is made at run time. Reading and
    /// writing through it costs a few instructions, where applying a key path costs hundreds.
    @inline(__always)
    static func offset<Value>(of path: WritableKeyPath<Model, Value>) -> Int {
        guard let offset = MemoryLayout<Model>.offset(of: path) else {
            preconditionFailure("\(path) is not a stored property of \(Model.self)")
        }
        return offset
    }
}

/// How a field's value comes about.
public enum Derivation: Sendable {
    case stored
    /// Recomputed from the tasks whenever the model is read or written
    /// (Tracking/DerivedFields.swift): the value a document holds is skipped.
    case derived
    /// Recomputed too, but read first (when valid; an invalid value is ignored, not refused)
    /// because a rule in `didDecode` looks at what the document said.
    case derivedReadForRules
}

/// A field as the coders use it: its key, where it lives in the model, how it is coded.
struct FieldRow: Sendable {
    let key: StaticString
    let offset: Int
    /// The value's size in the model (`MemoryLayout.size`).
    let size: Int
    let derivation: Derivation
    /// Written only when it has a value (files that never had it stay as they were).
    let omittedWhenNil: Bool
    let readsNull: Bool
    // Made where `field` is called with the field's type, so each is compiled for that type: a
    // field costs one indirect call into code that knows it.
    let read: @Sendable (UnsafeMutableRawPointer, ExactJSONDecoder) throws -> Void
    let write: @Sendable (UnsafeRawPointer, ExactJSONEncoder) -> Void
    let decode: @Sendable (UnsafeMutableRawPointer, KeyedDecodingContainer<AnyCodingKey>, AnyCodingKey) throws -> Void
    let encode: @Sendable (UnsafeRawPointer, inout KeyedEncodingContainer<AnyCodingKey>, AnyCodingKey) throws -> Void
    let isNil: @Sendable (UnsafeRawPointer) -> Bool

    init<Coding: FieldCoding>(
        _ key: StaticString, offset: Int, coding: Coding.Type, derivation: Derivation, omittedWhenNil: Bool,
        check: (@Sendable (Coding.Value) -> String?)?
    ) {
        self.key = key
        self.offset = offset
        size = MemoryLayout<Coding.Value>.size
        self.derivation = derivation
        self.omittedWhenNil = omittedWhenNil
        readsNull = Coding.readsNull
        // Without a check the closure captures nothing: calling it then retains no context, once
        // for each field of each task.
        if let check {
            read = { target, decoder in
                let value = try Coding.read(decoder)
                if let problem = check(value) { throw decoder.fail(problem) }
                target.assumingMemoryBound(to: Coding.Value.self).pointee = value
            }
        } else {
            read = { target, decoder in target.assumingMemoryBound(to: Coding.Value.self).pointee = try Coding.read(decoder) }
        }
        write = { source, encoder in Coding.write(source.assumingMemoryBound(to: Coding.Value.self).pointee, to: encoder) }
        decode = { target, container, key in
            let value = try Coding.decode(container, forKey: key)
            if let problem = check?(value) {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: problem)
            }
            target.assumingMemoryBound(to: Coding.Value.self).pointee = value
        }
        encode = { source, container, key in
            try Coding.encode(source.assumingMemoryBound(to: Coding.Value.self).pointee, &container, forKey: key)
        }
        isNil = { Coding.isNil($0.assumingMemoryBound(to: Coding.Value.self).pointee) }
    }

    var name: String { key.description }
}

// The generic types here are declared without requirements on `Model` and constrained in
// extensions: instantiating a type whose declaration has requirements makes the runtime look
// the conformance up, which scans every conformance record in the binary (60,000 instructions
// for the first lookup of each model type, paid by every process).
public struct DecodedFields<Model> {
    let present: UInt64
    /// The key the object was found under (a layer's `L1`).
    public let key: String?
    /// The object's position in its array (a task's index).
    public let index: Int?

}

extension DecodedFields where Model: ModelObject {
    /// Whether the document gave the field a value (not null).
    @inline(__always)
    public func contains<Value>(_ path: WritableKeyPath<Model, Value>) -> Bool {
        contains(offset: Field<Model>.offset(of: path))
    }

    func contains(offset: Int) -> Bool {
        guard let i = Model.fields.rows.firstIndex(where: { $0.offset == offset }) else { return false }
        return present & (1 << UInt64(i)) != 0
    }
}

/// A model type's fields, and the byte forms of their keys for matching a document's keys.
public struct FieldTable<Model>: Sendable {
    let rows: [FieldRow]

    public init(_ fields: [Field<Model>]) {
        // Presence is one bit per field.
        precondition(fields.count <= 64, "\(Model.self) has more than 64 fields")
        rows = fields.map { $0.row }
    }
}

extension FieldTable where Model: ModelObject {
    /// The keys in written order.
    public var keys: [String] { rows.map({ $0.name }) }

    /// The keys of fields recomputed rather than stored.
    public var derivedKeys: [String] { rows.filter { $0.derivation != .stored }.map { $0.name } }

    /// The row for `key`. Documents list keys in the order the writer puts them, so the row after
    /// the previous match is tried first and a lookup is usually one comparison.
    @inline(__always)
    func match(_ key: UnsafeBufferPointer<UInt8>, after previous: inout Int) -> Int? {
        func matches(_ i: Int) -> Bool { Bytes.equal(key, rows[i].key) }
        let expected = previous + 1
        if expected < rows.count, matches(expected) {
            previous = expected
            return expected
        }
        guard let i = rows.indices.first(where: matches) else { return nil }
        previous = i
        return i
    }

    func row(named key: String) -> Int? {
        var key = key
        var previous = -1
        return key.withUTF8 { match($0, after: &previous) }
    }

    // MARK: The exact reader and writer

    func read(_ decoder: ExactJSONDecoder) throws -> Model {
        let position = decoder.path.last
        guard try decoder.parser.peek() == UInt8(ascii: "{") else { throw decoder.fail("expected an object") }
        let start = decoder.parser.position
        var model = Model()
        var extra = JSONObject()
        var present: UInt64 = 0
        try withUnsafeMutableBytes(of: &model) { storage in
            try rows.withUnsafeBufferPointer { rows in
                try decoder.parser.beginObject()
                var first = true
                var previous = -1
                while true {
                    var i = -1
                    // In the writer's layout the key is the next row's, or a later one's when the
                    // rows between are omitted when nil: compared in place, no key made.
                    if let start = decoder.parser.writersKeyStart(first: first) {
                        var next = previous + 1
                        while next < rows.count {
                            if decoder.parser.takeKey(at: start, rows[next].key, first: &first) {
                                i = next
                                previous = next
                                break
                            }
                            guard rows[next].omittedWhenNil else { break }
                            next += 1
                        }
                    }
                    if i < 0 {
                        guard let key = try decoder.parser.nextKey(&first) else { break }
                        guard let found = key.withUTF8({ match($0, after: &previous) }) else {
                            extra.appendOrReplace(key.text, try decoder.parser.value())
                            continue
                        }
                        i = found
                    }
                    decoder.field = rows[i].key
                    if rows[i].derivation == .derived {
                        _ = try decoder.parser.value()
                        continue
                    }
                    // null leaves the default.
                    if !rows[i].readsNull && decoder.parser.skipNull() { continue }
                    if rows[i].derivation == .derivedReadForRules {
                        let start = decoder.parser
                        do {
                            try rows[i].read(storage.baseAddress! + rows[i].offset, decoder)
                        } catch {
                            decoder.parser = start
                            _ = try decoder.parser.value()
                            continue
                        }
                    } else {
                        try rows[i].read(storage.baseAddress! + rows[i].offset, decoder)
                    }
                    present |= 1 << UInt64(i)
                }
            }
        }
        model.extra = extra
        if Model.recordsSpans, let spans = decoder.spans { spans.record(start..<decoder.parser.position, at: decoder.path) }
        var key: String?, index: Int?
        switch position {
        case .key(let name)?: key = name
        case .field(let name)?: key = name.description
        case .index(let i)?: index = i
        case nil: break
        }
        do {
            try model.didDecode(DecodedFields(present: present, key: key, index: index))
        } catch {
            decoder.field = nil
            throw decoder.fail(error.message, field: error.field)
        }
        return model
    }

    /// Writes the model at `model` field by field, reading each field in place.
    func write(at model: UnsafePointer<Model>, to encoder: ExactJSONEncoder) {
        let storage = UnsafeRawPointer(model)
        // Rows are used in place: copying one retains and releases its five closures.
        rows.withUnsafeBufferPointer { rows in
            encoder.out.beginObject()
            for i in rows.indices {
                let source = storage + rows[i].offset
                if rows[i].omittedWhenNil && rows[i].isNil(source) { continue }
                encoder.out.key(rows[i].key)
                rows[i].write(source, encoder)
            }
        }
        encoder.out.members(model.pointee.extra)
        encoder.out.endObject()
    }

    // MARK: Merge patches

    /// Applies a merge patch (the event log's `fields`, docs/events.md): each member sets the
    /// stored field of its key to its value (`null` clears an optional one), or, for a key no
    /// field has, the unknown member (`null` removes it). Derived fields are left to be recomputed.
    public func merge(_ patch: JSONObject, into model: inout Model) throws {
        let container = try JSONTreeDecoder(.object(patch)).container(keyedBy: AnyCodingKey.self)
        var unknown: [(key: String, value: JSONValue)] = []
        try withUnsafeMutableBytes(of: &model) { storage in
            for (key, value) in patch.entries {
                guard let i = row(named: key) else {
                    unknown.append((key, value))
                    continue
                }
                guard rows[i].derivation == .stored else { continue }
                try rows[i].decode(storage.baseAddress! + rows[i].offset, container, AnyCodingKey(key))
            }
        }
        for (key, value) in unknown { model.extra[key] = value.isNull ? nil : value }
    }

    /// The stored rows whose keys are not in `keys`, in written order.
    public func storedRows(excluding keys: [String]) -> [Int] {
        rows.indices.filter { rows[$0].derivation == .stored && !keys.contains(rows[$0].name) }
    }

    /// The merge patch that takes `old` to `new` (nil `old`: no fields at all), over the rows
    /// `own` and the unknown members: the members whose value changed or appeared, in written
    /// order, then `null` for those `new` omits; a `null` that appears is left out. It is the
    /// patch between the two models' trees with only those keys, without making the trees:
    /// each field is written on its own, compared as bytes, and read back only when it changed.
    func patch(from old: Model?, to new: Model, own: [Int]) -> JSONObject {
        withUnsafePointer(to: new) { new in
            guard let old else { return patch(from: nil, to: new, own: own) }
            return withUnsafePointer(to: old) { patch(from: $0, to: new, own: own) }
        }
    }

    /// `patch(from:to:own:)` reading the models in place.
    private func patch(from old: UnsafePointer<Model>?, to new: UnsafePointer<Model>, own: [Int]) -> JSONObject {
        var patch = JSONObject()
        var removed: [String] = []
        rows.withUnsafeBufferPointer { rows in
            func written(_ row: Int, _ model: UnsafePointer<Model>) -> [UInt8]? {
                let source = UnsafeRawPointer(model) + rows[row].offset
                if rows[row].omittedWhenNil && rows[row].isNil(source) { return nil }
                return ExactJSONEncoder.compactBytes { rows[row].write(source, $0) }
            }
            for row in own {
                // The same bits are the same value, which is written the same way: the fields a
                // write leaves alone (a shared string, an equal number) are not written at all.
                if let old, Bytes.equal(UnsafeRawPointer(old) + rows[row].offset, UnsafeRawPointer(new) + rows[row].offset,
                                        count: rows[row].size) { continue }
                let now = written(row, new), was = old.flatMap { written(row, $0) }
                guard let now else {
                    if was != nil { removed.append(rows[row].name) }
                    continue
                }
                guard now != was else { continue }
                let value: JSONValue
                do {
                    value = try JSONParser.parse(now)
                } catch {
                    preconditionFailure("the writer produced invalid JSON (\(error))")
                }
                if !(value.isNull && was == nil) { patch.append(rows[row].name, value) }
            }
        }
        let oldExtra = old?.pointee.extra ?? JSONObject()
        for (key, value) in new.pointee.extra.entries where oldExtra[key] != value && !(value.isNull && oldExtra[key] == nil) {
            patch.append(key, value)
        }
        for key in removed { patch.append(key, .null) }
        for key in oldExtra.keys where new.pointee.extra[key] == nil { patch.append(key, .null) }
        return patch
    }

    // MARK: Any other Decoder and Encoder

    func decode(from decoder: any Decoder) throws -> Model {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var model = Model()
        var extra = JSONObject()
        var present: UInt64 = 0
        try withUnsafeMutableBytes(of: &model) { storage in
            for key in container.allKeys {
                guard let i = row(named: key.stringValue) else {
                    extra[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
                    continue
                }
                let row = rows[i]
                if try row.derivation == .derived || (container.decodeNil(forKey: key) && !row.readsNull) { continue }
                let target = storage.baseAddress! + row.offset
                if row.derivation == .derivedReadForRules {
                    guard (try? row.decode(target, container, key)) != nil else { continue }
                } else {
                    try row.decode(target, container, key)
                }
                present |= 1 << UInt64(i)
            }
        }
        model.extra = extra
        do {
            let position = decoder.codingPath.last
            try model.didDecode(DecodedFields(present: present, key: position?.intValue == nil ? position?.stringValue : nil,
                                              index: position?.intValue))
        } catch {
            let path = decoder.codingPath + (error.field.map { [AnyCodingKey($0)] } ?? [])
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: error.message))
        }
        return model
    }

    func encode(_ model: Model, to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try withUnsafeBytes(of: model) { storage in
            for row in rows {
                let source = storage.baseAddress! + row.offset
                if row.omittedWhenNil && row.isNil(source) { continue }
                try row.encode(source, &container, AnyCodingKey(row.name))
            }
        }
        for (key, value) in model.extra.entries {
            try container.encode(value, forKey: AnyCodingKey(key))
        }
    }
}

/// Byte comparison for key matching, and the word-at-a-time searches of the parser, the log's
/// line splitter and the HTML page.
enum Bytes {
    static var ones: UInt64 { 0x0101_0101_0101_0101 }

    /// Eight bytes, the first in the lowest byte on any machine, so that a trailing zero count
    /// divided by eight is the offset of the first byte a test picks out.
    @inline(__always)
    static func load8(_ base: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: (base + offset).loadUnaligned(as: UInt64.self))
    }

    /// The high bit of each byte of `word` that is zero. A borrow can flag a byte after a flagged
    /// one too, never before it: the lowest flag is exact, which is all the searches use.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & (ones &* 0x80)
    }

    /// The same flags for the bytes of `word` that are `byte`.
    @inline(__always)
    static func bytes(_ word: UInt64, equalTo byte: UInt8) -> UInt64 {
        zeroBytes(word ^ (ones &* UInt64(byte)))
    }

    /// Whether `bytes` are the UTF-8 of `text`.
    @inline(__always)
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount && equal(UnsafeRawPointer(text.utf8Start), UnsafeRawPointer(bytes.baseAddress), count: bytes.count)
    }

    static func equal(_ a: StaticString, _ b: StaticString) -> Bool {
        a.utf8CodeUnitCount == b.utf8CodeUnitCount
            && equal(UnsafeRawPointer(a.utf8Start), UnsafeRawPointer(b.utf8Start), count: a.utf8CodeUnitCount)
    }

    /// Equality of two buffers of `count` bytes, eight at a time.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer?, count: Int) -> Bool {
        guard let b else { return count == 0 }
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < count {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
