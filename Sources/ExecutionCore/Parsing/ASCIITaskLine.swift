/// A task line that is all ASCII — nearly every line of a plan — read by bytes. It takes the steps
/// of `ParserState.characterTask(from:)` one for one; with ASCII text every character is one byte,
/// so the result is the same without the grapheme work that made `parse` of a 10,000-task plan
/// spend 60% of its instructions on it (docs/benchmarks.md). FastPathTests pins the two
/// readings to each other on random lines.
struct ASCIITaskLine {
    typealias Bytes = ArraySlice<UInt8>

    private let bytes: [UInt8]

    /// Nil when `content` holds a byte outside ASCII: the character path reads it.
    init?(_ content: Substring) {
        bytes = content.utf8.withContiguousStorageIfAvailable(Array.init) ?? Array(content.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
    }

    func task(line: Int, numberedID: Bool) -> ParsedTask {
        var text = bytes[...]
        var done = false
        if let mark = Self.checkbox(text) {
            done = mark
            text = Self.trimmed(text.dropFirst(3))
        }
        for prefix in Self.taskPrefixes where text.startsIgnoringASCIICase(with: prefix) {
            text = Self.trimmed(text.dropFirst(prefix.count))
        }
        var task = ParsedTask(description: "", done: done, line: line)
        if numberedID {
            let number = text.prefix(while: { Self.isDigit($0) || $0 == dot })
            if let first = number.first, Self.isDigit(first), number.contains(dot), text.dropFirst(number.count).first == space {
                task.id = Self.string(number.last == dot ? number.dropLast() : number)
                text = Self.trimmed(text.dropFirst(number.count))
            }
        }
        if let id = Self.taskID(at: text) {
            task.id = Self.string(id)
            text = text.drop(while: { $0 == openBracket || $0 == star }).dropFirst(id.count)
            text = text.drop(while: { $0 == closeBracket || $0 == star || $0 == colon || $0 == space })
        }
        if text.last == closeParen, let open = Self.metadataGroupStart(text), let tick = text[open...].firstIndex(of: backtick),
           let closeTick = text[(tick + 1)...].firstIndex(of: backtick) {
            task.command = Self.string(text[(tick + 1)..<closeTick])
            let rest = text[(closeTick + 1)..<(text.endIndex - 1)].split(separator: comma).map(Self.trimmed).filter { !$0.isEmpty }
            if rest.count > 0 { task.agent = Self.string(rest[0].drop(while: { $0 == at })) }
            if rest.count > 1 { task.complexity = Self.string(rest[1]) }
            text = Self.trimmed(text[..<open])
        }
        // Bracket tags: most lines have none once the checkbox is read, and keep their bytes.
        if text.contains(openBracket) { text = Self.readTags(text, into: &task) }

        if let range = text.firstRangeIgnoringASCIICase(of: Self.dependsOn) {
            let tail = text[range.upperBound...]
            let end = tail.firstIndex(where: { $0 == closeParen || $0 == semicolon }) ?? tail.endIndex
            task.dependencies = Self.dependencyList(tail[..<end])
            var head = Self.trimmed(text[..<range.lowerBound])
            if head.last == openParen { head = Self.trimmed(head.dropLast()) }
            if head.last == dash || head.last == comma { head = Self.trimmed(head.dropLast()) }
            text = (Array(head) + (end < tail.endIndex ? tail[(end + 1)...] : []))[...]
        }
        var agents: [Bytes] = []
        for mention in Self.mentions(in: text) where !agents.contains(mention) {
            agents.append(mention)
            if agents.count == 16 { break }
        }
        if task.agent == nil { task.agent = agents.first.map(Self.string) }
        // Mentions are metadata, not description: drop "(@x)", then "@x", as the character path does.
        var description = Array(text)
        for agent in agents {
            description = description.removingAll([openParen, at] + agent + [closeParen]).removingAll([at] + agent)
        }
        // The words joined by single spaces.
        let spaced = description.withUnsafeBufferPointer { bytes in
            var spaced: [UInt8] = []
            spaced.reserveCapacity(bytes.count)
            for i in bytes.indices where bytes[i] != space || (i + 1 < bytes.count && bytes[i + 1] != space) {
                if bytes[i] != space || !spaced.isEmpty { spaced.append(bytes[i]) }
            }
            return spaced
        }
        task.description = Self.string(Self.trimmed(spaced[...], where: { $0 == star || $0 == underscore || $0 == space || $0 == dash || $0 == colon }))
        return task
    }

    /// `[P]`, `[Simple]` and `[US1]` tags read into `task`; the text without the tags that are
    /// only metadata.
    static func readTags(_ text: Bytes, into task: inout ParsedTask) -> Bytes {
        var joined: [UInt8] = []
        var remaining = text
        while let open = remaining.firstIndex(of: openBracket) {
            joined += remaining[..<open]
            guard let close = remaining[open...].firstIndex(of: closeBracket) else {
                remaining = remaining[open...]
                break
            }
            let tag = Self.trimmed(remaining[(open + 1)..<close])
            let lower = Self.string(Self.lowercased(tag)[...])
            if lower == "p" || lower == "parallel" {
                task.parallel = true
            } else if LayeredTasksParser.complexityWords.contains(lower) {
                task.complexity = Self.string(tag)
            } else {
                if task.story == nil, lower.hasPrefix("us"), lower.utf8.count > 2, lower.utf8.dropFirst(2).allSatisfy(Self.isDigit) {
                    task.story = Self.string(tag)
                }
                joined += remaining[open...close]
            }
            remaining = remaining[(close + 1)...]
        }
        joined += remaining
        return joined[...]
    }

    /// `ParserState.dependencyList`, by bytes.
    static func dependencyList(_ text: Bytes) -> [String] {
        switch lowercased(text) {
        case [], [dash], Array("none".utf8), Array("n/a".utf8): return []
        default: break
        }
        return text.split(whereSeparator: { $0 == comma || $0 == semicolon }).flatMap { part -> [String] in
            let p = trimmed(part)
            // "T001 and T002" → both ids.
            let ids = p.split(separator: space).compactMap { taskID(at: trimmed($0, where: { $0 == dot })) }.map(string)
            return ids.isEmpty ? [string(p)] : ids
        }.filter { !$0.isEmpty && $0.lowercased() != "none" }
    }

    // MARK: - Byte helpers, each the ASCII reading of the character helper of the same name

    static func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }

