import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// `exectrack hook` (docs/hooks.md): a Claude Code hook payload applied to the spec its session
// works on. A hook must never break or slow the agent: nothing here throws, waits for the lock
// or runs a notification rule; problems go to `.claude/exectrack/hook.log`.

extension Tracker {
    /// The most of a payload read: a tool's response can be large, and none is worth more.
    public static let maxHookPayloadBytes = 1 << 20

    /// The payload on stdin, up to `maxHookPayloadBytes`; `truncated` when there was more (the
    /// rest is drained, so the writer never blocks on a full pipe).
    public static func readHookPayload() -> (bytes: [UInt8], truncated: Bool) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var truncated = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            if bytes.count + n > maxHookPayloadBytes { truncated = true } else { bytes += buffer[..<n] }
        }
        return (truncated ? [] : bytes, truncated)
    }

    /// The store the hook writes through: it never waits for the lock, and hands the events a
    /// notification rule matches to a process of their own, so no rule's command holds the agent
    /// up; the notifier's problems go to the hook log.
    private var hookStore: StatusStore {
        let log = store
        return store.quiet(lockTimeoutSeconds: 0, handingOffTo: store.notifier?.handingOff(warn: { problem in
            log.appendToHookLog("\(SystemClock.now().iso8601) notify \(SecretMask.mask(problem).singleLine)\n")
        }))
    }

    /// Applies one payload; returns what it did (for tests). `specHint` is `$EXECTRACK_SPEC`.
    @discardableResult
    public func hook(_ bytes: [UInt8], truncated: Bool, specHint: String?) -> HookEffect {
        if truncated { return logged(.problem("the payload is larger than \(Self.maxHookPayloadBytes >> 20) MiB; ignored"), event: nil) }
        let (parsed, problem) = HookPayload.parse(bytes)
        guard let payload = parsed else { return logged(.problem(problem ?? "unreadable payload"), event: nil) }
        guard let (spec, status) = hookSpec(payload, hint: specHint) else {
            return logged(.problem("no spec: the session holds no lease, EXECTRACK_SPEC names none, and not exactly one spec is in progress"),
                          event: payload.event)
        }
        let writer = hookStore
        if let transcript = payload.usageTranscript { importHookUsage(transcript, spec: spec, payload: payload, store: writer) }
        // Decided on the file as read, without the lock: most payloads change nothing.
        var preview = status
        switch preview.apply(hook: payload, now: clock()) {
        case .changed: break
        case let effect: return logged(effect, event: payload.event)
        }
        // Never waits: when another writer holds the lock, this write is skipped.
        do {
            var effect = HookEffect.none("nothing to write")
            try writer.mutate(spec, now: clock) { (status: inout StatusFile?, now) throws(TrackerError) in
                effect = status!.apply(hook: payload, now: now)
            }
            return effect
        } catch {
            return logged(.problem(error.kind == .lockTimeout ? "skipped: another writer holds the lock" : error.message), event: payload.event)
        }
    }

    /// The most of a transcript one hook reads: a huge one is caught up over several Stops, so
    /// no Stop keeps the agent (or the lock) long.
    static let hookTranscriptBudget: Int64 = 64 << 20

    /// The usage in the transcript of a session or subagent that stopped, added to the task it
    /// held (docs/usage.md), without waiting for the lock: what is skipped is read next time.
    private func importHookUsage(_ transcript: String, spec: SpecID, payload: HookPayload, store writer: StatusStore) {
        do {
            let outcome = try importUsage(spec, input: .transcript(transcript), target: { $0.usageTarget(for: payload) },
                                          store: writer, budget: Self.hookTranscriptBudget)
            for warning in UsageText.warnings(outcome) { _ = logged(.problem(warning), event: payload.event) }
        } catch where error.kind == .notFound && !FileSystem.exists(transcript) {
            // Not written yet (a session that has said nothing): nothing to read.
        } catch {
            _ = logged(.problem("usage not read from \(transcript): " + (error.kind == .lockTimeout ? "another writer holds the lock" : error.message)),
                       event: payload.event)
        }
    }

    /// The spec a payload is about, as read: the one where its session holds a lease, else the
    /// hint, else the only spec in progress. Each file is read once.
    func hookSpec(_ payload: HookPayload, hint: String?) -> (SpecID, StatusFile)? {
        // A claim is linked in the spec it named, whatever the session holds elsewhere.
        if let named = payload.claimedSpec.flatMap({ try? SpecID($0) }).flatMap({ try? store.resolve($0) }),
           let status = try? store.load(named) {
            return (named, status)
        }
        var loaded: [(SpecID, StatusFile)] = []
        for spec in store.listSpecs() {
            guard let status = try? store.load(spec) else { continue }
            if let session = payload.sessionId, status.hasLease(ofSession: session) { return (spec, status) }
            loaded.append((spec, status))
        }
        if let hint, !hint.isEmpty, let named = loaded.first(where: { $0.0.rawValue == hint }) { return named }
        let running = loaded.filter { var s = $0.1; s.recomputeDerivedFields(); return s.status == .inProgress }
        return running.count == 1 ? running[0] : nil
    }

    /// Logs a problem to `.claude/exectrack/hook.log` (masked) and returns `effect`.
    private func logged(_ effect: HookEffect, event: String?) -> HookEffect {
        guard case .problem(let why) = effect else { return effect }
        store.appendToHookLog("\(clock().iso8601) \(event ?? "-") \(SecretMask.mask(why).singleLine)\n")
        return effect
    }
}
