import ExecutionCore

// The tools `exectrack mcp` offers (docs/mcp.md). Each calls the same Tracker operation as its
// command and renders with the same code; none runs a command (a gate is recorded, never run):
// a model must not get command execution past its client's permission prompts through us.

/// Who is calling: the client as it named itself at `initialize`, and this connection's session.
public struct MCPCaller: Sendable {
    public var client: String?
    public var session: String

    public init(client: String?, session: String) {
        self.client = client
        self.session = session
    }
}

/// A tool's answer: the structured result and the same as readable text.
struct ToolOutput {
    var structured: JSONObject
    var text: String
}

struct MCPTool: Sendable {
    let definition: ToolDefinition
    let run: @Sendable (Tracker, MCPCaller, ToolArguments) throws(TrackerError) -> ToolOutput
}

extension MCPTool {
    static let all: [MCPTool] = [list, next, claim, update, error, heartbeat, usage, gate, report, metrics, agents]

    static func named(_ name: String) -> MCPTool? { all.first { $0.definition.name == name } }

    // The parameters several tools share.
    private static let spec = ToolParameter("spec", .text, "the spec id, e.g. F001", required: true)
    private static let layer = ToolParameter("layer", .text, "the layer: L1, 1 or the layer's name", required: true)
    private static let task = ToolParameter("task", .reference, "the task: its 0-based index in the layer, or its id (T012)", required: true)
    private static let agent = ToolParameter("agent", .text, "who does the task (recorded with it)")
    private static let ttl = ToolParameter("ttl", .text, "how long the lease lives without a heartbeat: 90s, 30m, 2h (default 15m)")
    private static let session = ToolParameter("session", .text, "the agent's session id (default: this MCP connection's)")
    private static let anyLayer = ToolParameter("any_layer", .flag, "do not wait for earlier layers to finish")
    private static let onlyLayer = ToolParameter("layer", .text, "only tasks of this layer (L1, 1 or its name)")

    // The output shapes several tools share.
    private static let taskSchema = Schema.object(required: ["layer", "index", "description", "status"], [
        ("layer", Schema.string), ("index", Schema.integer), ("id", Schema.nullable("string")), ("description", Schema.string),
        ("agent", Schema.nullable("string")), ("status", .object(JSONObject([("enum", .strings(TaskStatus.allCases.map(\.rawValue)))]))),
    ])
    private static let taskList = Schema.array(taskSchema)

    private static func lease(_ caller: MCPCaller, _ arguments: ToolArguments, restart: Bool = false) throws(TrackerError) -> LeaseOptions {
        LeaseOptions(agent: arguments.text("agent"), session: arguments.text("session") ?? caller.session,
                     ttlSeconds: try arguments.text("ttl").map { (text: String) throws(TrackerError) in try Leases.ttlSeconds(text, named: "ttl") },
                     restart: restart, client: caller.client)
    }

    private static func resolve(_ tracker: Tracker, _ arguments: ToolArguments) throws(TrackerError) -> SpecID {
        try tracker.store.resolve(try SpecID(arguments.text("spec") ?? ""))
    }

    static let list = MCPTool(definition: ToolDefinition(
        name: "list", title: "List specs",
        description: "Every spec under .claude/execution/ with its progress. Start here to find the spec ids the other tools take.",
        parameters: [],
        output: Schema.object(required: ["specs"], [("specs", Schema.array(Schema.object(required: ["spec"], [("spec", Schema.string)])))]),
        readOnly: true)
    ) { (tracker: Tracker, _: MCPCaller, _: ToolArguments) throws(TrackerError) -> ToolOutput in
        let entries = tracker.listEntries()
        return ToolOutput(structured: JSONObject([("specs", SpecList.json(entries, liveness: tracker.livenessNow()))]),
                          text: SpecList.text(entries, now: tracker.clock(), style: .plain, liveness: tracker.livenessNow()))
    }

    static let next = MCPTool(definition: ToolDefinition(
        name: "next", title: "Ready tasks",
        description: "The tasks ready to start (pending, dependencies met, earlier layers done), without taking any. "
            + "When none is ready, message says why. To take one, call claim.",
        parameters: [spec, ToolParameter("limit", .integer(1...10_000), "at most this many tasks"), onlyLayer, anyLayer],
        output: Schema.object(required: ["tasks", "message"], [("tasks", taskList), ("message", Schema.nullable("string"))]),
        readOnly: true)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let status = try tracker.store.load(resolve(tracker, arguments))
        let layer = try arguments.text("layer").map { (reference: String) throws(TrackerError) in try status.layerIndex(for: reference) }
        let ready = status.startableTasks(anyLayer: arguments.flag("any_layer"), inLayer: layer)
            .prefix(arguments.integer("limit").map(Int.init) ?? Int.max)
        let message = ready.isEmpty ? status.nothingReadyMessage(anyLayer: arguments.flag("any_layer"), inLayer: layer) : nil
        return ToolOutput(structured: JSONObject([("tasks", .array(ready.map { TaskListing.json(status, $0) })), ("message", .optional(message))]),
                          text: message ?? ready.map { TaskListing.line(status, $0) }.joined(separator: "\n"))
    }

