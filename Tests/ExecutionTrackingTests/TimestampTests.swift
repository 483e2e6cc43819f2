import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("Timestamp")
struct TimestampTests {
    @Test func formatsWithMillisecondsAndZ() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(t0.iso8601 == "2026-11-21T10:00:00.000Z")
        #expect(t0.adding(milliseconds: 123).iso8601 == "2026-11-21T10:00:00.123Z")
        #expect(t0.adding(milliseconds: 7).iso8601 == "2026-11-21T10:00:00.007Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_709_164_800_000).iso8601 == "2024-02-29T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 951_868_800_000 - 1).iso8601 == "2000-02-29T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(t0.description == t0.iso8601)
    }

    @Test func parsesWithAndWithoutFraction() {
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00Z") == t0)
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00.123Z") == t0.adding(milliseconds: 123))
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00.1Z") == t0.adding(milliseconds: 100))
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00.12Z") == t0.adding(milliseconds: 120))
        // Beyond milliseconds the extra digits are dropped (truncated, not rounded).
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00.123456789Z") == t0.adding(milliseconds: 123))
        #expect(Timestamp(iso8601: "2026-11-21 10:00:00Z") == t0)
        #expect(Timestamp(iso8601: "2026-11-21t10:00:00z") == t0)
    }

    @Test func offsetsConvertToUTC() {
        #expect(Timestamp(iso8601: "2026-11-21T12:00:00+02:00") == t0)
        #expect(Timestamp(iso8601: "2026-11-21T12:00:00+0200") == t0)
        #expect(Timestamp(iso8601: "2026-11-21T04:30:00-05:30") == t0)
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00+00:00") == t0)
        #expect(Timestamp(iso8601: "2026-11-22T01:00:00.500+15:00") == t0.adding(milliseconds: 500))
        #expect(Timestamp(iso8601: "2026-11-21T12:00:00+02:00")?.iso8601 == "2026-11-21T10:00:00.000Z")
        // Crossing midnight and a year boundary.
        #expect(Timestamp(iso8601: "2027-01-01T01:00:00+02:00")?.iso8601 == "2026-12-31T23:00:00.000Z")
    }

    @Test func roundTripsThroughText() {
        for ms: Int64 in [0, 1, 999, 86_399_999, 951_868_800_000, 1_709_164_800_123, 1_795_255_200_000, 4_107_542_400_000,
                          253_402_300_799_999] {
            let stamp = Timestamp(millisecondsSinceEpoch: ms)
            #expect(Timestamp(iso8601: stamp.iso8601) == stamp, "\(ms)")
        }
        #expect(Timestamp(millisecondsSinceEpoch: 253_402_300_799_999).iso8601 == "9999-12-31T23:59:59.999Z")
    }

    @Test func leapYears() {
        #expect(Timestamp(iso8601: "2024-02-29T00:00:00Z")?.millisecondsSinceEpoch == 1_709_164_800_000)
        #expect(Timestamp(iso8601: "2000-02-29T00:00:00Z") != nil)  // divisible by 400
        #expect(Timestamp(iso8601: "2023-02-29T00:00:00Z") == nil)
        #expect(Timestamp(iso8601: "1900-02-29T00:00:00Z") == nil)  // divisible by 100, not 400
        #expect(Timestamp(iso8601: "2100-02-29T00:00:00Z") == nil)
        #expect(Timestamp(iso8601: "2100-03-01T00:00:00Z")?.millisecondsSinceEpoch == 4_107_542_400_000)
        // The day after Feb 28 in a common year is Mar 1.
        let feb28 = Timestamp(iso8601: "2023-02-28T12:00:00Z")!
        #expect(feb28.adding(milliseconds: 86_400_000).iso8601 == "2023-03-01T12:00:00.000Z")
        let leapFeb28 = Timestamp(iso8601: "2024-02-28T12:00:00Z")!
        #expect(leapFeb28.adding(milliseconds: 86_400_000).iso8601 == "2024-02-29T12:00:00.000Z")
    }

    @Test func invalidDatesAreRejected() {
        let invalid = [
            "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z",
            "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:61Z",
            "2026-01-01T10:00:00", "2026-01-01", "2026-1-01T10:00:00Z", "2026-01-01T10:00:00.Z",
            "2026-01-01T10:00:00Zjunk", "2026-01-01T10:00:00+2", "2026-01-01X10:00:00Z", "", "not a date",
            " 2026-01-01T10:00:00Z", "2026-01-01T10:00Z",
        ]
        for text in invalid {
            #expect(Timestamp(iso8601: text) == nil, "\(text) should be rejected")
        }
    }

    /// UTC offsets run from -23:59 to +23:59 (in practice -12:00 to +14:00); minutes below 60.
    @Test func impossibleOffsetsAreRejected() {
        #expect(Timestamp(iso8601: "2026-01-01T10:00:00+99:99") == nil)
        #expect(Timestamp(iso8601: "2026-01-01T10:00:00+01:75") == nil)
        #expect(Timestamp(iso8601: "2026-01-01T10:00:00+23:59") != nil)
    }

    @Test func arithmeticAndOrdering() {
        let a = ts("2026-11-21T10:00:00.000Z")
        let b = ts("2026-11-21T10:02:00.250Z")
        #expect(b.milliseconds(since: a) == 120_250)
        #expect(a.milliseconds(since: b) == -120_250)
        #expect(a < b)
        #expect(a.adding(milliseconds: 120_250) == b)
        #expect([b, a].max() == b)
    }
}
