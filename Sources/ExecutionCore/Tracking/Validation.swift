/// `validate`: what is inconsistent in a status file that reads fine. Pure: raw JSON and "now" in.
public struct ValidationReport: Equatable, Sendable {
    public struct Issue: Equatable, Sendable {
        public enum Kind: String, Sendable {
            /// A derived field that disagrees with the tasks; `--fix` rewrites it.
            case staleDerivedField = "stale_derived_field"
            case impossibleTimestamp = "impossible_timestamp"
            case duplicateID = "duplicate_id"
            case missingDependency = "missing_dependency"
            case danglingError = "dangling_error"
            /// A lease no process could hold: pid 0 or below, a TTL of 0 or below, a heartbeat or
            /// claim in the future (docs/agents.md).
            case impossibleLease = "impossible_lease"
            /// A line of the event log that is not an event, or out of order.
            case eventLogLine = "event_log_line"
            /// The event log does not replay to the status file.
            case eventLogMismatch = "event_log_mismatch"
        }

        public var kind: Kind
        /// Where, as a jq-style path: `layers.L1.tasks[2].completed_at`.
        public var path: String
        public var message: String

        public var fixable: Bool { kind == .staleDerivedField }
    }

    public var issues: [Issue]

    public var isValid: Bool { issues.isEmpty }
    public var unfixable: [Issue] { issues.filter { !$0.fixable } }

    /// Checks the document as read against the same document with derived fields recomputed
    /// (with the gates `gates` requires; docs/gates.md).
    public static func check(_ raw: JSONValue, spec: String, gates: GateConfig = GateConfig(), now: Timestamp) throws(StatusFileShapeError) -> ValidationReport {
        let status = try StatusFile(json: raw, defaultFeature: spec)
        var recomputed = status
        recomputed.configureGates(gates)
        recomputed.recomputeDerivedFields()
        var issues: [Issue] = []
        staleFields(raw, recomputed.json, path: "", into: &issues)
        timestamps(recomputed, now: now, into: &issues)
        identities(recomputed, into: &issues)
        return ValidationReport(issues: issues)
    }

    static let derivedTopKeys = ["status", "current_layer", "total_tasks", "completed_tasks", "failed_tasks",
                                 "skipped_tasks", "completion_percentage", "average_task_duration_ms",
                                 "estimated_remaining_ms", "next_action"]
    static let derivedLayerKeys = ["status", "total_tasks", "completed_tasks", "failed_tasks", "skipped_tasks", "duration_ms"]

    static func staleFields(_ raw: JSONValue, _ expected: JSONValue, path: String, into issues: inout [Issue]) {
        guard let rawObject = raw.objectValue, let want = expected.objectValue else { return }
        func compare(_ key: String, _ got: JSONValue?, _ should: JSONValue?, at place: String) {
            guard let should, got != should else { return }
            let shown = got.map { JSONWriter.encode($0, style: .compact) } ?? "missing"
            issues.append(Issue(kind: .staleDerivedField, path: place,
                                message: "is \(shown.singleLine), the tasks say \(JSONWriter.encode(should, style: .compact).singleLine)"))
        }
        for key in derivedTopKeys { compare(key, rawObject[key], want[key], at: key) }
        guard let rawLayers = rawObject["layers"]?.objectValue, let wantLayers = want["layers"]?.objectValue else { return }
        for (key, layer) in wantLayers.entries {
            guard let rawLayer = rawLayers[key]?.objectValue, let wantLayer = layer.objectValue else { continue }
            for field in derivedLayerKeys { compare(field, rawLayer[field], wantLayer[field], at: "layers.\(key).\(field)") }
            let rawTasks = rawLayer["tasks"]?.arrayValue ?? []
            for (i, task) in (wantLayer["tasks"]?.arrayValue ?? []).enumerated() where i < rawTasks.count {
                compare("index", rawTasks[i].objectValue?["index"], task.objectValue?["index"], at: "layers.\(key).tasks[\(i)].index")
            }
        }
    }

