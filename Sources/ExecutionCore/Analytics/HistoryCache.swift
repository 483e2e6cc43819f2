// The summary cache of `stats` (docs/stats.md, "The summary cache";
// Schemas/stats-cache.schema.json): each source's history as last read, keyed by the source's
// path and the identity (inode, size, modification time) of its status file and event log. Never
// the source of truth: an entry whose files changed is read again, and a cache that cannot be
// read is rebuilt. Tasks are arrays, not objects: the cache of 80,000 tasks stays a few MB.

public struct HistoryCache: Sendable {
    public static let schemaVersion = 1

    public struct Entry: Sendable {
        public var status: FileIdentity
        public var events: FileIdentity?
        /// The history, or why the source could not be read.
        public var content: Result<SpecHistory, SourceProblem>

        public init(status: FileIdentity, events: FileIdentity?, content: Result<SpecHistory, SourceProblem>) {
            self.status = status
            self.events = events
            self.content = content
        }
    }

    public struct SourceProblem: Error, Equatable, Sendable {
        public var message: String

        public init(_ message: String) { self.message = message }
    }

    /// By path relative to `.claude/execution/`.
    public var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) { self.entries = entries }
}

extension HistoryCache {
    /// The cache in `bytes`; nil when it is not one this version wrote (it is then rebuilt).
    public static func decode(_ bytes: [UInt8]) -> HistoryCache? {
        guard let root = (try? JSONParser.parse(bytes))?.objectValue, root["schema_version"]?.intValue == schemaVersion,
              let list = root["entries"]?.arrayValue else { return nil }
        var cache = HistoryCache()
        for item in list {
            guard let o = item.objectValue, let path = o["path"]?.stringValue, let status = identity(o["status"]) else { return nil }
            let events = identity(o["events"])
            if let problem = o["skipped"]?.stringValue {
                cache.entries[path] = Entry(status: status, events: events, content: .failure(SourceProblem(problem)))
                continue
            }
            guard let spec = o["spec"]?.stringValue, let archived = o["archived"]?.boolValue, let tasks = o["tasks"]?.arrayValue,
                  let errors = o["errors"]?.arrayValue, let path0 = o["critical_path"]?.arrayValue else { return nil }
            var histories: [TaskHistory] = []
            histories.reserveCapacity(tasks.count)
            for task in tasks {
                guard let history = Self.task(task) else { return nil }
                histories.append(history)
            }
            let tallies = errors.compactMap { e -> ErrorTally? in
                guard let a = e.arrayValue, a.count == 3, let category = a[0].stringValue, let count = a[1].intValue, let resolved = a[2].intValue else {
                    return nil
                }
                return ErrorTally(category: category, count: count, resolved: resolved)
            }
            cache.entries[path] = Entry(status: status, events: events, content: .success(
                SpecHistory(spec: spec, archived: archived, tasks: histories, errors: tallies, criticalPath: path0.compactMap(\.intValue))))
        }
        return cache
    }

    public func encoded() -> [UInt8] {
        var list: [JSONValue] = []
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            var o = JSONObject([("path", .string(path)), ("status", Self.json(entry.status)), ("events", entry.events.map(Self.json) ?? .null)])
            switch entry.content {
            case .failure(let problem): o.append("skipped", .string(problem.message))
            case .success(let history):
                o.append("spec", .string(history.spec))
                o.append("archived", .bool(history.archived))
                o.append("tasks", .array(history.tasks.map(Self.json)))
                o.append("errors", .array(history.errors.map { .array([.string($0.category), .int($0.count), .int($0.resolved)]) }))
                o.append("critical_path", .array(history.criticalPath.map { .int($0) }))
            }
            list.append(.object(o))
        }
        return Array(JSONWriter.encode(.object(JSONObject([("schema_version", .int(Self.schemaVersion)), ("entries", .array(list))])),
                                       style: .compact).utf8) + [UInt8(ascii: "\n")]
    }

    private static func json(_ identity: FileIdentity) -> JSONValue {
        .array([.number(JSONNumber(identity.inode)), .number(JSONNumber(identity.size)), .number(JSONNumber(identity.modifiedNanoseconds))])
    }

    private static func identity(_ value: JSONValue?) -> FileIdentity? {
        guard let a = value?.arrayValue, a.count == 3, case .number(let inode) = a[0], let i = UInt64(inode.literal),
              case .number(let size) = a[1], let s = size.int64, case .number(let time) = a[2], let t = time.int64 else { return nil }
        return FileIdentity(inode: i, size: s, modifiedNanoseconds: t)
    }

    /// `[layer, index, id, description, complexity, agent, status, planned, ready, first start,
    /// final start, end, attempts, cost, tokens]`.
    private static func json(_ t: TaskHistory) -> JSONValue {
        .array([.string(t.layer), .int(t.index), .optional(t.id), .string(t.description), .optional(t.complexity), .optional(t.agent),
                .string(t.status.rawValue), .optional(t.planned), .optional(t.ready), .optional(t.firstStart), .optional(t.finalStart),
                .optional(t.end), .int(t.attempts), .double(t.costUsd), .number(JSONNumber(t.tokens))])
    }

    private static func task(_ value: JSONValue) -> TaskHistory? {
        guard let a = value.arrayValue, a.count == 15, let layer = a[0].stringValue, let index = a[1].intValue,
              let description = a[3].stringValue, let status = a[6].stringValue.flatMap(TaskStatus.init(rawValue:)),
              let attempts = a[12].intValue else { return nil }
        func time(_ v: JSONValue) -> Int64? {
            guard case .number(let n) = v else { return nil }
            return n.int64
        }
        return TaskHistory(layer: layer, index: index, id: a[2].stringValue, description: description, complexity: a[4].stringValue,
                           agent: a[5].stringValue, status: status, planned: time(a[7]), ready: time(a[8]), firstStart: time(a[9]),
                           finalStart: time(a[10]), end: time(a[11]), attempts: attempts, costUsd: a[13].numberValue ?? 0,
                           tokens: time(a[14]) ?? 0)
    }
}
