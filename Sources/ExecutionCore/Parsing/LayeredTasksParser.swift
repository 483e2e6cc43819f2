/// Reads `layered-tasks.md` in the dialects planning tools write (docs/layered-tasks-format.md). Pure: text in, a
/// `LayeredTasks` out; never fails, reports what it could not read as diagnostics.
public enum LayeredTasksParser {
    static let complexityWords: Set<String> = [
        "trivial", "simple", "easy", "low", "moderate", "medium", "mid", "complex", "hard", "high",
        "very complex",
    ]
    static let fieldKeys: [String: Field] = [
        "complexity": .complexity, "agent": .agent, "agents": .agent, "dependencies": .dependencies,
        "depends on": .dependencies, "dependency": .dependencies, "command": .command, "id": .id,
        "parallel": .parallel,
    ]

    enum Field { case complexity, agent, dependencies, command, id, parallel }

    /// The lines of `text`, ended by LF, CRLF or CR. Found by bytes: a line break is always a
    /// character of its own, and splitting by characters costs a grapheme check per character.
    static func lines(of text: String) -> [Substring] {
        let utf8 = text.utf8
        func slice(_ start: Int, _ end: Int) -> Substring {
            text[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]
        }
        return text.withBytes { bytes in
            var lines: [Substring] = []
            var start = 0, i = 0
            while i < bytes.count {
                let byte = bytes[i]
                i += 1
                guard byte == 0x0A || byte == 0x0D else { continue }
                lines.append(slice(start, i - 1))
                if byte == 0x0D, i < bytes.count, bytes[i] == 0x0A { i += 1 }
                start = i
            }
            lines.append(slice(start, bytes.count))
            return lines
        }
    }

    public static func parse(_ text: String) -> LayeredTasks {
        let read = significantLines(text)
        let (format, reason) = detectFormat(read)
        var state = ParserState(text: text, format: format)
        for (line, trimmed, number) in read { state.read(line: line, trimmed: trimmed, number: number) }
        var result = state.finish()
        result.format = format
        result.formatReason = reason
        return result
    }

    /// The lines that can carry content: not blank, not in a fenced code block or an HTML comment.
    static func significantLines(_ text: String) -> [(line: Substring, trimmed: Substring, number: Int)] {
        var result: [(line: Substring, trimmed: Substring, number: Int)] = []
        var inFence: StaticString?
        var inComment = false
        var lineNumber = 0
        for rawLine in lines(of: text) {
            lineNumber += 1
            var line = rawLine
            if lineNumber == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let trimmed = line.trimmed

            if let fence = inFence {
                if trimmed.hasASCIIPrefix(fence) { inFence = nil }
                continue
            }
            if let fence = [StaticString("```"), "~~~"].first(where: trimmed.hasASCIIPrefix) {
                inFence = fence
                continue
            }
            if inComment {
                if trimmed.contains("-->") { inComment = false }
                continue
            }
            if trimmed.hasASCIIPrefix("<!--") {
                if !trimmed.contains("-->") { inComment = true }
                continue
            }
            if trimmed.isEmpty { continue }
            result.append((line, trimmed, lineNumber))
        }
        return result
    }

    /// Which tool wrote the file, from its headings and items, in the order
    /// docs/layered-tasks-format.md gives; and the evidence, for `parse --check`.
    static func detectFormat(_ lines: [(line: Substring, trimmed: Substring, number: Int)]) -> (PlanFormat, String) {
        var phase: Int?, section: Int?, taskHeading: Int?, kiro: Int?
        for (line, trimmed, number) in lines {
            if trimmed.hasPrefix("#") {
                let level = trimmed.prefix(while: { $0 == "#" }).count
                guard level >= 2, level <= 6 else { continue }
                let title = ParserState.plainTitle(trimmed.dropFirst(level))
                if ParserState.layerHeading(title) != nil {
                    return (.layered, "a Layer heading at line \(number)")
                }
                if phase == nil, ParserState.phaseHeading(title) != nil { phase = number }
                if section == nil, ParserState.numberedSection(title) != nil { section = number }
                if taskHeading == nil, ParserState.taskHeading(title) != nil { taskHeading = number }
            } else if kiro == nil, line.first == "-" || line.first == "*", let content = ParserState.bulletText(trimmed),
                      ParserState.kiroItem(content)?.sub == nil, ParserState.kiroItem(content) != nil {
                kiro = number
            }
        }
        if let phase { return (.specKit, "Phase headings (the first at line \(phase)) and no Layer heading") }
        if let section { return (.openSpec, "numbered section headings such as '## 1. Name' (the first at line \(section))") }
        if let taskHeading { return (.taskHeadings, "'## Task N: Title' headings (the first at line \(taskHeading))") }
        if let kiro { return (.kiro, "a checklist of numbered items such as '- [ ] 1. Title' (the first at line \(kiro))") }
        return (.layered, "no Layer, Phase, numbered section or task headings, nor a numbered checklist")
    }
}

