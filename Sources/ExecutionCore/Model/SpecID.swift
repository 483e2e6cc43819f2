/// A validated spec id: `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`. Validation comes before any file is
/// touched, so an id can never name a path outside `.claude/execution/`.
public struct SpecID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ raw: String) throws(TrackerError) {
        let bytes = Array(raw.utf8)
        func allowed(_ b: UInt8, first: Bool) -> Bool {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): return !first
            default: return false
            }
        }
        guard !bytes.isEmpty, bytes.count <= 128,
              bytes.enumerated().allSatisfy({ allowed($1, first: $0 == 0) }) else {
            let shown = raw.isEmpty ? "an empty id" : "'\(raw.singleLine)'"
            throw TrackerError(.usage, "invalid spec id \(shown): use 1-128 letters, digits, '.', '_' or '-', "
                + "starting with a letter or digit (e.g. F001)")
        }
        rawValue = raw
    }

    public var description: String { rawValue }

    /// The suffix of a metrics export's name (`F001-metrics.json`).
    package static let metricsSuffix = "-metrics"

    /// Refuses, before a new status file is created, an id whose status file would be a name the
    /// tool derives from another spec: `<X>-metrics.json` is spec X's metrics export. (Every
    /// other derived name — `.bak`, `.lock`, `.events.jsonl`, hidden temp files — cannot end in
    /// `.json` after an id.)
    public func checkCanBeCreated() throws(TrackerError) {
        if rawValue.lowercased().hasSuffix(Self.metricsSuffix) {
            throw TrackerError(.usage, "invalid spec id '\(rawValue)': an id ending in '\(Self.metricsSuffix)' would share "
                + "its file with the metrics export of spec '\(rawValue.dropLast(Self.metricsSuffix.count))'; choose another id")
        }
    }
}
