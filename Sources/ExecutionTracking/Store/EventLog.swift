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
    /// Appends events that record something beside the state (`notify.failed`, `event.merged`)
    /// under the spec's lock; the status file does not change.
    func appendAnnotations(_ changes: [ChangeEvent], _ spec: SpecID, now: Timestamp) throws(TrackerError) {
        try write(spec) { (write) throws(TrackerError) in try write.commitAnnotations(changes, now: now) }
    }

    public func eventsPath(_ spec: SpecID) -> String { "\(executionDirectory)/\(spec).events.jsonl" }

    /// Logs grow with a spec's history (`archive` rotates them), so they may be larger than the
    /// status files' cap.
    static let maxEventLogBytes = 1 << 30

    /// The log's bytes; nil when there is none.
    func readLog(_ spec: SpecID) throws(TrackerError) -> [UInt8]? {
        let path = eventsPath(spec)
        return try FileSystem.read(path, shownAs: display(path), role: "an event log", refuseWith: .corruptFile, maxBytes: Self.maxEventLogBytes)
    }

    /// A line of the log that is not an event, numbered from 1.
    public typealias LogProblem = (line: Int, problem: String)

    /// The log's events in order, and the lines that are not events. A last line without its
    /// newline is a write in progress (or torn by a crash) and is left out.
    public func readEvents(_ spec: SpecID) throws(TrackerError) -> (events: [EventRecord], problems: [LogProblem]) {
        guard let bytes = try readLog(spec) else { return ([], []) }
        var events: [EventRecord] = []
        var problems: [LogProblem] = []
        EventLines.forEach(in: bytes) { number, line in
            do {
                events.append(try EventRecord(line: Array(line)))
            } catch {
                problems.append((number, "\(error)"))
            }
        }
        return (events, problems)
    }

    /// The last `limit` events that `query` keeps, reading the log backwards from its end, so a
    /// long log costs no more than its tail; problems are lines among those read.
    public func readEventsTail(_ spec: SpecID, _ query: EventQuery, limit: Int) throws(TrackerError) -> (events: [EventRecord], problems: [LogProblem]) {
        let path = eventsPath(spec)
        let shown = display(path)
        guard let (fd, info) = try FileSystem.openForReading(path, shownAs: shown, role: "an event log", refuseWith: .corruptFile) else {
            return ([], [])
        }
        defer { close(fd) }
        var lines = BackwardLines(fd: fd, end: info.size, shown: shown)
        try lines.dropUnterminatedTail()
        var found: [EventRecord] = []
        var problemOffsets: [(offset: Int64, problem: String)] = []
        while found.count < limit, let line = try lines.previous() {
            let bytes = try lines.read(line)
            guard !bytes.isEmpty else { continue }
            do {
                let event = try EventRecord(line: bytes)
                if query.keeps(event) { found.append(event) }
            } catch {
                problemOffsets.append((line.lowerBound, "\(error)"))
            }
        }
        // Line numbers need the newlines before each bad line: counted only when there is one.
        var problems: [LogProblem] = []
        for (offset, problem) in problemOffsets.reversed() {
            problems.append((try lines.lineNumber(at: offset), problem))
        }
        return (found.reversed(), problems)
    }
}

/// A log's lines from its end backwards, read in 64 KiB blocks with `pread`. The last block read
/// is kept, so walking back line by line reads each byte once rather than a block per line.
struct BackwardLines {
    let fd: Int32
    /// The end of the part not yet visited: the offset just after a newline (or the file's size).
    private(set) var end: Int64
    let shown: String
    private var block: [UInt8] = []
    private var blockStart: Int64 = 0

    init(fd: Int32, end: Int64, shown: String) {
        self.fd = fd
        self.end = end
        self.shown = shown
    }

