// `estimate <SPEC>` (docs/stats.md, "Estimates"): the remaining time of a spec, learned from
// finished specs with a similar mix — seed 000's "similar workflows" — as a range. Pure.

public struct SpecEstimate: Sendable {
    public struct Similar: Equatable, Sendable {
        public var spec: String
        public var archived: Bool
        public var similarity: Double
        public var tasks: Int
    }

    /// Work left: a figure per percentile of the learned durations.
    public struct Range: Equatable, Sendable {
        public var p25Ms: Int64
        public var p50Ms: Int64
        public var p75Ms: Int64
        public var p90Ms: Int64
    }

    public var spec: String
    /// Tasks not done (pending, running or failed), by complexity.
    public var remaining: [(complexity: String, tasks: Int)]
    public var learnedFrom: [Similar]
    /// Agent time left (the sum over remaining tasks), and elapsed time left at the parallelism
    /// the similar specs ran with; nil when there is too little history (`reason` says why).
    public var work: Range?
    public var elapsed: Range?
    public var parallelism: Double?
    public var reason: String?

    /// At least this many similar specs, with this many finished tasks among them.
    public static let minimumSpecs = 3
    public static let minimumTasks = 10
    /// Specs less similar than this teach nothing; at most `maximumSpecs` of the most similar.
    public static let minimumSimilarity = 0.5
    public static let maximumSpecs = 10
}

extension SpecEstimate {
    public init(_ target: SpecHistory, history: [SpecHistory]) {
        let left = target.tasks.filter { !$0.status.isDone }
        var counts: [String: Int] = [:]
        for task in left { counts[task.complexityName, default: 0] += 1 }
        spec = target.spec
        remaining = counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        learnedFrom = []
        guard !left.isEmpty else {
            reason = "nothing left to do: every task is done"
            work = Range(p25Ms: 0, p50Ms: 0, p75Ms: 0, p90Ms: 0)
            elapsed = work
            return
        }
        // Archived specs (the same spec's earlier runs too): what is archived is what was finished.
        let finished = SpecHistory.deduplicated(history).filter { $0.archived && $0.tasks.contains { $0.elapsed != nil } }
        let profile = Profile(target)
        let ranked = finished.map { ($0, profile.similarity(to: Profile($0))) }
            .filter { $0.1 >= Self.minimumSimilarity }
            .sorted { ($1.1, $0.0.spec) < ($0.1, $1.0.spec) }
            .prefix(Self.maximumSpecs)
        learnedFrom = ranked.map { Similar(spec: $0.0.spec, archived: $0.0.archived, similarity: $0.1, tasks: $0.0.tasks.count) }
        let samples = ranked.flatMap { $0.0.tasks.compactMap { task in task.elapsed.map { (task.complexityName, $0) } } }
        guard ranked.count >= Self.minimumSpecs, samples.count >= Self.minimumTasks else {
            reason = "too little history: \(ranked.count) finished spec(s) similar enough (at least \(Self.minimumSpecs) needed) "
                + "with \(samples.count) finished task(s) (at least \(Self.minimumTasks)); archive finished specs to build it up"
            return
        }
        var byComplexity: [String: [Int64]] = [:]
        for (complexity, ms) in samples { byComplexity[complexity, default: []].append(ms) }
        let pooled = samples.map(\.1).sorted()
        for key in byComplexity.keys { byComplexity[key]!.sort() }
        func one(_ p: Int, _ complexity: String) -> Int64 { ExecutionMetrics.percentile(p, of: byComplexity[complexity] ?? pooled)! }
        func total(_ p: Int) -> Int64 {
            remaining.reduce(Int64(0)) { $0.addingSaturated(one(p, $1.complexity).multipliedSaturated(by: Int64($1.tasks))) }
        }
        work = Range(p25Ms: total(25), p50Ms: total(50), p75Ms: total(75), p90Ms: total(90))
        // How many tasks ran at once in each similar spec: its tasks' time over its span.
        let ratios = ranked.compactMap { entry -> Double? in
            let spans = entry.0.tasks.compactMap { t in t.firstStart.flatMap { s in t.end.map { (s, $0) } } }
            guard let start = spans.map(\.0).min(), let end = spans.map(\.1).max(), end > start else { return nil }
            return max(1, Double(spans.map { $0.1 - $0.0 }.reduce(0, +)) / Double(end - start))
        }.sorted()
        let parallel = ratios.isEmpty ? 1 : ratios[(ratios.count - 1) / 2]
        parallelism = parallel
        // Never less than the longest remaining task: parallel work cannot split one task.
        func wall(_ p: Int) -> Int64 { max(Int64((Double(total(p)) / parallel).rounded()), remaining.map { one(p, $0.complexity) }.max() ?? 0) }
        elapsed = Range(p25Ms: wall(25), p50Ms: wall(50), p75Ms: wall(75), p90Ms: wall(90))
    }

    /// What makes two specs alike: the mix of complexities, the agents, the words of the tasks.
    struct Profile {
        var mix: [String: Double]
        var agents: Set<String>
        var words: Set<String>

        init(_ history: SpecHistory) {
            var counts: [String: Double] = [:]
            for task in history.tasks { counts[task.complexityName, default: 0] += 1 }
            let n = Double(max(1, history.tasks.count))
            mix = counts.mapValues { $0 / n }
            agents = Set(history.tasks.compactMap(\.agent))
            words = Set(history.tasks.flatMap { StatusFile.words($0.description).filter { $0.count >= 4 }.map(String.init) })
        }

        /// Half the overlap of the complexity mixes, a quarter each the overlap of the agents and
        /// of the words (Jaccard); 1 is the same mix, agents and words.
        func similarity(to other: Profile) -> Double {
            let keys = Set(mix.keys).union(other.mix.keys)
            let mixOverlap = 1 - keys.map { abs((mix[$0] ?? 0) - (other.mix[$0] ?? 0)) }.reduce(0, +) / 2
            return 0.5 * mixOverlap + 0.25 * Self.jaccard(agents, other.agents) + 0.25 * Self.jaccard(words, other.words)
        }

        /// Two empty sets are alike.
        static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
            let union = a.union(b).count
            return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
        }
    }
}
