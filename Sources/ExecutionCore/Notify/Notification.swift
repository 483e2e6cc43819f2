// What a notification says about an event: its priority and a title and message for humans
// (docs/notifications.md, "Priorities"). Texts are masked for secrets.

extension EventType {
    /// `notify.*`: about notifications themselves; they run no rule, so a failing rule cannot loop.
    public var isNotification: Bool { rawValue.hasPrefix("dev.exectrack.notify.") }
}

/// One notification, as a rule's command receives it.
public struct Notification: Equatable, Sendable {
    public var priority: Priority
    public var title: String
    public var message: String

    /// The priority of an event: routine progress is `low`, milestones `normal`, what needs a
    /// human soon `high` or `urgent` (an error's severity decides between them).
    public static func priority(of event: EventRecord) -> Priority {
        guard let type = event.eventType else { return .normal }
        switch type {
        case .errorLogged:
            switch event.data.objectValue?["error"]?.objectValue?["severity"]?.stringValue {
            case "critical": return .urgent
            case "high": return .high
            default: return .normal
            }
        case .specFailed, .specPaused, .specBlocked, .agentReaped, .budgetExceeded, .gateFailed, .gateOverridden, .notifyFailed: return .high
        case .notifyTest: return .urgent
        case .taskFailed, .layerCompleted, .gatePassed, .gateWarned, .specCompleted, .specResumed, .specRestored, .specArchived,
             .statusEditedExternally, .eventVoided: return .normal
        case .specInitialized, .specReparsed, .taskStarted, .taskCompleted, .taskSkipped, .taskReset, .taskUpdated, .taskHeartbeat,
             .taskUsage, .eventMerged, .warningLogged, .specUpdated, .logStarted: return .low
        }
    }

    /// The notification for `event` of `spec`.
    public init(_ event: EventRecord, spec: String) {
        priority = Self.priority(of: event)
        let data = event.data.objectValue ?? JSONObject()
        let subject = event.subject ?? ""
        let task = data["task"]?.objectValue
        let description = task?["description"]?.stringValue ?? ""
        func reason() -> String { data["reason"]?.stringValue ?? "" }
        switch event.eventType {
        case .taskStarted?, .taskCompleted?, .taskFailed?, .taskSkipped?, .taskReset?, .taskUpdated?:
            let verb = switch event.eventType! {
            case .taskStarted: "started"
            case .taskCompleted: "completed"
            case .taskFailed: "failed"
            case .taskSkipped: "skipped"
            case .taskReset: "is pending again"
            default: "changed"
            }
            title = "\(spec): task \(subject) \(verb)"
            message = description
        case .errorLogged?:
            let error = data["error"]?.objectValue
            title = "\(spec): \(error?["severity"]?.stringValue ?? "an") error on \(subject)"
            message = error?["error"]?.stringValue ?? ""
        case .warningLogged?:
            title = "\(spec): warning" + (subject.isEmpty ? "" : " on \(subject)")
            message = data["warning"]?.objectValue?["message"]?.stringValue ?? ""
        case .layerCompleted?:
            title = "\(spec): layer \(subject) complete"
            message = "Every task of layer \(subject) is done."
        case .agentReaped?:
            let owner = data["previous_owner"]?.objectValue
            let name = owner?["agent"]?.stringValue ?? data["agent"]?.stringValue ?? "an agent"
            title = "\(spec): task \(subject) taken from \(name) (\(data["liveness"]?.stringValue ?? "lost"))"
            message = "Returned to \(data["to"]?.stringValue ?? "pending") after \(data["attempts"]?.intValue ?? 0) attempt(s)."
        case .specCompleted?:
            title = "\(spec): complete"
            message = "Every task of \(spec) is done."
        case .specFailed?:
            title = "\(spec): failed"
            message = "An unresolved critical error stops \(spec)."
        case .specPaused?:
            title = "\(spec): paused"
            message = reason()
        case .specBlocked?:
            title = "\(spec): blocked"
            message = reason()
        case .gatePassed?, .gateFailed?, .gateWarned?:
            let gate = data["gate"]?.objectValue
            title = "\(spec): gate \(gate?["name"]?.stringValue ?? "?") \(gate?["status"]?.stringValue ?? "recorded") in \(subject)"
            message = gate?["details"]?.stringValue ?? ""
        case .gateOverridden?:
            title = "\(spec): gates of \(subject) waived"
            message = reason()
        case .budgetExceeded?:
            let dollars = { (key: String) in data[key]?.numberValue.map(UsageText.dollars) ?? "?" }
            title = "\(spec): over budget"
            message = "Spent \(dollars("spent_usd")) of a \(dollars("budget_usd")) budget."
        case .notifyTest?:
            title = "\(spec): test notification"
            message = "A test of exectrack's notification rules (exectrack notify --test)."
        case .notifyFailed?:
            title = "\(spec): a notification failed"
            message = data["reason"]?.stringValue ?? ""
        case let type:
            title = "\(spec): \(type.map { $0.shortName.replacingDots } ?? event.type)"
            message = ""
        }
        title = SecretMask.mask(title.singleLine)
        message = SecretMask.mask(message)
    }

    /// The environment a rule's command gets besides the caller's (docs/notifications.md).
    public static func environment(_ event: EventRecord, spec: String, root: String, notification: Notification) -> [(String, String)] {
        [
            ("EXECTRACK_EVENT", event.type),
            ("EXECTRACK_EVENT_ID", event.id),
            ("EXECTRACK_SEQ", "\(event.seq)"),
            ("EXECTRACK_SUBJECT", event.subject ?? ""),
            ("EXECTRACK_SPEC", spec),
            ("EXECTRACK_ROOT", root),
            ("EXECTRACK_PRIORITY", notification.priority.rawValue),
            ("EXECTRACK_TITLE", notification.title),
            ("EXECTRACK_MESSAGE", notification.message),
            // Commands a rule runs (exectrack among them) notify no one: no loops.
            ("EXECTRACK_NO_NOTIFY", "1"),
        ]
    }

    /// The event as a rule's command reads it on stdin: its JSON line, strings masked.
    public static func payload(_ event: EventRecord) -> [UInt8] {
        var masked = event
        masked.data = SecretMask.mask(event.data)
        masked.subject = event.subject.map(SecretMask.mask)
        return masked.line
    }
}

extension String {
    fileprivate var replacingDots: String { String(map { $0 == "." || $0 == "_" ? " " : $0 }) }
}