    /// `Character.isWhitespace` on ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || (byte >= 0x09 && byte <= 0x0D) }

    static func trimmed(_ bytes: Bytes) -> Bytes { trimmed(bytes, where: isWhitespace) }

    static func trimmed(_ bytes: Bytes, where drop: (UInt8) -> Bool) -> Bytes {
        var s = bytes
        while let f = s.first, drop(f) { s = s.dropFirst() }
        while let l = s.last, drop(l) { s = s.dropLast() }
        return s
    }

    static func lowercased(_ bytes: Bytes) -> [UInt8] { bytes.map(\.asciiLowercased) }

    /// `[ ]`, `[x]` or `[X]` at the start of `text`'s bytes.
    static func checkbox(_ text: some Collection<UInt8>) -> Bool? {
        var bytes = text.makeIterator()
        guard bytes.next() == openBracket, let mark = bytes.next(), bytes.next() == closeBracket else { return nil }
        switch mark {
        case space: return false
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return true
        default: return nil
        }
    }

    static func taskID(at text: Bytes) -> Bytes? {
        var body = text
        if body.first == openBracket || (body.first == star && body.dropFirst().first == star) {
            body = body.drop(while: { $0 == openBracket || $0 == star })
        }
        guard body.first == UInt8(ascii: "T") else { return nil }
        let digits = body.dropFirst().prefix(while: isDigit)
        guard !digits.isEmpty else { return nil }
        let letter = body.dropFirst(1 + digits.count).first.map { $0 >= 0x61 && $0 <= 0x7A } == true ? 1 : 0
        let after = body.dropFirst(1 + digits.count + letter)
        guard after.isEmpty || [space, colon, closeBracket, star].contains(after.first!) else { return nil }
        return body.prefix(1 + digits.count + letter)
    }

    static func metadataGroupStart(_ text: Bytes) -> Int? {
        var end = text.endIndex
        while let open = text[..<end].lastIndex(of: openParen) {
            if text[(open + 1)...].drop(while: { $0 == space }).first == backtick { return open }
            end = open
        }
        return nil
    }

    static let taskPrefixes = ["task:", "**task:**", "**task**:"].map { Array($0.utf8) }
    static let dependsOn = Array("depends on ".utf8)

    static func mentions(in text: Bytes) -> [Bytes] {
        var result: [Bytes] = []
        var rest = text
        while let mark = rest.firstIndex(of: at) {
            if mark > rest.startIndex, isAlphanumeric(rest[mark - 1]) {
                rest = rest[(mark + 1)...]
                continue
            }
            let name = rest[(mark + 1)...].prefix(while: { isAlphanumeric($0) || $0 == dash || $0 == underscore || $0 == dot })
            let clean = name.last == dot ? name.dropLast() : name
            if !clean.isEmpty { result.append(clean) }
            rest = rest[(mark + 1)...]
        }
        return result
    }
}

private let space = UInt8(ascii: " "), dot = UInt8(ascii: "."), comma = UInt8(ascii: ","), colon = UInt8(ascii: ":"),
            semicolon = UInt8(ascii: ";"), star = UInt8(ascii: "*"), underscore = UInt8(ascii: "_"), dash = UInt8(ascii: "-"),
            at = UInt8(ascii: "@"), backtick = UInt8(ascii: "`"), openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]"),
            openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")")
