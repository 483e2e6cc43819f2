import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// `usage` and `budget` (docs/usage.md): tokens and cost added to a task, from counts given by
// hand, a Claude Code transcript or a `claude -p` result; the hook imports transcripts the same way.

/// What `usage` adds.
public enum UsageInput: Sendable {
    /// Counts given by hand, priced from `model` unless `costUsd` (reported) is given.
    case counts(RequestTokens, model: String?, costUsd: Double?)
    case transcript(String)
    case result(String)
}

extension Tracker {
    /// `usage SPEC LAYER TASK …` (the spec's own usage when no task is named); without input,
    /// what the task has, read without the lock.
    public func recordUsage(_ spec: SpecID, layer: String?, task: String?, input: UsageInput?) throws(TrackerError) -> UsageOutcome {
        let target = { (status: StatusFile) throws(TrackerError) -> UsageTarget in
            guard let layer, let task else { return .spec }
            return .task(try status.taskLocation(layer: status.layerIndex(for: layer), task: task))
        }
        guard let input else {
            let status = try store.load(spec)
            var outcome = UsageOutcome(status: status, target: try target(status))
            outcome.shownOnly = true
            return outcome
        }
        return try importUsage(spec, input: input, target: target, store: store)
    }

    /// The import behind `usage` and the hook, through `store` (the hook's never waits for the
    /// lock). `budget` caps the bytes of transcript read at once (the rest is read next time).
    func importUsage(_ spec: SpecID, input: UsageInput, target: (StatusFile) throws(TrackerError) -> UsageTarget,
                     store: StatusStore, budget: Int64? = nil) throws(TrackerError) -> UsageOutcome {
        switch input {
        case let .counts(tokens, model, cost):
            let prices = cost == nil && model != nil ? try store.loadPrices() : nil
            let calculated = model.flatMap { prices?.price(of: $0)?.cost(of: tokens) }
            let usage = TokenUsage(models: [ModelUsage(model: model ?? "", input: tokens.input, output: tokens.output,
                                                       cacheCreation: tokens.cacheWrite, cacheRead: tokens.cacheRead,
                                                       costUsd: cost ?? calculated)],
                                   costUsd: cost ?? calculated, costSource: cost != nil ? .reported : .calculated)
            let commit = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> UsageTarget in
                let place = try target(status!)
                status!.addUsage(usage, to: place, now: now)
                return place
            }
            var outcome = UsageOutcome(status: commit.status, target: commit.result, priceSource: prices?.source)
            outcome.summary.added = usage
            if usage.costUsd == nil { outcome.summary.unpricedModels = [model ?? UsageText.noModel] }
            return outcome
        case .transcript(let path):
            return try importTranscript(spec, path: path, target: target, store: store, budget: budget)
        case .result(let path):
            guard let bytes = try FileSystem.read(path, shownAs: store.display(path), role: "a claude -p result", refuseWith: .usage,
                                                  allowStreams: true) else {
                throw TrackerError(.notFound, "no file at \(store.display(path))")
            }
            let result: ClaudeResult
            switch ClaudeResult.parse(bytes) {
            case .success(let parsed): result = parsed
            case .failure(let problem):
                throw TrackerError(.usage, "\(store.display(path))\(problem.field.map { ": \($0)" } ?? ""): \(problem.message)")
            }
            let commit = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> (UsageTarget, UsageImportSummary) in
                var ledger = try store.loadUsageLedger(spec)
                ledger.settle(recordedImports: status!.recordedUsageImports)
                let place = try target(status!)
                let key = "result:" + (result.sessionId ?? ContentDigest.of(bytes))
                let source = UsageSource(source: key, importID: Self.importID(now), readAt: now)
                let summary = status!.importResult(result, source: source, to: place, ledger: &ledger, now: now)
                if !summary.alreadyImported { try store.saveUsageLedger(ledger, spec) }
                return (place, summary)
            }
            return UsageOutcome(status: commit.status, target: commit.result.0, summary: commit.result.1)
        }
    }

    private func importTranscript(_ spec: SpecID, path: String, target: (StatusFile) throws(TrackerError) -> UsageTarget,
                                  store: StatusStore, budget: Int64?) throws(TrackerError) -> UsageOutcome {
        guard !path.isEmpty else { throw TrackerError(.usage, "--from-transcript needs a path") }
        guard let real = FileSystem.realPath(path) else { throw TrackerError(.notFound, "no transcript at \(store.display(path))") }
        let (inode, size) = try store.transcriptInfo(real)
        // Nothing new is decided on the status file as read: no lock, no ledger, no write.
        let current = try store.load(spec)
        if let known = current.usageSource(real), known.inode == inode, known.offset == size {
            return UsageOutcome(status: current, target: try target(current), nothingNew: true)
        }
        var prices: PriceTable?
        var read: StatusStore.TranscriptRead?
        let commit = try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) -> (UsageTarget, UsageImportSummary)? in
            var ledger = try store.loadUsageLedger(spec)
            ledger.settle(recordedImports: status!.recordedUsageImports)
            let previous = status!.usageSource(real)
            let got = try store.readTranscript(real, after: previous, budget: budget)
            read = got
            if let previous, !got.restarted, got.offset == previous.offset { return nil }
            let place = try target(status!)
            if prices == nil, got.scan.requests.contains(where: { !$0.model.isEmpty }) { prices = try store.loadPrices() }
            let source = UsageSource(source: real, offset: got.offset, inode: got.inode, importID: Self.importID(now), readAt: now)
            let summary = status!.importTranscript(got.scan, source: source, to: place, ledger: &ledger,
                                                   price: { prices?.price(of: $0) }, now: now)
            try store.saveUsageLedger(ledger, spec)
            return (place, summary)
        }
        let place: UsageTarget
        if let result = commit.result { place = result.0 } else { place = try target(commit.status) }
        var outcome = UsageOutcome(status: commit.status, target: place,
                                   summary: commit.result?.1 ?? UsageImportSummary(), nothingNew: commit.result == nil,
                                   priceSource: prices?.source)
        if let read {
            outcome.restarted = read.restarted
            outcome.linesRead = read.scan.lines
            outcome.skippedNotJSON = read.scan.notJSON
            outcome.skippedBadCounts = read.scan.badCounts
        }
        return outcome
    }

    /// Unique per import: the ledger's pending entries count once the status file shows it.
    static func importID(_ now: Timestamp) -> String { "\(now.millisecondsSinceEpoch)-\(getpid())-\(SystemClock.uniqueSuffix())" }

    /// `budget SPEC --usd X` (nil clears it).
    public func setBudget(_ spec: SpecID, usd: Double?) throws(TrackerError) -> StatusFile {
        try store.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
            status!.setBudget(usd, now: now)
        }.status
    }
}
