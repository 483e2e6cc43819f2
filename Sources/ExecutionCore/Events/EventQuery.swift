/// `events --type --since --limit`: which events of a log to show, as a pure filter.
public struct EventQuery: Equatable, Sendable {
    public var types: Set<EventType> = []
    public var since: Timestamp?
    public var limit: Int?

    public init(types: Set<EventType> = [], since: Timestamp? = nil, limit: Int? = nil) {
        self.types = types
        self.since = since
        self.limit = limit
    }

    /// The events that match, in log order; with `limit`, the last that many.
    public func apply(_ events: [EventRecord]) -> [EventRecord] {
        let matching = events.filter(keeps)
        return limit.map { Array(matching.suffix($0)) } ?? matching
    }

    /// Whether the event is of a type asked for and not before `since` (the limit aside).
    public func keeps(_ event: EventRecord) -> Bool {
        (types.isEmpty || event.eventType.map(types.contains) == true) && since.map { event.time >= $0 } != false
    }

    /// A type as `--type` takes it: `task.completed` or the full `dev.exectrack.task.completed`.
    public static func type(named name: String) -> EventType? {
        EventType(rawValue: name) ?? EventType.allCases.first { $0.shortName == name }
    }

    /// TIME as commands take it: an ISO 8601 timestamp, or a duration (`90s`, `30m`, `2h`, `7d`)
    /// meaning that long before `now`.
    public static func time(_ text: String, now: Timestamp) -> Timestamp? {
        if let stamp = Timestamp(iso8601: text) { return stamp }
        guard let ms = DurationText.milliseconds(text), ms <= now.millisecondsSinceEpoch else { return nil }
        return now.adding(milliseconds: -ms)
    }
}

/// DUR as commands take it (docs/file-format.md): a whole number and a unit, `90s`, `30m`, `2h`, `7d`.
public enum DurationText {
    public static func milliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0, text.first?.isNumber == true else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        default: return nil
        }
        let (ms, overflow) = count.multipliedReportingOverflow(by: seconds * 1000)
        return overflow ? nil : ms
    }
}

extension EventRecord {
    /// `#12 2026-12-01T10:40:00.000Z task.completed L1/T012`: one event on one line.
    public var summaryLine: String {
        let name = eventType?.shortName ?? type
        return "#\(seq) \(time.iso8601) \(name)" + (subject.map { " \($0.singleLine)" } ?? "")
    }
}