struct ParserState {
    /// The whole file: a task's checkbox is found by its offset in it.
    let text: String
    let format: PlanFormat
    var featureName: String?
    var layers: [ParsedLayer] = []
    var diagnostics: [ParseDiagnostic] = []
    /// Heading level of the open layer; a heading at this level or above closes it.
    var layerLevel: Int?
    var sectionAgent: String?
    var lastTaskIndent: Int?
    /// spec-kit: each phase layer's number (nil for `Final Phase`, `Phase 3.1`), and the phase
    /// dependencies stated (subject, and the phases it waits for or runs beside).
    var phaseNumbers: [Int?] = []
    var phaseStatements: [(subject: Int, dependsOn: [Int], parallelWith: Int?, line: Int)] = []
    /// spec-kit: inside a section that holds no tasks (`## Notes`), and its heading level.
    var quietLevel: Int?
    /// Kiro: the open item's own task stands in for its layer until a sub-task shows up.
    var kiroItemIsTask = false

    init(text: String, format: PlanFormat) {
        self.text = text
        self.format = format
    }

    mutating func read(line: Substring, trimmed: Substring, number: Int) {
        if trimmed.hasASCIIPrefix("#") {
            readHeading(trimmed, number: number)
            return
        }
        if format == .specKit, let statement = Self.phaseStatement(trimmed) {
            phaseStatements.append((statement.subject, statement.dependsOn, statement.parallelWith, number))
        }
        if format == .specKit, quietLevel != nil { return }
        if format == .specKit, layerLevel != nil, trimmed.hasASCIIPrefix(">") {
            appendLayerNote(trimmed)
            return
        }
        let indent = Self.indent(of: line)
        if format == .taskHeadings {
            readUnderTaskHeading(trimmed, number: number)
            return
        }
        if let content = Self.bulletText(trimmed) {
            readBullet(content, indent: indent, line: number, text: trimmed)
            return
        }
        // `Complexity: Mid` on its own line, indented under a task, is still that task's field.
        if let taskIndent = lastTaskIndent, indent > taskIndent, let (key, value) = plainField(trimmed),
           let field = LayeredTasksParser.fieldKeys[key.lowercased()] {
            apply(field, value: value)
            return
        }
        if layerLevel != nil, let (key, value) = boldField(trimmed) {
            readLayerField(key: key, value: value)
            if format != .layered, !["agents", "agent", "dependencies", "depends on"].contains(key.lowercased()) { appendLayerNote(trimmed) }
            return
        }
        // `Gates: tests, lint` on its own line under a layer heading (docs/gates.md).
        if layerLevel != nil, let (key, value) = plainField(trimmed), Self.isGatesKey(key) {
            readLayerField(key: key, value: value)
            return
        }
        if looksLikeTask(trimmed) {
            diagnose(number, "looks like a task but is not a list item", trimmed)
        }
    }

    mutating func readHeading(_ trimmed: Substring, number: Int) {
        let level = trimmed.prefix(while: { $0 == "#" }).count
        let title = Self.plainTitle(trimmed.dropFirst(level))
        guard level <= 6, !title.isEmpty else { return }
        if level == 1 {
            if featureName == nil { featureName = Self.featureName(fromTitle: title) }
            layerLevel = nil
            return
        }
        if let quiet = quietLevel {
            guard level <= quiet else { return }
            quietLevel = nil
        }
        switch format {
        case .specKit:
            if let (phaseNumber, name) = Self.phaseHeading(title) {
                openLayer(key: "", name: name, line: number, level: level)
                phaseNumbers.append(phaseNumber)
                return
            }
            if Self.isTasklessSection(title) {
                quietLevel = level
                layerLevel = nil
                return
            }
        case .openSpec:
            if let (sectionNumber, name) = Self.numberedSection(title) {
                openLayer(key: "L\(sectionNumber)", name: name, line: number, level: level)
                return
            }
        case .taskHeadings:
            if let (taskNumber, name) = Self.taskHeading(title) {
                if layerLevel == nil || layers.isEmpty { openLayer(key: "L1", name: "Tasks", line: number, level: level) }
                layerLevel = level
                layers[layers.count - 1].tasks.append(ParsedTask(id: "Task \(taskNumber)", description: name, line: number))
                return
            }
        case .layered, .kiro:
            break
        }
        if format == .layered, let (layerNumber, name) = Self.layerHeading(title) {
            // Named layers get their key (the next free number) in finish().
            openLayer(key: layerNumber.map { "L\($0)" } ?? "", name: name, line: number, level: level)
            return
        }
        if let open = layerLevel, level <= open {
            layerLevel = nil
            return
        }
        // A sub-heading inside a layer (phase, "#### @agent ..."): its @mention is the agent of
        // the tasks under it.
        sectionAgent = Self.mentions(in: title).first
        lastTaskIndent = nil
    }

    mutating func openLayer(key: String, name: String, line: Int, level: Int) {
        layers.append(ParsedLayer(key: key, name: name, line: line))
        layerLevel = level
        sectionAgent = nil
        lastTaskIndent = nil
        kiroItemIsTask = false
    }

    mutating func appendLayerNote(_ note: Substring) {
        guard let l = layers.indices.last else { return }
        layers[l].notes.append(String(note.prefix(Self.maximumQuotedLength)))
    }

    /// The UTF-8 offset in the file of the mark between a checkbox's brackets at the start of `content`.
    func checkboxOffset(_ content: Substring) -> Int? {
        Self.checkbox(content) == nil ? nil : text.utf8.distance(from: text.utf8.startIndex, to: content.startIndex) + 1
    }

