// `stats` (docs/stats.md): seed 001–003's cross-spec views — velocity, where time goes,
// bottlenecks, failure hot spots, estimate accuracy, cost — computed from spec histories. Pure:
// the histories, the filters and the current time are given.

/// Which histories count, and the time "now" is.
public struct StatsQuery: Sendable {
    public var now: Int64
    /// Only tasks active (started, ended or running) at or after this time.
    public var since: Int64?
    /// Only specs whose id matches this glob (`*`, `?`, `[...]`).
    public var specPattern: String?
    /// Only tasks of this agent.
    public var agent: String?

    public init(now: Int64, since: Int64? = nil, specPattern: String? = nil, agent: String? = nil) {
        self.now = now
        self.since = since
        self.specPattern = specPattern
        self.agent = agent
    }
}

/// Where a task's time went, in milliseconds: waiting for its dependencies and earlier layers,
/// ready but not claimed, in attempts before the last one (retried), and in the last attempt.
public struct TimeSplit: Equatable, Sendable {
    public var waiting: Int64 = 0
    public var unclaimed: Int64 = 0
    public var retried: Int64 = 0
    public var running: Int64 = 0

    public init(waiting: Int64 = 0, unclaimed: Int64 = 0, retried: Int64 = 0, running: Int64 = 0) {
        self.waiting = waiting
        self.unclaimed = unclaimed
        self.retried = retried
        self.running = running
    }

    /// The split of one started task: planned ≤ ready ≤ first start ≤ last start ≤ end (or now
    /// while it runs), each point moved up to the one before when the record has it earlier
    /// (a task claimed with --any-layer starts before it is ready: it waited until it started).
    init?(_ task: TaskHistory, now: Int64) {
        guard let firstStart = task.firstStart else { return nil }
        let planned = min(task.planned ?? firstStart, firstStart)
        let ready = min(max(task.ready ?? firstStart, planned), firstStart)
        let finalStart = max(task.finalStart ?? firstStart, firstStart)
        let end = max(task.end ?? (task.status == .inProgress ? now : finalStart), finalStart)
        self.init(waiting: ready - planned, unclaimed: firstStart - ready, retried: finalStart - firstStart, running: end - finalStart)
    }

    mutating func add(_ other: TimeSplit) {
        waiting = waiting.addingSaturated(other.waiting)
        unclaimed = unclaimed.addingSaturated(other.unclaimed)
        retried = retried.addingSaturated(other.retried)
        running = running.addingSaturated(other.running)
    }

    public var total: Int64 { waiting.addingSaturated(unclaimed).addingSaturated(retried).addingSaturated(running) }
}

public struct CrossSpecStats: Sendable {
    public struct Day: Equatable, Sendable {
        /// `2026-12-01` (UTC).
        public var day: String
        public var completed: Int
        /// The mean of this day's and the six days' before it.
        public var average7: Double
        public var costUsd: Double
    }

    public struct Count: Equatable, Sendable {
        public var name: String
        public var completed: Int
    }

    public struct TaskRef: Equatable, Sendable {
        public var spec: String
        public var layer: String
        public var index: Int
        public var id: String?
        public var description: String
    }

    public struct SlowTask: Equatable, Sendable {
        public var task: TaskRef
        public var complexity: String
        public var elapsedMs: Int64
        public var p95Ms: Int64
    }

    public struct AgentActivity: Equatable, Sendable {
        public var agent: String
        public var busyMs: Int64
        public var windowMs: Int64
        /// 1 − busy / window: the share of its active window the agent had no task running.
        public var idleShare: Double
    }

    public struct LayerWait: Equatable, Sendable {
        public var spec: String
        public var layer: String
        /// Waiting plus unclaimed time of its tasks.
        public var waitMs: Int64
    }

    public struct CriticalPath: Equatable, Sendable {
        public var spec: String
        public var tasks: [TaskRef]
        /// From the first task's plan (or start) to the last one's end.
        public var durationMs: Int64
    }

    public struct Failures: Equatable, Sendable {
        public var category: String
        public var count: Int
        public var resolved: Int
        public var recoveryRate: Double { count == 0 ? 0 : Double(resolved) / Double(count) }
    }

    public struct Retried: Equatable, Sendable {
        public var task: TaskRef
        public var attempts: Int
    }

    public struct Spread: Equatable, Sendable {
        public var complexity: String
        public var count: Int
        public var minMs: Int64
        public var p25Ms: Int64
        public var p50Ms: Int64
        public var p75Ms: Int64
        public var p90Ms: Int64
        public var maxMs: Int64
    }

