import ExecutionCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Notification rules in force and running them after a write (docs/notifications.md). The
// repository's rules run only once trusted: a cloned repository must not run commands on its own.

/// Where one notify.json is and whether its rules run.
public struct NotifySource: Sendable {
    public enum Kind: String, Sendable { case user, repository }
    public enum State: Equatable, Sendable {
        case active
        case missing
        /// The repository's file, never trusted here.
        case untrusted
        /// The repository's file, changed since it was trusted.
        case changed
        /// Cannot be read (a FIFO, too large, no permission): why.
        case unreadable(String)
    }

    public var kind: Kind
    public var path: String
    /// As messages show it (relative to the project root when inside it).
    public var shown: String
    public var state: State
    public var config = NotifyConfig()
    /// SHA-256 of its bytes, when it could be read.
    public var sha256: String?
}

/// The user's configuration directory and whether notifications are off, from the environment
/// (read by the command line, passed in).
public struct NotifySettings: Sendable {
    /// `${XDG_CONFIG_HOME:-$HOME/.config}/exectrack`; nil without either.
    public var userDirectory: String?
    /// `EXECTRACK_NO_NOTIFY=1`.
    public var disabled: Bool

    public init(userDirectory: String?, disabled: Bool) {
        self.userDirectory = userDirectory
        self.disabled = disabled
    }

    /// From the values of `XDG_CONFIG_HOME`, `HOME` and `EXECTRACK_NO_NOTIFY`. A relative
    /// `XDG_CONFIG_HOME` is ignored, as the XDG specification says.
    public init(xdgConfigHome: String?, home: String?, noNotify: String?) {
        let base = xdgConfigHome.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home.flatMap { $0.hasPrefix("/") ? $0 + "/.config" : nil }
        userDirectory = base.map { $0 + "/exectrack" }
        disabled = noNotify.map { !$0.isEmpty && $0 != "0" } ?? false
    }

    var trustPath: String? { userDirectory.map { $0 + "/trusted.json" } }
}

/// Runs the rules an event matches, once the write that logged it has released the lock. It
/// never throws and never changes the caller's exit code: problems are warnings, failures of a
/// command are logged as `notify.failed`.
public final class Notifier: Sendable {
    public let settings: NotifySettings
    private let warn: @Sendable (String) -> Void
    /// Rules are read once per process, and their problems reported once.
    private let loaded = Mutex<[NotifyRule]?>(nil)
    /// Events that match a rule are handed to a process of their own (`notify SPEC --deliver`)
    /// instead of run here: for the hook, which must not wait for a rule's command.
    private let handsOff: Bool

    public convenience init(_ settings: NotifySettings, warn: @escaping @Sendable (String) -> Void) {
        self.init(settings, handsOff: false, warn: warn)
    }

    private init(_ settings: NotifySettings, handsOff: Bool, warn: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.handsOff = handsOff
        self.warn = warn
    }

    /// This notifier's settings, handing matching events to a process of their own and telling
    /// its problems to `warn`.
    func handingOff(warn: @escaping @Sendable (String) -> Void) -> Notifier {
        Notifier(settings, handsOff: true, warn: warn)
    }

    /// How long a failure's record may wait for the spec's lock: the caller is done already.
    static let recordLockSeconds = 2.0

    func dispatch(_ records: [EventRecord], spec: SpecID, store: StatusStore) {
        guard !settings.disabled else { return }
        // Not notifications themselves, nor another machine's events (that machine notified).
        let candidates = records.filter { $0.eventType.map { !$0.isNotification && $0 != .eventMerged } ?? false }
        guard !candidates.isEmpty else { return }
        let rules = activeRules(store)
        guard !rules.isEmpty else { return }
        var jobs: [Job] = []
        for record in candidates {
            let notification = Notification(record, spec: spec.rawValue)
            for rule in rules where rule.matches(record.eventType!, priority: notification.priority) {
                jobs.append(Job(rule: rule, record: record, notification: notification))
            }
        }
        guard !jobs.isEmpty else { return }
        if handsOff {
            handOff(jobs.map(\.record.seq), spec: spec, store: store)
            return
        }
        jobs = passingCooldowns(jobs, store: store)
        let outcomes = run(jobs, spec: spec, store: store)
        var failures: [ChangeEvent] = []
        for (job, outcome) in zip(jobs, outcomes) where !outcome.succeeded {
            let reason = outcome.reason(timeoutSeconds: job.rule.timeoutSeconds)
            warn("notification rule \(job.rule.origin) failed for \(job.record.eventType!.shortName): \(reason) (logged as notify.failed)")
            failures.append(Self.failure(job, outcome, reason: reason))
        }
        guard !failures.isEmpty else { return }
        do {
            try store.quiet(lockTimeoutSeconds: Self.recordLockSeconds).appendAnnotations(failures, spec, now: SystemClock.now())
        } catch {
            warn("could not log notify.failed in \(store.display(store.eventsPath(spec))): \(error.message)")
        }
    }

