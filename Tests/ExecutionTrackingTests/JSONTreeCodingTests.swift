import Foundation
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

private struct Order: Codable, Equatable {
    enum Priority: String, Codable { case low, high }
    enum Level: Int, Codable { case one = 1, two = 2 }
    struct Item: Codable, Equatable {
        var name: String
        var count: Int
        var weight: Double?
    }

    var id: UInt64
    var title: String
    var note: String?
    var priority: Priority
    var level: Level
    var items: [Item]
    var stock: [String: Int]
    var grid: [[Int8]]
    var ratio: Float
    var scale: Double
    var active: Bool
    var parent: Item?
}

private let sample = Order(
    id: UInt64.max, title: "Ünïcode \"quoted\" \\ tab\t", note: nil, priority: .high, level: .two,
    items: [.init(name: "a", count: 1, weight: 2.5), .init(name: "b", count: -7, weight: nil)],
    stock: ["x": 1, "y": 2, "z": 3], grid: [[1, -128], [], [127]], ratio: 0.1, scale: 1e-7,
    active: true, parent: .init(name: "p", count: 0, weight: 3))

/// A coding path as text: keys by name, array positions as `[i]`.
private func describe(_ path: [any CodingKey]) -> [String] {
    path.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
}

/// The error's case name and coding path (for keyNotFound, the container's path plus the key).
private func summary(_ error: any Error) -> (kind: String, path: [String])? {
    switch error as? DecodingError {
    case .keyNotFound(let key, let context): ("keyNotFound", describe(context.codingPath + [key]))
    case .typeMismatch(_, let context): ("typeMismatch", describe(context.codingPath))
    case .valueNotFound(_, let context): ("valueNotFound", describe(context.codingPath))
    case .dataCorrupted(let context): ("dataCorrupted", describe(context.codingPath))
    default: nil
    }
}

private func decodingFailure<T: Decodable>(_ type: T.Type, _ text: String) -> (kind: String, path: [String])? {
    do {
        _ = try JSONTree.decode(type, from: JSONParser.parse(text))
        return nil
    } catch {
        return summary(error)
    }
}

private func compact(_ value: JSONValue) -> String { JSONWriter.encode(value, style: .compact) }

/// Objects with their keys sorted, for comparing with encoders that do not keep key order.
private func sortedKeys(_ value: JSONValue) -> JSONValue {
    switch value {
    case .array(let elements): .array(elements.map(sortedKeys))
    case .object(let object):
        .object(JSONObject(object.entries.sorted { $0.key < $1.key }.map { (key: $0.key, value: sortedKeys($0.value)) }))
    default: value
    }
}

@Suite("JSON tree coding")
struct JSONTreeCodingTests {
    @Test func nestedStructRoundTrips() throws {
        let tree = try JSONTree.encode(sample)
        #expect(try JSONTree.decode(Order.self, from: tree) == sample)
        let object = try #require(tree.objectValue)
        #expect(object["id"] == .number(JSONNumber("18446744073709551615")!))
        #expect(object["note"] == nil, "synthesized Codable leaves nil optionals out")
        #expect(object["priority"] == .string("high"))
        #expect(object["level"] == .int(2))
        #expect(object["ratio"] == .number(JSONNumber("0.1")!), "a Float keeps its shortest digits")
        #expect(object["grid"].map(compact) == "[[1,-128],[],[127]]")
        #expect(object["items"].map(compact) == #"[{"name":"a","count":1,"weight":2.5},{"name":"b","count":-7}]"#)
        #expect(object["stock"]?.objectValue.map { Set($0.keys) } == ["x", "y", "z"])

        // The parsed text of the tree decodes too, and an explicit null reads as nil.
        var withNull = object
        withNull["note"] = .null
        let reparsed = try JSONParser.parse(compact(.object(withNull)))
        #expect(try JSONTree.decode(Order.self, from: reparsed) == sample)
    }

