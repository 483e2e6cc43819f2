import ExecutionCore

// `exectrack mcp` (docs/mcp.md): the Model Context Protocol over stdio. One connection's state
// is its lifecycle and its subscriptions; every tool call reads the status file afresh and writes
// through the store's locked write, so nothing here can be made stale by another process, and no
// lock is held between calls.

public struct MCPServer {
    /// The revisions of the initialize handshake this server speaks, newest first.
    public static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    let tracker: Tracker
    let version: String
    var caller: MCPCaller
    /// The revision agreed at `initialize`; nil before it.
    public private(set) var protocolVersion: String?
    /// Resources a client subscribed to, with the status file as it was last announced.
    var subscriptions: [String: FileIdentity?] = [:]

    /// `session` names this connection in the leases it takes, unless a call gives its own.
    public init(tracker: Tracker, version: String, session: String) {
        self.tracker = tracker
        self.version = version
        self.caller = MCPCaller(client: nil, session: session)
    }

    public var hasSubscriptions: Bool { !subscriptions.isEmpty }

    /// The lines answering one line from the client: none for a notification or a response.
    public mutating func handle(_ line: [UInt8]) -> [String] {
        switch JSONRPC.parse(line) {
        case .response, .notification: return []
        case .invalid(let id, let failure): return [JSONRPC.error(id: id, failure)]
        case .request(let id, let method, let params):
            do throws(JSONRPC.Failure) {
                return [JSONRPC.result(id: id, try answer(method, params))]
            } catch {
                return [JSONRPC.error(id: id, error)]
            }
        }
    }

    private mutating func answer(_ method: String, _ params: JSONObject) throws(JSONRPC.Failure) -> JSONObject {
        switch method {
        case "initialize": return try initialize(params)
        case "ping": return JSONObject()
        default: break
        }
        // An unknown method is unknown whatever the state (a newer client's `server/discover` probe).
        guard Self.methods.contains(method) else {
            throw JSONRPC.Failure(JSONRPC.methodNotFound, "method not found: \(method.singleLine.prefix(80))")
        }
        guard protocolVersion != nil else {
            throw JSONRPC.Failure(JSONRPC.invalidRequest, "the server is not initialized: send initialize first")
        }
        switch method {
        case "tools/list": return JSONObject([("tools", .array(MCPTool.all.map(\.definition.json)))])
        case "tools/call": return try call(params)
        case "resources/list": return JSONObject([("resources", .array(resources()))])
        case "resources/templates/list": return JSONObject([("resourceTemplates", .array([MCPResources.template]))])
        case "resources/read": return try read(params)
        case "resources/subscribe":
            let uri = try MCPResources.uri(params)
            let spec = try MCPResources.spec(in: uri, tracker.store)
            subscriptions[uri] = .some(tracker.store.identity(spec))
            return JSONObject()
        case "resources/unsubscribe":
            subscriptions[try MCPResources.uri(params)] = nil
            return JSONObject()
        default:
            throw JSONRPC.Failure(JSONRPC.methodNotFound, "method not found: \(method.singleLine.prefix(80))")
        }
    }

    /// The methods served after `initialize`.
    static let methods: Set<String> = ["tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read",
                                       "resources/subscribe", "resources/unsubscribe"]

    /// Agrees on the client's revision when this server speaks it, else offers its newest.
    private mutating func initialize(_ params: JSONObject) throws(JSONRPC.Failure) -> JSONObject {
        guard protocolVersion == nil else { throw JSONRPC.Failure(JSONRPC.invalidRequest, "already initialized") }
        guard let requested = params["protocolVersion"]?.stringValue else {
            throw JSONRPC.Failure(JSONRPC.invalidParams, "initialize needs protocolVersion (a string)")
        }
        let agreed = Self.protocolVersions.contains(requested) ? requested : Self.protocolVersions[0]
        protocolVersion = agreed
        if let info = params["clientInfo"]?.objectValue, let name = info["name"]?.stringValue {
            caller.client = ([name] + [info["version"]?.stringValue].compactMap { $0 }).joined(separator: " ").singleLine
        }
        return JSONObject([
            ("protocolVersion", .string(agreed)),
            ("capabilities", .object(JSONObject([
                ("tools", .object(JSONObject([("listChanged", .bool(false))]))),
                ("resources", .object(JSONObject([("subscribe", .bool(true)), ("listChanged", .bool(false))]))),
            ]))),
            ("serverInfo", .object(JSONObject([("name", .string("exectrack")), ("title", .string("exectrack")), ("version", .string(version))]))),
            ("instructions", .string(Self.instructions)),
        ])
    }

    static let instructions = """
        Tracks the execution of layered feature specs (.claude/execution/<SPEC>.json). Loop: list to find the spec, \
        claim to take the next ready task (held under a lease), heartbeat while working on it for long, then update \
        with status complete (or error to log a failure); report shows where things stand. gate records a layer's \
        quality check; usage adds tokens and cost. Every write is atomic and locked: two agents never get one task.
        """