    /// Starts `exectrack notify SPEC --deliver FROM-TO` for the events of those seqs, and does not
    /// wait for it.
    private func handOff(_ seqs: [Int64], spec: SpecID, store: StatusStore) {
        guard let executable = FileSystem.realPath("/proc/self/exe") else {
            warn("cannot find this program to hand notifications to; they were not sent")
            return
        }
        let command = ChildCommand(argv: [executable, "notify", spec.rawValue, "--deliver", "\(seqs.min()!)-\(seqs.max()!)", "--root", store.root],
                                   timeoutSeconds: 0, directory: store.root)
        if let problem = ChildProcess.startDetached(command) { warn("notifications not sent: \(problem)") }
    }

    /// `notify SPEC --deliver FROM-TO`: runs the rules for the logged events of those seqs (what
    /// a hook handed off), as a write would have.
    public func deliver(_ spec: SpecID, seqs: ClosedRange<Int64>, store: StatusStore) throws(TrackerError) -> Int {
        let records = try store.readEvents(spec).events.filter { seqs.contains($0.seq) }
        dispatch(records, spec: spec, store: store)
        return records.count
    }

    /// `notify --test`: every active rule run once with a sample event, whatever its filter and
    /// cooldown. Logs nothing.
    public func test(_ spec: SpecID, store: StatusStore) -> [(rule: NotifyRule, outcome: ChildOutcome)] {
        let record = EventRecord(ChangeEvent(.notifyTest, data: JSONObject([("test", .bool(true))])), spec: spec.rawValue,
                                 id: "\(spec)-test-\(SystemClock.uniqueSuffix())-\(getpid())", seq: 0, time: SystemClock.now(),
                                 actor: JSONObject([("pid", .int(Int(getpid())))]))
        let notification = Notification(record, spec: spec.rawValue)
        let jobs = activeRules(store).map { Job(rule: $0, record: record, notification: notification) }
        return Array(zip(jobs.map { $0.rule }, run(jobs, spec: spec, store: store)))
    }

    struct Job {
        var rule: NotifyRule
        var record: EventRecord
        var notification: Notification
    }

    private func run(_ jobs: [Job], spec: SpecID, store: StatusStore) -> [ChildOutcome] {
        ChildProcess.run(jobs.map { job in
            ChildCommand(argv: job.rule.command,
                         environment: Notification.environment(job.record, spec: spec.rawValue, root: store.root, notification: job.notification),
                         stdin: Notification.payload(job.record), timeoutSeconds: job.rule.timeoutSeconds, directory: store.root)
        })
    }

    private static func failure(_ job: Job, _ outcome: ChildOutcome, reason: String) -> ChangeEvent {
        var data = JSONObject([
            ("event_id", .string(job.record.id)), ("event_type", .string(job.record.type)), ("event_seq", .number(JSONNumber(job.record.seq))),
            ("rule", .string(job.rule.origin)), ("rule_name", .optional(job.rule.name)),
            ("command", .string(SecretMask.mask(job.rule.command[0]))), ("reason", .string(reason)),
        ])
        switch outcome.ending {
        case .exited(let code): data.append("exit_code", .int(Int(code)))
        case .signaled(let signal): data.append("signal", .int(Int(signal)))
        default: break
        }
        data.append("duration_ms", .number(JSONNumber(outcome.durationMs)))
        data.append("output", .string(SecretMask.mask(String(decoding: outcome.output, as: UTF8.self))))
        return ChangeEvent(.notifyFailed, subject: job.record.subject, data: data)
    }

    // MARK: - Rules in force

    private func activeRules(_ store: StatusStore) -> [NotifyRule] {
        loaded.withLock { rules in
            if let rules { return rules }
            var active: [NotifyRule] = []
            for source in store.notifySources(settings) {
                switch source.state {
                case .active:
                    active += source.config.rules
                    source.config.problems.forEach(warn)
                case .untrusted:
                    warn("\(source.shown) is not trusted, so its notification rules do not run; review it, then run: exectrack notify --trust")
                case .changed:
                    warn("\(source.shown) changed since it was trusted, so its notification rules do not run; review it, then run: exectrack notify --trust")
                case .unreadable(let why):
                    warn("\(why); its notification rules do not run")
                case .missing:
                    break
                }
            }
            rules = active
            return active
        }
    }