    @Test func keysKeepInsertionOrderAndReencodingReplacesInPlace() throws {
        struct Ordered: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyCodingKey.self)
                try container.encode(1, forKey: AnyCodingKey("zeta"))
                try container.encode(2, forKey: AnyCodingKey("alpha"))
                try container.encode(["a": 3], forKey: AnyCodingKey("mid"))
                try container.encode("again", forKey: AnyCodingKey("zeta"))
                try container.encode(["b": 4], forKey: AnyCodingKey("mid"))
            }
        }
        #expect(compact(try JSONTree.encode(Ordered())) == #"{"zeta":"again","alpha":2,"mid":{"b":4}}"#)

        struct Keys: Decodable {
            let keys: [String]
            init(from decoder: any Decoder) throws {
                keys = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
            }
        }
        let document = try JSONParser.parse(#"{"z":1,"a":null,"x":[],"m":{}}"#)
        #expect(try JSONTree.decode(Keys.self, from: document).keys == ["z", "a", "x", "m"])

        // allKeys lists only the keys the key type accepts.
        struct Known: Decodable {
            enum Key: String, CodingKey { case m, a }
            let keys: [Key]
            init(from decoder: any Decoder) throws {
                keys = try decoder.container(keyedBy: Key.self).allKeys
            }
        }
        #expect(try JSONTree.decode(Known.self, from: document).keys == [.a, .m])
    }

    @Test func jsonValueRoundTripsExactly() throws {
        let text = #"{"zeta":1.50,"alpha":-0,"big":123456789012345678901234567890,"exp":2.5E-7,"list":[1.0,{"b":null,"a":"x"}]}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONTree.encode(value) == value)
        #expect(try JSONTree.decode(JSONValue.self, from: value) == value)

        struct Envelope: Codable, Equatable {
            var payload: JSONValue
            var extra: [String: JSONValue]
        }
        let envelope = Envelope(payload: value, extra: ["n": .number(JSONNumber("1e400")!)])
        let tree = try JSONTree.encode(envelope)
        #expect(compact(tree) == #"{"payload":\#(text),"extra":{"n":1e400}}"#)
        #expect(try JSONTree.decode(Envelope.self, from: tree) == envelope)
    }

    @Test func statusFileRoundTripsExactly() throws {
        var status = f001Status()
        status.extra = JSONObject([("x_top", oddExtra)])
        let tree = try JSONTree.encode(status)
        #expect(JSONWriter.encode(tree) == JSONWriter.encode(status.json))
        var decoded = try JSONTree.decode(StatusFile.self, from: tree)
        decoded.recomputeDerivedFields()
        #expect(decoded == status)
        #expect(decoded.extra == JSONObject([("x_top", oddExtra)]))
    }

    @Test func jsonValueStillDecodesThroughFoundation() throws {
        let data = Data(#"{"b":[true,null,"x",2.5,7],"a":{}}"#.utf8)
        let value = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(compact(value) == #"{"a":{},"b":[true,null,"x",2.5,7]}"#)
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(again == value)
    }

    @Test func errorsNameTheirCodingPath() {
        let item = #"{"name":"n","count":1}"#
        func order(_ third: String) -> String {
            #"{"id":1,"title":"t","priority":"low","level":1,"items":[\#(item),\#(item),\#(third)],"stock":{},"#
                + #""grid":[],"ratio":1,"scale":2,"active":false}"#
        }
        let cases: [(String, String, [String])] = [
            (order(#"{"name":"n"}"#), "keyNotFound", ["items", "[2]", "count"]),
            (order(#"{"name":"n","count":"1"}"#), "typeMismatch", ["items", "[2]", "count"]),
            (order(#"{"name":"n","count":null}"#), "valueNotFound", ["items", "[2]", "count"]),
            (order(#"{"name":"n","count":1.5}"#), "dataCorrupted", ["items", "[2]", "count"]),
            (order(#"{"name":"n","count":1e19}"#), "dataCorrupted", ["items", "[2]", "count"]),
            (order("[]"), "typeMismatch", ["items", "[2]"]),
            (order(#"{"name":"n","count":1,"weight":"heavy"}"#), "typeMismatch", ["items", "[2]", "weight"]),
            (#"{"id":1}"#, "keyNotFound", ["title"]),
            (#"{"id":-1}"#, "dataCorrupted", ["id"]),
            (order(item).replacingOccurrences(of: #""priority":"low""#, with: #""priority":"urgent""#),
             "dataCorrupted", ["priority"]),
            (order(item).replacingOccurrences(of: #""level":1"#, with: #""level":3"#), "dataCorrupted", ["level"]),
            (order(item).replacingOccurrences(of: #""grid":[]"#, with: #""grid":[[1],[2,300]]"#),
             "dataCorrupted", ["grid", "[1]", "[1]"]),
            ("[]", "typeMismatch", []),
        ]
        for (text, kind, path) in cases {
            let failure = decodingFailure(Order.self, text)
            #expect(failure?.kind == kind, "\(text)")
            #expect(failure?.path == path, "\(text)")
        }
        #expect(decodingFailure(Order.self, order(item)) == nil)
    }

    /// Where Foundation reports an error with a coding path, the tree decoder reports the same one.
    @Test func errorsMatchFoundation() throws {
        let documents = [
            #"{"id":1}"#, #"{"id":"1","title":"t"}"#, #"{"id":null}"#, "[1]", "null",
            #"{"id":1,"title":"t","priority":"low","level":1,"items":[{"name":"n","count":1},{"count":2}]}"#,
            #"{"id":1,"title":"t","priority":"low","level":1,"items":[],"stock":{"a":true}}"#,
            #"{"id":1,"title":"t","priority":"low","level":1,"items":[],"stock":{},"grid":[[1],{}]}"#,
        ]
        for text in documents {
            var foundation: (kind: String, path: [String])?
            do { _ = try JSONDecoder().decode(Order.self, from: Data(text.utf8)) } catch { foundation = summary(error) }
            let tree = decodingFailure(Order.self, text)
            #expect(foundation != nil)
            #expect(tree?.kind == foundation?.kind, "\(text)")
            #expect(tree?.path == foundation?.path, "\(text)")
        }
    }

    @Test func integersMustBeExactAndInRange() throws {
        func decode<I: FixedWidthInteger & Decodable>(_ type: I.Type, _ literal: String) -> I? {
            try? JSONTree.decode(type, from: .number(JSONNumber(literal)!))
        }
        #expect(decode(Int8.self, "127") == 127)
        #expect(decode(Int8.self, "-128") == -128)
        #expect(decode(Int8.self, "128") == nil)
        #expect(decode(Int8.self, "-129") == nil)
        #expect(decode(Int8.self, "1.0") == 1)
        #expect(decode(Int8.self, "1e2") == 100)
        #expect(decode(Int8.self, "-1.2E+1") == -12)
        #expect(decode(Int8.self, "1.5") == nil)
        #expect(decode(Int8.self, "1e-1") == nil)
        #expect(decode(UInt8.self, "-0") == 0)
        #expect(decode(UInt8.self, "-0.0e7") == 0)
        #expect(decode(UInt8.self, "-1") == nil)
        #expect(decode(UInt8.self, "2.55e2") == 255)
        #expect(decode(UInt8.self, "2.56e2") == nil)
        #expect(decode(Int64.self, "9223372036854775807") == .max)
        #expect(decode(Int64.self, "9223372036854775808") == nil)
        #expect(decode(Int64.self, "-9.223372036854775808e18") == .min)
        #expect(decode(Int64.self, "1.00000000000000000001") == nil, "Double would round this to 1")
        #expect(decode(Int64.self, "12345678901234567890e-10") == nil)
        #expect(decode(Int64.self, "1234567890000000000e-9") == 1_234_567_890)
        #expect(decode(UInt64.self, "1.8446744073709551615e19") == .max)
        #expect(decode(UInt64.self, "1e99999999999999999999") == nil)
        #expect(decode(UInt64.self, "1e-99999999999999999999") == nil)
        #expect(decode(UInt64.self, "0e99999999999999999999") == 0)
        #expect(decode(Int.self, "1e30") == nil)

        let refused = decodingFailure([Int16].self, "[1, 2.5]")
        #expect(refused?.kind == "dataCorrupted")
        #expect(refused?.path == ["[1]"])
        #expect(decodingFailure(Int.self, #""1""#)?.kind == "typeMismatch")
        #expect(decodingFailure(Double.self, "1e400")?.kind == "dataCorrupted")
        #expect(decodingFailure(Float.self, "1e39")?.kind == "dataCorrupted")
        #expect(try JSONTree.decode(Float.self, from: .number(JSONNumber("3.4028235e38")!)) == .greatestFiniteMagnitude)
        #expect(try JSONTree.decode(Double.self, from: .number(JSONNumber("-0")!)).sign == .minus)
    }

    @available(macOS 15, iOS 18, watchOS 11, tvOS 18, visionOS 2, *)
    @Test func wideIntegers() throws {
        struct Wide: Codable, Equatable {
            var signed: Int128
            var unsigned: [UInt128]
        }
        let wide = Wide(signed: .min, unsigned: [.max, 0])
        let tree = try JSONTree.encode(wide)
        #expect(compact(tree) == #"{"signed":-170141183460469231731687303715884105728,"#
            + #""unsigned":[340282366920938463463374607431768211455,0]}"#)
        #expect(try JSONTree.decode(Wide.self, from: tree) == wide)
        #expect(try JSONTree.decode(Int128.self, from: .number(JSONNumber("1.7e38")!)) == 170_000_000_000_000_000_000_000_000_000_000_000_000)
    }

    @Test func nestedContainersWrittenAfterLaterSiblings() throws {
        struct Late: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyCodingKey.self)
                var first = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("first"))
                var list = container.nestedUnkeyedContainer(forKey: AnyCodingKey("list"))
                let base = container.superEncoder()
                try container.encode(2, forKey: AnyCodingKey("second"))
                try first.encode("late", forKey: AnyCodingKey("x"))
                try list.encode(1)
                var inner = list.nestedUnkeyedContainer()
                var element = list.nestedContainer(keyedBy: AnyCodingKey.self)
                try list.encode(4)
                try inner.encode(2)
                try element.encode(3, forKey: AnyCodingKey("y"))
                var again = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("first"))
                try again.encodeNil(forKey: AnyCodingKey("z"))
                var single = base.singleValueContainer()
                try single.encode("base")
                #expect(list.count == 4)
            }
        }
        #expect(compact(try JSONTree.encode(Late()))
            == #"{"first":{"x":"late","z":null},"list":[1,[2],{"y":3},4],"super":"base","second":2}"#)
    }

    @Test func superEncoderAndSuperDecoder() throws {
        class Base: Codable {
            var id: Int
            init(id: Int) { self.id = id }
        }
        final class Derived: Base {
            var extra: String
            enum Keys: String, CodingKey { case extra, parent }
            init(id: Int, extra: String) {
                self.extra = extra
                super.init(id: id)
            }
            required init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Keys.self)
                extra = try container.decode(String.self, forKey: .extra)
                try super.init(from: container.superDecoder(forKey: .parent))
            }
            override func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try super.encode(to: container.superEncoder(forKey: .parent))
                try container.encode(extra, forKey: .extra)
            }
        }
        let tree = try JSONTree.encode(Derived(id: 7, extra: "x"))
        #expect(compact(tree) == #"{"parent":{"id":7},"extra":"x"}"#)
        let decoded = try JSONTree.decode(Derived.self, from: tree)
        #expect(decoded.id == 7 && decoded.extra == "x")

        // The default "super" key, and the super encoder of an unkeyed container.
        struct Supers: Codable {
            var paths: [[String]] = []
            init() {}
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyCodingKey.self)
                try Base(id: 1).encode(to: container.superEncoder())
                var list = container.nestedUnkeyedContainer(forKey: AnyCodingKey("list"))
                try Base(id: 2).encode(to: list.superEncoder())
            }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: AnyCodingKey.self)
                let keyed = try container.superDecoder()
                #expect(try Base(from: keyed).id == 1)
                var list = try container.nestedUnkeyedContainer(forKey: AnyCodingKey("list"))
                let element = try list.superDecoder()
                #expect(try Base(from: element).id == 2)
                #expect(throws: DecodingError.self) { try list.superDecoder() }
                // A missing key gives a decoder over null, as Foundation's does.
                let missing = try container.superDecoder(forKey: AnyCodingKey("absent"))
                #expect(try missing.singleValueContainer().decodeNil())
                paths = [keyed, element, missing].map { describe($0.codingPath) }
            }
        }
        let supers = try JSONTree.encode(Supers())
        #expect(compact(supers) == #"{"super":{"id":1},"list":[{"id":2}]}"#)
        #expect(try JSONTree.decode(Supers.self, from: supers).paths == [["super"], ["list", "[0]"], ["absent"]])
    }

    @Test func unkeyedDecodingMovesOnOnlyOnSuccess() throws {
        struct Walk: Decodable {
            var log: [String] = []
            init(from decoder: any Decoder) throws {
                var list = try decoder.unkeyedContainer()
                log.append("count \(list.count ?? -1)")
                log.append("nil \(try list.decodeNil()) at \(list.currentIndex)")
                #expect(throws: DecodingError.self) { try list.decode(String.self) }
                log.append("int \(try list.decode(Int.self)) at \(list.currentIndex)")
                log.append("nil \(try list.decodeNil()) at \(list.currentIndex)")
                var inner = try list.nestedUnkeyedContainer()
                log.append("inner \(try inner.decode(Bool.self)) \(inner.isAtEnd)")
                let object = try list.nestedContainer(keyedBy: AnyCodingKey.self)
                log.append("object \(try object.decodeIfPresent(Int.self, forKey: AnyCodingKey("a")) ?? -1)")
                log.append("end \(list.isAtEnd)")
                do {
                    _ = try list.decode(Int.self)
                } catch {
                    log.append("\(summary(error)!)")
                }
            }
        }
        let walk = try JSONTree.decode(Walk.self, from: JSONParser.parse(#"[5,null,[true],{"a":null}]"#))
        #expect(walk.log == ["count 4", "nil false at 0", "int 5 at 1", "nil true at 2", "inner true true",
                             "object -1", "end true", #"(kind: "valueNotFound", path: ["[4]"])"#])
    }

    @Test func keyedDecodingOptionalsAndNested() throws {
        struct Probe: Decodable {
            var results: [String] = []
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: AnyCodingKey.self)
                for name in ["null", "absent", "number"] {
                    let key = AnyCodingKey(name)
                    results.append("\(name) \(container.contains(key)) \(String(describing: try container.decodeIfPresent(Int.self, forKey: key)))")
                }
                #expect(try container.decodeNil(forKey: AnyCodingKey("null")))
                #expect(try !container.decodeNil(forKey: AnyCodingKey("number")))
                let nested = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("inner"))
                results.append(try nested.decode(String.self, forKey: AnyCodingKey("s")))
                do {
                    _ = try container.nestedUnkeyedContainer(forKey: AnyCodingKey("inner"))
                } catch {
                    results.append("\(summary(error)!)")
                }
                do {
                    _ = try container.decodeNil(forKey: AnyCodingKey("absent"))
                } catch {
                    results.append("\(summary(error)!)")
                }
            }
        }
        let probe = try JSONTree.decode(Probe.self, from: JSONParser.parse(#"{"null":null,"number":3,"inner":{"s":"ok"}}"#))
        #expect(probe.results == ["null true nil", "absent false nil", "number true Optional(3)", "ok",
                                  #"(kind: "typeMismatch", path: ["inner"])"#,
                                  #"(kind: "keyNotFound", path: ["absent"])"#])
    }

    @Test func nonFiniteNumbersAreRefused() throws {
        func refusal<T: Encodable>(_ value: T) -> [String]? {
            do {
                _ = try JSONTree.encode(value)
                return nil
            } catch EncodingError.invalidValue(_, let context) {
                return describe(context.codingPath)
            } catch {
                return nil
            }
        }
        #expect(refusal(Double.nan) == [])
        #expect(refusal([1.0, -.infinity]) == ["[1]"])
        #expect(refusal(["r": Float.infinity]) == ["r"])
        var order = sample
        order.items[1].weight = .nan
        #expect(refusal(order) == ["items", "[1]", "weight"])
        #expect(try JSONTree.encode([3.0, 1e300, 0.1]) == JSONParser.parse("[3,1e+300,0.1]"))
    }

    @Test func topLevelValueThatEncodesNothingIsRefused() throws {
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(throws: EncodingError.self) { try JSONTree.encode(Nothing()) }
        // Nested, it becomes an empty object, as with JSONEncoder.
        #expect(compact(try JSONTree.encode(["n": Nothing()])) == #"{"n":{}}"#)
        #expect(compact(try JSONTree.encode(["n": Nothing()])) == String(decoding: try JSONEncoder().encode(["n": Nothing()]), as: UTF8.self))
    }

    @Test func agreesWithFoundation() throws {
        // Tree, then the writer's text, read by Foundation.
        let written = JSONWriter.encode(try JSONTree.encode(sample), style: .compact)
        #expect(try JSONDecoder().decode(Order.self, from: Data(written.utf8)) == sample)

        // Foundation's bytes, parsed, read through the tree.
        let foundationBytes = try JSONEncoder().encode(sample)
        let parsed = try JSONParser.parse(Array(foundationBytes))
        #expect(try JSONTree.decode(Order.self, from: parsed) == sample)

        // Both produce the same document, literals included, apart from key order.
        #expect(sortedKeys(parsed) == sortedKeys(try JSONTree.encode(sample)))
    }
}
