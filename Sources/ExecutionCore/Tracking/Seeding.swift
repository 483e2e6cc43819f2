// Turning a parsed tasks file into a status file, and re-parsing without losing progress.

/// What a re-parse changed, for the user to read.
public struct ReseedSummary: Equatable, Sendable {
    public var kept = 0
    public var moved: [String] = []
    public var reworded: [String] = []
    public var added: [String] = []
    public var removed: [String] = []
    /// The removed tasks that had been started, finished or failed: dropping them loses history.
    public var removedWithProgress: [String] = []
    /// Tasks whose box in the plan was ticked or unticked by hand since the last parse or sync.
    public var checkedByHand: [String] = []

    public var changedAnything: Bool { !moved.isEmpty || !reworded.isEmpty || !added.isEmpty || !removed.isEmpty }
}

extension ExecutionTask {
    init(parsed: ParsedTask, index: Int) {
        self.init()
        takePlan(of: parsed, index: index)
    }

    /// Sets what the tasks file says about the task and nothing else, so a re-parse keeps the
    /// progress and every field the file does not describe (a field added to the model included).
    /// A task checked in the file counts as complete unless it already has progress.
    mutating func takePlan(of parsed: ParsedTask, index: Int) {
        self.index = index
        id = parsed.id
        description = parsed.description
        command = parsed.command
        if let agent = parsed.agent { self.agent = agent }
        complexity = parsed.complexity
        dependencies = parsed.dependencies
        parallel = parsed.parallel
        story = parsed.story
        requirements = parsed.requirements.isEmpty ? nil : parsed.requirements
        // A ticked box completes a pending task, unless that box is the state last parsed or
        // synced (the task was since retried here: the tracker has the newer word).
        if parsed.done && status == .pending && planChecked != true { status = .complete }
        if parsed.checkboxOffset != nil { planChecked = parsed.done }
    }

    /// The plan's box, ticked or unticked by hand: complete, or back to pending (a retry).
    mutating func takeCheckbox(_ checked: Bool, now: Timestamp) {
        if checked {
            guard status != .complete else { return }
            status = .complete
            completedAt = now
            durationMs = startedAt.map { now.milliseconds(since: $0) }
        } else {
            guard status == .complete else { return }
            status = .pending
            startedAt = nil
            completedAt = nil
            durationMs = nil
        }
        clearLease()
    }

    /// `L1.3 (T004) Build the thing`: how tasks are named in messages.
    func label(layer: String) -> String {
        "\(layer).\(index)" + (id.map { " (\($0))" } ?? "") + " \(description)"
    }
}

extension StatusFile {
    /// A fresh status file for `feature` with every task pending (or complete where checked).
    public static func seeded(feature: String, from source: LayeredTasks, now: Timestamp) -> StatusFile {
        var status = StatusFile(feature: feature, featureName: source.featureName ?? feature)
        status.createdAt = now
        status.plannedAt = now
        status.layers = source.layers.map { parsed in
            var layer = ExecutionLayer(key: parsed.key, name: parsed.name,
                                       tasks: parsed.tasks.enumerated().map { ExecutionTask(parsed: $1, index: $0) })
            layer.requiredGates = parsed.gates.isEmpty ? nil : parsed.gates
            layer.dependsOn = parsed.dependsOn
            return layer
        }
        status.layers = numericallyOrdered(status.layers)
        status.recomputeDerivedFields()
        return status
    }