    // MARK: - Cooldowns

    /// The jobs whose rule did not fire for the same event type and subject within its
    /// `cooldown_s`, recording the ones that now fire. Shared by every process of the project
    /// through `.claude/exectrack/notify-state.json`, under its lock.
    private func passingCooldowns(_ jobs: [Job], store: StatusStore) -> [Job] {
        guard jobs.contains(where: { $0.rule.cooldownSeconds > 0 }) else { return jobs }
        let path = store.notifyStatePath
        do {
            return try store.withToolState(path) { (state: inout JSONObject) -> [Job] in
                let now = SystemClock.now()
                var cooldowns = state["cooldowns"]?.objectValue ?? JSONObject()
                cooldowns = JSONObject(cooldowns.entries.filter { entry in
                    entry.value.stringValue.flatMap(Timestamp.init(iso8601:)).map { $0 > now } ?? false
                })
                var passing: [Job] = []
                for job in jobs {
                    guard job.rule.cooldownSeconds > 0 else {
                        passing.append(job)
                        continue
                    }
                    let key = "\(job.rule.fingerprint) \(job.record.type) \(job.record.subject ?? "")"
                    // An end further away than the rule's cooldown was not written by it (a file
                    // shipped in a clone): it silences nothing.
                    let limit = now.adding(milliseconds: Int64(job.rule.cooldownSeconds * 1000))
                    if let until = cooldowns[key]?.stringValue.flatMap(Timestamp.init(iso8601:)), until <= limit { continue }
                    cooldowns[key] = .string(limit.iso8601)
                    passing.append(job)
                }
                state = JSONObject([("cooldowns", .object(cooldowns))])
                return passing
            }
        } catch {
            warn("cooldowns of notification rules unavailable (\(error.message)); notifying anyway")
            return jobs
        }
    }
}

extension StatusStore {
    public var repositoryNotifyPath: String { toolDirectory + "/notify.json" }
    var notifyStatePath: String { toolDirectory + "/notify-state.json" }

    /// The user's notify.json, then the repository's, each with its state.
    public func notifySources(_ settings: NotifySettings) -> [NotifySource] {
        var sources: [NotifySource] = []
        if let directory = settings.userDirectory {
            sources.append(readSource(.user, path: directory + "/notify.json") { _ in .active })
        }
        sources.append(readSource(.repository, path: repositoryNotifyPath) { sha in trustState(of: repositoryNotifyPath, sha256: sha, settings) })
        return sources
    }

    private func readSource(_ kind: NotifySource.Kind, path: String, state: (String) -> NotifySource.State) -> NotifySource {
        let shown = display(path)
        var source = NotifySource(kind: kind, path: path, shown: shown, state: .missing)
        // A link could make a clone's rules the content trusted at another path.
        if kind == .repository, FileSystem.linkInfo(path)?.isSymlink == true {
            source.state = .unreadable("\(shown) is a symlink; exectrack runs only rules the repository holds itself")
            return source
        }
        do {
            guard let bytes = try FileSystem.read(path, shownAs: shown, role: "a notify.json", refuseWith: .corruptFile, maxBytes: 1 << 20) else {
                return source
            }
            let sha = SHA256.hex(bytes)
            source.sha256 = sha
            source.state = state(sha)
            source.config = NotifyConfig.parse(bytes, file: shown)
        } catch {
            source.state = .unreadable(error.message)
        }
        return source
    }

    /// `notify --trust`: records the SHA-256 of the repository's notify.json as it is now, in the
    /// user's directory (outside the repository, where a clone cannot write). Returns it.
    public func trustRepositoryRules(_ settings: NotifySettings, now: Timestamp) throws(TrackerError) -> NotifySource {
        let source = notifySources(settings).last!
        guard let sha = source.sha256 else {
            if case .unreadable(let why) = source.state { throw TrackerError(.corruptFile, why) }
            throw TrackerError(.notFound, "no \(source.shown) to trust")
        }
        try recordTrust(of: repositoryNotifyPath, sha256: sha, settings, now: now)
        var trusted = source
        trusted.state = .active
        return trusted
    }

    /// `notify --untrust`: forgets the repository's notify.json; false when it was not trusted.
    public func untrustRepositoryRules(_ settings: NotifySettings) throws(TrackerError) -> Bool {
        try forgetTrust(of: repositoryNotifyPath, settings)
    }
}