    func read(_ range: Range<Int64>) throws(TrackerError) -> [UInt8] {
        if range.lowerBound >= blockStart, range.upperBound <= blockStart + Int64(block.count) {
            return Array(block[Int(range.lowerBound - blockStart)..<Int(range.upperBound - blockStart)])
        }
        var bytes = [UInt8](repeating: 0, count: Int(range.count))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(range.lowerBound) + off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw TrackerError(.corruptFile, "cannot read \(shown): \(n == 0 ? "it shrank while read" : FileSystem.lastError())") }
            done += n
        }
        return bytes
    }

    /// The offset of the last newline before `end`, or -1.
    mutating func newline(before end: Int64) throws(TrackerError) -> Int64 {
        var end = end
        while end > 0 {
            if end <= blockStart || end > blockStart + Int64(block.count) {
                let start = max(0, end - 64 * 1024)
                block = []
                block = try read(start..<end)
                blockStart = start
            }
            if let i = block[..<Int(end - blockStart)].lastIndex(of: UInt8(ascii: "\n")) { return blockStart + Int64(i) }
            end = blockStart
        }
        return -1
    }

    /// Leaves out a last line without its newline (a write in progress, or torn); returns where
    /// the complete lines end.
    @discardableResult
    mutating func dropUnterminatedTail() throws(TrackerError) -> Int64 {
        if end > 0, try read(end - 1..<end) != [UInt8(ascii: "\n")] {
            end = try newline(before: end) + 1
        }
        return end
    }

    /// The byte range of the previous line (without its newline), or nil at the start.
    mutating func previous() throws(TrackerError) -> Range<Int64>? {
        guard end > 0 else { return nil }
        let lineEnd = end - 1
        let lineStart = try newline(before: lineEnd) + 1
        end = lineStart
        return lineStart..<lineEnd
    }

    /// The number (from 1) of the line that starts at `offset`.
    func lineNumber(at offset: Int64) throws(TrackerError) -> Int {
        var count = 1
        var start: Int64 = 0
        while start < offset {
            let stop = min(offset, start + 1 << 20)
            count += try read(start..<stop).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            start = stop
        }
        return count
    }
}

/// `events --follow`: the events appended since the last look. Like `tail -F`, it keeps the log
/// open: when `archive` moves the log away, the rest of the old one is read before the new one
/// at the name is followed from its start.
public final class EventLogFollower {
    private let path: String
    private let shown: String
    private var fd: Int32 = -1
    private var place: FileSystem.Info.Place?
    private var offset: Int64 = 0
    private var lineNumber = 0

    public init(_ store: StatusStore, _ spec: SpecID) {
        path = store.eventsPath(spec)
        shown = store.display(path)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The complete lines added since the previous call, as events and problems.
    public func poll() throws(TrackerError) -> (events: [EventRecord], problems: [StatusStore.LogProblem]) {
        var result: (events: [EventRecord], problems: [StatusStore.LogProblem]) = ([], [])
        if fd >= 0 { try drain(into: &result) }
        let current = FileSystem.info(path)
        if fd < 0 || current?.place != place {
            if fd >= 0 { close(fd) }
            fd = -1
            guard let (opened, info) = try FileSystem.openForReading(path, shownAs: shown, role: "an event log", refuseWith: .corruptFile) else {
                return result
            }
            fd = opened
            place = info.place
            offset = 0
            lineNumber = 0
            try drain(into: &result)
        }
        return result
    }

    /// Reads the complete lines after `offset` of the open log.
    private func drain(into result: inout (events: [EventRecord], problems: [StatusStore.LogProblem])) throws(TrackerError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TrackerError(.corruptFile, "cannot read \(shown): \(FileSystem.lastError())") }
        let size = Int64(st.st_size)
        if size < offset {
            offset = 0
            lineNumber = 0
        }
        var lines = BackwardLines(fd: fd, end: size, shown: shown)
        let complete = try lines.dropUnterminatedTail()
        guard complete > offset else { return }
        let bytes = try lines.read(offset..<complete)
        EventLines.forEach(in: bytes, firstNumber: lineNumber + 1) { number, line in
            do {
                result.events.append(try EventRecord(line: Array(line)))
            } catch {
                result.problems.append((number, "\(error)"))
            }
        }
        lineNumber += bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        offset = complete
    }
}

/// The status file a write replaces, as the event log needs it: its model, and the digest of its
/// bytes (held instead of the bytes, so a large file's bytes are freed before the new ones are made).
struct ReplacedStatus {
    var digest: String
    var file: StatusFile

