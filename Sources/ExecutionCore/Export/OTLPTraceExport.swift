/// The execution as OpenTelemetry traces in OTLP/JSON (`export --format otlp`): one trace per
/// spec, a span for the feature, child spans per layer, grandchild spans per started task.
/// Ids are derived from the file's content, so exporting the same file twice gives the same ids.
public enum OTLPTraceExport {
    static let spanKindInternal = 1
    static let statusUnset = 0, statusOK = 1, statusError = 2

    public static func json(_ file: StatusFile, now: Timestamp, toolVersion: String) -> JSONValue {
        var status = file
        status.recomputeDerivedFields()
        // The trace is this execution: the spec and when it was created (or first started).
        let traceSeed = "\(status.feature)\u{0}\((status.createdAt ?? status.startedAt)?.iso8601 ?? "")"
        let traceID = hex(fnv1a(traceSeed, basis: 0xcbf2_9ce4_8422_2325)) + hex(fnv1a(traceSeed, basis: 0x6c62_272e_07bb_0142))
        let featureSpanID = spanID(traceID, "feature")
        var spans: [JSONValue] = []

        for layer in status.layers {
            let started = layer.tasks.filter { $0.startedAt != nil }
            guard !started.isEmpty else { continue }
            let layerSpanID = spanID(traceID, "layer\u{0}\(layer.key)")
            var layerEnd: Timestamp?
            for task in started {
                let start = task.startedAt!
                let end = task.status == .inProgress ? now : (task.completedAt ?? now)
                layerEnd = max(layerEnd ?? end, end)
                var attributes: [JSONValue] = [
                    attribute("exectrack.layer", string: layer.key),
                    attribute("exectrack.task.index", int: task.index),
                    attribute("exectrack.task.status", string: task.status.rawValue),
                    attribute("exectrack.task.attempts", int: task.attempts),
                ]
                if let id = task.id { attributes.append(attribute("exectrack.task.id", string: id)) }
                if let agent = task.agent { attributes.append(attribute("exectrack.agent", string: agent)) }
                if let complexity = task.complexity { attributes.append(attribute("exectrack.complexity", string: complexity)) }
                attributes += usageAttributes(task.usage, agent: task.agent)
                let code = task.status == .failed ? statusError : (task.status == .complete ? statusOK : statusUnset)
                spans.append(span(
                    traceID: traceID, spanID: spanID(traceID, "task\u{0}\(layer.key)\u{0}\(task.index)\u{0}\(task.id ?? task.description)"),
                    parent: layerSpanID, name: (task.id.map { "\($0) " } ?? "") + task.description,
                    start: start, end: max(start, end), attributes: attributes, statusCode: code,
                    statusMessage: task.status == .failed ? task.error : nil))
            }
            let layerStart = layer.startedAt ?? started.compactMap({ $0.startedAt }).min()!
            let end = layer.completedAt ?? layerEnd ?? now
            spans.append(span(
                traceID: traceID, spanID: layerSpanID, parent: featureSpanID, name: "\(layer.key) \(layer.name)",
                start: layerStart, end: max(layerStart, end),
                attributes: [attribute("exectrack.layer", string: layer.key),
                             attribute("exectrack.layer.status", string: layer.status.rawValue),
                             attribute("exectrack.layer.total_tasks", int: layer.totalTasks)]
                    + usageAttributes(layer.tasks.reduce(TokenUsage()) { $0.adding($1.usage) }, agent: nil),
                statusCode: layer.status == .failed ? statusError : (layer.status == .complete ? statusOK : statusUnset),
                statusMessage: nil))
        }
        if let start = status.startedAt {
            let end = status.completedAt ?? now
            spans.insert(span(
                traceID: traceID, spanID: featureSpanID, parent: nil,
                name: status.featureName == status.feature ? status.feature : "\(status.feature): \(status.featureName)",
                start: start, end: max(start, end),
                attributes: [attribute("exectrack.spec", string: status.feature),
                             attribute("exectrack.status", string: status.status.rawValue),
                             attribute("exectrack.total_tasks", int: status.totalTasks),
                             attribute("exectrack.completion_percentage", int: status.completionPercentage)]
                    + usageAttributes(status.totalUsage, agent: nil),
                statusCode: status.status == .failed ? statusError : (status.status == .complete ? statusOK : statusUnset),
                statusMessage: status.unresolvedCriticalError?.message), at: 0)
        }

        var scope = JSONObject()
        scope.append("name", .string("exectrack"))
        scope.append("version", .string(toolVersion))
        var scopeSpans = JSONObject()
        scopeSpans.append("scope", .object(scope))
        scopeSpans.append("spans", .array(spans))
        var resource = JSONObject()
        resource.append("attributes", .array([
            attribute("service.name", string: "exectrack"),
            attribute("exectrack.spec", string: status.feature),
        ]))
        var resourceSpans = JSONObject()
        resourceSpans.append("resource", .object(resource))
        resourceSpans.append("scopeSpans", .array([.object(scopeSpans)]))
        var root = JSONObject()
        root.append("resourceSpans", .array([.object(resourceSpans)]))
        return .object(root)
    }

    static func span(traceID: String, spanID: String, parent: String?, name: String, start: Timestamp, end: Timestamp,
                     attributes: [JSONValue], statusCode: Int, statusMessage: String?) -> JSONValue {
        var o = JSONObject()
        o.append("traceId", .string(traceID))
        o.append("spanId", .string(spanID))
        if let parent { o.append("parentSpanId", .string(parent)) }
        o.append("name", .string(name))
        o.append("kind", .int(spanKindInternal))
        o.append("startTimeUnixNano", .string(nanoseconds(start)))
        o.append("endTimeUnixNano", .string(nanoseconds(end)))
        o.append("attributes", .array(attributes))
        var status = JSONObject()
        status.append("code", .int(statusCode))
        if let statusMessage { status.append("message", .string(statusMessage)) }
        o.append("status", .object(status))
        return .object(o)
    }

    static func attribute(_ key: String, string: String) -> JSONValue { attribute(key, "stringValue", .string(string)) }

    /// OTLP/JSON writes 64-bit integers as strings.
    static func attribute(_ key: String, int: Int) -> JSONValue { attribute(key, "intValue", .string(String(int))) }

    /// `{"key": key, "value": {kind: value}}`.
    static func attribute(_ key: String, _ kind: String, _ value: JSONValue) -> JSONValue {
        .object(JSONObject([(key: "key", value: .string(key)), (key: "value", value: .object(JSONObject([(key: kind, value: value)])))]))
    }

    static func usageAttributes(_ usage: TokenUsage?, agent: String?) -> [JSONValue] {
        UsageAttributes.of(usage, agent: agent).map { key, value in
            switch value {
            case .int(let n): attribute(key, "intValue", .string(String(n)))
            case .double(let d): attribute(key, "doubleValue", .double(d))
            case .string(let s): attribute(key, string: s)
            }
        }
    }

    static func nanoseconds(_ t: Timestamp) -> String {
        String(t.millisecondsSinceEpoch) + "000000"
    }

    static func spanID(_ traceID: String, _ key: String) -> String {
        hex(fnv1a(traceID + "\u{0}" + key, basis: 0xcbf2_9ce4_8422_2325))
    }

    /// 64-bit FNV-1a: stable across runs and platforms, unlike Swift's seeded `Hasher`.
    static func fnv1a(_ text: String, basis: UInt64) -> UInt64 {
        var hash = basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // An all-zero id is invalid in OTLP.
        return hash == 0 ? 1 : hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
