/// A UTC instant with millisecond precision: the precision the status file stores, so a duration
/// computed from two timestamps always equals the difference of what is written.
public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch.addingSaturated(milliseconds))
    }

    /// Milliseconds from `earlier` to `self`.
    public func milliseconds(since earlier: Timestamp) -> Int64 {
        millisecondsSinceEpoch.subtractingSaturated(earlier.millisecondsSinceEpoch)
    }

    /// `2026-11-21T10:00:00.123Z`
    public var description: String { iso8601 }

    public var iso8601: String {
        let text = String(unsafeUninitializedCapacity: 24) { write(to: $0.baseAddress!) ?? 0 }
        if !text.isEmpty { return text }
        let (days, msOfDay) = Self.divmod(millisecondsSinceEpoch, 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        let seconds = msOfDay / 1000
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    /// Writes the 24 bytes of `iso8601` to `out` and returns 24, digit by digit (status files,
    /// logs and reports write thousands of these); nil for a year outside 0...9999.
    func write(to out: UnsafeMutablePointer<UInt8>) -> Int? {
        let (days, msOfDay) = Self.divmod(millisecondsSinceEpoch, 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        guard (0...9999).contains(year) else { return nil }
        let seconds = msOfDay / 1000
        func put(_ value: Int64, _ width: Int, at start: Int) {
            var v = value
            for k in stride(from: start + width - 1, through: start, by: -1) {
                out[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0); out[4] = 45; put(month, 2, at: 5); out[7] = 45; put(day, 2, at: 8); out[10] = 84
        put(seconds / 3600, 2, at: 11); out[13] = 58; put(seconds / 60 % 60, 2, at: 14); out[16] = 58
        put(seconds % 60, 2, at: 17); out[19] = 46; put(msOfDay % 1000, 3, at: 20); out[23] = 90
        return 24
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`; a space may stand for the `T`.
    public init?(iso8601 text: String) {
        var text = text
        guard let timestamp = text.withUTF8({ Timestamp(iso8601: $0) }) else { return nil }
        self = timestamp
    }

    /// The same, from UTF-8 bytes.
    public init?(iso8601 b: UnsafeBufferPointer<UInt8>) {
        guard let timestamp = Self.canonical(b) ?? Self.parsed(b) else { return nil }
        self = timestamp
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form exectrack writes, read by its fixed places: a
    /// 10,000-task HTML report reads 50,000 timestamps, and `parsed` costs ten times as much.
    /// Nil for any other text (which `parsed` reads) and for an impossible date or time.
    static func canonical(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46, b[23] == 90 else { return nil }
        var bad = false
        @inline(__always) func digits(_ start: Int, _ count: Int) -> Int64 {
            var v: Int64 = 0
            for k in start..<(start + count) {
                let digit = b[k] &- 48
                bad = bad || digit > 9
                v = v * 10 + Int64(digit)
            }
            return v
        }
        let year = digits(0, 4), month = digits(5, 2), day = digits(8, 2)
        let hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2), millis = digits(20, 3)
        guard !bad else { return nil }
        return checked(year, month, day, hour, minute, second, millis)
    }

    /// The instant of a date and time as read, the offset east of UTC in minutes; nil for an
    /// impossible one (month 13, February 30, hour 24).
    private static func checked(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64, _ minute: Int64, _ second: Int64,
                                _ millis: Int64, offsetMinutes: Int64 = 0) -> Timestamp? {
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return Timestamp(millisecondsSinceEpoch: seconds * 1000 + millis)
    }

    /// Any form `init?(iso8601:)` takes, read piece by piece.
    static func parsed(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var i = 0
        func number(_ width: Int) -> Int64? {
            guard i + width <= b.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + width) {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                v = v * 10 + Int64(b[k] - 48)
            }
            i += width
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              i < b.count, b[i] == 84 || b[i] == 116 || b[i] == 32 else { return nil }
        i += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2) else { return nil }
        var millis: Int64 = 0
        if expect(46) {
            var scale: Int64 = 100
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                millis += Int64(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offsetMinutes: Int64 = 0
        if expect(90) || expect(122) {
            // Z
        } else if i < b.count, b[i] == 43 || b[i] == 45 {
            let sign: Int64 = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = number(2), oh < 24 else { return nil }
            _ = expect(58)
            guard let om = number(2), om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return checked(year, month, day, hour, minute, second, millis, offsetMinutes: offsetMinutes)
    }

    /// Floor division and its remainder: days before 1970 count down.
    static func divmod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Proleptic Gregorian calendar conversions (Howard Hinnant's public-domain algorithms).
    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
