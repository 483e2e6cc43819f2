/// One line of `.claude/execution/<SPEC>.events.jsonl`: a CloudEvents 1.0 event in structured
/// mode (docs/events.md). `seq` is an extension attribute: the event's place in its file.
public struct EventRecord: ModelObject {
    public static let specVersion = "1.0"
    public static let contentType = "application/json"

    public var specVersion = EventRecord.specVersion
    public var id = ""
    /// `exectrack/<SPEC>`.
    public var source = ""
    /// One of `EventType`'s raw values; kept as text so that a newer version's types read too.
    public var type = ""
    public var time = Timestamp(millisecondsSinceEpoch: 0)
    public var subject: String?
    public var dataContentType = EventRecord.contentType
    public var seq: Int64 = 0
    public var data: JSONValue = .object(JSONObject())
    public var extra = JSONObject()

    public init() {}

    public init(_ event: ChangeEvent, spec: String, id: String, seq: Int64, time: Timestamp, actor: JSONObject) {
        self.id = id
        source = "exectrack/\(spec)"
        type = event.type.rawValue
        self.time = time
        subject = event.subject
        self.seq = seq
        var data = JSONObject([("actor", .object(actor))])
        for (key, value) in event.data.entries { data.append(key, value) }
        self.data = .object(data)
    }

    public static let fields = FieldTable<EventRecord>([
        .field("specversion", \.specVersion),
        .field("id", \.id),
        .field("source", \.source),
        .field("type", \.type),
        .field("time", \.time),
        .field("subject", \.subject, omittedWhenNil: true),
        .field("datacontenttype", \.dataContentType),
        .field("seq", \.seq, check: { $0 >= 1 ? nil : "must be 1 or more" }),
        .field("data", \.data),
    ])

    public var eventType: EventType? { EventType(rawValue: type) }

    /// The line as written: compact JSON and a newline.
    public var line: [UInt8] { ExactJSONEncoder.bytes(self, style: .compact, capacity: 512) + [UInt8(ascii: "\n")] }

    /// Reads one line (without its newline).
    public init(line: [UInt8]) throws(StatusFileDecodingError) {
        self = try ExactJSONDecoder.decode(EventRecord.self, from: line)
    }

    /// What a writer needs of the log's last event, read from the start of its line only: the
    /// log's own lines put `type` and `seq` before `data`, which for a re-parse of 10,000 tasks
    /// is megabytes. Nil when the start is not such an event (the caller then reads the line whole).
    public static func head(of line: [UInt8]) -> (seq: Int64, type: String, restoredEventSeq: Int64?)? {
        line.withUnsafeBufferPointer { buffer -> (seq: Int64, type: String, restoredEventSeq: Int64?)? in
            var parser = JSONParser(bytes: buffer)
            var type: String?, seq: Int64?
            do {
                guard try parser.peek() == UInt8(ascii: "{") else { return nil }
                try parser.beginObject()
                var first = true
                while let key = try parser.nextKey(&first) {
                    switch key.text {
                    case "type": type = try parser.value().stringValue
                    case "seq": seq = try parser.value().intValue.map(Int64.init)
                    case "data" where type == EventType.specRestored.rawValue:
                        let data = try parser.value().objectValue
                        guard let seq, let type else { return nil }
                        return (seq, type, data?["event_seq"]?.intValue.map(Int64.init))
                    default: _ = try parser.value()
                    }
                    if let seq, let type, seq >= 1, type != EventType.specRestored.rawValue { return (seq, type, nil) }
                }
            } catch {
                return nil
            }
            return nil
        }
    }
}
