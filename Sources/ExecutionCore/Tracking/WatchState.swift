/// Which version of a file is on disk: inode, size and modification time. A rename by another
/// writer changes the inode even when size and time happen to match.
public struct FileIdentity: Equatable, Sendable {
    public let inode: UInt64
    public let size: Int64
    public let modifiedNanoseconds: Int64

    public init(inode: UInt64, size: Int64, modifiedNanoseconds: Int64) {
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
    }
}

/// What `watch` should show after each look at the status file. Pure: the caller looks at the
/// file and reads it; this decides whether anything new is to be shown.
public struct WatchState: Sendable {
    public enum Event: Equatable, Sendable {
        /// The file does not exist (yet); reported once until it appears.
        case waiting
        /// A new version was read.
        case changed(StatusFile)
        /// A new version could not be read; the last good one still stands. Reported once until a
        /// version can be read again: a file being rewritten by hand may show several problems
        /// in a row (empty, then half written), and one warning is enough.
        case unreadable(String)
        case unchanged
    }

    public private(set) var lastGood: StatusFile?
    private var lastIdentity: FileIdentity?
    private var reportedWaiting = false
    private var reportedProblem = false

    public init() {}

    public mutating func observe(_ identity: FileIdentity?,
                                 read: () throws(TrackerError) -> StatusFile) -> Event {
        guard let identity else {
            lastIdentity = nil
            if reportedWaiting { return .unchanged }
            reportedWaiting = true
            return .waiting
        }
        reportedWaiting = false
        guard identity != lastIdentity else { return .unchanged }
        lastIdentity = identity
        do {
            let status = try read()
            lastGood = status
            reportedProblem = false
            return .changed(status)
        } catch {
            guard !reportedProblem else { return .unchanged }
            reportedProblem = true
            return .unreadable(error.message)
        }
    }
}
