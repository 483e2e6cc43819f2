import Testing
@testable import ExecutionCore
import SeededRandom

// ASCIITaskLine.swift reads ASCII task lines by bytes; ParserState.characterTask reads any line by
// characters. Both must give the same task for every ASCII line: random lines built from the
// pieces a task line is made of (checkboxes, ids, tags, metadata groups, mentions, dependency
// phrases) and from random ASCII bytes. Line breaks are left out: the parser splits lines on them
// before a task is read.
@Suite struct ParserFastPathTests {
    static let pieces = [
        "[ ]", "[x]", "[X]", "[-]", "[", "]", "T001", "T12a", "T7", "TX", "**", "*", "_", "task:", "Task:", "**Task:**",
        "**task**:", "1.2", "3.", "12", ".", "(", ")", "(`/cmd`, @a, simple)", "(`npm test`)", "( `x`", "`", "[P]", "[p]",
        "[US1]", "[us12]", "[USx]", "[Simple]", "[very complex]", "[ Hard ]", "[tag]", "depends on T001, T002",
        "Depends On T003 and T004", "depends on none", "depends on ", "@agent-1", "@a.b.", "(@x)", "@@y", "x@z", "@", "-", "--",
        ":", ";", ",", "word", "Implement", "the", "API", "\t", " ", "  ", "\u{0B}", "\u{0C}", "\u{1F}", "\u{7F}",
    ]

    static func line(_ random: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...14, using: &random) {
            if Int.random(in: 0..<5, using: &random) == 0 {
                let byte = UInt8.random(in: 0...0x7F, using: &random)
                if byte != 0x0A, byte != 0x0D { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            } else {
                text += pieces.randomElement(using: &random)!
            }
            if Bool.random(using: &random) { text += " " }
        }
        return text
    }

    @Test func everyASCIILineReadsAsTheCharacterPathReadsIt() throws {
        var random = SplitMix64(seed: 27)
        for n in 0..<40_000 {
            let text = Self.line(&random)
            let content = Substring(text)
            let bytes = try #require(ASCIITaskLine(content), "line \(n) is ASCII: \(text.debugDescription)")
            for numbered in [false, true] {
                let fast = bytes.task(line: n, numberedID: numbered)
                let simple = ParserState.characterTask(from: content, line: n, numberedID: numbered)
                #expect(fast == simple, "\(text.debugDescription), numberedID \(numbered)")
                if fast != simple { return }
            }
        }
    }

    @Test func linesWithOtherCharactersTakeTheCharacterPath() {
        for text in ["- [ ] T001 Café @zoë", "T002 Build — depends on T001", "[P] 日本語", "T003 x\u{301}"] {
            #expect(ASCIITaskLine(Substring(text)) == nil, "\(text)")
            #expect(ParserState.task(from: Substring(text), line: 1) == ParserState.characterTask(from: Substring(text), line: 1))
        }
    }

    @Test func theByteHelpersAgreeWithCharacterPropertiesOnEveryASCIIByte() {
        for byte in UInt8(0)...0x7F {
            let character = Character(Unicode.Scalar(byte))
            #expect(ASCIITaskLine.isWhitespace(byte) == character.isWhitespace, "byte \(byte)")
            #expect(ASCIITaskLine.isAlphanumeric(byte) == (character.isLetter || character.isNumber), "byte \(byte)")
            #expect(ASCIITaskLine.isDigit(byte) == character.isASCIIDigit, "byte \(byte)")
            #expect(ASCIITaskLine.lowercased(byte) == Array(String(character).lowercased().utf8)[0], "byte \(byte)")
        }
    }
}