    /// Replaces the task list with `source`'s, keeping the progress of every task still there.
    /// Matching runs in passes, each only over tasks not matched yet: same id; same layer and
    /// normalised description; same description in any layer (moved); then the most similar
    /// description (reworded, at least half the words shared, same layer preferred).
    public mutating func reseed(from source: LayeredTasks, now: Timestamp) -> ReseedSummary {
        // The old tasks by their place: read where they are, not copied (10,000 tasks of
        // several hundred bytes at the bench's size).
        struct OldTask { let layer: Int; let task: Int; var taken = false }
        var old: [OldTask] = []
        old.reserveCapacity(layers.reduce(0) { $0 + $1.tasks.count })
        for (l, layer) in layers.enumerated() {
            for t in layer.tasks.indices { old.append(OldTask(layer: l, task: t)) }
        }
        func oldKey(_ m: Int) -> String { layers[old[m].layer].key }
        func oldDescription(_ m: Int) -> String { layers[old[m].layer].tasks[old[m].task].description }
        var byID: [String: Int] = [:]
        byID.reserveCapacity(old.count)
        for (i, entry) in old.enumerated() {
            if let id = layers[entry.layer].tasks[entry.task].id?.lowercased(), byID[id] == nil { byID[id] = i }
        }
        var match: [[Int?]] = source.layers.map { Array(repeating: nil, count: $0.tasks.count) }
        var unmatched = source.taskCount
        /// `candidate` gives an old task not taken yet, or nil.
        func pass(_ candidate: (ParsedLayer, ParsedTask) -> Int?) {
            guard unmatched > 0 else { return }
            for (l, layer) in source.layers.enumerated() {
                for (t, task) in layer.tasks.enumerated() where match[l][t] == nil {
                    guard let m = candidate(layer, task) else { continue }
                    old[m].taken = true
                    match[l][t] = m
                    unmatched -= 1
                }
            }
        }
        func untaken(_ candidates: [Int]?) -> Int? { candidates?.first { !old[$0].taken } }
        pass { _, task in task.id.flatMap { byID[$0.lowercased()] }.flatMap { old[$0].taken ? nil : $0 } }
        // Description indexes only when ids left tasks unmatched: normalising is the costly part.
        if unmatched > 0 {
            var byLayerDescription: [String: [Int]] = [:]
            var byDescription: [String: [Int]] = [:]
            for (i, entry) in old.enumerated() where !entry.taken {
                let d = Self.normalised(oldDescription(i))
                byLayerDescription[oldKey(i) + "\u{0}" + d, default: []].append(i)
                byDescription[d, default: []].append(i)
            }
            pass { layer, task in untaken(byLayerDescription[layer.key + "\u{0}" + Self.normalised(task.description)]) }
            pass { _, task in untaken(byDescription[Self.normalised(task.description)]) }
        }
        // Word sets only for what the exact passes left over: usually nothing.
        var oldWords: [Int: Set<Substring>] = [:]
        pass { layer, task in
            let words = Self.words(task.description)
            var best: (index: Int, score: Double)?
            for (i, entry) in old.enumerated() where !entry.taken {
                if oldWords[i] == nil { oldWords[i] = Self.words(oldDescription(i)) }
                let other = oldWords[i]!
                let shared = Double(words.intersection(other).count)
                let similarity = shared / Double(max(1, words.union(other).count))
                let score = similarity + (oldKey(i) == layer.key ? 0.01 : 0)
                if similarity >= 0.5, score > best?.score ?? 0 { best = (i, score) }
            }
            return best?.index
        }

        var summary = ReseedSummary()
        var newLayers: [ExecutionLayer] = []
        var relocated: [String: (layer: String, index: Int)] = [:]
        for (l, parsedLayer) in source.layers.enumerated() {
            let previous = layers.first { $0.key == parsedLayer.key }
            var layer = ExecutionLayer(key: parsedLayer.key, name: parsedLayer.name, extra: previous?.extra ?? JSONObject())
            layer.startedAt = previous?.startedAt
            // The tasks file says which gates are required; the attempts recorded stay.
            layer.requiredGates = parsedLayer.gates.isEmpty ? nil : parsedLayer.gates
            layer.dependsOn = parsedLayer.dependsOn
            layer.gates = previous?.gates
            layer.gatesOverriddenAt = previous?.gatesOverriddenAt
            layer.gatesOverrideReason = previous?.gatesOverrideReason
            layer.tasks.reserveCapacity(parsedLayer.tasks.count)
            for (t, parsedTask) in parsedLayer.tasks.enumerated() {
                var task: ExecutionTask
                if let m = match[l][t] {
                    let before = layers[old[m].layer].tasks[old[m].task]
                    let beforeKey = oldKey(m)
                    task = before
                    task.takePlan(of: parsedTask, index: t)
                    // A box ticked or unticked by hand since the last parse or sync: the plan's word.
                    if parsedTask.checkboxOffset != nil, let synced = before.planChecked, synced != parsedTask.done {
                        task.takeCheckbox(parsedTask.done, now: now)
                        summary.checkedByHand.append("\(task.label(layer: layer.key)) \(parsedTask.done ? "ticked" : "unticked")")
                    }
                    summary.kept += 1
                    // Only a task that moved takes its errors along.
                    if !errors.isEmpty, beforeKey != layer.key || before.index != t {
                        relocated["\(beforeKey)#\(before.index)"] = (layer.key, t)
                    }
                    if before.description != task.description,
                       Self.normalised(before.description) != Self.normalised(task.description) {
                        summary.reworded.append("\(before.label(layer: beforeKey)) → \(task.description)")
                    }
                    if beforeKey != layer.key || before.index != t {
                        summary.moved.append("\(before.label(layer: beforeKey)) → \(layer.key).\(t)")
                    }
                } else {
                    task = ExecutionTask(parsed: parsedTask, index: t)
                    summary.added.append(task.label(layer: layer.key))
                }
                layer.tasks.append(task)
            }
            newLayers.append(layer)
        }
        for (m, entry) in old.enumerated() where !entry.taken {
            let task = layers[entry.layer].tasks[entry.task]
            let label = task.label(layer: oldKey(m))
            summary.removed.append(label)
            if task.hasProgress { summary.removedWithProgress.append(label) }
            logWarning("task removed from the tasks file: \(label) (was \(task.status.rawValue))",
                       layer: oldKey(m), taskIndex: task.index, now: now)
        }
        // Errors follow their task to its new place; errors of removed tasks keep the old place.
        for i in errors.indices {
            guard let index = errors[i].taskIndex, let to = relocated["\(errors[i].layer)#\(index)"] else { continue }
            errors[i].layer = to.layer
            errors[i].taskIndex = to.index
        }
        if let name = source.featureName { featureName = name }
        layers = Self.numericallyOrdered(newLayers)
        if summary.changedAnything { plannedAt = now }
        recomputeDerivedFields()
        return summary
    }

