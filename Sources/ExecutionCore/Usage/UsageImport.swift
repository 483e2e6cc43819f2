// Usage added to a spec (docs/usage.md): to a task, or to the spec itself for what no task held,
// from a transcript, a `claude -p` result or counts given by hand; then the budget checked.

/// Where one import of a spec's usage came from: a transcript read up to `offset` (the file's
/// `inode` so a replaced file is read from its start), or `result:<session>`. `import` is the
/// id the usage ledger's pending entries wait for.
public struct UsageSource: ModelObject {
    public var source = ""
    public var offset: Int64?
    public var inode: Int64?
    public var importID = ""
    public var readAt: Timestamp?
    public var extra = JSONObject()

    public init() {}

    public init(source: String, offset: Int64? = nil, inode: Int64? = nil, importID: String, readAt: Timestamp?) {
        self.source = source
        self.offset = offset
        self.inode = inode
        self.importID = importID
        self.readAt = readAt
    }

    public static let fields = FieldTable<UsageSource>([
        .field("source", \.source),
        .field("offset", \.offset, omittedWhenNil: true, check: { ($0 ?? 0) >= 0 ? nil : "must not be negative" }),
        .field("inode", \.inode, omittedWhenNil: true),
        .field("import", \.importID),
        .field("read_at", \.readAt, omittedWhenNil: true),
    ])
}

/// Which usage an import adds to: a task's, or the spec's own (what no task held).
public enum UsageTarget: Equatable, Sendable {
    case task(TaskLocation)
    case spec
}

/// What one import did, for the command's message.
public struct UsageImportSummary: Equatable, Sendable {
    /// The usage added (net of what a reported cost replaced).
    public var added = TokenUsage()
    /// Requests in what was read, those counted for the first time, and those counted before.
    public var requestsRead = 0
    public var newRequests = 0
    public var alreadyCounted = 0
    /// Requests of a session whose reported figures were already taken.
    public var coveredByReport = 0
    /// Models without a price: their tokens are kept, their cost is null.
    public var unpricedModels: [String] = []
    /// A session's transcript figures replaced by what it reported.
    public var replacedTranscriptUsage = false
    public var alreadyImported = false

    public init() {}
}

/// What a `usage` did.
public struct UsageOutcome: Sendable {
    public init(status: StatusFile, target: UsageTarget, summary: UsageImportSummary = UsageImportSummary(), nothingNew: Bool = false,
                priceSource: String? = nil) {
        self.status = status
        self.target = target
        self.summary = summary
        self.nothingNew = nothingNew
        self.priceSource = priceSource
    }

    public var status: StatusFile
    public var target: UsageTarget
    public var summary = UsageImportSummary()
    /// The transcript had nothing past what was read before: nothing was written.
    public var nothingNew = false
    /// Nothing was given to add: the usage is only shown.
    public var shownOnly = false
    /// The transcript was read again from its start (it shrank or is another file).
    public var restarted = false
    public var linesRead = 0
    public var skippedNotJSON = 0
    public var skippedBadCounts = 0
    /// Where the prices came from, when any were needed.
    public var priceSource: String?
}

extension StatusFile {
    /// `L1/3` for a task, `spec` for the spec's own usage: the ledger's names.
    public func usageSubject(_ target: UsageTarget) -> String {
        switch target {
        case .spec: return "spec"
        case .task(let at): return "\(layers[at.layer].key)/\(at.task)"
        }
    }

    func usageTarget(subject: String) -> UsageTarget? {
        if subject == "spec" { return .spec }
        let parts = subject.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let l = layers.firstIndex(where: { $0.key == parts[0] }), let t = Int(parts[1]),
              layers[l].tasks.indices.contains(t) else { return nil }
        return .task(TaskLocation(layer: l, task: t))
    }

    public func usage(of target: UsageTarget) -> TokenUsage? {
        switch target {
        case .spec: return usage
        case .task(let at): return layers[at.layer].tasks[at.task].usage
        }
    }

    private mutating func setUsage(_ value: TokenUsage?, of target: UsageTarget) {
        let kept = value.flatMap { $0.isNothing ? nil : $0 }
        switch target {
        case .spec: usage = kept
        case .task(let at): layers[at.layer].tasks[at.task].usage = kept
        }
    }

    /// Adds `added` to the target's usage, then checks the budget.
    public mutating func addUsage(_ added: TokenUsage, to target: UsageTarget, now: Timestamp) {
        setUsage((usage(of: target) ?? TokenUsage()).adding(added), of: target)
        checkBudget(now: now)
    }

    /// The imports the status file records (the usage ledger's pending import counts once here).
    public var recordedUsageImports: Set<String> { Set((usageSources ?? []).map(\.importID)) }

    public func usageSource(_ source: String) -> UsageSource? { usageSources?.first { $0.source == source } }

    mutating func record(_ source: UsageSource) {
        var list = usageSources ?? []
        list.removeAll { $0.source == source.source }
        list.append(source)
        usageSources = list
    }

