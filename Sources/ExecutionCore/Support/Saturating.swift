// Numbers from files, arguments and the environment are range-checked where they enter
// (docs/reliability.md, "Numbers"); sums and products of many of them can still exceed 64 bits,
// so they saturate instead of trapping.

extension Comparable {
    package func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

extension FixedWidthInteger {
    /// `self + other`, or the nearest bound when that does not fit.
    func addingSaturated(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, or the nearest bound when that does not fit.
    func subtractingSaturated(_ other: Self) -> Self {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other > 0 ? .min : .max
    }

    /// `self × other`, or the nearest bound when that does not fit.
    func multipliedSaturated(by other: Self) -> Self {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }
}

extension Sequence where Element: FixedWidthInteger {
    /// The sum, saturating at the type's bounds.
    func saturatingSum() -> Element { reduce(0) { $0.addingSaturated($1) } }
}

/// The ranges numbers must lie in when they enter the tool.
public enum Limits {
    /// A duration: at most 100 years in milliseconds.
    public static let maxDurationMs: Int64 = 100 * 366 * 86_400_000
    /// Attempts of one task.
    public static let maxAttempts = 1_000_000_000
    /// Lock wait (`EXECTRACK_LOCK_TIMEOUT`): a day.
    public static let maxLockTimeoutSeconds = 86_400.0
}
