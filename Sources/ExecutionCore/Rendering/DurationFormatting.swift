/// How durations read to people.
public enum DurationFormatting {
    /// Words, two units at most: `2 hours`, `1 hour 5 minutes`, `3 minutes 12 seconds`, `45 seconds`.
    public static func words(milliseconds ms: Int64) -> String {
        let seconds = max(0, ms) / 1000
        if seconds == 0 { return "under 1 second" }
        let units: [(Int64, String)] = [(86_400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
        guard let first = units.firstIndex(where: { seconds >= $0.0 }) else { return "under 1 second" }
        var parts: [String] = []
        var rest = seconds
        for (size, name) in units[first...].prefix(2) {
            let n = rest / size
            rest %= size
            if n > 0 { parts.append("\(n) \(name)\(n == 1 ? "" : "s")") }
        }
        return parts.joined(separator: " ")
    }

    /// Compact: `850ms`, `12s`, `5m 0s`, `1h 5m`, `2d 3h`.
    public static func compact(milliseconds ms: Int64) -> String {
        let ms = max(0, ms)
        if ms < 1000 { return "\(ms)ms" }
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(s % 60)s" }
        if s < 86_400 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        return "\(s / 86_400)d \(s % 86_400 / 3600)h"
    }

    /// `just now`, `12s ago`, `5m 3s ago`.
    public static func ago(_ then: Timestamp, now: Timestamp) -> String {
        let ms = now.milliseconds(since: then)
        return ms < 1000 ? "just now" : "\(compact(milliseconds: ms)) ago"
    }
}