    init(bytes: [UInt8], file: StatusFile) {
        self.init(digest: ContentDigest.of(bytes), file: file)
    }

    init(digest: String, file: StatusFile) {
        self.digest = digest
        self.file = file
    }
}

extension SpecWrite {
    /// Appends `changes` to the spec's event log and makes them durable, then returns the status
    /// file to publish, which `status` makes for the `seq` of the last event (its `event_seq`),
    /// told whether the file replaced holds the writer's own bytes (`writersBytes`): the one the
    /// log's last write published, made by the writer, its digest recorded.
    /// The last event records the digest of those bytes. `current` is the status file being
    /// replaced: events after its `event_seq` were appended by a write that never published and
    /// are voided first; a file that is not the one the log's last write published (a hand edit,
    /// a copy, a checkout) is recorded whole as `status.edited_externally`; a log begun while the
    /// file exists starts with `log.started`, the whole state. A torn last line is cut off.
    func commitEvents(_ changes: [ChangeEvent], replacing current: ReplacedStatus?, now: Timestamp,
                      publishing status: (_ eventSeq: Int64, _ writersBytes: Bool) -> [UInt8]) throws(TrackerError) -> [UInt8] {
        let (fd, shown, opened) = try openLogForAppending()
        defer { close(fd) }
        var lines = opened
        var events = try Self.eventsBefore(changes, replacing: current, lines: &lines)
        events.events += changes
        let last = events.lastSeq + Int64(events.events.count)
        let content = status(last, events.writersBytes)
        let digest = ContentDigest.of(content)
        let encoded = events.events.enumerated().map { i, change in
            let seq = events.lastSeq + 1 + Int64(i)
            var record = EventRecord(change, spec: spec.rawValue, id: Self.eventID(spec, seq), seq: seq, time: now, actor: Self.actor)
            if seq == last { record.statusDigest = digest }
            return record
        }
        try append(encoded, to: fd, shown: shown)
        appended = encoded
        return content
    }

    /// Appends events that the status file does not reflect (`EventType.isAnnotation`), after the
    /// log's last event, without touching the status file.
    func commitAnnotations(_ changes: [ChangeEvent], now: Timestamp) throws(TrackerError) {
        let (fd, shown, lines) = try openLogForAppending()
        defer { close(fd) }
        var backward = lines
        let lastSeq = try Self.previousHead(&backward)?.seq ?? 0
        try append(changes.enumerated().map { i, change in
            let seq = lastSeq + 1 + Int64(i)
            return EventRecord(change, spec: spec.rawValue, id: Self.eventID(spec, seq), seq: seq, time: now, actor: Self.actor)
        }, to: fd, shown: shown)
    }

    private static func eventID(_ spec: SpecID, _ seq: Int64) -> String { "\(spec)-\(seq)-\(SystemClock.uniqueSuffix())-\(getpid())" }

    /// One write per line, so a reader never sees two events' bytes interleaved; then made durable.
    private func append(_ records: [EventRecord], to fd: Int32, shown: String) throws(TrackerError) {
        guard mayPublish() else { throw TrackerError(.lockTimeout, "the lock or the status file changed while held") }
        for record in records {
            try FileSystem.writeToDescriptor(record.line, fd, shown: shown)
        }
        guard fdatasync(fd) == 0 else { throw TrackerError(.writeFailed, "cannot sync \(shown): \(FileSystem.lastError())") }
    }

    /// The log opened for appending (created when missing; a symlink or special file refused),
    /// its torn last line cut off, and its lines ready to be read backwards. The caller closes it.
    private func openLogForAppending() throws(TrackerError) -> (fd: Int32, shown: String, lines: BackwardLines) {
        let shown = store.display(store.eventsPath(spec))
        let (fd, info) = try FileSystem.openForAppending(store.eventsPath(spec), shown: shown, role: "an event log")
        do throws(TrackerError) {
            var lines = BackwardLines(fd: fd, end: info.size, shown: shown)
            let complete = try lines.dropUnterminatedTail()
            if complete < info.size, ftruncate(fd, off_t(complete)) != 0 {
                throw TrackerError(.writeFailed, "cannot repair the torn last line of \(shown): \(FileSystem.lastError())")
            }
            return (fd, shown, lines)
        } catch {
            close(fd)
            throw error
        }
    }