    static let claim = MCPTool(definition: ToolDefinition(
        name: "claim", title: "Claim the next task",
        description: "Atomically take the next ready task and mark it in_progress under a lease held by this client; two agents "
            + "claiming at once never get the same task. Renew the lease with heartbeat while working; finish with update "
            + "(status complete or failed). An error result says why nothing could be taken (all done, all running, paused).",
        parameters: [spec, agent, onlyLayer, anyLayer, ttl, session],
        output: taskSchema, readOnly: false)
    ) { (tracker: Tracker, caller: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let (status, location) = try tracker.claim(resolve(tracker, arguments), agent: arguments.text("agent"), anyLayer: arguments.flag("any_layer"),
                                                   layer: arguments.text("layer"), lease: lease(caller, arguments))
        return ToolOutput(structured: TaskListing.json(status, location).objectValue ?? JSONObject(), text: TaskListing.line(status, location))
    }

    static let update = MCPTool(definition: ToolDefinition(
        name: "update", title: "Set a task's status",
        description: "Set a task's status: in_progress (starts an attempt under a lease), complete, failed or skipped (stamp "
            + "the end and duration), pending (a retry). Repeating the terminal status a task has keeps its timing.",
        parameters: [spec, layer, task,
                     ToolParameter("status", .choice(TaskStatus.allCases.map(\.rawValue)), "the new status", required: true),
                     ToolParameter("output", .text, "what the task produced (secrets are masked)"),
                     ToolParameter("files_created", .texts, "files the task created"),
                     ToolParameter("files_modified", .texts, "files the task modified"),
                     ToolParameter("duration_ms", .integer(0...Limits.maxDurationMs), "record this duration instead of the measured one"),
                     agent, ToolParameter("restart", .flag, "with in_progress: start a new attempt even if you hold the task"), ttl, session],
        output: Schema.object(required: ["task", "changed", "repeated", "summary"], [
            ("task", Schema.object(required: ["status"], [])), ("changed", Schema.boolean), ("repeated", Schema.boolean), ("summary", Schema.string),
        ]),
        readOnly: false)
    ) { (tracker: Tracker, caller: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let details = TaskUpdateDetails(output: arguments.text("output"), filesCreated: arguments.texts("files_created") ?? [],
                                        filesModified: arguments.texts("files_modified") ?? [], durationMs: arguments.integer("duration_ms"),
                                        agent: arguments.text("agent"))
        let updated = try tracker.update(resolve(tracker, arguments), layer: arguments.text("layer") ?? "", task: arguments.text("task") ?? "",
                                         status: arguments.text("status") ?? "", details: details,
                                         lease: lease(caller, arguments, restart: arguments.flag("restart")))
        let task = updated.status.task(at: updated.location)
        let summary = ProgressReport.summaryLine(updated.status)
        let name = "\(updated.status.layers[updated.location.layer].key).\(task.index)" + (task.id.map { " \($0)" } ?? "")
        let line = updated.repeated ? "\(name) was already \(task.status.rawValue); its timing was kept"
            : "\(name) → \(task.status.rawValue)" + (updated.changed ? "" : " (as it was; nothing changed)")
        return ToolOutput(structured: JSONObject([("task", task.json), ("changed", .bool(updated.changed)), ("repeated", .bool(updated.repeated)),
                                                  ("summary", .string(summary))]),
                          text: line + "\n" + summary)
    }

    static let error = MCPTool(definition: ToolDefinition(
        name: "error", title: "Log an error",
        description: "Log an error against a task and mark it failed; its category and recovery action are classified from the "
            + "message unless given. A critical error also pauses the spec. Retry later with update status pending.",
        parameters: [spec, layer, task, ToolParameter("message", .text, "what went wrong (secrets are masked)", required: true),
                     ToolParameter("severity", .choice(Severity.allCases.map(\.rawValue)), "default medium; critical also pauses the spec"),
                     ToolParameter("category", .choice(ErrorCategory.allCases.map(\.rawValue)), "override the category classified from the message"),
                     ToolParameter("recovery", .text, "the recovery action (default: suggested from the category)")],
        output: Schema.object(required: ["error", "paused", "summary"], [
            ("error", Schema.object(required: ["error", "severity", "category"], [])), ("paused", Schema.boolean), ("summary", Schema.string),
        ]),
        readOnly: false)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let (status, location) = try tracker.logError(
            resolve(tracker, arguments), layer: arguments.text("layer") ?? "", task: arguments.text("task") ?? "",
            message: arguments.text("message") ?? "", severity: arguments.text("severity").flatMap(Severity.init(rawValue:)) ?? .medium,
            category: arguments.text("category").flatMap(ErrorCategory.init(rawValue:)), recovery: arguments.text("recovery"))
        let entry = status.errors[status.errors.count - 1]
        let summary = ProgressReport.summaryLine(status)
        return ToolOutput(structured: JSONObject([("error", entry.json), ("paused", .bool(status.pausedAt != nil)), ("summary", .string(summary))]),
                          text: "Logged \(entry.severity.rawValue) \(entry.category.rawValue) error on \(status.layers[location.layer].key)."
                              + "\(location.task); recovery: \(entry.recoveryAction ?? "")\n" + summary)
    }

    static let heartbeat = MCPTool(definition: ToolDefinition(
        name: "heartbeat", title: "Renew leases",
        description: "Renew the leases this agent holds so it is not taken for dead (matched by agent when given, else by this "
            + "client's process). An error result when it holds no task, or the task named is another's.",
        parameters: [spec, ToolParameter("agent", .text, "the agent whose leases to renew (default: this client's process)"),
                     ToolParameter("task", .text, "renew only this task's lease: LAYER/TASK such as L1/T012 or L1/3"), ttl, session],
        output: Schema.object(required: ["renewed"], [("renewed", taskList)]),
        readOnly: false)
    ) { (tracker: Tracker, caller: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let (status, renewed) = try tracker.heartbeat(resolve(tracker, arguments), task: arguments.text("task"), lease: lease(caller, arguments))
        return ToolOutput(structured: JSONObject([("renewed", .array(renewed.map { TaskListing.json(status, $0) }))]),
                          text: renewed.map { "renewed " + TaskListing.line(status, $0) }.joined(separator: "\n"))
    }

    static let usage = MCPTool(definition: ToolDefinition(
        name: "usage", title: "Add tokens and cost",
        description: "Add tokens (and a reported cost) to a task, or to the spec itself when no layer and task are given; with no "
            + "counts, show the usage. Costs are calculated from the model's price unless cost_usd is given.",
        parameters: [spec, ToolParameter("layer", .text, "the task's layer (with task)"),
                     ToolParameter("task", .reference, "the task: its 0-based index or id (with layer)"),
                     ToolParameter("input_tokens", .integer(0...UsageLimits.maxTokens), "input tokens to add"),
                     ToolParameter("output_tokens", .integer(0...UsageLimits.maxTokens), "output tokens to add"),
                     ToolParameter("cache_read_tokens", .integer(0...UsageLimits.maxTokens), "cache-read input tokens to add"),
                     ToolParameter("cache_write_tokens", .integer(0...UsageLimits.maxTokens), "cache-write (creation) input tokens to add"),
                     ToolParameter("model", .text, "the model the counts are for (prices them)"),
                     ToolParameter("cost_usd", .number(0...1_000_000), "the cost reported for them, in dollars (wins over a calculated one)")],
        output: Schema.object(required: ["spec"], [("spec", Schema.string)]),
        readOnly: false)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        guard arguments.isGiven("layer") == arguments.isGiven("task") else {
            throw TrackerError(.usage, "give layer and task together (or neither, for the spec's own usage)")
        }
        let counts = ["input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens"].map { arguments.integer($0) }
        let given = counts.contains { $0 != nil } || arguments.isGiven("cost_usd")
        if arguments.isGiven("model"), !given { throw TrackerError(.usage, "model goes with token counts (input_tokens …)") }
        let input: UsageInput? = !given ? nil
            : .counts(RequestTokens(input: counts[0] ?? 0, output: counts[1] ?? 0, cacheWrite5m: counts[2] ?? 0, cacheRead: counts[3] ?? 0),
                      model: arguments.text("model"), costUsd: arguments.number("cost_usd"))
        let outcome = try tracker.recordUsage(resolve(tracker, arguments), layer: arguments.text("layer"), task: arguments.text("task"), input: input)
        let lines = UsageText.lines(outcome) + UsageText.warnings(outcome).map { "warning: " + $0 }
        return ToolOutput(structured: UsageText.json(outcome).objectValue ?? JSONObject(), text: lines.joined(separator: "\n"))
    }

    static let gate = MCPTool(definition: ToolDefinition(
        name: "gate", title: "Record a quality gate",
        description: "Record one attempt of a layer's quality gate (tests, lint, ...) as its check ended: a status, or a score and "
            + "the threshold it must reach. A layer whose required gates have not passed is not complete. This tool records a "
            + "result; it never runs a command.",
        parameters: [spec, layer, ToolParameter("name", .text, "the gate: tests, lint, ...", required: true),
                     ToolParameter("status", .choice(GateStatus.allCases.map(\.rawValue)), "how the gate ended (default: from score and threshold)"),
                     ToolParameter("score", .number(0...1), "a fraction from 0 to 1 (0.93 is 93 %)"),
                     ToolParameter("threshold", .number(0...1), "the score that passes, 0 to 1 (needs score)"),
                     ToolParameter("issues", .integer(0...1_000_000_000), "how many issues the check found"),
                     ToolParameter("details", .text, "what the check said (secrets are masked)")],
        output: Schema.object(required: ["layer", "name", "status", "layer_gates_passed"], [
            ("layer", Schema.string), ("name", Schema.string), ("status", Schema.string), ("layer_gates_passed", Schema.boolean),
        ]),
        readOnly: false)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let outcome = try tracker.recordGate(resolve(tracker, arguments), layer: arguments.text("layer") ?? "", name: arguments.text("name") ?? "",
                                             input: .manual(status: arguments.text("status").flatMap(GateStatus.init(rawValue:)),
                                                            score: arguments.number("score"), threshold: arguments.number("threshold"),
                                                            issues: arguments.integer("issues"), details: arguments.text("details")))
        let layer = outcome.status.layers[outcome.layer]
        var structured = outcome.result.json.objectValue ?? JSONObject()
        structured.insert("layer", .string(layer.key), at: 0)
        structured.append("layer_gates_passed", .bool(layer.gatesSatisfied))
        return ToolOutput(structured: structured,
                          text: GateText.recorded(outcome.result, layer: layer) + "\n" + ProgressReport.summaryLine(outcome.status))
    }

    static let report = MCPTool(definition: ToolDefinition(
        name: "report", title: "Progress report",
        description: "A spec's progress: each layer and task, the agents at work, errors, gates, usage and what to do next.",
        parameters: [spec],
        output: Schema.object(required: ["spec", "status", "completion_percentage"], [
            ("spec", Schema.string), ("status", Schema.string), ("completion_percentage", Schema.integer),
        ]),
        readOnly: true)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let snapshot = try tracker.snapshot(resolve(tracker, arguments))
        return ToolOutput(structured: ProgressReport.json(snapshot).objectValue ?? JSONObject(), text: ProgressReport.text(snapshot))
    }

    static let metrics = MCPTool(definition: ToolDefinition(
        name: "metrics", title: "Execution metrics",
        description: "A spec's execution metrics (Schemas/metrics.schema.json): durations, throughput, retries, errors, cost. "
            + "Undefined figures are null.",
        parameters: [spec],
        output: Schema.object(required: [], []),
        readOnly: true)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let metrics = ExecutionMetrics(try tracker.store.load(resolve(tracker, arguments)), now: tracker.clock())
        return ToolOutput(structured: MetricsExport.json(metrics).objectValue ?? JSONObject(), text: MetricsReport.text(metrics))
    }

    static let agents = MCPTool(definition: ToolDefinition(
        name: "agents", title: "Agents of a spec",
        description: "A spec's agents from their leases and records: active, stale (no heartbeat within the TTL), dead (process gone) "
            + "or finished.",
        parameters: [spec],
        output: Schema.object(required: ["agents"], [("agents", Schema.array(Schema.object(required: ["id", "state"], [
            ("id", Schema.string), ("state", Schema.string),
        ])))]),
        readOnly: true)
    ) { (tracker: Tracker, _: MCPCaller, arguments: ToolArguments) throws(TrackerError) -> ToolOutput in
        let spec = try resolve(tracker, arguments)
        let rows = AgentOverview(try tracker.store.load(spec), spec: spec.rawValue, liveness: tracker.livenessNow()).rows
        return ToolOutput(structured: JSONObject([("agents", AgentOverview.json(rows))]),
                          text: AgentOverview.text(rows, now: tracker.clock(), showSpec: false))
    }
}

/// JSON Schema pieces for the tools' outputs.
enum Schema {
    static let string: JSONValue = .object(JSONObject([("type", .string("string"))]))
    static let integer: JSONValue = .object(JSONObject([("type", .string("integer"))]))
    static let boolean: JSONValue = .object(JSONObject([("type", .string("boolean"))]))

    static func nullable(_ type: String) -> JSONValue { .object(JSONObject([("type", .strings([type, "null"]))])) }

    static func array(_ items: JSONValue) -> JSONValue { .object(JSONObject([("type", .string("array")), ("items", items)])) }

    static func object(required: [String], _ properties: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject([("type", .string("object")), ("properties", .object(JSONObject(properties.map { ($0.0, $0.1) }))),
                            ("required", .strings(required))]))
    }
}
