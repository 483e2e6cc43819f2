// Small text helpers shared by the parser, the model and the renderers.

/// `1 task`, `3 tasks`.
package func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

extension Character {
    package var isASCIIDigit: Bool { isASCII && isNumber }
}

/// What a mistyped `word` most likely meant: the candidate nearest by edit distance (characters
/// inserted, dropped, changed or swapped with a neighbour, ignoring case), when that distance is at
/// most 2 and under half the word's length; nil when nothing is that close.
public func nearest(to word: String, among candidates: [String]) -> String? {
    let typed = Array(word.lowercased())
    let limit = min(2, (typed.count - 1) / 2)
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let d = editDistance(typed, Array(candidate.lowercased()))
        if d <= limit, d < best?.distance ?? Int.max { best = (candidate, d) }
    }
    return best?.candidate
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost one.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var before = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], before[j - 2] + 1)
            }
        }
        (before, previous, current) = (previous, current, before)
    }
    return previous[b.count]
}

extension StringProtocol {
    /// `body` on the bytes: in place for a native string or a substring of one (every line the
    /// parser reads, every text a report escapes), which walking `utf8` index by index costs some
    /// 30 instructions a byte more than.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        utf8.withContiguousStorageIfAvailable(body) ?? Array(utf8).withUnsafeBufferPointer(body)
    }
}

extension String {
    package var trimmingWhitespace: String { String(Substring(self).trimmed) }

    var replacingHyphens: String { String(map { $0 == "-" ? "_" : $0 }) }

    func trimmingCharacters(_ set: String) -> String { String(Substring(self).trimmingCharacters(set)) }

    /// Without any occurrence of `needle`. ASCII text is searched byte by byte, where a byte
    /// match is a character match; other text goes through the character-aware `replacing`.
    func removingAll(_ needle: String) -> String {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return replacing(needle, with: "") }
        return String(decoding: Array(utf8).removingAll(Array(needle.utf8)), as: UTF8.self)
    }

    /// Whether a text with this byte may change when markup-escaped: the markup characters,
    /// controls, and the first bytes of C1 controls (C2 80–9F in UTF-8) and of U+FFFE and U+FFFF
    /// (EF BF BE/BF). A switch, not a set: a report escapes hundreds of thousands of strings.
    static func mayNeedMarkupEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<0x20, 38, 60, 62, 34, 39, 0x7F, 0xC2, 0xEF: true
        default: false
        }
    }

    /// Text for XML or HTML content and attribute values: `& < > " '` as entities (the
    /// apostrophe as `apostrophe`), a newline as `&#10;`, and the other characters whose first
    /// byte `mayNeedMarkupEscape` flags (controls, C1 controls, U+F000–U+FFFF) replaced by what
    /// `control` gives for them, if anything. Text with none of them is returned as it is.
    func markupEscaped(apostrophe: StaticString = "&#39;", control: (Unicode.Scalar) -> String?) -> String {
        guard withBytes({ $0.contains(where: Self.mayNeedMarkupEscape) }) else { return self }
        let out = ByteBuffer(capacity: utf8.count + 16)
        out.appendMarkupEscaped(self, apostrophe: apostrophe, control: control)
        return String(decoding: out.taken(), as: UTF8.self)
    }

    /// For quoting user input in a one-line message: control characters escaped, long input cut.
    public var singleLine: String {
        count > 80 ? String(prefix(80)).visibleControlCharacters + "…" : visibleControlCharacters
    }

    /// Control characters shown as escapes, so user text cannot break a line-based report.
    var visibleControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Safe inside a markdown paragraph or list item: one line, markup characters escaped.
    var markdownInline: String {
        var out = ""
        for ch in visibleControlCharacters {
            if "\\`*_[]<>|#".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}

extension [String] {
    /// The strings with `separator` between them, as the standard library's `joined(separator:)`
    /// makes them. That one is generic and not inlinable, so every call runs its unspecialized
    /// code, and the first looks the array's associated types up at run time (110,000
    /// instructions, in most commands). This one is chosen for any `[String]`, being more
    /// specific.
    public func joined(separator: String = "") -> String {
        var result = ""
        for i in indices {
            if i > 0 { result += separator }
            result += self[i]
        }
        return result
    }
}

extension [UInt8] {
    /// Without any occurrence of `needle`, searched byte by byte.
    func removingAll(_ needle: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, count >= needle.count else { return self }
        return withUnsafeBufferPointer { bytes in
            needle.withUnsafeBufferPointer { needle in
                func matches(at i: Int) -> Bool {
                    guard bytes[i] == needle[0], i + needle.count <= bytes.count else { return false }
                    for j in needle.indices.dropFirst() where bytes[i + j] != needle[j] { return false }
                    return true
                }
                var i = 0
                while i < bytes.count, !matches(at: i) { i += 1 }
                // Most texts hold no match: they are returned without a copy.
                guard i < bytes.count else { return self }
                // Copied run by run between the matches.
                var kept: [UInt8] = []
                kept.reserveCapacity(bytes.count)
                var run = 0
                while i < bytes.count {
                    if matches(at: i) {
                        kept.append(contentsOf: bytes[run..<i])
                        i += needle.count
                        run = i
                    } else {
                        i += 1
                    }
                }
                kept.append(contentsOf: bytes[run...])
                return kept
            }
        }
    }
}

extension UInt8 {
    /// `A`–`Z` as `a`–`z`; every other byte as it is.
    var asciiLowercased: UInt8 { self >= 0x41 && self <= 0x5A ? self + 32 : self }
}

extension ArraySlice<UInt8> {
    /// Whether it starts with `prefix` (lowercase ASCII), ignoring ASCII case.
    func startsIgnoringASCIICase(with prefix: [UInt8]) -> Bool {
        count >= prefix.count && zip(self, prefix).allSatisfy { $0.asciiLowercased == $1 }
    }

    /// The first range of `needle` (lowercase ASCII), ignoring ASCII case.
    func firstRangeIgnoringASCIICase(of needle: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty else { return startIndex..<startIndex }
        guard count >= needle.count else { return nil }
        return withUnsafeBufferPointer { bytes in
            needle.withUnsafeBufferPointer { needle in
                search: for start in 0...(bytes.count - needle.count) {
                    for j in needle.indices where bytes[start + j].asciiLowercased != needle[j] { continue search }
                    return (startIndex + start)..<(startIndex + start + needle.count)
                }
                return nil
            }
        }
    }
}

extension Substring {
    var trimmed: Substring {
        // Nearly every line starts and ends with a byte that is ASCII and not a space: such a
        // byte is a character of its own, so there is nothing to trim and no character to make.
        func plain(_ byte: UInt8?) -> Bool { byte.map { $0 > 0x20 && $0 < 0x80 } ?? false }
        if plain(utf8.first), plain(utf8.last) { return self }
        return trimmedByCharacters
    }

    var trimmedByCharacters: Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }

    /// `hasPrefix` for an ASCII `prefix`, by bytes when the bytes compared and the one after them
    /// are ASCII: each is then a character of its own. Otherwise by characters, which also match
    /// the few characters canonically equal to an ASCII one (U+1FEF is a backtick). FastPathTests
    /// holds the two to the same answers.
    func hasASCIIPrefix(_ prefix: StaticString) -> Bool {
        let byBytes: Bool? = withBytes { bytes in
            let head = bytes.prefix(prefix.utf8CodeUnitCount + 1)
            guard head.allSatisfy({ $0 < 0x80 }) else { return nil }
            return prefix.withUTF8Buffer(head.starts)
        }
        return byBytes ?? hasPrefix(prefix.description)
    }

    /// Whether every byte is ASCII: every character is then one byte, and byte offsets are
    /// character offsets.
    var isASCII: Bool { withBytes { $0.allSatisfy { $0 < 0x80 } } }

    func trimmingCharacters(_ set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }

    /// The first range of `needle` (lowercase ASCII) compared without regard to ASCII case.
    func firstRangeIgnoringASCIICase(of needle: String) -> Range<Index>? {
        guard let found = Array(utf8)[...].firstRangeIgnoringASCIICase(of: Array(needle.utf8)) else { return nil }
        let lower = utf8.index(utf8.startIndex, offsetBy: found.lowerBound)
        return lower..<utf8.index(lower, offsetBy: found.count)
    }
}

