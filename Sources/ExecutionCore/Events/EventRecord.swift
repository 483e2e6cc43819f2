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
}
