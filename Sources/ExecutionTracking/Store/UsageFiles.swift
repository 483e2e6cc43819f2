import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The files behind usage (docs/usage.md): the price file and each spec's usage ledger in
// `.claude/exectrack/`, and the transcripts Claude Code writes, read from where the last import
// stopped.

extension StatusStore {
    public var pricingPath: String { toolDirectory + "/pricing.json" }

    func usageLedgerPath(_ spec: SpecID) -> String { toolDirectory + "/usage/\(spec).json" }

    /// `.claude/exectrack/pricing.json` when there is one, else the built-in table. A file of the
    /// wrong shape is exit 4 naming the path and the field.
    public func loadPrices() throws(TrackerError) -> PriceTable {
        guard let bytes = try FileSystem.read(pricingPath, shownAs: display(pricingPath), role: "a price file", refuseWith: .corruptFile) else {
            return .builtIn
        }
        switch PriceTable.parse(bytes, source: display(pricingPath)) {
        case .success(let table): return table
        case .failure(let problem):
            throw TrackerError(.corruptFile, "\(display(pricingPath))\(problem.field.map { ": \($0)" } ?? ""): \(problem.message) "
                + "(LiteLLM's model_prices_and_context_window.json shape; see docs/usage.md)")
        }
    }

    private func refuseLinkedLedgerDirectories() throws(TrackerError) { try refuseSymlinks([toolDirectory, toolDirectory + "/usage"]) }

    /// The spec's usage ledger (empty when there is none). Call under the spec's lock.
    func loadUsageLedger(_ spec: SpecID) throws(TrackerError) -> UsageLedger {
        try refuseLinkedLedgerDirectories()
        let path = usageLedgerPath(spec)
        guard let bytes = try FileSystem.read(path, shownAs: display(path), role: "a usage ledger", refuseWith: .corruptFile) else {
            return UsageLedger()
        }
        let parsed = (try? JSONParser.parse(bytes)).map(UsageLedger.parse) ?? .failure(FieldProblem("is not JSON"))
        switch parsed {
        case .success(let ledger): return ledger
        case .failure(let problem):
            throw TrackerError(.corruptFile, "\(display(path))\(problem.field.map { ": \($0)" } ?? ""): \(problem.message); "
                + "move it away to count afresh (requests read before may then be counted again)")
        }
    }

    /// Writes the ledger atomically. Call under the spec's lock, before the status file.
    func saveUsageLedger(_ ledger: UsageLedger, _ spec: SpecID) throws(TrackerError) {
        try refuseLinkedLedgerDirectories()
        let path = usageLedgerPath(spec)
        try FileSystem.createDirectories(FileSystem.split(path).directory, shown: display)
        try FileSystem.writeAtomically(Array((JSONWriter.encode(ledger.json, style: .compact) + "\n").utf8), to: path,
                                       shown: display, faults: faults)
    }

    /// What a transcript holds past `offset`: whole lines only (a line still being written is
    /// left for the next read). Read again from the start when the file is another one (its
    /// inode changed) or shrank; `restarted` says so.
    public struct TranscriptRead {
        public var scan = TranscriptScan()
        /// The offset after the last whole line read.
        public var offset: Int64
        public var inode: Int64
        public var restarted = false
    }

    /// The transcript's identity and size, for the check that there is nothing new.
    func transcriptInfo(_ path: String) throws(TrackerError) -> (inode: Int64, size: Int64) {
        guard let info = FileSystem.info(path) else { throw TrackerError(.notFound, "no transcript at \(display(path))") }
        guard info.isRegular else { throw TrackerError(.usage, "\(display(path)) is \(info.kindName), not a transcript") }
        return (Int64(bitPattern: info.inode), info.size)
    }

    /// The longest line read: a longer one (a runaway or hostile file) is skipped as unreadable.
    static let maxTranscriptLine = 16 << 20

    /// Reads from where `previous` stopped to the end, or (with `budget`) about that many bytes:
    /// the rest is read next time.
    func readTranscript(_ path: String, after previous: UsageSource?, budget: Int64? = nil) throws(TrackerError) -> TranscriptRead {
        guard let (fd, info) = try FileSystem.openForReading(path, shownAs: display(path), role: "a transcript", refuseWith: .usage) else {
            throw TrackerError(.notFound, "no transcript at \(display(path))")
        }
        defer { close(fd) }
        let inode = Int64(bitPattern: info.inode)
        var start = previous?.offset ?? 0
        var restarted = false
        if previous != nil, previous?.inode != inode || start > info.size {
            start = 0
            restarted = true
        }
        var read = TranscriptRead(offset: start, inode: inode, restarted: restarted)
        // In chunks: a 50 MB transcript is never all in memory; a line cut by a chunk's end is
        // carried into the next, up to `maxTranscriptLine`.
        let chunkSize = 4 << 20
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var carried: [UInt8] = []
        var skipping = false
        var position = start
        while budget.map({ position - start < $0 }) ?? true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, chunkSize, off_t(position)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TrackerError(.usage, "cannot read \(display(path)): \(FileSystem.lastError())")
            }
            if n == 0 { break }
            position += Int64(n)
            var chunk = buffer[..<n]
            if skipping {
                // The rest of an oversized line, up to its end.
                guard let end = chunk.firstIndex(of: UInt8(ascii: "\n")) else {
                    read.offset = position
                    continue
                }
                skipping = false
                chunk = chunk[(end + 1)...]
                read.offset = position - Int64(chunk.count)
            }
            // A line begun in earlier chunks that ends here, longer than the reader takes: skipped.
            if !carried.isEmpty, let end = chunk.firstIndex(of: UInt8(ascii: "\n")),
               carried.count + (end - chunk.startIndex) > Self.maxTranscriptLine {
                read.scan.countUnreadableLine()
                carried = []
                chunk = chunk[(end + 1)...]
                read.offset = position - Int64(chunk.count)
            }
            guard let lastNewline = chunk.lastIndex(of: UInt8(ascii: "\n")) else {
                carried += chunk
                if carried.count > Self.maxTranscriptLine {
                    read.scan.countUnreadableLine()
                    carried = []
                    skipping = true
                    read.offset = position
                }
                continue
            }
            if carried.isEmpty {
                read.scan.add(chunk[...lastNewline])
            } else {
                carried += chunk[...lastNewline]
                read.scan.add(carried[...])
                carried = []
            }
            carried += chunk[(lastNewline + 1)...]
            read.offset = position - Int64(carried.count)
        }
        return read
    }
}
