import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// `.claude/execution/<SPEC>.events.jsonl`: appended under the spec's lock, before the status file
// it describes is published (docs/events.md, "The write-ahead rule").

extension StatusStore {
    public func eventsPath(_ spec: SpecID) -> String { "\(executionDirectory)/\(spec).events.jsonl" }

    /// The log's events in order, and the lines that are not events (numbered from 1). A last
    /// line without its newline is a write in progress (or torn by a crash) and is left out.
    public func readEvents(_ spec: SpecID) throws(TrackerError) -> (events: [EventRecord], problems: [(line: Int, problem: String)]) {
        let path = eventsPath(spec)
        guard let bytes = try FileSystem.read(path, shownAs: display(path), role: "an event log", refuseWith: .corruptFile) else {
            return ([], [])
        }
        var events: [EventRecord] = []
        var problems: [(line: Int, problem: String)] = []
        var start = 0
        var number = 0
        while let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            number += 1
            let line = Array(bytes[start..<end])
            start = end + 1
            guard !line.isEmpty else { continue }
            do {
                events.append(try EventRecord(line: line))
            } catch {
                problems.append((number, "\(error)"))
            }
        }
        return (events, problems)
    }
}

extension SpecWrite {
    /// Appends `changes` to the spec's event log and makes them durable, before the status file
    /// that reflects them is published; returns the `seq` of the last event, for the status
    /// file's `event_seq`. `reflected` is the `event_seq` of the status file being replaced:
    /// events after it were appended by a write that never published, and are voided first. A
    /// torn last line (a crash mid-append) is cut off.
    func commitEvents(_ changes: [ChangeEvent], reflected: Int64?, now: Timestamp) throws(TrackerError) -> Int64 {
        let path = store.eventsPath(spec)
        let shown = store.display(path)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw TrackerError(.writeFailed, "\(shown) is a symlink; exectrack never follows one at its own files. Remove it and retry") }
            throw TrackerError(.writeFailed, "cannot open \(shown): \(FileSystem.lastError())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, FileSystem.Info(st).isRegular else {
            throw TrackerError(.writeFailed, "\(shown) is \(FileSystem.Info(st).kindName), not an event log; move it away and retry")
        }
        let lastEvent = try Self.lastEvent(fd, size: Int64(st.st_size), shown: shown)
        var last = lastEvent?.seq ?? 0
        var lines: [[UInt8]] = []
        func append(_ change: ChangeEvent) {
            last += 1
            lines.append(EventRecord(change, spec: spec.rawValue, id: "\(spec)-\(last)-\(SystemClock.uniqueSuffix())-\(getpid())",
                                     seq: last, time: now, actor: Self.actor).line)
        }
        // After `restore` the file reflects the event its restore event names.
        var reflected = reflected
        if let lastEvent, lastEvent.type == EventType.specRestored.rawValue, lastEvent.restoredEventSeq == reflected {
            reflected = lastEvent.seq
        }
        if let reflected, last > reflected {
            append(ChangeEvent(.eventVoided, data: JSONObject([("from_seq", .int(Int(reflected + 1))), ("through_seq", .int(Int(last)))])))
        }
        changes.forEach(append)
        guard mayPublish() else { throw TrackerError(.lockTimeout, "the lock or the status file changed while held") }
        // One write per line: a reader never sees two events' bytes interleaved.
        for line in lines {
            try FileSystem.writeToDescriptor(line, fd, shown: shown)
        }
        guard fdatasync(fd) == 0 else { throw TrackerError(.writeFailed, "cannot sync \(shown): \(FileSystem.lastError())") }
        return last
    }

    /// Who writes: this process on this machine.
    private static let actor: JSONObject = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        return JSONObject([("pid", .int(Int(getpid()))), ("host", .optional(host))])
    }()

    /// The log's last event (nil for a log without one). A torn tail is truncated away; lines
    /// that are not events are passed over. Only the start of the last line is read when it is
    /// one of the log's own (`EventRecord.head`): after a re-parse it holds the whole plan.
    private static func lastEvent(_ fd: Int32, size fileSize: Int64, shown: String)
        throws(TrackerError) -> (seq: Int64, type: String, restoredEventSeq: Int64?)? {
        func read(_ offset: Int64, _ length: Int64) throws(TrackerError) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: Int(length))
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(length), off_t(offset)) }
            guard n == length else { throw TrackerError(.writeFailed, "cannot read \(shown): \(FileSystem.lastError())") }
            return bytes
        }
        /// The offset of the last newline before `end`, or -1.
        func newline(before end: Int64) throws(TrackerError) -> Int64 {
            var end = end
            while end > 0 {
                let start = max(0, end - 64 * 1024)
                if let i = try read(start, end - start).lastIndex(of: UInt8(ascii: "\n")) { return start + Int64(i) }
                end = start
            }
            return -1
        }
        var size = fileSize
        guard size > 0 else { return nil }
        if try read(size - 1, 1) != [UInt8(ascii: "\n")] {
            size = try newline(before: size) + 1
            guard ftruncate(fd, off_t(size)) == 0 else {
                throw TrackerError(.writeFailed, "cannot repair the torn last line of \(shown): \(FileSystem.lastError())")
            }
        }
        var lineEnd = size - 1
        while lineEnd > 0 {
            let lineStart = try newline(before: lineEnd) + 1
            let prefix = try read(lineStart, min(lineEnd - lineStart, 4096))
            if let head = EventRecord.head(of: prefix) { return head }
            if let record = try? EventRecord(line: read(lineStart, lineEnd - lineStart)) {
                return (record.seq, record.type, record.data.objectValue?["event_seq"]?.intValue.map(Int64.init))
            }
            lineEnd = lineStart - 1
        }
        return nil
    }
}
