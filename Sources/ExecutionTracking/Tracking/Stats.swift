import ExecutionCore

// `stats` and `estimate` (docs/stats.md): the histories of every spec, live and archived,
// through the store's summary cache; the figures are the pure core's.

extension Tracker {
    /// The cross-spec figures for `query`, and the sources that could not be read.
    public func stats(_ query: StatsQuery) -> (stats: CrossSpecStats, skipped: [(source: String, reason: String)]) {
        let found = store.histories()
        return (CrossSpecStats(found.histories, query), found.skipped)
    }

    /// The remaining time of `spec`, learned from the finished specs most like it.
    public func estimate(_ spec: SpecID) throws(TrackerError) -> SpecEstimate {
        let status = try store.load(spec)
        let found = store.histories()
        let target = found.histories.first { !$0.archived && $0.spec == status.feature }
            ?? SpecHistory(status, transitions: [], archived: false)
        return SpecEstimate(target, history: found.histories)
    }
}