    /// A tool's answer. Arguments a model got wrong, and a refusal of the tracker, are results
    /// with `isError` the model can read and correct; only an unknown tool is a protocol error.
    private func call(_ params: JSONObject) throws(JSONRPC.Failure) -> JSONObject {
        guard let name = params["name"]?.stringValue else { throw JSONRPC.Failure(JSONRPC.invalidParams, "tools/call needs a tool name") }
        guard let tool = MCPTool.named(name) else {
            throw JSONRPC.Failure(JSONRPC.invalidParams, "unknown tool '\(name.singleLine.prefix(60))'; valid: "
                + MCPTool.all.map(\.definition.name).joined(separator: ", "))
        }
        var given = JSONObject()
        if let arguments = params["arguments"], !arguments.isNull {
            guard let object = arguments.objectValue else { throw JSONRPC.Failure(JSONRPC.invalidParams, "arguments must be an object") }
            given = object
        }
        do {
            let arguments = try ToolArguments(given, for: tool.definition)
            do throws(TrackerError) {
                let output = try tool.run(tracker, caller, arguments)
                return Self.toolResult(text: output.text, structured: output.structured, isError: false)
            } catch {
                return Self.toolResult(text: "exectrack: " + error.message, structured: JSONObject([
                    ("error", .string(error.message)), ("exit_code", .int(Int(error.exitCode))),
                ]), isError: true)
            }
        } catch {
            return Self.toolResult(text: "exectrack: invalid arguments for \(name): " + error.message,
                                   structured: JSONObject([("error", .string(error.message)), ("exit_code", .int(Int(TrackerError.Kind.usage.rawValue)))]),
                                   isError: true)
        }
    }

    static func toolResult(text: String, structured: JSONObject, isError: Bool) -> JSONObject {
        JSONObject([
            ("content", .array([.object(JSONObject([("type", .string("text")), ("text", .string(text))]))])),
            ("structuredContent", .object(structured)),
            ("isError", .bool(isError)),
        ])
    }

    private func resources() -> [JSONValue] { tracker.store.listSpecs().map(MCPResources.entry) }

    private func read(_ params: JSONObject) throws(JSONRPC.Failure) -> JSONObject {
        let uri = try MCPResources.uri(params)
        let spec = try MCPResources.spec(in: uri, tracker.store)
        do throws(TrackerError) {
            let text = ProgressReport.markdown(try tracker.snapshot(spec))
            return JSONObject([("contents", .array([.object(JSONObject([
                ("uri", .string(uri)), ("mimeType", .string(MCPResources.mimeType)), ("text", .string(text)),
            ]))]))])
        } catch {
            throw JSONRPC.Failure(JSONRPC.resourceNotFound, error.message)
        }
    }

    /// `notifications/resources/updated` for each subscribed report whose status file changed
    /// since it was last announced.
    public mutating func changes() -> [String] {
        var lines: [String] = []
        for (uri, seen) in subscriptions.sorted(by: { $0.key < $1.key }) {
            guard let spec = try? MCPResources.spec(in: uri, tracker.store) else { continue }
            let now = tracker.store.identity(spec)
            guard now != seen else { continue }
            subscriptions[uri] = .some(now)
            lines.append(JSONRPC.notification("notifications/resources/updated", JSONObject([("uri", .string(uri))])))
        }
        return lines
    }
}

/// Each spec's report as a resource: `exectrack://spec/<SPEC>/report`, in Markdown.
enum MCPResources {
    static let prefix = "exectrack://spec/"
    static let suffix = "/report"
    static let mimeType = "text/markdown"

    static let template: JSONValue = .object(JSONObject([
        ("uriTemplate", .string(prefix + "{spec}" + suffix)), ("name", .string("report")),
        ("title", .string("Progress report of a spec")), ("mimeType", .string(mimeType)),
    ]))

    static func entry(_ spec: SpecID) -> JSONValue {
        .object(JSONObject([
            ("uri", .string(prefix + spec.rawValue + suffix)), ("name", .string(spec.rawValue)),
            ("title", .string("\(spec.rawValue) progress report")),
            ("description", .string("Layers, tasks, agents, errors and gates of \(spec.rawValue); updated as the status file changes")),
            ("mimeType", .string(mimeType)),
        ]))
    }

    static func uri(_ params: JSONObject) throws(JSONRPC.Failure) -> String {
        guard let uri = params["uri"]?.stringValue else { throw JSONRPC.Failure(JSONRPC.invalidParams, "needs a resource uri (a string)") }
        return uri
    }

    /// The spec a report URI names, when it exists.
    static func spec(in uri: String, _ store: StatusStore) throws(JSONRPC.Failure) -> SpecID {
        guard uri.hasPrefix(prefix), uri.hasSuffix(suffix), uri.count > prefix.count + suffix.count,
              let spec = try? SpecID(String(uri.dropFirst(prefix.count).dropLast(suffix.count))) else {
            throw JSONRPC.Failure(JSONRPC.resourceNotFound, "no such resource: \(uri.singleLine.prefix(120)); reports are \(prefix)<SPEC>\(suffix)")
        }
        guard let resolved = try? store.resolve(spec), store.identity(resolved) != nil else {
            throw JSONRPC.Failure(JSONRPC.resourceNotFound, "no such resource: \(uri.singleLine.prefix(120)); no status file for \(spec.rawValue)")
        }
        return resolved
    }
}