    /// Task headings: under `## Task N: Title`, bold fields and bullets describe the task; a
    /// checkbox line marks it done.
    mutating func readUnderTaskHeading(_ trimmed: Substring, number: Int) {
        guard layerLevel != nil, let l = layers.indices.last, let t = layers[l].tasks.indices.last else {
            if let content = Self.bulletText(trimmed), looksLikeTask(content) { diagnose(number, "task outside any task heading", trimmed) }
            return
        }
        if let (key, value) = boldField(trimmed) ?? plainField(trimmed).flatMap({ trimmed.hasPrefix("**") ? $0 : nil }),
           let field = LayeredTasksParser.fieldKeys[key.lowercased()], field != .id {
            apply(field, value: value)
            return
        }
        if let content = Self.bulletText(trimmed), let done = Self.checkbox(content) {
            layers[l].tasks[t].done = done
            layers[l].tasks[t].checkboxOffset = checkboxOffset(content)
            return
        }
        layers[l].tasks[t].notes.append(String((Self.bulletText(trimmed) ?? trimmed).prefix(Self.maximumQuotedLength)))
    }

    /// Kiro: a numbered item opens its layer (and stands as its task until a sub-task shows up);
    /// a numbered sub-task is a task of the open item; `_Requirements: …_` belongs to the task
    /// above. False for any other line.
    mutating func readKiroBullet(_ content: Substring, indent: Int, line: Int) -> Bool {
        if let item = Self.kiroItem(content) {
            // Kiro's boxes include `[-]` (in progress): the mark's offset either way.
            let offset = text.utf8.distance(from: text.utf8.startIndex, to: content.startIndex) + 1
            var task = Self.task(from: item.title, line: line)
            task.done = item.done
            task.checkboxOffset = offset
            if let sub = item.sub {
                // A sub-task belongs to the item of its number, even without that item's line.
                if layerLevel == nil || layers.last?.key != "L\(item.number)" {
                    openLayer(key: "L\(item.number)", name: "Part \(item.number)", line: line, level: 0)
                }
                let l = layers.count - 1
                if kiroItemIsTask, let parent = layers[l].tasks.popLast() {
                    layers[l].notes += parent.notes
                    layers[l].checkboxOffset = parent.checkboxOffset
                    kiroItemIsTask = false
                }
                task.id = "\(item.number).\(sub)"
                if task.agent == nil { task.agent = layers[l].agents.first }
                layers[l].tasks.append(task)
            } else {
                openLayer(key: "L\(item.number)", name: task.description, line: line, level: 0)
                task.id = "\(item.number)"
                layers[layers.count - 1].tasks.append(task)
                kiroItemIsTask = true
            }
            lastTaskIndent = indent
            return true
        }
        let plain = content.trimmingCharacters("_*").trimmed
        if let taskIndent = lastTaskIndent, indent > taskIndent, let (key, value) = plainField(plain), key.lowercased() == "requirements",
           let l = layers.indices.last, !layers[l].tasks.isEmpty {
            layers[l].tasks[layers[l].tasks.count - 1].requirements += value.split(separator: ",").map { String($0.trimmed) }.filter { !$0.isEmpty }
            return true
        }
        // A checklist item without its `N.` or `N.M` number has no place in the plan.
        if content.first == "[", content.dropFirst(2).first == "]", lastTaskIndent.map({ indent <= $0 }) ?? true {
            diagnose(line, "checklist item without an 'N.' or 'N.M' number (Kiro numbers every item)", content)
            return true
        }
        return false
    }

    mutating func readBullet(_ content: Substring, indent: Int, line: Int, text: Substring) {
        if format == .kiro, readKiroBullet(content, indent: indent, line: line) { return }
        // An indented `Key: value` bullet under a task is one of that task's fields.
        if let taskIndent = lastTaskIndent, indent > taskIndent, let (key, value) = plainField(content),
           let field = LayeredTasksParser.fieldKeys[key.lowercased()] {
            apply(field, value: value)
            return
        }
        if let taskIndent = lastTaskIndent, indent > taskIndent, Self.checkbox(content) == nil,
           let l = layers.indices.last, !layers[l].tasks.isEmpty {
            // Detail under a task (acceptance criteria, hints): kept as a note of that task.
            layers[l].tasks[layers[l].tasks.count - 1].notes.append(String(content.prefix(Self.maximumQuotedLength)))
            return
        }
        // `- Gates: tests, lint` as a list item of the layer, not a task.
        if layerLevel != nil, Self.checkbox(content) == nil, let (key, value) = plainField(content), Self.isGatesKey(key) {
            readLayerField(key: key, value: value)
            return
        }
        guard let layerIndex = layers.indices.last, layerLevel != nil else {
            // Prose bullets outside layers (overviews, notes) are not tasks; task-shaped ones are reported.
            if looksLikeTask(content) { diagnose(line, "task outside any layer heading", text) }
            return
        }
        var task = Self.task(from: content, line: line, numberedID: format == .openSpec)
        guard !task.description.isEmpty else {
            diagnose(line, "list item with no task description", text)
            return
        }
        task.checkboxOffset = checkboxOffset(content)
        if task.agent == nil { task.agent = sectionAgent ?? layers[layerIndex].agents.first }
        layers[layerIndex].tasks.append(task)
        lastTaskIndent = indent
    }

    mutating func diagnose(_ line: Int, _ message: String, _ text: Substring) {
        diagnostics.append(ParseDiagnostic(line: line, message: message, text: String(text.prefix(Self.maximumQuotedLength))))
    }

