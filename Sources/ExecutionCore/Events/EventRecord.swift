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
    /// On the last event of a write: `ContentDigest` of the status file that write published, so
    /// the next write can tell whether anything else changed the file in between.
    public var statusDigest: String?
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
        .field("statusdigest", \.statusDigest, omittedWhenNil: true),
        .field("data", \.data),
    ])

    public var eventType: EventType? { EventType(rawValue: type) }

    /// The line as written: compact JSON and a newline.
    public var line: [UInt8] { ExactJSONEncoder.bytes(self, style: .compact, capacity: 512) + [UInt8(ascii: "\n")] }

    /// Reads one line (without its newline).
    public init(line: [UInt8]) throws(StatusFileDecodingError) {
        self = try ExactJSONDecoder.decode(EventRecord.self, from: line)
    }

    /// What a writer needs of an event, read from the start of its line only: the log's own
    /// lines put `type`, `seq` and `statusdigest` before `data`, which for a re-parse of 10,000
    /// tasks is megabytes, and a restore's `event_seq` first in `data`. Nil when the start is
    /// not such an event (the caller then reads the line whole).
    public static func head(of line: [UInt8]) -> Head? {
        line.withUnsafeBufferPointer { buffer -> Head? in
            var parser = JSONParser(bytes: buffer)
            var type: String?, seq: Int64?, digest: String?
            do {
                guard try parser.peek() == UInt8(ascii: "{") else { return nil }
                try parser.beginObject()
                var first = true
                while let key = try parser.nextKey(&first) {
                    switch key.text {
                    case "type": type = try parser.value().stringValue
                    case "seq": seq = try parser.value().intValue.map(Int64.init)
                    case "statusdigest": digest = try parser.value().stringValue
                    case "data":
                        guard let seq, seq >= 1, let type else { return nil }
                        var head = Head(seq: seq, type: type, statusDigest: digest)
                        guard type == EventType.specRestored.rawValue || type == EventType.eventVoided.rawValue else { return head }
                        // Their few data members follow the actor.
                        try parser.beginObject()
                        var firstInData = true
                        var from: Int64?
                        while let key = try parser.nextKey(&firstInData) {
                            let value = try parser.value()
                            switch key.text {
                            case "actor": continue
                            case "event_seq": head.restoredEventSeq = value.intValue.map(Int64.init)
                            case "from_seq": from = value.intValue.map(Int64.init)
                            case "through_seq":
                                if let from, let through = value.intValue.map(Int64.init), from <= through { head.voided = from...through }
                            default: break
                            }
                            if key.text != "from_seq" { return head }
                        }
                        return head
                    default: _ = try parser.value()
                    }
                }
            } catch {
                return nil
            }
            return nil
        }
    }

    /// See `head(of:)`.
    public struct Head: Equatable, Sendable {
        public var seq: Int64
        public var type: String
        public var statusDigest: String?
        /// For `spec.restored`: the last event the restored file reflects.
        public var restoredEventSeq: Int64?
        /// For `event.voided`: the events it voids.
        public var voided: ClosedRange<Int64>?

        /// See `EventType.isAnnotation`.
        public var isAnnotation: Bool { EventType(rawValue: type)?.isAnnotation == true }

        public init(seq: Int64, type: String, statusDigest: String?, restoredEventSeq: Int64? = nil, voided: ClosedRange<Int64>? = nil) {
            self.seq = seq
            self.type = type
            self.statusDigest = statusDigest
            self.restoredEventSeq = restoredEventSeq
            self.voided = voided
        }
    }

    /// The last event a status file whose `event_seq` is `eventSeq` reflects, this being the
    /// log's last event: after `restore`, the restore event itself (the file keeps its `.bak`'s
    /// `event_seq`).
    public static func reflected(byFileWith eventSeq: Int64?, last: Head?) -> Int64? {
        guard let last, last.type == EventType.specRestored.rawValue, last.restoredEventSeq == eventSeq else { return eventSeq }
        return last.seq
    }

    public var head: Head {
        let data = data.objectValue
        let from = data?["from_seq"]?.intValue.map(Int64.init), through = data?["through_seq"]?.intValue.map(Int64.init)
        return Head(seq: seq, type: type, statusDigest: statusDigest,
                    restoredEventSeq: eventType == .specRestored ? data?["event_seq"]?.intValue.map(Int64.init) : nil,
                    voided: eventType == .eventVoided ? from.flatMap { from in through.flatMap { from <= $0 ? from...$0 : nil } } : nil)
    }
}

/// Splits a log's bytes into complete lines (a last line without its newline is a write in
/// progress, or torn, and is left out).
package enum EventLines {
    /// Each complete line, numbered from 1; empty lines are counted and passed over.
    package static func forEach(in bytes: [UInt8], firstNumber: Int = 1, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        var number = firstNumber - 1
        _ = bytes.withUnsafeBufferPointer { buffer in
            forEachLine(in: buffer) { line in
                number += 1
                if !line.isEmpty { body(number, line) }
            }
        }
    }

    /// Calls `body` with each complete line of `bytes`, without its line feed (empty lines too),
    /// and returns the offset after the last line feed: where an unterminated tail starts. The
    /// store reads a long log block by block through this (`FileSystem.forEachLine`).
    @discardableResult
    package static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Int {
        var start = 0
        while true {
            let end = nextLineFeed(in: bytes, from: start)
            guard end < bytes.count else { return start }
            body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            start = end + 1
        }
    }

    /// The offset of the first line feed at or after `from`, else `bytes.count`; looked for
    /// sixteen bytes at a time: a log of 10,000 tasks is 40 MB, and a byte-by-byte search was a
    /// tenth of reading it for the HTML report (docs/benchmarks.md).
    static func nextLineFeed(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let start = bytes.baseAddress else { return bytes.count }
        let base = UnsafeRawPointer(start)
        var i = from
        while i + 16 <= bytes.count {
            let low = Bytes.bytes(Bytes.load8(base, at: i), equalTo: 0x0A), high = Bytes.bytes(Bytes.load8(base, at: i + 8), equalTo: 0x0A)
            if low | high != 0 { return i + (low != 0 ? low.trailingZeroBitCount : 64 + high.trailingZeroBitCount) / 8 }
            i += 16
        }
        while i < bytes.count, start[i] != UInt8(ascii: "\n") { i += 1 }
        return i
    }
}
