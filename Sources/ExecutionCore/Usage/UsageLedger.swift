// The usage ledger (docs/usage.md, "Counting once"): `.claude/exectrack/usage/<SPEC>.json`, what
// every import of the spec counted, so that reading a transcript again, reading a subagent's
// own transcript after its lines in the parent's, or a session's reported cost after its
// transcript never counts a token twice.
//
// It is written under the spec's lock before the status file. Its last import stays `pending`
// until the status file shows that import's id in `usage_sources`; a crash between the two
// writes leaves a pending import the status file never saw, and the next reader drops it.

/// What one session's transcripts added, per task (`L1/3`, or `spec` for what no task held),
/// and whether the session's own reported figures replaced them.
public struct SessionUsage: Equatable, Sendable {
    public var reported = false
    public var tasks: [String: TokenUsage] = [:]

    public init(reported: Bool = false, tasks: [String: TokenUsage] = [:]) {
        self.reported = reported
        self.tasks = tasks
    }
}

public struct UsageLedger: Equatable, Sendable {
    public static let schemaVersion = 1

    /// Each request counted, by `message.id` (else `requestId`), with the tokens counted for it
    /// so far: a later snapshot adds only what it has more.
    public var requests: [String: RequestTokens] = [:]
    public var sessions: [String: SessionUsage] = [:]
    /// The last import's entries, kept apart until the status file shows `pendingImport`.
    public var pendingImport: String?
    public var pendingRequests: [String: RequestTokens] = [:]
    public var pendingSessions: [String: SessionUsage] = [:]

    public init() {}

    /// The ledger as the status file says it is: the pending import folded in when the status
    /// file recorded it, dropped when it did not.
    public mutating func settle(recordedImports: Set<String>) {
        if let id = pendingImport, recordedImports.contains(id) {
            requests.merge(pendingRequests) { $1 }
            sessions.merge(pendingSessions) { $1 }
        }
        pendingImport = nil
        pendingRequests = [:]
        pendingSessions = [:]
    }

    /// The tokens counted so far for `key`, pending ones included.
    func counted(_ key: String) -> RequestTokens? { pendingRequests[key] ?? requests[key] }

    func session(_ id: String) -> SessionUsage? { pendingSessions[id] ?? sessions[id] }

    // MARK: JSON (Schemas/usage-ledger.schema.json)

    public var json: JSONValue {
        var o = JSONObject()
        o.append("schema_version", .int(Self.schemaVersion))
        o.append("requests", Self.requestsJSON(requests))
        o.append("sessions", Self.sessionsJSON(sessions))
        if let pendingImport {
            o.append("pending", .object(JSONObject([("import", .string(pendingImport)), ("requests", Self.requestsJSON(pendingRequests)),
                                                    ("sessions", Self.sessionsJSON(pendingSessions))])))
        }
        return .object(o)
    }

    /// Nil with why when `json` is not a ledger this version writes.
    public static func parse(_ json: JSONValue) -> Result<UsageLedger, FieldProblem> {
        guard let o = json.objectValue else { return .failure(FieldProblem("expected an object")) }
        guard o["schema_version"]?.intValue == schemaVersion, case .number? = o["schema_version"] else {
            return .failure(FieldProblem("expected schema_version \(schemaVersion) (a file of another version or kind)", field: "schema_version"))
        }
        var ledger = UsageLedger()
        do {
            ledger.requests = try requests(o["requests"], at: "requests")
            ledger.sessions = try sessions(o["sessions"], at: "sessions")
            if let value = o["pending"], !value.isNull, value.objectValue == nil { throw FieldProblem("expected an object", field: "pending") }
            if let pending = o["pending"]?.objectValue {
                guard let id = pending["import"]?.stringValue else { throw FieldProblem("expected the import id", field: "pending.import") }
                ledger.pendingImport = id
                ledger.pendingRequests = try requests(pending["requests"], at: "pending.requests")
                ledger.pendingSessions = try sessions(pending["sessions"], at: "pending.sessions")
            }
        } catch let problem as FieldProblem {
            return .failure(problem)
        } catch {
            return .failure(FieldProblem("\(error)"))
        }
        return .success(ledger)
    }

    /// `[key, input, output, 5-minute cache writes, 1-hour cache writes, cache reads]` each: a
    /// list, compact and read in linear time, as a long session has thousands of requests.
    private static func requestsJSON(_ requests: [String: RequestTokens]) -> JSONValue {
        .array(requests.keys.sorted().map { key in
            let t = requests[key]!
            return .array([.string(key)] + [t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead].map { .number(JSONNumber($0)) })
        })
    }

    private static func requests(_ json: JSONValue?, at path: String) throws -> [String: RequestTokens] {
        guard let json, !json.isNull else { return [:] }
        guard let list = json.arrayValue else { throw FieldProblem("expected a list of requests", field: path) }
        var result: [String: RequestTokens] = [:]
        result.reserveCapacity(list.count)
        for (i, value) in list.enumerated() {
            let entry = value.arrayValue ?? []
            let counts = entry.dropFirst().map { element -> Int64 in
                guard case .number(let number) = element, let n = number.int64 else { return -1 }
                return n
            }
            guard entry.count == 6, let key = entry[0].stringValue, counts.allSatisfy({ $0 >= 0 }) else {
                throw FieldProblem("expected [request id, five token counts of 0 or more]", field: "\(path)[\(i)]")
            }
            result[key] = RequestTokens(input: counts[0], output: counts[1], cacheWrite5m: counts[2], cacheWrite1h: counts[3], cacheRead: counts[4])
        }
        return result
    }

    private static func sessionsJSON(_ sessions: [String: SessionUsage]) -> JSONValue {
        .object(JSONObject(sessions.keys.sorted().map { id in
            let session = sessions[id]!
            return (key: id, value: .object(JSONObject([
                ("reported", .bool(session.reported)),
                ("tasks", .object(JSONObject(session.tasks.keys.sorted().map { (key: $0, value: session.tasks[$0]!.json) }))),
            ])))
        }))
    }

    private static func sessions(_ json: JSONValue?, at path: String) throws -> [String: SessionUsage] {
        guard let json, !json.isNull else { return [:] }
        guard let object = json.objectValue else { throw FieldProblem("expected an object", field: path) }
        var result: [String: SessionUsage] = [:]
        for (id, value) in object.entries {
            guard let session = value.objectValue else { throw FieldProblem("expected an object", field: "\(path).\(id)") }
            var entry = SessionUsage(reported: session["reported"]?.boolValue == true)
            for (subject, usage) in session["tasks"]?.objectValue?.entries ?? [] {
                guard let decoded = try? JSONTree.decode(TokenUsage.self, from: usage) else {
                    throw FieldProblem("expected a usage object", field: "\(path).\(id).tasks.\(subject)")
                }
                entry.tasks[subject] = decoded
            }
            result[id] = entry
        }
        return result
    }
}