    /// Adds the requests of a transcript read to the target: each request's tokens beyond what
    /// the ledger counted for it (nothing for one counted in full, from this transcript or
    /// another), priced per request; requests of a session whose reported figures were taken are
    /// left out. Leaves the new counts pending in `ledger` under `source.importID`.
    public mutating func importTranscript(_ scan: TranscriptScan, source: UsageSource, to target: UsageTarget,
                                          ledger: inout UsageLedger, price: (String) -> ModelPrice?, now: Timestamp) -> UsageImportSummary {
        var summary = UsageImportSummary()
        var models: [String: ModelUsage] = [:]
        let subject = usageSubject(target)
        ledger.pendingImport = source.importID
        for request in scan.requests {
            summary.requestsRead += 1
            if let session = request.sessionId, ledger.session(session)?.reported == true {
                summary.coveredByReport += 1
                continue
            }
            let before = request.key.flatMap { ledger.counted($0) }
            let counted = before ?? RequestTokens()
            let t = request.tokens
            let delta = RequestTokens(input: max(0, t.input - counted.input), output: max(0, t.output - counted.output),
                                      cacheWrite5m: max(0, t.cacheWrite5m - counted.cacheWrite5m),
                                      cacheWrite1h: max(0, t.cacheWrite1h - counted.cacheWrite1h),
                                      cacheRead: max(0, t.cacheRead - counted.cacheRead))
            if before != nil, delta == RequestTokens() {
                summary.alreadyCounted += 1
                continue
            }
            if before == nil { summary.newRequests += 1 }
            if let key = request.key {
                ledger.pendingRequests[key] = RequestTokens(input: max(t.input, counted.input), output: max(t.output, counted.output),
                                                            cacheWrite5m: max(t.cacheWrite5m, counted.cacheWrite5m),
                                                            cacheWrite1h: max(t.cacheWrite1h, counted.cacheWrite1h),
                                                            cacheRead: max(t.cacheRead, counted.cacheRead))
            }
            // Priced as whole requests, so the tier is the one the whole prompt falls in.
            let cost: Double? = price(request.model).flatMap { p in
                p.cost(of: t).flatMap { whole in (before == nil ? 0 : p.cost(of: counted)).map { whole - $0 } }
            }
            let added = ModelUsage(model: request.model, input: delta.input, output: delta.output, cacheCreation: delta.cacheWrite,
                                   cacheRead: delta.cacheRead, requests: before == nil ? 1 : 0, costUsd: cost)
            models[request.model, default: ModelUsage(model: request.model, costUsd: 0)].add(added)
            if let session = request.sessionId {
                var record = ledger.session(session) ?? SessionUsage()
                let one = TokenUsage(models: [added], costUsd: cost, costSource: .calculated)
                record.tasks[subject] = (record.tasks[subject] ?? TokenUsage()).adding(one)
                ledger.pendingSessions[session] = record
            }
        }
        let list = models.keys.sorted().map { models[$0]! }
        summary.unpricedModels = list.filter { $0.costUsd == nil }.map { $0.model.isEmpty ? UsageText.noModel : $0.model }
        let allPriced = summary.unpricedModels.isEmpty
        summary.added = TokenUsage(models: list, costUsd: allPriced ? list.compactMap(\.costUsd).reduce(0, +) : nil,
                                   costSource: .calculated)
        if !list.isEmpty { addUsage(summary.added, to: target, now: now) }
        record(source)
        return summary
    }

    /// Adds what a `claude -p` run reported. When the session's transcript was already counted
    /// in this spec, that usage is first taken back out of the tasks it went to: the reported
    /// cost wins over the calculated one. A session reported once adds nothing again.
    public mutating func importResult(_ result: ClaudeResult, source: UsageSource, to target: UsageTarget,
                                      ledger: inout UsageLedger, now: Timestamp) -> UsageImportSummary {
        var summary = UsageImportSummary()
        // Taken before: by its session, or (without one) by its content. Nothing changes.
        if usageSource(source.source) != nil || result.sessionId.flatMap({ ledger.session($0)?.reported }) == true {
            summary.alreadyImported = true
            return summary
        }
        ledger.pendingImport = source.importID
        if let session = result.sessionId {
            if let known = ledger.session(session) {
                for (subject, counted) in known.tasks {
                    guard let place = usageTarget(subject: subject) else { continue }
                    setUsage(usage(of: place)?.subtracting(counted), of: place)
                    summary.replacedTranscriptUsage = true
                }
            }
            ledger.pendingSessions[session] = SessionUsage(reported: true, tasks: [usageSubject(target): result.usage])
        }
        summary.added = result.usage
        summary.newRequests = Int(result.usage.requests)
        addUsage(result.usage, to: target, now: now)
        record(source)
        return summary
    }

    // MARK: Totals and budget

    /// Every task's usage and the spec's own, added up.
    public var totalUsage: TokenUsage {
        var total = usage ?? TokenUsage()
        for layer in layers { layer.tasks.forEachInPlace { if let usage = $0.usage { total = total.adding(usage) } } }
        return total
    }

    /// The dollars known to be spent: a task whose cost is unknown adds nothing here.
    public var knownSpendUsd: Double {
        var spend = usage?.knownCostUsd ?? 0
        for layer in layers { layer.tasks.forEachInPlace { spend += $0.usage?.knownCostUsd ?? 0 } }
        return TokenUsage.rounded(spend)
    }

    /// Marks the budget exceeded the first time the known spend goes over it (one
    /// `budget.exceeded` event), and clears the mark when a new budget is above the spend.
    mutating func checkBudget(now: Timestamp) {
        guard let budgetUsd else {
            budgetExceededAt = nil
            return
        }
        let over = knownSpendUsd > budgetUsd
        if over, budgetExceededAt == nil { budgetExceededAt = now }
        if !over { budgetExceededAt = nil }
    }

    /// `budget --usd X` (nil: `--clear`).
    public mutating func setBudget(_ dollars: Double?, now: Timestamp) {
        budgetUsd = dollars
        checkBudget(now: now)
    }
}