    public var specs = 0
    public var archivedSpecs = 0
    public var tasks = 0
    public var completed = 0
    public var days: [Day] = []
    public var byAgent: [Count] = []
    public var byComplexity: [Count] = []
    public var split = TimeSplit()
    public var splitByLayer: [(name: String, split: TimeSplit)] = []
    public var splitByAgent: [(name: String, split: TimeSplit)] = []
    public var splitBySpec: [(name: String, split: TimeSplit)] = []
    public var slowTasks: [SlowTask] = []
    public var agents: [AgentActivity] = []
    public var waitingLayers: [LayerWait] = []
    public var criticalPaths: [CriticalPath] = []
    public var failures: [Failures] = []
    public var retriedTasks = 0
    public var extraAttempts = 0
    public var mostRetried: [Retried] = []
    public var spreads: [Spread] = []
    public var costUsd = 0.0
    public var tokens: Int64 = 0
    public var costBySpec: [(name: String, usd: Double)] = []

    /// How many entries the lists of tasks, layers and paths keep: the worst ones.
    public static let listLimit = 10
    /// An agent idle more than this share of its active window is a bottleneck (seed 002).
    public static let idleLimit = 0.5

    public var idleAgents: [AgentActivity] { agents.filter { $0.idleShare > Self.idleLimit } }

    public var isEmpty: Bool { tasks == 0 }
}

extension CrossSpecStats {
    /// Each task once (`SpecHistory.deduplicated`), live specs first.
    public init(_ histories: [SpecHistory], _ query: StatsQuery) {
        var tasksBySpec: [(history: SpecHistory, tasks: [TaskHistory])] = []
        for history in SpecHistory.deduplicated(histories) where query.specPattern.map({ SpecPattern.matches($0, history.spec) }) ?? true {
            let running = !history.archived
            // Without filters the tasks are the history's own (not copied).
            let kept = query.agent == nil && query.since == nil ? history.tasks : history.tasks.filter { task in
                if let agent = query.agent, task.agent != agent { return false }
                if let since = query.since, !((running && task.status == .inProgress) || (task.end ?? task.finalStart ?? task.firstStart ?? Int64.min) >= since) {
                    return false
                }
                return true
            }
            guard !kept.isEmpty else { continue }
            tasksBySpec.append((history, kept))
        }
        specs = tasksBySpec.count
        archivedSpecs = tasksBySpec.filter(\.history.archived).count
        tasks = tasksBySpec.map(\.tasks.count).reduce(0, +)
        velocity(tasksBySpec, query)
        timeSplits(tasksBySpec, now: query.now)
        bottlenecks(tasksBySpec, now: query.now)
        failureHotSpots(tasksBySpec, query)
        var cost: [String: Double] = [:]
        for (history, tasks) in tasksBySpec {
            for task in tasks {
                costUsd += task.costUsd
                tokens = tokens.addingSaturated(task.tokens)
                cost[history.spec, default: 0] += task.costUsd
            }
        }
        costBySpec = cost.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(Self.listLimit).map { ($0.key, $0.value) }
    }

    static func ref(_ spec: String, _ task: TaskHistory) -> TaskRef {
        TaskRef(spec: spec, layer: task.layer, index: task.index, id: task.id, description: task.description)
    }

    private static let dayMs: Int64 = 86_400_000

    /// Completions per UTC day, from the first such day (or `since`) to today.
    private mutating func velocity(_ specs: [(history: SpecHistory, tasks: [TaskHistory])], _ query: StatsQuery) {
        var perDay: [Int64: (count: Int, cost: Double)] = [:]
        var agents: [String: Int] = [:], complexities: [String: Int] = [:]
        for (_, tasks) in specs {
            for task in tasks where task.status == .complete {
                // Every complete task counts; only those with an end have a day (a box ticked in
                // the plan before tracking began has none).
                completed += 1
                guard let end = task.end else { continue }
                let day = Timestamp.divmod(end, Self.dayMs).0
                perDay[day, default: (0, 0)].count += 1
                perDay[day, default: (0, 0)].cost += task.costUsd
                agents[task.agent ?? "unassigned", default: 0] += 1
                complexities[task.complexityName, default: 0] += 1
            }
        }
        byAgent = agents.map { Count(name: $0.key, completed: $0.value) }.sorted { ($1.completed, $0.name) < ($0.completed, $1.name) }
        byComplexity = complexities.map { Count(name: $0.key, completed: $0.value) }.sorted { ($1.completed, $0.name) < ($0.completed, $1.name) }
        guard let first = perDay.keys.min() else { return }
        // A year of days at most: a stray timestamp must not make a list of centuries.
        let last = max(perDay.keys.max()!, Timestamp.divmod(query.now, Self.dayMs).0)
        let start = max(query.since.map { max(first, Timestamp.divmod($0, Self.dayMs).0) } ?? first, last - 365)
        for day in start...last {
            let week = ((day - 6)...day).map { perDay[$0]?.count ?? 0 }.reduce(0, +)
            days.append(Day(day: String(Timestamp(millisecondsSinceEpoch: day * Self.dayMs).iso8601.prefix(10)), completed: perDay[day]?.count ?? 0,
                            average7: Double(week) / 7, costUsd: perDay[day]?.cost ?? 0))
        }
    }

