import ExecutionCore

// The histories `stats` and `estimate` read (docs/stats.md): every status file and event log
// under `.claude/execution/` and `archive/`, through the summary cache
// `.claude/exectrack/stats-cache.json`, which spares re-reading what has not changed.

/// Every history found, the sources that could not be read (path and why), and how many
/// sources were read rather than taken from the cache.
public struct Histories: Sendable {
    public var histories: [SpecHistory]
    public var skipped: [(source: String, reason: String)]
    public var read: Int
    public var cached: Int
}

extension StatusStore {
    public var statsCachePath: String { toolDirectory + "/stats-cache.json" }

    /// A status file and its log, relative to `.claude/execution/`.
    struct HistorySource {
        var path: String
        var status: String
        var events: String
        var archived: Bool
    }

    func historySources() -> [HistorySource] {
        var sources = listSpecs().map { spec in
            HistorySource(path: spec.rawValue + ".json", status: statusPath(spec), events: eventsPath(spec), archived: false)
        }
        for name in FileSystem.directoryEntries(archiveDirectory).sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let base = String(name.dropLast(".json".count))
            sources.append(HistorySource(path: "archive/" + name, status: archiveDirectory + "/" + name,
                                         events: archiveDirectory + "/" + base + ".events.jsonl", archived: true))
        }
        return sources
    }

    /// The histories of every source, each read again only when its status file or log changed
    /// since the cache last saw it; the cache is then written back (when it can be: a read-only
    /// project still gets its figures).
    public func histories() -> Histories {
        let old = (try? FileSystem.read(statsCachePath, shownAs: display(statsCachePath), role: "the stats cache", refuseWith: .corruptFile))
            .flatMap { $0 }.flatMap(HistoryCache.decode) ?? HistoryCache()
        var fresh = HistoryCache()
        var result = Histories(histories: [], skipped: [], read: 0, cached: 0)
        for source in historySources() {
            guard let status = identity(of: source.status) else {
                // Not a regular file (a FIFO, a dangling or looping link): listed, never read.
                if let info = FileSystem.linkInfo(source.status) {
                    let what = FileSystem.info(source.status).map { "is \($0.kindName)" } ?? "is \(info.kindName) to nothing readable"
                    result.skipped.append((".claude/execution/" + source.path, "\(what); not read"))
                }
                continue
            }
            let events = identity(of: source.events)
            var entry: HistoryCache.Entry
            if let cached = old.entries[source.path], cached.status == status, cached.events == events {
                entry = cached
                result.cached += 1
            } else {
                entry = HistoryCache.Entry(status: status, events: events, content: readHistory(source))
                result.read += 1
                // Changed while it was read: used now, read again next time.
                guard identity(of: source.status) == status, identity(of: source.events) == events else {
                    collect(entry, source.path, into: &result)
                    continue
                }
            }
            fresh.entries[source.path] = entry
            collect(entry, source.path, into: &result)
        }
        if result.read > 0 || fresh.entries.count != old.entries.count { writeStatsCache(fresh) }
        return result
    }

    private func collect(_ entry: HistoryCache.Entry, _ path: String, into result: inout Histories) {
        switch entry.content {
        case .success(let history): result.histories.append(history)
        case .failure(let problem): result.skipped.append((".claude/execution/" + path, problem.message))
        }
    }

    private func identity(of path: String) -> FileIdentity? { FileSystem.info(path).flatMap { $0.isRegular ? $0.identity : nil } }

    private func readHistory(_ source: HistorySource) -> Result<SpecHistory, HistoryCache.SourceProblem> {
        let status: StatusFile
        do {
            guard let bytes = try FileSystem.read(source.status, shownAs: display(source.status), role: "a status file", refuseWith: .corruptFile) else {
                return .failure(HistoryCache.SourceProblem("is gone"))
            }
            status = try StatusFile(jsonBytes: bytes, defaultFeature: String(source.path.split(separator: "/").last!.dropLast(".json".count)))
        } catch let error as TrackerError {
            return .failure(HistoryCache.SourceProblem(error.message))
        } catch {
            return .failure(HistoryCache.SourceProblem("is not a status file: \(error)"))
        }
        return .success(SpecHistory(status, transitions: taskTransitions(atPath: source.events), archived: source.archived))
    }

    /// The task status changes of `spec`'s event log, in log order (docs/stats.md).
    public func taskTransitions(_ spec: SpecID) -> [TaskTransition] { taskTransitions(atPath: eventsPath(spec)) }

    /// A log that cannot be read gives none: the status file's times are still there.
    private func taskTransitions(atPath path: String) -> [TaskTransition] {
        var transitions: [TaskTransition] = []
        do {
            _ = try FileSystem.forEachLine(path, shownAs: display(path), role: "an event log", refuseWith: .corruptFile) { line in
                if let transition = TaskTransition.scan(line) { transitions.append(transition) }
            }
        } catch {
            return []
        }
        return transitions
    }

    /// Best effort, under the cache's lock: a cache that cannot be written is rebuilt next time.
    private func writeStatsCache(_ cache: HistoryCache) {
        guard (try? refuseSymlinks([toolDirectory])) != nil, (try? FileSystem.createDirectories(toolDirectory, shown: display)) != nil else { return }
        _ = try? withLock(statsCachePath, timeoutSeconds: 1) { () throws(TrackerError) in
            try FileSystem.writeAtomically(cache.encoded(), to: statsCachePath, shown: display)
        }
    }
}
