// An MCP tool's parameters, declared once (docs/mcp.md): the input schema a client sees and the
// checks a call's arguments go through both come from the same declaration.

/// One argument of a tool.
public struct ToolParameter: Sendable {
    public enum Kind: Sendable {
        case text
        /// A task's index or id: a string, or an integer taken as its digits.
        case reference
        case integer(ClosedRange<Int64>)
        case number(ClosedRange<Double>)
        case flag
        case choice([String])
        case texts
    }

    public let name: String
    public let kind: Kind
    public let help: String
    public let required: Bool

    public init(_ name: String, _ kind: Kind, _ help: String, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.help = help
        self.required = required
    }

    var schema: JSONValue {
        var o = JSONObject()
        switch kind {
        case .text: o.append("type", .string("string"))
        case .reference: o.append("type", .strings(["string", "integer"]))
        case .integer(let range):
            o.append("type", .string("integer"))
            o.append("minimum", .number(JSONNumber(range.lowerBound)))
            o.append("maximum", .number(JSONNumber(range.upperBound)))
        case .number(let range):
            o.append("type", .string("number"))
            o.append("minimum", .double(range.lowerBound))
            o.append("maximum", .double(range.upperBound))
        case .flag: o.append("type", .string("boolean"))
        case .choice(let values):
            o.append("type", .string("string"))
            o.append("enum", .strings(values))
        case .texts:
            o.append("type", .string("array"))
            o.append("items", .object(JSONObject([("type", .string("string"))])))
        }
        o.append("description", .string(help))
        return .object(o)
    }
}

/// A tool as `tools/list` shows it.
public struct ToolDefinition: Sendable {
    public let name: String
    public let title: String
    public let description: String
    public let parameters: [ToolParameter]
    /// The JSON Schema of the tool's `structuredContent` (an object).
    public let output: JSONValue
    /// Reads only: clients may call it without asking.
    public let readOnly: Bool

    public init(name: String, title: String, description: String, parameters: [ToolParameter], output: JSONValue, readOnly: Bool) {
        self.name = name
        self.title = title
        self.description = description
        self.parameters = parameters
        self.output = output
        self.readOnly = readOnly
    }

    public var inputSchema: JSONValue {
        .object(JSONObject([
            ("type", .string("object")),
            ("properties", .object(JSONObject(parameters.map { ($0.name, $0.schema) }))),
            ("required", .strings(parameters.filter(\.required).map(\.name))),
            ("additionalProperties", .bool(false)),
        ]))
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("title", .string(title)), ("description", .string(description)),
            ("inputSchema", inputSchema), ("outputSchema", output),
            ("annotations", .object(JSONObject([
                ("title", .string(title)), ("readOnlyHint", .bool(readOnly)), ("destructiveHint", .bool(false)),
                ("idempotentHint", .bool(readOnly)), ("openWorldHint", .bool(false)),
            ]))),
        ]))
    }
}

/// What a model got wrong in a call's arguments: told back as a tool error it can correct.
public struct ToolInputError: Error, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }
}

/// A call's arguments, checked against the tool's parameters: no unknown name, every required
/// one given, each of its type and in its range. `null` counts as not given.
public struct ToolArguments: Sendable {
    private let values: JSONObject

    public init(_ given: JSONObject, for tool: ToolDefinition) throws(ToolInputError) {
        let byName = Dictionary(tool.parameters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var values = JSONObject()
        for (name, value) in given.entries where !value.isNull {
            guard let parameter = byName[name] else {
                throw ToolInputError("unknown argument '\(name.singleLine.prefix(40))' for \(tool.name); valid: "
                    + (tool.parameters.isEmpty ? "none" : tool.parameters.map(\.name).joined(separator: ", ")))
            }
            try Self.check(value, parameter)
            values.append(name, value)
        }
        for parameter in tool.parameters where parameter.required && values[parameter.name] == nil {
            throw ToolInputError("missing argument '\(parameter.name)' (\(parameter.help))")
        }
        self.values = values
    }

    private static func check(_ value: JSONValue, _ parameter: ToolParameter) throws(ToolInputError) {
        let name = parameter.name
        switch parameter.kind {
        case .text:
            guard value.stringValue != nil else { throw ToolInputError("'\(name)' must be a string") }
        case .reference:
            guard value.stringValue != nil || Self.whole(value) != nil else { throw ToolInputError("'\(name)' must be a string or an integer") }
        case .integer(let range):
            guard let int = Self.whole(value) else { throw ToolInputError("'\(name)' must be an integer") }
            guard range.contains(int) else { throw ToolInputError("'\(name)' must be from \(range.lowerBound) to \(range.upperBound), got \(int)") }
        case .number(let range):
            guard let double = value.numberValue else { throw ToolInputError("'\(name)' must be a number") }
            guard range.contains(double) else { throw ToolInputError("'\(name)' must be from \(range.lowerBound) to \(range.upperBound), got \(double)") }
        case .flag:
            guard value.boolValue != nil else { throw ToolInputError("'\(name)' must be true or false") }
        case .choice(let choices):
            guard let text = value.stringValue, choices.contains(text) else {
                throw ToolInputError("'\(name)' must be one of \(choices.joined(separator: ", "))")
            }
        case .texts:
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw ToolInputError("'\(name)' must be a list of strings")
            }
        }
    }

    /// An integer: 3 and 3.0 are; 3.5 and "3" are not.
    private static func whole(_ value: JSONValue) -> Int64? {
        guard case .number(let number) = value else { return nil }
        if let int = number.int64 { return int }
        guard let double = number.double, double.rounded() == double, abs(double) < 9e15 else { return nil }
        return Int64(double)
    }

    /// A string argument; a reference given as an integer, as its digits.
    public func text(_ name: String) -> String? {
        guard let value = values[name] else { return nil }
        return value.stringValue ?? Self.whole(value).map(String.init)
    }
    public func flag(_ name: String) -> Bool { values[name]?.boolValue ?? false }
    public func number(_ name: String) -> Double? { values[name]?.numberValue }
    public func texts(_ name: String) -> [String]? { values[name]?.arrayValue?.compactMap(\.stringValue) }

    public func integer(_ name: String) -> Int64? { values[name].flatMap(Self.whole) }

    public func isGiven(_ name: String) -> Bool { values[name] != nil }
}