    /// `L2` before `L10`; keys of another form after the numbered ones, by name.
    static func layerOrder(_ a: String, _ b: String) -> Bool {
        switch (ExecutionLayer.number(ofKey: a), ExecutionLayer.number(ofKey: b)) {
        case let (x?, y?): return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a < b
        }
    }

    private mutating func timeSplits(_ specs: [(history: SpecHistory, tasks: [TaskHistory])], now: Int64) {
        var layers: [String: TimeSplit] = [:], agents: [String: TimeSplit] = [:], bySpec: [String: TimeSplit] = [:]
        for (history, tasks) in specs {
            for task in tasks {
                guard let one = TimeSplit(task, now: history.now(now)) else { continue }
                split.add(one)
                layers[task.layer, default: TimeSplit()].add(one)
                agents[task.agent ?? "unassigned", default: TimeSplit()].add(one)
                bySpec[history.spec, default: TimeSplit()].add(one)
            }
        }
        splitByLayer = layers.sorted { Self.layerOrder($0.key, $1.key) }.map { ($0.key, $0.value) }
        splitByAgent = agents.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        splitBySpec = bySpec.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private mutating func bottlenecks(_ specs: [(history: SpecHistory, tasks: [TaskHistory])], now: Int64) {
        // Tasks above the p95 of their complexity (nearest rank), the slowest first.
        var byComplexity: [String: [(spec: Int, task: Int, elapsed: Int64)]] = [:]
        for (s, (_, tasks)) in specs.enumerated() {
            for (t, task) in tasks.enumerated() { if let elapsed = task.elapsed { byComplexity[task.complexityName, default: []].append((s, t, elapsed)) } }
        }
        var slow: [SlowTask] = []
        for (complexity, entries) in byComplexity {
            let sorted = entries.map(\.elapsed).sorted()
            let p95 = ExecutionMetrics.percentile(95, of: sorted)!
            for entry in entries where entry.elapsed > p95 {
                slow.append(SlowTask(task: Self.ref(specs[entry.spec].history.spec, specs[entry.spec].tasks[entry.task]), complexity: complexity,
                                     elapsedMs: entry.elapsed, p95Ms: p95))
            }
            spreads.append(Spread(complexity: complexity, count: sorted.count, minMs: sorted.first!,
                                  p25Ms: ExecutionMetrics.percentile(25, of: sorted)!, p50Ms: ExecutionMetrics.percentile(50, of: sorted)!,
                                  p75Ms: ExecutionMetrics.percentile(75, of: sorted)!, p90Ms: ExecutionMetrics.percentile(90, of: sorted)!,
                                  maxMs: sorted.last!))
        }
        spreads.sort { $0.complexity < $1.complexity }
        slowTasks = Array(slow.sorted { ($1.elapsedMs, $0.task.spec, $0.task.layer, $0.task.index) < ($0.elapsedMs, $1.task.spec, $1.task.layer, $1.task.index) }
            .prefix(Self.listLimit))

        // Agents: the union of their tasks' running spans within their active window.
        var spans: [String: [(Int64, Int64)]] = [:]
        for (history, tasks) in specs {
            for task in tasks {
                guard let agent = task.agent, let start = task.firstStart else { continue }
                let end = task.end ?? (task.status == .inProgress ? history.now(now) : start)
                if end > start { spans[agent, default: []].append((start, end)) }
            }
        }
        agents = spans.map { agent, list in
            let sorted = list.sorted { $0.0 < $1.0 }
            var busy: Int64 = 0
            var current = sorted[0]
            for span in sorted.dropFirst() {
                if span.0 <= current.1 {
                    current.1 = max(current.1, span.1)
                } else {
                    busy += current.1 - current.0
                    current = span
                }
            }
            busy += current.1 - current.0
            let window = sorted.map(\.1).max()! - sorted[0].0
            return AgentActivity(agent: agent, busyMs: busy, windowMs: window, idleShare: window > 0 ? 1 - Double(busy) / Double(window) : 0)
        }.sorted { ($1.idleShare, $0.agent) < ($0.idleShare, $1.agent) }

        // Layers: the longest total waits, and each spec's critical path.
        var waits: [LayerWait] = []
        var paths: [CriticalPath] = []
        for (history, tasks) in specs {
            var perLayer: [String: Int64] = [:]
            for task in tasks { if let one = TimeSplit(task, now: history.now(now)) { perLayer[task.layer, default: 0] += one.waiting + one.unclaimed } }
            waits += perLayer.filter { $0.value > 0 }.map { LayerWait(spec: history.spec, layer: $0.key, waitMs: $0.value) }
            let path = history.criticalPath.filter { history.tasks.indices.contains($0) }.map { history.tasks[$0] }
            if let first = path.first, let last = path.last, let end = last.end {
                paths.append(CriticalPath(spec: history.spec, tasks: path.map { Self.ref(history.spec, $0) },
                                          durationMs: max(0, end - (first.planned ?? first.firstStart ?? end))))
            }
        }
        waitingLayers = Array(waits.sorted { ($1.waitMs, $0.spec, $0.layer) < ($0.waitMs, $1.spec, $1.layer) }.prefix(Self.listLimit))
        criticalPaths = Array(paths.sorted { ($1.durationMs, $0.spec) < ($0.durationMs, $1.spec) }.prefix(Self.listLimit))
    }

    private mutating func failureHotSpots(_ specs: [(history: SpecHistory, tasks: [TaskHistory])], _ query: StatsQuery) {
        var tallies: [String: Failures] = [:]
        var retried: [Retried] = []
        for (history, tasks) in specs {
            // Error tallies are the spec's: counted when no agent narrows the view to some tasks.
            if query.agent == nil {
                for tally in history.errors {
                    tallies[tally.category, default: Failures(category: tally.category, count: 0, resolved: 0)].count += tally.count
                    tallies[tally.category]!.resolved += tally.resolved
                }
            }
            for task in tasks where task.attempts > 1 {
                retriedTasks += 1
                extraAttempts += task.attempts - 1
                retried.append(Retried(task: Self.ref(history.spec, task), attempts: task.attempts))
            }
        }
        failures = tallies.values.sorted { ($1.count, $0.category) < ($0.count, $1.category) }
        mostRetried = Array(retried.sorted { ($1.attempts, $0.task.spec, $0.task.layer, $0.task.index) < ($0.attempts, $1.task.spec, $1.task.layer, $1.task.index) }
            .prefix(Self.listLimit))
    }
}

/// A spec id glob as `--spec` takes it: `*` any run, `?` one character, `[abc]`, `[a-z]`,
/// `[!x]` one of (or none of) a set; anything else matches itself.
public enum SpecPattern {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern), 0, Array(text), 0)
    }

    private static func matches(_ p: [Character], _ i: Int, _ t: [Character], _ j: Int) -> Bool {
        var i = i, j = j
        var star: (Int, Int)?
        while j < t.count {
            if i < p.count, p[i] == "*" {
                star = (i, j)
                i += 1
                continue
            }
            if i < p.count, let next = single(p, i, t[j]) {
                i = next
                j += 1
                continue
            }
            guard let (si, sj) = star else { return false }
            i = si + 1
            j = sj + 1
            star = (si, sj + 1)
        }
        while i < p.count, p[i] == "*" { i += 1 }
        return i == p.count
    }

    /// The position after the pattern element at `i` when it matches `c`.
    private static func single(_ p: [Character], _ i: Int, _ c: Character) -> Int? {
        switch p[i] {
        case "?": return i + 1
        case "[":
            var k = i + 1
            let negated = k < p.count && p[k] == "!"
            if negated { k += 1 }
            var found = false
            var firstInSet = true
            while k < p.count, p[k] != "]" || firstInSet {
                firstInSet = false
                if k + 2 < p.count, p[k + 1] == "-", p[k + 2] != "]" {
                    if p[k] <= c && c <= p[k + 2] { found = true }
                    k += 3
                } else {
                    if p[k] == c { found = true }
                    k += 1
                }
            }
            guard k < p.count else { return p[i] == c ? i + 1 : nil }
            return found != negated ? k + 1 : nil
        default: return p[i] == c ? i + 1 : nil
        }
    }
}
