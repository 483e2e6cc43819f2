// `validate` on the event log: its lines are events in `seq` order, and replaying them through
// the status file's `event_seq` gives the status file (docs/events.md, "Checking it").

extension ValidationReport {
    /// Issues of the event log `bytes` (shown as `log`) against `status`.
    public static func checkLog(_ bytes: [UInt8], against status: StatusFile, log: String) -> [Issue] {
        let reflected = EventRecord.reflected(byFileWith: status.eventSeq, last: EventReplay.scan(log: bytes).last)
        let outcome: EventReplay.Outcome
        do {
            outcome = try EventReplay.replay(log: bytes, through: reflected ?? Int64.max)
        } catch {
            return [Issue(kind: .eventLogMismatch, path: log, message: "cannot be replayed: \(error)")]
        }
        var issues = outcome.problems.map { Issue(kind: .eventLogLine, path: "\(log):\($0.line)", message: "is not an event: \($0.problem)") }
        issues += outcome.outOfOrder.map { Issue(kind: .eventLogLine, path: "\(log) seq \($0.seq)", message: "follows event \($0.after): seq must increase") }
        guard let last = outcome.last?.seq else { return issues }
        guard let reflected else {
            issues.append(Issue(kind: .eventLogMismatch, path: "event_seq",
                                message: "is missing, but \(log) has events: the file was replaced since exectrack last wrote it"))
            return issues
        }
        guard reflected <= last else {
            issues.append(Issue(kind: .eventLogMismatch, path: "event_seq",
                                message: "is \(reflected), but \(log) ends at event \(last): the file is not the one its log describes"))
            return issues
        }
        guard var replayed = outcome.replay.state else {
            issues.append(Issue(kind: .eventLogMismatch, path: log, message: "has no state by event \(reflected), the file's event_seq"))
            return issues
        }
        var file = status
        file.recomputeDerivedFields()
        replayed.eventSeq = file.eventSeq
        for path in file.differences(from: replayed).prefix(5) {
            issues.append(Issue(kind: .eventLogMismatch, path: path,
                                message: "differs from what \(log) says (edited by hand since the last write? the next write records it)"))
        }
        return issues
    }
}

extension StatusFile {
    /// Where two versions differ, as jq-style paths: spec fields, layer fields, whole tasks,
    /// error and warning entries.
    public func differences(from other: StatusFile) -> [String] {
        var paths: [String] = []
        let mine = ownFields, theirs = other.ownFields
        for key in Set(mine.keys + theirs.keys).sorted() where mine[key] != theirs[key] { paths.append(key) }
        let otherLayers = Dictionary(other.layers.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for layer in layers {
            guard let old = otherLayers[layer.key] else {
                paths.append("layers.\(layer.key)")
                continue
            }
            if layer.ownFields != old.ownFields { paths.append("layers.\(layer.key) (its fields)") }
            for (i, task) in layer.tasks.enumerated() where i >= old.tasks.count || task != old.tasks[i] {
                paths.append("layers.\(layer.key).tasks[\(i)]")
            }
            if old.tasks.count > layer.tasks.count { paths.append("layers.\(layer.key).tasks[\(layer.tasks.count)...]") }
        }
        for layer in other.layers where !layers.contains(where: { $0.key == layer.key }) { paths.append("layers.\(layer.key)") }
        for (name, mine, theirs) in [("errors", errors.map { $0.json }, other.errors.map { $0.json }),
                                     ("warnings", warnings.map { $0.json }, other.warnings.map { $0.json })] {
            for i in 0..<max(mine.count, theirs.count) where i >= mine.count || i >= theirs.count || mine[i] != theirs[i] {
                paths.append("\(name)[\(i)]")
            }
        }
        return paths
    }
}