    /// Ends before starts, times in the future (beyond a minute of clock skew), and tasks that
    /// finished after the layer or the spec that contains them did.
    static func timestamps(_ s: StatusFile, now: Timestamp, into issues: inout [Issue]) {
        let future = now.adding(milliseconds: 60_000)
        for layer in s.layers {
            for task in layer.tasks {
                let place = "layers.\(layer.key).tasks[\(task.index)]"
                if let start = task.startedAt, let end = task.completedAt, end < start {
                    issues.append(Issue(kind: .impossibleTimestamp, path: "\(place).completed_at",
                                        message: "\(end.iso8601) is before started_at \(start.iso8601)"))
                }
                for (name, stamp) in [("started_at", task.startedAt), ("completed_at", task.completedAt)] {
                    if let stamp, stamp > future {
                        issues.append(Issue(kind: .impossibleTimestamp, path: "\(place).\(name)",
                                            message: "\(stamp.iso8601) is in the future"))
                    }
                }
                if let end = task.completedAt {
                    for (owner, ownerEnd) in [("\(layer.key)'s", layer.completedAt), ("the spec's", s.completedAt)] {
                        if let ownerEnd, end > ownerEnd {
                            issues.append(Issue(kind: .impossibleTimestamp, path: "\(place).completed_at",
                                                message: "\(end.iso8601) is later than \(owner) completed_at \(ownerEnd.iso8601)"))
                        }
                    }
                }
                if let pid = task.claimedBy?.pid, pid <= 0 {
                    issues.append(Issue(kind: .impossibleLease, path: "\(place).claimed_by.pid", message: "\(pid) is no process id"))
                }
                if let ttl = task.leaseTtlS, ttl <= 0 {
                    issues.append(Issue(kind: .impossibleLease, path: "\(place).lease_ttl_s",
                                        message: "\(ttl) is no TTL (the default of \(Leases.defaultTTLSeconds)s applies)"))
                }
                for (name, stamp) in [("heartbeat_at", task.heartbeatAt), ("claimed_at", task.claimedAt)] {
                    if let stamp, stamp > future {
                        issues.append(Issue(kind: .impossibleLease, path: "\(place).\(name)", message: "\(stamp.iso8601) is in the future"))
                    }
                }
                if task.status == .inProgress, task.startedAt == nil {
                    issues.append(Issue(kind: .impossibleTimestamp, path: "\(place).started_at",
                                        message: "the task is in_progress but has no started_at"))
                }
            }
        }
    }

    /// Duplicate ids, dependencies naming no task, errors pointing at no task.
    static func identities(_ s: StatusFile, into issues: inout [Issue]) {
        var seen: [String: String] = [:]
        var names: Set<String> = []
        for layer in s.layers {
            for task in layer.tasks {
                let place = "layers.\(layer.key).tasks[\(task.index)]"
                names.insert(StatusFile.normalised(task.description))
                guard let id = task.id else { continue }
                names.insert(id.lowercased())
                if let first = seen[id.lowercased()] {
                    issues.append(Issue(kind: .duplicateID, path: "\(place).id", message: "\(id) is also the id of \(first)"))
                } else {
                    seen[id.lowercased()] = place
                }
            }
        }
        for layer in s.layers {
            for task in layer.tasks {
                for dependency in task.dependencies
                where !names.contains(dependency.lowercased()) && !names.contains(StatusFile.normalised(dependency)) {
                    issues.append(Issue(kind: .missingDependency, path: "layers.\(layer.key).tasks[\(task.index)].dependencies",
                                        message: "depends on \"\(dependency.singleLine)\", which is no task of this spec"))
                }
            }
        }
        for (i, error) in s.errors.enumerated() {
            guard let index = error.taskIndex else { continue }
            if !(s.layers.first { $0.key == error.layer }?.tasks.indices.contains(index) ?? false) {
                issues.append(Issue(kind: .danglingError, path: "errors[\(i)]",
                                    message: "refers to \(error.layer.singleLine) task \(index), which does not exist"))
            }
        }
    }
}
