// `.claude/execution/shared/<SPEC>/<machine-id>.json` (docs/worktrees.md, "Several machines",
// Schemas/shared-snapshot.schema.json): what one machine publishes of a spec, in a file no other
// machine writes, so commits from several machines never conflict.

public struct SharedSnapshot: Sendable {
    public static let schemaVersion = 1

    public var spec: String
    public var machine: String
    public var publishedAt: Timestamp
    public var status: StatusFile
    /// The machine's event log lines, as they are (each a CloudEvents JSON object).
    public var events: [JSONValue]

    public init(spec: String, machine: String, publishedAt: Timestamp, status: StatusFile, events: [JSONValue]) {
        self.spec = spec
        self.machine = machine
        self.publishedAt = publishedAt
        self.status = status
        self.events = events
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("schema_version", .int(Self.schemaVersion)), ("spec", .string(spec)), ("machine", .string(machine)),
            ("published_at", .string(publishedAt.iso8601)), ("status", status.json), ("events", .array(events)),
        ]))
    }

    /// The snapshot in `bytes`, or why it cannot be merged into `spec`.
    public static func parse(_ bytes: [UInt8], spec: String) -> Result<SharedSnapshot, FieldProblem> {
        guard let o = (try? JSONParser.parse(bytes))?.objectValue else { return .failure(FieldProblem("is not a JSON object")) }
        guard case .number? = o["schema_version"], let version = o["schema_version"]?.intValue else {
            return .failure(FieldProblem("has no schema_version", field: "schema_version"))
        }
        guard version == schemaVersion else {
            return .failure(FieldProblem("is of schema version \(version); this exectrack reads \(schemaVersion) (a newer one wrote it?)",
                                         field: "schema_version"))
        }
        guard let named = o["spec"]?.stringValue, named == spec else {
            return .failure(FieldProblem("names spec \(o["spec"]?.stringValue ?? "none"), not \(spec)", field: "spec"))
        }
        guard let machine = o["machine"]?.stringValue, !machine.isEmpty else { return .failure(FieldProblem("names no machine", field: "machine")) }
        guard let published = o["published_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)) else {
            return .failure(FieldProblem("has no published_at time", field: "published_at"))
        }
        guard let statusJSON = o["status"], let status = try? StatusFile(json: statusJSON, defaultFeature: spec) else {
            return .failure(FieldProblem("has no readable status", field: "status"))
        }
        return .success(SharedSnapshot(spec: spec, machine: machine, publishedAt: published, status: status,
                                       events: o["events"]?.arrayValue ?? []))
    }
}
