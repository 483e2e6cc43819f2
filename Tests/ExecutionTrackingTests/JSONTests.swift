import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("JSON round trip")
struct JSONRoundTripTests {
    @Test func prettyRoundTripKeepsKeyOrderAndNumberLiterals() throws {
        let text = """
        {
          "zeta": 1.0,
          "alpha": 1e3,
          "mid": -0,
          "big": 123456789012345678901234567890,
          "exp": 2.5E-7,
          "neg": -12.50,
          "nested": {
            "b": [
              true,
              false,
              null
            ],
            "a": "x"
          },
          "empty_array": [],
          "empty_object": {}
        }

        """
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.encode(value) == text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid", "big", "exp", "neg", "nested",
                                            "empty_array", "empty_object"])
        #expect(value.objectValue?["zeta"] == .number(JSONNumber("1.0")!))
        #expect(value.objectValue?["alpha"] == .number(JSONNumber("1e3")!))
        #expect(value.objectValue?["mid"] == .number(JSONNumber("-0")!))
        #expect(value.objectValue?["big"] == .number(JSONNumber("123456789012345678901234567890")!))
    }

    @Test func compactInputIsReformattedInJqLayout() throws {
        let value = try JSONParser.parse(#"{"a":[1,{"b":[]},{}],"c":{"d":null},"e":"f/g"}"#)
        #expect(JSONWriter.encode(value) == """
        {
          "a": [
            1,
            {
              "b": []
            },
            {}
          ],
          "c": {
            "d": null
          },
          "e": "f/g"
        }

        """)
        #expect(JSONWriter.encode(value, style: .compact) == #"{"a":[1,{"b":[]},{}],"c":{"d":null},"e":"f/g"}"#)
    }

    /// A large object (a hostile file, a long ledger) parses in linear time and keeps the
    /// last value of a repeated key at the key's first place, as a small one does.
    @Test func repeatedKeysInALargeObjectKeepTheLastValue() throws {
        let body = (0..<5000).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let object = try #require(try JSONParser.parse("{\(body), \"k3\": \"again\", \"k4999\": null, \"e\\u0301\": 1, \"\u{e9}\": 2}").objectValue)
        #expect(object.entries.count == 5002)
        #expect(object["k3"] == .string("again"))
        #expect(object.entries[3].key == "k3")
        #expect(object["k4999"] == .null)
        #expect(object["k4998"] == .int(4998))
        // Keys compare by their bytes: a decomposed é and a precomposed one are two keys.
        #expect(object.entries[5000].value == .int(1) && object.entries[5001].value == .int(2))
    }

    @Test func prettyOutputEndsWithExactlyOneNewline() {
        #expect(JSONWriter.encode(.array([])) == "[]\n")
        #expect(JSONWriter.encode(.object(JSONObject())) == "{}\n")
        #expect(JSONWriter.encode(.string("x")) == "\"x\"\n")
        #expect(JSONWriter.encode(.int(3), style: .compact) == "3")
    }

    @Test func scalarsAtTopLevel() throws {
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse(" false ") == .bool(false))
        #expect(try JSONParser.parse("\n null\t") == .null)
        #expect(try JSONParser.parse("0") == .number(JSONNumber("0")!))
        #expect(try JSONParser.parse("-0.0e+0") == .number(JSONNumber("-0.0e+0")!))
        #expect(try JSONParser.parse("\"\"") == .string(""))
    }

    @Test func duplicateKeysLastValueWins() throws {
        let value = try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value.objectValue?["a"] == .number(JSONNumber("3")!))
        #expect(value.objectValue?.entries.count == 2)
        #expect(value.objectValue?.keys.filter { $0 == "a" }.count == 1)
    }

    @Test func byteOrderMarkIsTolerated() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8)
        let value = try JSONParser.parse(bytes)
        #expect(value == .object(JSONObject([("a", .number(JSONNumber("1")!))])))
    }

    @Test func duplicateKeysAmongManyStillResolveToTheLastValue() throws {
        // Keys of the same length and first byte share a bit of the parser's sketch.
        let value = try parseJSON(#"{"ab": 1, "ac": 2, "ab": 3, "ad": 4, "ac": 5}"#)
        #expect(value.objectValue?.keys == ["ab", "ac", "ad"])
        #expect(value.objectValue?["ab"] == .number(JSONNumber("3")!))
        #expect(value.objectValue?["ac"] == .number(JSONNumber("5")!))
    }

    @Test func jsonObjectSubscriptReplacesInPlaceAndRemoves() {
        var o = JSONObject()
        o["x"] = .int(1)
        o["y"] = .int(2)
        o["x"] = .int(3)
        #expect(o.keys == ["x", "y"])
        #expect(o["x"] == .int(3))
        o["x"] = nil
        #expect(o.keys == ["y"])
    }

    @Test func intValueAcceptsIntegralForms() {
        #expect(JSONValue.number(JSONNumber("120")!).intValue == 120)
        #expect(JSONValue.number(JSONNumber("1.0")!).intValue == 1)
        #expect(JSONValue.number(JSONNumber("1e3")!).intValue == 1000)
        #expect(JSONValue.string(" 120 ").intValue == 120)
        #expect(JSONValue.number(JSONNumber("1.5")!).intValue == nil)
        #expect(JSONValue.string("abc").intValue == nil)
        #expect(JSONValue.bool(true).intValue == nil)
        #expect(JSONValue.number(JSONNumber("1e300")!).intValue == nil)
    }
}

@Suite("JSON strings")
struct JSONStringTests {
    @Test func escapesDecode() throws {
        let value = try JSONParser.parse(#""q\"b\\s\/n\nt\tr\rb\bf\fu\u0001e\u00e9""#)
        #expect(value == .string("q\"b\\s/n\nt\tr\rb\u{08}f\u{0C}u\u{01}e\u{E9}"))
    }

    @Test func surrogatePairDecodesToOneScalar() throws {
        let value = try JSONParser.parse(#""\ud83d\ude00""#)
        #expect(value == .string("😀"))
        #expect(value.stringValue?.unicodeScalars.count == 1)
        #expect(value.stringValue?.unicodeScalars.first?.value == 0x1F600)
        // Upper-case hex digits too.
        #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == .string("😀"))
    }

    @Test func rawUTF8AndEmojiPassThrough() throws {
        let text = "\"héllo wörld 😀 日本 🇩🇪\""
        let value = try JSONParser.parse(text)
        #expect(value == .string("héllo wörld 😀 日本 🇩🇪"))
        #expect(JSONWriter.encode(value, style: .compact) == text)
    }

    @Test func writerEscapesOnlyWhatRFC8259Requires() {
        let s = "a\"b\\c/d\ne\tf\rg\u{08}h\u{0C}i\u{01}j\u{1F}k\u{7F}l😀m"
        #expect(JSONWriter.encode(.string(s), style: .compact)
            == #""a\"b\\c/d\ne\tf\rg\bh\fi\u0001j\u001fk\u007fl😀m""#)
    }

    @Test func writerEscapesKeysToo() {
        let o = JSONObject([("we\"ird\nkey", .null)])
        #expect(JSONWriter.encode(.object(o), style: .compact) == #"{"we\"ird\nkey":null}"#)
    }

    /// The reader checks eight bytes at a time; a byte that needs attention must be seen at
    /// every position in and around an eight-byte word, in keys and in values.
    @Test func specialBytesAtEveryOffsetInKeysAndValues() throws {
        for special in ["\"", "\\", "\n", "\u{01}", "\u{1F}", "\u{7F}", "é", "😀", " ", "/"] {
            for offset in 0..<20 {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 19 - offset)
                let document = JSONValue.object(JSONObject([(key: text, value: .string(text))]))
                #expect(try JSONParser.parse(JSONWriter.encode(document)) == document, "\(special.unicodeScalars.map(\.value)) at \(offset)")
            }
        }
    }

    @Test func rawControlBytesAndBadUTF8AreRefusedAtEveryOffset() {
        for bad: [UInt8] in [[0x01], [0x0A], [0x1F], [0xFF], [0xC3], [0xED, 0xA0, 0x80]] {
            for offset in 0..<20 {
                let inner = Array(repeating: UInt8(ascii: "a"), count: offset) + bad + Array(repeating: UInt8(ascii: "b"), count: 19 - offset)
                let asValue = Array("{\"k\": \"".utf8) + inner + Array("\"}".utf8)
                let asKey = Array("{\"".utf8) + inner + Array("\": 1}".utf8)
                #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(asValue) }
                #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(asKey) }
            }
        }
    }

    @Test func stringsSurviveAWriteReadCycle() throws {
        let samples = ["", "plain", "quote \" and backslash \\", "line1\nline2\r\n", "tab\there",
                       "ctrl \u{00}\u{01}\u{1F}\u{7F}", "emoji 😀👩‍👩‍👧", "slash / and </script>", "\u{2028}\u{2029}"]
        for s in samples {
            let encoded = JSONWriter.encode(.string(s))
            #expect(try JSONParser.parse(encoded) == .string(s), "sample \(s.debugDescription)")
        }
    }
}

@Suite("JSON syntax errors")
struct JSONErrorTests {
    @Test func emptyDocument() {
        let e = syntaxError("")
        #expect(e?.message == "empty document")
        #expect(e?.line == 1 && e?.column == 1)
        #expect(syntaxError("  \n  ")?.message == "empty document")
    }

    @Test func truncatedObjectReportsLineAndColumn() {
        let e = syntaxError("{\n  \"a\": 1,\n  \"b\": ")
        #expect(e != nil)
        #expect(e?.message == "unexpected end of data")
        #expect(e?.line == 3)
        #expect(e?.column == 8)
        #expect(e?.description == "unexpected end of data at line 3, column 8")
    }

    @Test func truncatedInsideObjectAfterValue() {
        let e = syntaxError("{\"a\": 1")
        #expect(e?.message == "unexpected end of data in object")
        #expect(e?.line == 1)
        #expect(e?.column == 8)
    }

    @Test func unterminatedStringPointsAtItsOpeningQuote() {
        let e = syntaxError("{\n\"a\": \"abc")
        #expect(e?.message == "unterminated string")
        #expect(e?.line == 2)
        #expect(e?.column == 6)
    }

    @Test func trailingCommaInObjectAndArray() {
        let o = syntaxError("{\"a\": 1,\n}")
        #expect(o?.message == "expected a string key")
        #expect(o?.line == 2 && o?.column == 1)
        let a = syntaxError("[1, 2,]")
        #expect(a?.message == "unexpected character")
        #expect(a?.line == 1 && a?.column == 7)
    }

    @Test func loneSurrogatesAreRejected() {
        #expect(syntaxError(#""\ud83d""#)?.message == "unpaired surrogate in \\u escape")
        #expect(syntaxError(#""\ud83dx""#)?.message == "unpaired surrogate in \\u escape")
        #expect(syntaxError(#""\ud83d\u0041""#)?.message == "unpaired surrogate in \\u escape")
        #expect(syntaxError(#""\ude00""#)?.message == "unpaired surrogate in \\u escape")
    }

    @Test func invalidUTF8IsRejected() {
        let bad: [UInt8] = Array("{\"a\": \"ok".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        let e = syntaxError(bad)
        #expect(e?.message == "invalid UTF-8 in string")
        #expect(e?.line == 1)
        #expect(e?.column == 8)
        // A lone continuation byte and a truncated sequence.
        #expect(syntaxError([0x22, 0x80, 0x22])?.message == "invalid UTF-8 in string")
        #expect(syntaxError([0x22, 0xE2, 0x82, 0x22])?.message == "invalid UTF-8 in string")
        // Overlong encoding of "/".
        #expect(syntaxError([0x22, 0xC0, 0xAF, 0x22])?.message == "invalid UTF-8 in string")
    }

    @Test func rawControlCharacterInStringIsRejected() {
        #expect(syntaxError("\"a\nb\"")?.message == "control character in string")
        #expect(syntaxError("\"a\u{01}b\"")?.message == "control character in string")
    }

    @Test func nestingIsLimited() throws {
        let depth = JSONParser.maximumDepth
        let atLimit = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONParser.parse(atLimit) }
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        let e = syntaxError(tooDeep)
        #expect(e?.message == "nesting deeper than \(depth) levels")
        #expect(e?.column == depth + 1)
        // Mixed objects and arrays count too, and hostile depth never crashes.
        let objects = String(repeating: #"{"a":"#, count: depth + 1) + "1" + String(repeating: "}", count: depth + 1)
        #expect(syntaxError(objects)?.message == "nesting deeper than \(depth) levels")
        #expect(syntaxError(String(repeating: "[", count: 100_000)) != nil)
    }

    @Test func otherMalformedInputs() {
        #expect(syntaxError("{} {}")?.message == "unexpected data after the JSON value")
        #expect(syntaxError("tru")?.message == "unexpected end of data")
        #expect(syntaxError("trux")?.message == "invalid literal")
        #expect(syntaxError("01")?.message == "unexpected data after the JSON value")
        #expect(syntaxError("1.")?.message == "invalid number")
        #expect(syntaxError("-")?.message == "invalid number")
        #expect(syntaxError("1e")?.message == "invalid number")
        #expect(syntaxError("+1")?.message == "unexpected character")
        #expect(syntaxError("NaN")?.message == "unexpected character")
        #expect(syntaxError("{'a': 1}")?.message == "expected a string key")
        #expect(syntaxError("{\"a\" 1}")?.message == "expected ':' after key")
        #expect(syntaxError("[1 2]")?.message == "expected ',' or ']' in array")
        #expect(syntaxError("{\"a\":1 \"b\":2}")?.message == "expected ',' or '}' in object")
        #expect(syntaxError(#""\x""#)?.message == "invalid escape sequence")
        #expect(syntaxError(#""\u12zz""#)?.message == "invalid \\u escape")
        #expect(syntaxError(#""\u12""#)?.message == "truncated \\u escape")
        #expect(syntaxError(#""\u1"#)?.message == "truncated \\u escape")
        #expect(syntaxError("[1,]")?.message == "unexpected character")
    }

    @Test func bomAloneIsAnEmptyDocument() {
        #expect(syntaxError([0xEF, 0xBB, 0xBF])?.message == "empty document")
    }
}