    mutating func apply(_ field: LayeredTasksParser.Field, value: Substring) {
        guard let l = layers.indices.last, var task = layers[l].tasks.last else { return }
        let v = value.trimmed
        switch field {
        case .complexity: task.complexity = String(v)
        case .agent: task.agent = Self.mentions(in: v).first ?? (v.isEmpty ? nil : String(v))
        case .dependencies: task.dependencies += Self.dependencyList(v)
        case .command: task.command = String(v.trimmingCharacters("`"))
        case .id: task.id = String(v)
        case .parallel: task.parallel = ["yes", "true", "y"].contains(v.lowercased())
        }
        layers[l].tasks[layers[l].tasks.count - 1] = task
    }

    mutating func readLayerField(key: Substring, value: Substring) {
        guard let l = layers.indices.last else { return }
        switch key.lowercased() {
        case "agents", "agent":
            layers[l].agents = Self.mentions(in: value)
            if layers[l].agents.isEmpty {
                layers[l].agents = value.split(separator: ",").map { String($0.trimmed) }.filter { !$0.isEmpty }
            }
        case "dependencies", "depends on":
            layers[l].dependencies = Self.dependencyList(value)
        case "gates", "gate", "quality gates":
            layers[l].gates = value.split(separator: ",").map { String($0.trimmed.trimmingCharacters("`*")) }
                .filter { !$0.isEmpty && !["none", "-", "n/a"].contains($0.lowercased()) }
        default:
            break
        }
    }

    /// A checkbox, a task id, a complexity tag or dialect A's metadata group.
    func looksLikeTask(_ text: Substring) -> Bool {
        if Self.checkbox(text) != nil || Self.taskID(at: text) != nil { return true }
        // Dialect A's group names an agent after the command: "(`/cmd`, agent, ...)".
        if text.hasSuffix(")"), let open = Self.metadataGroupStart(text), text[open...].contains("`,") { return true }
        guard text.first == "[", let close = text.firstIndex(of: "]") else { return false }
        return LayeredTasksParser.complexityWords.contains(text[text.index(after: text.startIndex)..<close].lowercased())
    }

    mutating func finish() -> LayeredTasks {
        if format == .specKit { numberPhases() }
        // A named heading without tasks is more likely prose ("Execution Layer Notes") than a layer.
        for layer in layers where layer.key.isEmpty && layer.tasks.isEmpty {
            diagnose(layer.line, "heading names a layer but has no tasks; not used as a layer", Substring(layer.name))
        }
        layers.removeAll { $0.key.isEmpty && $0.tasks.isEmpty }
        // Named layers take the numbers after the highest numbered one, in document order.
        var next = (layers.compactMap { Int($0.key.dropFirst()) }.max() ?? -1) + 1
        for i in layers.indices where layers[i].key.isEmpty {
            layers[i].key = "L\(next)"
            next += 1
        }
        // Two headings with one number are one layer.
        var merged: [ParsedLayer] = []
        var position: [String: Int] = [:]
        for layer in layers {
            if let i = position[layer.key] {
                merged[i].tasks += layer.tasks
            } else {
                position[layer.key] = merged.count
                merged.append(layer)
            }
        }
        for layer in merged where layer.tasks.isEmpty {
            diagnose(layer.line, "layer \(layer.key) has no tasks", Substring(layer.name))
        }
        // Other tools' plans name each task by its id: two tasks with one id cannot be told apart.
        if format != .layered {
            var first: [String: Int] = [:]
            for task in merged.flatMap(\.tasks) {
                guard let id = task.id?.lowercased() else { continue }
                if let line = first[id] {
                    diagnose(task.line, "task id \(task.id!) is also the id of the task at line \(line)", Substring(task.description))
                } else {
                    first[id] = task.line
                }
            }
        }
        diagnostics.sort { $0.line < $1.line }
        return LayeredTasks(featureName: featureName, layers: merged, diagnostics: diagnostics)
    }

    /// spec-kit: phases keep their whole numbers when each has a distinct one, else are numbered
    /// in document order from 1; stated phase dependencies are read only in the first case.
    mutating func numberPhases() {
        let numbers = phaseNumbers.compactMap { $0 }
        let kept = numbers.count == phaseNumbers.count && Set(numbers).count == numbers.count
        for i in layers.indices { layers[i].key = kept ? "L\(phaseNumbers[i]!)" : "L\(i + 1)" }
        guard kept else { return }
        let position = Dictionary(uniqueKeysWithValues: layers.indices.map { (layers[$0].key, $0) })
        // A statement about a phase the file does not have, or naming its own phase, is reported
        // and not used: the layer keeps waiting for every earlier one.
        func usable(_ statement: (subject: Int, dependsOn: [Int], parallelWith: Int?, line: Int)) -> Int? {
            let named = statement.dependsOn + (statement.parallelWith.map { [$0] } ?? [])
            guard let i = position["L\(statement.subject)"], named.allSatisfy({ position["L\($0)"] != nil && $0 != statement.subject }) else {
                diagnose(statement.line, "phase dependency names a phase the file does not have, or the phase itself; not used", "")
                return nil
            }
            return i
        }
        for statement in phaseStatements where !statement.dependsOn.isEmpty {
            guard let i = usable(statement) else { continue }
            layers[i].dependsOn = statement.dependsOn.map { "L\($0)" }
        }
        // "In parallel with Phase 3": it waits for what Phase 3 waits for.
        for statement in phaseStatements where statement.parallelWith != nil {
            guard let i = usable(statement), let j = position["L\(statement.parallelWith!)"] else { continue }
            layers[i].dependsOn = (layers[j].dependsOn ?? layers[..<j].map(\.key)).filter { $0 != layers[i].key }
        }
    }

