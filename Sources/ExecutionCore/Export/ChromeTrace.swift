// `export --format chrome-trace` (docs/html-report.md, "Chrome trace"): the timeline in the Trace
// Event Format that Perfetto and chrome://tracing open (Schemas/chrome-trace.schema.json). One
// process, the spec; one thread per agent, and one more per row when an agent's attempts
// overlap; each attempt a complete event; errors and gates instant events; cost a counter.

public enum ChromeTrace {
    public static func json(_ t: Timeline, spec: String, featureName: String) -> JSONValue {
        func micros(_ ms: Int64) -> JSONValue { .number(JSONNumber((ms - t.start).multipliedSaturated(by: 1000))) }
        func thread(_ lane: Int, _ row: Int) -> Int { lane * 100 + row + 1 }
        var events: [JSONValue] = [
            .object(JSONObject([("ph", .string("M")), ("name", .string("process_name")), ("pid", .int(1)), ("tid", .int(0)),
                                ("args", .object(JSONObject([("name", .string("\(spec) \(featureName)"))])))])),
        ]
        for (l, lane) in t.lanes.enumerated() {
            for row in 0..<lane.rows {
                let tid = thread(l, row)
                events.append(.object(JSONObject([("ph", .string("M")), ("name", .string("thread_name")), ("pid", .int(1)), ("tid", .int(tid)),
                                                  ("args", .object(JSONObject([("name", .string(row == 0 ? lane.agent : "\(lane.agent) #\(row + 1)"))])))])))
                events.append(.object(JSONObject([("ph", .string("M")), ("name", .string("thread_sort_index")), ("pid", .int(1)), ("tid", .int(tid)),
                                                  ("args", .object(JSONObject([("sort_index", .int(tid))])))])))
            }
        }
        for a in t.attempts {
            let end = a.end ?? t.end
            var args = JSONObject([("layer", .string(a.layer)), ("index", .int(a.index)), ("id", .optional(a.id)), ("description", .string(a.description)),
                                   ("attempt", .int(a.number)), ("outcome", .string(a.outcome.rawValue))])
            if let cost = a.costUsd { args.append("cost_usd", .double(cost)) }
            events.append(.object(JSONObject([
                ("ph", .string("X")), ("name", .string(a.id ?? "\(a.layer).\(a.index)")), ("cat", .string(a.layer)), ("pid", .int(1)),
                ("tid", .int(thread(a.lane, a.row))), ("ts", micros(a.start)), ("dur", .number(JSONNumber(max(0, end - a.start).multipliedSaturated(by: 1000)))),
                ("args", .object(args)),
            ])))
        }
        for m in t.markers {
            var o = JSONObject([("ph", .string("i")), ("name", .string("\(m.kind.rawValue): \(m.status)")), ("cat", .string(m.kind.rawValue)),
                                ("pid", .int(1)), ("ts", micros(m.time))])
            if let lane = m.lane {
                o.append("tid", .int(thread(lane, 0)))
                o.append("s", .string("t"))
            } else {
                o.append("tid", .int(0))
                o.append("s", .string("p"))
            }
            o.append("args", .object(JSONObject([("label", .string(m.label))])))
            events.append(.object(o))
        }
        // Cost as it accrued: the running total at the end of each attempt that carries one.
        var total = 0.0
        for a in t.attempts.filter({ $0.costUsd != nil }).sorted(by: { ($0.end ?? t.end, $0.layer, $0.index) < ($1.end ?? t.end, $1.layer, $1.index) }) {
            total += a.costUsd!
            events.append(.object(JSONObject([("ph", .string("C")), ("name", .string("cost_usd")), ("pid", .int(1)), ("tid", .int(0)),
                                              ("ts", micros(a.end ?? t.end)), ("args", .object(JSONObject([("usd", .double(total))])))])))
        }
        return .object(JSONObject([
            ("traceEvents", .array(events)), ("displayTimeUnit", .string("ms")),
            ("otherData", .object(JSONObject([("spec", .string(spec)), ("start", .string(Timestamp(millisecondsSinceEpoch: t.start).iso8601))]))),
        ]))
    }
}
