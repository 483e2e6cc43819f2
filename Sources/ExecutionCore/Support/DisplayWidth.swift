// How many terminal columns text takes, so columns line up whatever the names hold: CJK and other
// East Asian wide characters and emoji take two columns, combining marks and other zero-width
// characters none, everything else one (docs/reports.md).

extension String {
    /// Terminal columns this text takes.
    public var displayWidth: Int {
        // Printable ASCII, the usual case, is one column a byte.
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return utf8.count }
        return reduce(0) { $0 + $1.displayWidth }
    }

    /// Followed by spaces up to `width` columns (unchanged when already as wide).
    public func padded(toWidth width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - displayWidth))
    }

    /// Cut to at most `width` columns. Colour escapes (`ESC [ ... m`) take no column and are
    /// kept; a cut line that used them ends with a reset, so colour does not run on.
    public func clipped(toWidth width: Int) -> String {
        var out = ""
        var used = 0
        var inEscape = false
        var sawEscape = false
        for character in self {
            if inEscape || character == "\u{1B}" {
                if character == "\u{1B}" {
                    inEscape = true
                    sawEscape = true
                } else if character != "[", let byte = character.asciiValue, (0x40...0x7E).contains(byte) {
                    // The final byte of the sequence.
                    inEscape = false
                }
                out.append(character)
                continue
            }
            let w = character.displayWidth
            if used + w > width { return sawEscape ? out + "\u{1B}[0m" : out }
            used += w
            out.append(character)
        }
        return self
    }
}

extension Character {
    /// Columns one grapheme takes: 2 for an emoji (shown as emoji by default, or asked to be with
    /// VS16, or a flag), else the sum of its scalars' widths (a base letter and its combining marks: 1).
    var displayWidth: Int {
        let scalars = unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.properties.isEmojiPresentation
            || (first.properties.isEmoji && scalars.contains("\u{FE0F}")) {
            return 2
        }
        return scalars.reduce(0) { $0 + $1.columns }
    }
}

extension Unicode.Scalar {
    /// Columns of one scalar outside emoji sequences.
    var columns: Int {
        switch value {
        case 0..<0x20, 0x7F..<0xA0: return 0
        // Hangul vowels and final consonants join the syllable's first jamo.
        case 0x1160...0x11FF, 0x200B: return 0
        default: break
        }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: return Self.isWide(value) ? 2 : 1
        }
    }

    /// East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth.txt, W and F), without the
    /// emoji blocks, which `Character.displayWidth` decides by emoji presentation.
    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F,        // Hangul initial consonants
             0x2329...0x232A,        // angle brackets
             0x2E80...0x303E,        // CJK radicals, Kangxi, ideographic description, CJK punctuation
             0x3041...0x33FF,        // kana, Bopomofo, Hangul compatibility jamo, CJK enclosed and compatibility
             0x3400...0x4DBF,        // CJK extension A
             0x4E00...0x9FFF,        // CJK unified ideographs
             0xA000...0xA4CF,        // Yi
             0xA960...0xA97F,        // Hangul jamo extended A
             0xAC00...0xD7A3,        // Hangul syllables
             0xF900...0xFAFF,        // CJK compatibility ideographs
             0xFE10...0xFE19,        // vertical forms
             0xFE30...0xFE6F,        // CJK compatibility forms, small form variants
             0xFF00...0xFF60,        // fullwidth forms
             0xFFE0...0xFFE6,        // fullwidth signs
             0x16FE0...0x18AFF,      // Tangut and ideographic symbols
             0x1B000...0x1B2FF,      // kana supplement and extensions, Nushu
             0x20000...0x2FFFD,      // CJK extensions B and later
             0x30000...0x3FFFD:      // CJK extension G and later
            return true
        default:
            return false
        }
    }
}