    /// Whether replacing this file would lose anything the tasks file cannot give back: a task
    /// with progress, errors, warnings, a pause or block, or fields added by others.
    public var hasProgress: Bool {
        !errors.isEmpty || !warnings.isEmpty || pausedAt != nil || blockedAt != nil || !extra.isEmpty
            || layers.contains { !$0.extra.isEmpty } || allTasks.contains(where: \.hasProgress)
    }

    /// One line per layer that came out of the tasks file without tasks: it counts as complete
    /// at once (docs/reports.md), which is seldom what the plan meant.
    public var emptyLayerWarnings: [String] {
        layers.filter({ $0.tasks.isEmpty }).map {
            "layer \($0.key) (\($0.name.visibleControlCharacters)) has no tasks; it counts as complete, so later layers will not wait for it"
        }
    }

    static func words(_ description: String) -> Set<Substring> {
        Set(description.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }))
    }

    /// Lowercased words only, so rewording whitespace, case or punctuation still matches.
    static func normalised(_ description: String) -> String {
        description.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).joined(separator: " ")
    }
}

extension ExecutionTask {
    /// Whether the task holds anything the tasks file cannot give back: it was started,
    /// finished, failed or retried, or carries output, files, an error or fields added by others.
    /// A task seeded complete from a checked box in the tasks file has none of its own.
    public var hasProgress: Bool {
        attempts > 0 || startedAt != nil || completedAt != nil || status == .inProgress || status == .failed
            || output != nil || error != nil || !filesCreated.isEmpty || !filesModified.isEmpty || !extra.isEmpty
    }
}