extension ByteBuffer {
    /// `text.markupEscaped(apostrophe:control:)`, appended: by bytes, the runs that need nothing
    /// copied whole (an HTML report escapes every task's texts, docs/benchmarks.md).
    func appendMarkupEscaped(_ text: String, apostrophe: StaticString = "&#39;", control: (Unicode.Scalar) -> String?) {
        text.withBytes { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            var runStart = 0
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                guard String.mayNeedMarkupEscape(byte) else {
                    i += 1
                    continue
                }
                // The character starting here: ASCII, or a two-byte (C2) or three-byte (EF) one.
                let length = byte < 0x80 ? 1 : byte == 0xC2 ? 2 : 3
                guard i + length <= bytes.count else { break }
                append(UnsafeRawBufferPointer(rebasing: raw[runStart..<i]))
                switch byte {
                case UInt8(ascii: "&"): append("&amp;")
                case UInt8(ascii: "<"): append("&lt;")
                case UInt8(ascii: ">"): append("&gt;")
                case UInt8(ascii: "\""): append("&quot;")
                case UInt8(ascii: "'"): append(apostrophe)
                case UInt8(ascii: "\n"): append("&#10;")
                default:
                    let value = switch length {
                    case 1: UInt32(byte)
                    case 2: UInt32(byte & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                    default: UInt32(byte & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                    }
                    if let scalar = Unicode.Scalar(value), let replacement = control(scalar) {
                        append(verbatim: replacement)
                    } else {
                        append(UnsafeRawBufferPointer(rebasing: raw[i..<(i + length)]))
                    }
                }
                i += length
                runStart = i
            }
            append(UnsafeRawBufferPointer(rebasing: raw[runStart...]))
        }
    }
}