    // MARK: - Line shapes

    /// The width of a line's leading spaces and tabs, a tab counting 4.
    static func indent(of line: Substring) -> Int {
        // Read by bytes up to the first other byte, when that byte is ASCII: a space or tab
        // followed by an ASCII byte is a character of its own.
        let blanks = line.utf8.prefix(while: { $0 == 0x20 || $0 == 0x09 })
        if let next = line.utf8.dropFirst(blanks.count).first, next >= 0x80 {
            return line.prefix(while: { $0 == " " || $0 == "\t" }).reduce(0) { $0 + ($1 == "\t" ? 4 : 1) }
        }
        return blanks.reduce(0) { $0 + ($1 == 0x09 ? 4 : 1) }
    }

    /// The text of a list item (`-`, `*`, `+`, `1.` or `1)` bullets), or nil. An ASCII line is
    /// read by bytes (FastPathTests holds the two readings to the same answers).
    static func bulletText(_ trimmed: Substring) -> Substring? {
        trimmed.isASCII ? asciiBulletText(trimmed) : bulletTextByCharacters(trimmed)
    }

    static func asciiBulletText(_ trimmed: Substring) -> Substring? {
        var rest = trimmed.utf8
        guard let first = rest.first else { return nil }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            rest = rest.dropFirst()
        } else {
            let digits = rest.prefix(while: ASCIITaskLine.isDigit).count
            guard digits > 0, digits < 5 else { return nil }
            rest = rest.dropFirst(digits)
            guard rest.first == UInt8(ascii: ".") || rest.first == UInt8(ascii: ")") else { return nil }
            rest = rest.dropFirst()
        }
        guard rest.first == UInt8(ascii: " ") || rest.first == UInt8(ascii: "\t") else { return nil }
        return Substring(rest.dropFirst()).trimmed
    }

    static func bulletTextByCharacters(_ trimmed: Substring) -> Substring? {
        guard let first = trimmed.first else { return nil }
        if first == "-" || first == "*" || first == "+" {
            let rest = trimmed.dropFirst()
            guard rest.first == " " || rest.first == "\t" else { return nil }
            return rest.trimmed
        }
        let digits = trimmed.prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty, digits.count < 5 else { return nil }
        let rest = trimmed.dropFirst(digits.count)
        guard rest.first == "." || rest.first == ")" else { return nil }
        let after = rest.dropFirst()
        guard after.first == " " || after.first == "\t" else { return nil }
        return after.trimmed
    }

    static func isGatesKey(_ key: Substring) -> Bool {
        ["gates", "gate", "quality gates"].contains(key.lowercased())
    }

    /// `**Agents**: x` or `**Agents:** x`.
    func boldField(_ trimmed: Substring) -> (Substring, Substring)? {
        guard trimmed.hasPrefix("**") else { return nil }
        let body = trimmed.dropFirst(2)
        guard let close = body.firstRange(of: "**") else { return nil }
        var key = body[..<close.lowerBound]
        var value = body[close.upperBound...]
        if key.hasSuffix(":") { key = key.dropLast() } else if value.hasPrefix(":") { value = value.dropFirst() } else { return nil }
        return (key.trimmed, value.trimmed)
    }

    /// `Key: value` where Key is one or two words.
    func plainField(_ content: Substring) -> (Substring, Substring)? {
        var text = content
        if text.hasPrefix("**") { text = Substring(text.replacing("**", with: "")) }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let key = text[..<colon].trimmed
        guard !key.isEmpty, key.split(separator: " ").count <= 2 else { return nil }
        return (key, text[text.index(after: colon)...].trimmed)
    }

    // MARK: - Pieces of headings and tasks

    /// Quoted source text is cut to this many characters, so a 10 MB line cannot flood output.
    static let maximumQuotedLength = 200

    /// A heading's text without emphasis markers, and without emoji or symbols before its first word.
    static func plainTitle(_ raw: Substring) -> Substring {
        let text = raw.contains("*") || raw.contains("__") || raw.contains("`")
            ? Substring(raw.replacing("**", with: "").replacing("__", with: "").replacing("`", with: "")) : raw
        return text.drop(while: { !($0.isLetter || $0.isNumber || $0 == "@") }).trimmed
    }

    /// `Phase 3: User Story 1 - … (Priority: P1)` → (3, "User Story 1 - …"); `Final Phase: Polish`
    /// → (nil, "Polish"); `Phase 3.1: Setup` → (nil, "Setup").
    static func phaseHeading(_ title: Substring) -> (Int?, String)? {
        let lower = title.lowercased()
        var rest: Substring
        var number: Int?
        if lower.hasPrefix("final phase") {
            rest = title.dropFirst("final phase".count)
        } else if lower.hasPrefix("phase ") {
            rest = title.dropFirst(6).trimmed
            let digits = rest.prefix(while: { $0.isASCIIDigit || $0 == "." })
            guard let first = digits.first, first.isASCIIDigit, digits.count <= 8 else { return nil }
            let whole = digits.hasSuffix(".") ? digits.dropLast() : digits
            number = whole.contains(".") ? nil : Int(whole)
            rest = rest.dropFirst(digits.count)
        } else {
            return nil
        }
        while let f = rest.first, f == ":" || f == "-" || f == "–" || f == "—" || f == " " { rest = rest.dropFirst() }
        let name = cleanLayerName(rest)
        return (number, name.isEmpty ? String(title.trimmed) : name)
    }

    /// `1. Implementation` → (1, "Implementation").
    static func numberedSection(_ title: Substring) -> (Int, String)? {
        let digits = title.prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty, digits.count <= 5, let number = Int(digits) else { return nil }
        let rest = title.dropFirst(digits.count)
        guard rest.first == ".", rest.dropFirst().first == " " else { return nil }
        let name = cleanLayerName(rest.dropFirst().trimmed)
        return name.isEmpty ? nil : (number, name)
    }

    /// `Task 3: Add the export endpoint` → (3, "Add the export endpoint").
    static func taskHeading(_ title: Substring) -> (Int, String)? {
        guard title.lowercased().hasPrefix("task ") else { return nil }
        let rest = title.dropFirst(5).trimmed
        let digits = rest.prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty, digits.count <= 5, let number = Int(digits) else { return nil }
        var name = rest.dropFirst(digits.count)
        guard let f = name.first, f == ":" || f == "." || f == "-" || f == "–" || f == "—" else { return nil }
        name = name.dropFirst().trimmed
        return name.isEmpty ? nil : (number, String(name))
    }

    /// Kiro's `[ ] 2. Title`, `[x] 2.1 Title`, `[-] …` (in progress) and `[ ]* …` (optional).
    static func kiroItem(_ content: Substring) -> (number: Int, sub: String?, title: Substring, done: Bool)? {
        guard content.count >= 3, content.first == "[", content.dropFirst(2).first == "]" else { return nil }
        let mark = content.dropFirst().first!
        guard mark == " " || mark == "x" || mark == "X" || mark == "-" else { return nil }
        var rest = content.dropFirst(3)
        if rest.first == "*" { rest = rest.dropFirst() }
        rest = rest.trimmed
        let digits = rest.prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty, digits.count <= 4, let number = Int(digits) else { return nil }
        rest = rest.dropFirst(digits.count)
        guard rest.first == "." else { return nil }
        rest = rest.dropFirst()
        let sub = rest.prefix(while: { $0.isASCIIDigit || $0 == "." })
        let title = rest.dropFirst(sub.count)
        guard title.first == " ", !title.trimmed.isEmpty else { return nil }
        let subNumber = sub.hasSuffix(".") ? sub.dropLast() : sub
        return (number, subNumber.isEmpty ? nil : String(subNumber), title.trimmed, mark == "x" || mark == "X")
    }

    /// spec-kit's sections that hold no tasks, whatever their bullets mention.
    static func isTasklessSection(_ title: Substring) -> Bool {
        let lower = title.lowercased()
        return ["format", "path conventions", "dependencies", "parallel opportunities", "parallel example", "implementation strategy",
                "notes", "execution order", "task dependencies"].contains { lower.hasPrefix($0) }
    }

    /// A stated phase dependency: a line whose subject is one phase (`Phase 4: …`,
    /// `**Setup (Phase 1)**: …`) and that says it `depends on Phase 3[, Phase 2]` or runs `in
    /// parallel with Phase 3`. Nil for anything less clear.
    static func phaseStatement(_ trimmed: Substring) -> (subject: Int, dependsOn: [Int], parallelWith: Int?)? {
        let plain = String((bulletText(trimmed) ?? trimmed).replacing("**", with: "")).lowercased()
        guard let colon = plain.firstIndex(of: ":") else { return nil }
        let subjectPart = plain[..<colon], claim = plain[plain.index(after: colon)...]
        let subjects = phaseNumbers(in: subjectPart)
        guard subjects.count == 1, let subject = subjects.first else { return nil }
        if let range = claim.firstRange(of: "in parallel with ") {
            let others = phaseNumbers(in: claim[range.upperBound...].prefix(while: { $0 != "(" && $0 != ";" }))
            return others.count == 1 ? (subject, [], others[0]) : nil
        }
        if let range = claim.firstRange(of: "depends on ") {
            let tail = claim[range.upperBound...]
            let clause = tail.prefix(while: { $0 != "(" && $0 != ";" && $0 != "-" && $0 != "–" && $0 != "—" })
            let others = phaseNumbers(in: clause)
            // Every phase named must be a whole phase: "Phase 3+" or "all user stories" is not read.
            guard !others.isEmpty, !clause.contains("+") else { return nil }
            return (subject, others, nil)
        }
        return nil
    }

    /// The whole numbers after each `phase` in `text` (`phase 3`, `phases 2 and 3` is not read).
    static func phaseNumbers(in text: Substring) -> [Int] {
        var result: [Int] = []
        var rest = text
        while let range = rest.firstRange(of: "phase ") {
            let after = rest[range.upperBound...]
            let digits = after.prefix(while: { $0.isASCIIDigit })
            // `Phase 3.1` is no whole phase.
            let decimal = after.dropFirst(digits.count).first == "." && after.dropFirst(digits.count + 1).first?.isASCIIDigit == true
            if !digits.isEmpty, digits.count <= 5, !decimal, let n = Int(digits) { result.append(n) }
            rest = after
        }
        return result
    }

    static func featureName(fromTitle title: Substring) -> String? {
        let lower = title.lowercased()
        for prefix in ["feature:", "layered tasks:", "layered tasks for", "layered tasks -", "layered tasks –"]
        where lower.hasPrefix(prefix) {
            let name = title.dropFirst(prefix.count).trimmed
            return name.isEmpty ? nil : String(name)
        }
        return nil
    }

    /// `Layer 2: Backend (Run First)` → (2, "Backend"); `Foundation Layer (Sequential)` →
    /// (nil, "Foundation"); `L1 - Core` → (1, "Core").
    static func layerHeading(_ title: Substring) -> (Int?, String)? {
        let lower = title.lowercased()
        var rest: Substring
        if lower.hasPrefix("layer ") {
            rest = title.dropFirst(6).trimmed
            // "Layer L2: ..." names the layer by its key.
            if rest.first == "L" || rest.first == "l", rest.dropFirst().first?.isASCIIDigit == true { rest = rest.dropFirst() }
        } else if lower.hasPrefix("l"), title.dropFirst().first?.isASCIIDigit == true {
            rest = title.dropFirst()
        } else {
            let words = lower.split(separator: " ")
            guard let i = words.firstIndex(where: { $0 == "layer" || $0 == "layer:" }), i > 0, i <= 3 else {
                return nil
            }
            let name = title.split(separator: " ").prefix(i).joined(separator: " ")
            return (nil, cleanLayerName(Substring(name)))
        }
        let digits = rest.prefix(while: \.isASCIIDigit)
        // Layer numbers are small; a huge one is not a layer heading (and must not overflow).
        guard !digits.isEmpty, digits.count <= 5, let number = Int(digits) else { return nil }
        rest = rest.dropFirst(digits.count).trimmed
        while let f = rest.first, f == ":" || f == "-" || f == "–" || f == "—" || f == "." { rest = rest.dropFirst().trimmed }
        let name = cleanLayerName(rest)
        return (number, name.isEmpty ? "Layer \(number)" : name)
    }

    /// Drops trailing parentheticals such as "(Run First)"; a name that is only a parenthetical,
    /// as in "Layer 0 (Infrastructure)", is that parenthetical's text.
    static func cleanLayerName(_ raw: Substring) -> String {
        var name = raw.drop(while: { !($0.isLetter || $0.isNumber || $0 == "(") }).trimmed
        var lastRemoved: Substring = ""
        while name.hasSuffix(")"), let open = name.lastIndex(of: "(") {
            lastRemoved = name[name.index(after: open)..<name.index(before: name.endIndex)]
            name = name[..<open].trimmed
        }
        if name.isEmpty { name = lastRemoved.trimmed }
        return String(name.trimmingCharacters("*_").trimmed)
    }

    /// The `(` opening dialect A's trailing ``(`/command`, agent, complexity)`` group: the last
    /// `(` directly followed by a backtick (the description may hold backticks of its own).
    static func metadataGroupStart(_ text: Substring) -> Substring.Index? {
        var end = text.endIndex
        while let open = text[..<end].lastIndex(of: "(") {
            if text[text.index(after: open)...].drop(while: { $0 == " " }).first == "`" { return open }
            end = open
        }
        return nil
    }

    static func checkbox(_ text: Substring) -> Bool? {
        // Read by bytes: a bracket, a mark and a bracket followed by an ASCII byte (or nothing)
        // are those three characters, and bytes that differ there are characters that differ.
        // Only a box followed by a non-ASCII byte, which may combine with the `]`, is read by
        // characters (FastPathTests holds the two to the same answers).
        let box = ASCIITaskLine.checkbox(text.utf8)
        guard box != nil, let next = text.utf8.dropFirst(3).first, next >= 0x80 else { return box }
        return checkboxByCharacters(text)
    }

    /// `checkbox`, character by character.
    static func checkboxByCharacters(_ text: Substring) -> Bool? {
        // Three characters looked at, never counted: counting walks the whole line.
        var rest = text.makeIterator()
        guard rest.next() == "[", let mark = rest.next(), rest.next() == "]" else { return nil }
        switch mark {
        case " ": return false
        case "x", "X": return true
        default: return nil
        }
    }

    /// `T001`, `T12a` style ids at the start of `text`.
    static func taskID(at text: Substring) -> Substring? {
        var body = text
        if body.hasPrefix("[") || body.hasPrefix("**") { body = body.drop(while: { $0 == "[" || $0 == "*" }) }
        guard body.first == "T" else { return nil }
        let digits = body.dropFirst().prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty else { return nil }
        // One lowercase letter may follow: a task inserted later (`T002a`).
        let letter = body.dropFirst(1 + digits.count).first.map { $0.isLowercase && $0.isASCII } == true ? 1 : 0
        let after = body.dropFirst(1 + digits.count + letter)
        guard after.isEmpty || after.first == " " || after.first == ":" || after.first == "]" || after.first == "*" else {
            return nil
        }
        return body.prefix(1 + digits.count + letter)
    }

    static func mentions(in text: Substring) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let at = rest.firstIndex(of: "@") {
            if at > rest.startIndex, let prev = rest[..<at].last, prev.isLetter || prev.isNumber {
                rest = rest[rest.index(after: at)...]
                continue
            }
            let name = rest[rest.index(after: at)...].prefix(while: { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
            let clean = name.hasSuffix(".") ? name.dropLast() : name
            if !clean.isEmpty { result.append(String(clean)) }
            rest = rest[rest.index(after: at)...]
        }
        return result
    }

    static func dependencyList(_ text: Substring) -> [String] {
        let lower = text.lowercased()
        if lower == "none" || lower == "-" || lower == "n/a" || lower.isEmpty { return [] }
        return text.split(whereSeparator: { $0 == "," || $0 == ";" }).flatMap { part -> [String] in
            let p = part.trimmed
            let words = p.split(separator: " ")
            // "T001 and T002" → both ids.
            let ids = words.compactMap { taskID(at: $0.trimmingCharacters(".")) }.map(String.init)
            return ids.isEmpty ? [String(p)] : ids
        }.filter { !$0.isEmpty && $0.lowercased() != "none" }
    }

    /// `numberedID`: OpenSpec's `1.2 Title` items, whose leading number is the id.
    static func task(from content: Substring, line: Int, numberedID: Bool = false) -> ParsedTask {
        ASCIITaskLine(content)?.task(line: line, numberedID: numberedID)
            ?? characterTask(from: content, line: line, numberedID: numberedID)
    }

    /// The reading of any task line, character by character (the byte path, ASCIITaskLine.swift,
    /// reads ASCII lines the same way).
    static func characterTask(from content: Substring, line: Int, numberedID: Bool = false) -> ParsedTask {
        var text = content
        var done = false
        if let mark = checkbox(text) {
            done = mark
            text = text.dropFirst(3).trimmed
        }
        for prefix in ["task:", "**task:**", "**task**:"] where text.prefix(prefix.count).lowercased() == prefix {
            text = text.dropFirst(prefix.count).trimmed
        }
        var task = ParsedTask(description: "", done: done, line: line)
        if numberedID {
            let number = text.prefix(while: { $0.isASCIIDigit || $0 == "." })
            if number.first?.isASCIIDigit == true, number.contains("."), text.dropFirst(number.count).first == " " {
                task.id = String(number.hasSuffix(".") ? number.dropLast() : number)
                text = text.dropFirst(number.count).trimmed
            }
        }
        if let id = taskID(at: text) {
            task.id = String(id)
            text = text.drop(while: { $0 == "[" || $0 == "*" }).dropFirst(id.count)
            text = text.drop(while: { $0 == "]" || $0 == "*" || $0 == ":" || $0 == " " })
        }
        // Trailing metadata of dialect A: (`/command`, agent, complexity). The command is taken
        // whole first: it may itself hold commas or parentheses.
        if text.hasSuffix(")"), let open = metadataGroupStart(text), let tick = text[open...].firstIndex(of: "`"),
           let closeTick = text[text.index(after: tick)...].firstIndex(of: "`") {
            task.command = String(text[text.index(after: tick)..<closeTick])
            let rest = text[text.index(after: closeTick)..<text.index(before: text.endIndex)]
                .split(separator: ",").map { $0.trimmed }.filter { !$0.isEmpty }
            if rest.count > 0 { task.agent = String(rest[0].drop(while: { $0 == "@" })) }
            if rest.count > 1 { task.complexity = String(rest[1]) }
            text = text[..<open].trimmed
        }
        // Bracket tags anywhere: [P] parallel, [Simple]-style complexity.
        var words: [Substring] = []
        var remaining = text
        while let open = remaining.firstIndex(of: "[") {
            words.append(remaining[..<open])
            guard let close = remaining[open...].firstIndex(of: "]") else {
                remaining = remaining[open...]
                break
            }
            let tag = remaining[remaining.index(after: open)..<close].trimmed
            let lower = tag.lowercased()
            if lower == "p" || lower == "parallel" {
                task.parallel = true
            } else if LayeredTasksParser.complexityWords.contains(lower) {
                task.complexity = String(tag)
            } else {
                // spec-kit's user story tag: kept in the description, and as the story.
                if task.story == nil, lower.hasPrefix("us"), lower.count > 2, lower.dropFirst(2).allSatisfy(\.isASCIIDigit) { task.story = String(tag) }
                words.append(remaining[open...close])
            }
            remaining = remaining[remaining.index(after: close)...]
        }
        words.append(remaining)
        text = Substring(words.joined())

        // "depends on T001, T002" phrases.
        if let range = text.firstRangeIgnoringASCIICase(of: "depends on ") {
            let tail = text[range.upperBound...]
            let end = tail.firstIndex(where: { $0 == ")" || $0 == ";" }) ?? tail.endIndex
            task.dependencies = dependencyList(tail[..<end])
            var head = text[..<range.lowerBound].trimmed
            if head.hasSuffix("(") { head = head.dropLast().trimmed }
            if head.hasSuffix("-") || head.hasSuffix("—") || head.hasSuffix(",") { head = head.dropLast().trimmed }
            text = head + (end < tail.endIndex ? tail[tail.index(after: end)...] : "")
        }
        var agents: [String] = []
        for mention in mentions(in: text) where !agents.contains(mention) {
            agents.append(mention)
            if agents.count == 16 { break }
        }
        if task.agent == nil { task.agent = agents.first }
        // Mentions are metadata, not description: drop "@x" and "(@x)".
        var description = String(text)
        for agent in agents {
            description = description.removingAll("(@\(agent))").removingAll("@\(agent)")
        }
        task.description = description.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters("*_ -–—:")
        return task
    }
}