    /// The events a write records before its own: `log.started`, `event.voided`,
    /// `status.edited_externally` (see `commitEvents`); the `seq` of the log's last event; and
    /// whether the file replaced holds the writer's own bytes (see `commitEvents`).
    private static func eventsBefore(_ changes: [ChangeEvent], replacing current: ReplacedStatus?, lines: inout BackwardLines)
        throws(TrackerError) -> (lastSeq: Int64, events: [ChangeEvent], writersBytes: Bool) {
        let newest = try previousHead(&lines)
        var stateHead = newest
        if stateHead?.isAnnotation == true { stateHead = try previousStateHead(&lines) }
        let lastSeq = newest?.seq ?? 0
        guard let current else { return (lastSeq, [], false) }
        guard let lastHead = stateHead else {
            return (lastSeq, [ChangeEvent(.logStarted, data: JSONObject([("status", current.file.json)]))], false)
        }
        let reflected = EventRecord.reflected(byFileWith: current.file.eventSeq, last: lastHead)
        // Back to the write that published this file, which recorded its digest (logs from before
        // digests have none). The events after it are one crashed write's (voided below), unless
        // a write after it completed — then the file was put back from elsewhere (a copy, a
        // checkout), which is an edit: those events happened and stay.
        var publisher: EventRecord.Head? = lastHead
        var voided: [ClosedRange<Int64>] = []
        var laterWrites = 0
        // The first unreflected event that is not an annotation: annotations in between stay.
        var firstUnreflected = lastHead.seq
        while let head = publisher, let reflected, head.seq > reflected {
            firstUnreflected = head.seq
            if let range = head.voided { voided.append(range) }
            if head.seq != lastHead.seq, head.statusDigest != nil, !voided.contains(where: { $0.contains(head.seq) }) { laterWrites += 1 }
            publisher = try previousStateHead(&lines)
        }
        var events: [ChangeEvent] = []
        if let reflected, lastHead.seq > reflected, laterWrites == 0 {
            events.append(ChangeEvent(.eventVoided, data: JSONObject([("from_seq", .int(Int(firstUnreflected))), ("through_seq", .int(Int(lastHead.seq)))])))
        }
        let vouched = laterWrites == 0 && reflected != nil && publisher?.seq == reflected
            && publisher.map { $0.statusDigest == nil || $0.statusDigest == current.digest } == true
        if !vouched {
            events.append(ChangeEvent(.statusEditedExternally, data: JSONObject([("status", current.file.json)])))
        }
        // A log from before digests vouches for any file, and a restore publishes bytes it did
        // not write: neither says the bytes are the writer's.
        let writersBytes = vouched && publisher?.statusDigest != nil
            && publisher.flatMap { EventType(rawValue: $0.type) }.map { !$0.publishesBytesAsRead } == true
        return (lastSeq, events, writersBytes)
    }

    /// Like `previousHead`, passing over annotations.
    private static func previousStateHead(_ lines: inout BackwardLines) throws(TrackerError) -> EventRecord.Head? {
        while let head = try previousHead(&lines) {
            if !head.isAnnotation { return head }
        }
        return nil
    }

    /// The head of the event before `lines`' position; lines that are not events are passed over.
    private static func previousHead(_ lines: inout BackwardLines) throws(TrackerError) -> EventRecord.Head? {
        while let line = try lines.previous() {
            guard !line.isEmpty else { continue }
            if let head = EventRecord.head(of: try lines.read(line.lowerBound..<min(line.upperBound, line.lowerBound + 4096))) {
                return head
            }
            if let record = try? EventRecord(line: lines.read(line)) { return record.head }
        }
        return nil
    }

    /// Who writes: this process on this machine.
    private static let actor: JSONObject = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        return JSONObject([("pid", .int(Int(getpid()))), ("host", .optional(host))])
    }()
}
