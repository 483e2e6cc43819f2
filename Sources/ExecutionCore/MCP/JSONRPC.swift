// JSON-RPC 2.0 as MCP's stdio transport carries it (docs/mcp.md): one message per line, each a
// request, a notification or a response. Pure: the server reads lines and writes what this makes.

public enum JSONRPC {
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// MCP's code for a resource URI that names nothing.
    public static let resourceNotFound = -32002

    /// A protocol error: the request itself was wrong, as opposed to a tool that failed.
    public struct Failure: Error, Sendable, Equatable {
        public var code: Int
        public var message: String

        public init(_ code: Int, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    public enum Message: Sendable, Equatable {
        case request(id: JSONValue, method: String, params: JSONObject)
        case notification(method: String, params: JSONObject)
        /// A response to a request of ours; the server sends none, so it is dropped.
        case response
        /// Not a message that can be served: answered with this error (id null when unknown).
        case invalid(id: JSONValue, Failure)
    }

    /// One line read from the client.
    public static func parse(_ line: [UInt8]) -> Message {
        guard let value = try? JSONParser.parse(line) else { return .invalid(id: .null, Failure(parseError, "parse error: the line is not JSON")) }
        guard let object = value.objectValue else {
            return .invalid(id: .null, Failure(invalidRequest, value.arrayValue != nil
                ? "batches are not supported: send one message per line" : "a message must be a JSON object"))
        }
        // MCP: an id is a string or an integer, never null.
        let id: JSONValue? = switch object["id"] {
        case .string(let text)?: .string(text)
        case .number(let number)? where number.int64 != nil: .number(number)
        default: nil
        }
        guard object["jsonrpc"]?.stringValue == "2.0" else {
            return .invalid(id: id ?? .null, Failure(invalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\""))
        }
        guard let method = object["method"] else {
            if object["result"] != nil || object["error"] != nil { return .response }
            return .invalid(id: id ?? .null, Failure(invalidRequest, "invalid request: no \"method\""))
        }
        guard let name = method.stringValue else {
            return .invalid(id: id ?? .null, Failure(invalidRequest, "invalid request: \"method\" must be a string"))
        }
        var params = JSONObject()
        if let given = object["params"], !given.isNull {
            guard let given = given.objectValue else {
                return .invalid(id: id ?? .null, Failure(invalidParams, "invalid params: \"params\" must be an object"))
            }
            params = given
        }
        if object["id"] == nil { return .notification(method: name, params: params) }
        guard let id else { return .invalid(id: .null, Failure(invalidRequest, "invalid request: \"id\" must be a string or an integer")) }
        return .request(id: id, method: name, params: params)
    }

    /// The line answering request `id` with `result`.
    public static func result(id: JSONValue, _ result: JSONObject) -> String {
        line([("jsonrpc", .string("2.0")), ("id", id), ("result", .object(result))])
    }

    /// The line answering request `id` with an error.
    public static func error(id: JSONValue, _ failure: Failure) -> String {
        line([("jsonrpc", .string("2.0")), ("id", id),
              ("error", .object(JSONObject([("code", .int(failure.code)), ("message", .string(failure.message))])))])
    }

    /// A notification line (no answer expected).
    public static func notification(_ method: String, _ params: JSONObject) -> String {
        line([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", .object(params))])
    }

    /// Compact JSON has no raw newline: a string's are escaped, so one message stays one line.
    private static func line(_ entries: [(key: String, value: JSONValue)]) -> String {
        JSONWriter.encode(.object(JSONObject(entries)), style: .compact)
    }
}
