import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The filesystem primitives the store is made of. Every read goes through `read` and every
/// write through `writeAtomically` or `writeInPlace`, so the rules of docs/reliability.md
/// ("Files the tool touches") hold for every file: only regular files are read, at most
/// `maxReadBytes` of them; no symlink is followed to create a file; temp files have one naming
/// scheme and the next write into a directory removes the ones a dead writer left.
enum FileSystem {
    /// The largest file the tool reads (status files, backups, tasks files). A 10,000-task status
    /// file is about 6 MB; the cap keeps `/dev/zero` or a runaway file from exhausting memory.
    static let maxReadBytes = 64 << 20

    /// What `stat` says about a path.
    struct Info {
        let type: mode_t
        let size: Int64
        let device: UInt64
        let inode: UInt64
        let permissions: mode_t
        let modifiedNanoseconds: Int64
        /// Status-change time: also moves when a hard link is made, so a staged `.bak` (a new
        /// link to an old file) counts as fresh.
        let changedSeconds: Int64
        /// How many names the file has.
        let links: UInt64

        init(_ st: stat) {
            type = st.st_mode & S_IFMT
            size = Int64(st.st_size)
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            permissions = st.st_mode & 0o7777
            modifiedNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            changedSeconds = Int64(st.st_ctim.tv_sec)
            links = UInt64(st.st_nlink)
        }

        /// Which file this is, whatever its name: two paths naming one file have the same place.
        struct Place: Equatable {
            let device: UInt64
            let inode: UInt64
        }

        var place: Place { Place(device: device, inode: inode) }

        var isRegular: Bool { type == S_IFREG }
        var isDirectory: Bool { type == S_IFDIR }
        var isSymlink: Bool { type == S_IFLNK }

        /// `a FIFO`, `a character device`, ...: for messages.
        /// Which version of the file this is: what watch and the stats cache compare.
        var identity: FileIdentity { FileIdentity(inode: inode, size: size, modifiedNanoseconds: modifiedNanoseconds) }

        var kindName: String {
            switch type {
            case S_IFREG: "a regular file"
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFSOCK: "a socket"
            case S_IFLNK: "a symlink"
            default: "a special file"
            }
        }
    }

    /// `stat` (following symlinks), or nil when nothing is there.
    static func info(_ path: String) -> Info? {
        var st = stat()
        return stat(path, &st) == 0 ? Info(st) : nil
    }

    /// `lstat`: the link itself when `path` is a symlink.
    static func linkInfo(_ path: String) -> Info? {
        var st = stat()
        return lstat(path, &st) == 0 ? Info(st) : nil
    }

    static func exists(_ path: String) -> Bool { info(path) != nil }
    static func isDirectory(_ path: String) -> Bool { info(path)?.isDirectory ?? false }

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// `path` with `.`, `..` and symlinks resolved; nil when it does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    // MARK: - Reading

    /// A regular file's bytes, or nil when nothing is at `path`. Opened without blocking, so a
    /// FIFO planted at the path cannot hang the tool; anything but a regular file (or a symlink to
    /// one) and anything larger than `maxReadBytes` is refused with `kind`, naming `role`.
    /// `allowStreams` lets a path the user named (`--tasks-file /dev/stdin`) be a pipe or device,
    /// read to its end up to the same cap.
    static func read(_ path: String, shownAs shown: String, role: String,
                     refuseWith kind: TrackerError.Kind, allowStreams: Bool = false,
                     maxBytes: Int = maxReadBytes) throws(TrackerError) -> [UInt8]? {
        guard let (bytes, fd, _) = try readKeepingOpen(path, shownAs: shown, role: role, refuseWith: kind,
                                                       allowStreams: allowStreams, maxBytes: maxBytes) else { return nil }
        close(fd)
        return bytes
    }

    /// `read`, leaving the file open for reading again (`readFully`) with what it was when
    /// opened (`isUnchanged`); the caller closes it.
    static func readKeepingOpen(_ path: String, shownAs shown: String, role: String,
                                refuseWith kind: TrackerError.Kind, allowStreams: Bool = false,
                                maxBytes: Int = maxReadBytes) throws(TrackerError) -> (bytes: [UInt8], fd: Int32, info: Info)? {
        guard let (fd, info) = try openForReading(path, shownAs: shown, role: role, refuseWith: kind, allowStreams: allowStreams) else {
            return nil
        }
        do {
            return (try readAll(fd, info, shownAs: shown, role: role, refuseWith: kind, maxBytes: maxBytes), fd, info)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Fills `buffer` with the bytes of the open file `fd` from `offset`; false when it cannot
    /// (an error, or the file ends first).
    static func readFully(_ fd: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    /// Whether the open file `fd` is still as `info` found it: same file, size and times. (A
    /// change within the filesystem's clock tick leaves the times as they were.)
    static func isUnchanged(_ fd: Int32, since info: Info) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        let now = Info(st)
        return now.place == info.place && now.size == info.size && now.modifiedNanoseconds == info.modifiedNanoseconds
            && now.changedSeconds == info.changedSeconds
    }

    private static func readAll(_ fd: Int32, _ info: Info, shownAs shown: String, role: String,
                                refuseWith kind: TrackerError.Kind, maxBytes: Int) throws(TrackerError) -> [UInt8] {
        let stream = !info.isRegular
        guard info.size <= maxBytes else { throw tooLarge(shown, role: role, kind: kind, maxBytes: maxBytes) }
        // Read straight into an array of the file's size plus one byte (reading nothing there
        // confirms the end); a file that grew meanwhile gets more room, up to the cap. Files of
        // no stated size (/proc's, which leases read) start with a page, not one byte.
        // The room is not zeroed first (6 MB of stores at 10,000 tasks): only the `count` bytes
        // read are ever looked at.
        let room = stream ? 65_536 : info.size == 0 ? 4096 : Int(info.size) + 1
        var result = [UInt8](unsafeUninitializedCapacity: room) { _, initialized in initialized = room }
        var count = 0
        while true {
            if count == result.count {
                guard count <= maxBytes else { throw tooLarge(shown, role: role, kind: kind, maxBytes: maxBytes) }
                result += repeatElement(0, count: result.count)
            }
            let n = result.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TrackerError(kind, "cannot read \(shown): \(lastError())")
            }
            if n == 0 { break }
            count += n
        }
        guard count <= maxBytes else { throw tooLarge(shown, role: role, kind: kind, maxBytes: maxBytes) }
        result.removeLast(result.count - count)
        return result
    }

    /// Calls `body` with each complete line of a regular file, in order (as `EventLines` splits
    /// them), reading it in blocks into one buffer rather than whole: the log of a 10,000-task
    /// spec is 40 MB, and the fresh pages of a 40 MB array cost the HTML report more than
    /// scanning its lines (docs/benchmarks.md). The file may be of any size, a line up to
    /// `maxReadBytes`. False when nothing is at `path`.
    static func forEachLine(_ path: String, shownAs shown: String, role: String, refuseWith kind: TrackerError.Kind,
                            _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(TrackerError) -> Bool {
        guard let (fd, _) = try openForReading(path, shownAs: shown, role: role, refuseWith: kind) else { return false }
        defer { close(fd) }
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { buffer.deallocate() }
        // The start of a line the previous block did not finish, moved to the buffer's start.
        var kept = 0
        while true {
            if kept == buffer.count {
                guard buffer.count < maxReadBytes else {
                    throw TrackerError(kind, "\(shown) has a line longer than \(maxReadBytes >> 20) MiB, the most exectrack reads as a line of \(role)")
                }
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: kept)
                buffer.deallocate()
                buffer = grown
            }
            let n = Glibc.read(fd, buffer.baseAddress! + kept, buffer.count - kept)
            if n < 0 {
                if errno == EINTR { continue }
                throw TrackerError(kind, "cannot read \(shown): \(lastError())")
            }
            if n == 0 { return true }
            let filled = kept + n
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)
            let consumed = EventLines.forEachLine(in: bytes, body)
            kept = filled - consumed
            if consumed > 0, kept > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + consumed, kept) }
        }
    }

    private static func tooLarge(_ shown: String, role: String, kind: TrackerError.Kind, maxBytes: Int) -> TrackerError {
        TrackerError(kind, "\(shown) is larger than \(maxBytes >> 20) MiB, the most exectrack reads as \(role)")
    }

    /// Opens a file for reading the way `read` does (without blocking, refusing what is not a
    /// regular file unless `allowStreams`); nil when nothing is at `path`. The caller closes it.
    static func openForReading(_ path: String, shownAs shown: String, role: String, refuseWith kind: TrackerError.Kind,
                               allowStreams: Bool = false) throws(TrackerError) -> (fd: Int32, info: Info)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (allowStreams ? 0 : O_NONBLOCK))
        guard fd >= 0 else {
            switch errno {
            case ENOENT:
                if linkInfo(path)?.isSymlink == true {
                    throw TrackerError(kind, "\(shown) is a symlink to nothing; remove it or point it at \(role)")
                }
                return nil
            case EACCES, EPERM:
                throw TrackerError(.writeFailed, "permission denied reading \(shown); check its mode (chmod u+r \(shown))")
            default:
                throw TrackerError(kind, "cannot read \(shown): \(lastError())")
            }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw TrackerError(kind, "cannot read \(shown): \(lastError())")
        }
        let info = Info(st)
        let stream = allowStreams && (info.type == S_IFIFO || info.type == S_IFCHR)
        guard info.isRegular || stream else {
            close(fd)
            throw TrackerError(kind, "\(shown) is \(info.kindName), not \(role)"
                + (info.isDirectory ? "" : "; move it away and retry"))
        }
        return (fd, info)
    }

    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    // MARK: - Writing

    /// `mkdir -p`. A symlink to a directory counts as the directory: moving `.claude/execution`
    /// to another disk is the user's choice.
    static func createDirectories(_ directory: String, shown: (String) -> String) throws(TrackerError) {
        // Every write asks; the directory is there nearly always.
        if isDirectory(directory) { return }
        var dir = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            dir.append("/")
            dir.append(contentsOf: component)
            if !isDirectory(dir), mkdir(dir, 0o755) != 0, errno != EEXIST {
                throw TrackerError(.writeFailed, "cannot create \(shown(dir)): \(lastError())")
            }
        }
    }

    /// The directory and file name of a path.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    /// The one temp-file name scheme: `.<name>.tmp.<pid>.<unique>[.<role>]`, hidden, beside the
    /// file it becomes, so the rename that publishes it never crosses a filesystem.
    static func tempPath(for path: String, role: String? = nil) -> String {
        let (directory, name) = split(path)
        return "\(directory)/.\(name).tmp.\(getpid()).\(SystemClock.uniqueSuffix())" + (role.map { ".\($0)" } ?? "")
    }

    /// For a name `tempPath` makes: the name of the file it was for, and the writer's pid.
    static func tempNameParts(_ name: String) -> (target: Substring, pid: Int32)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[0].isEmpty,
              let tmp = parts.lastIndex(of: "tmp"), tmp >= 2, parts.count - tmp == 3 || parts.count - tmp == 4 else { return nil }
        let unique = parts[tmp + 2]
        let role = parts.count - tmp == 4 ? parts[tmp + 3] : "x"
        guard let pid = Int32(parts[tmp + 1]), pid > 0, parts[tmp + 1].allSatisfy({ $0.isASCIIDigit }),
              !unique.isEmpty, unique.allSatisfy({ $0.isASCIIDigit || ("a"..."z").contains($0) }),
              !role.isEmpty, role.allSatisfy({ ("a"..."z").contains($0) }) else { return nil }
        return (name.dropFirst().prefix(upTo: parts[tmp].startIndex).dropLast(), pid)
    }

    /// Which temp files a write may clean up: every one in a directory exectrack owns, only those
    /// of the file being written elsewhere (a user's `--output` directory holds their files).
    enum TempScope {
        case all
        case of(String)
    }

    /// Removes temp files in `directory` that a writer which died mid-write left: written more
    /// than a minute ago, and either untouched for as long or made by a process that is gone.
    /// (A staged `.bak` is a fresh link to an old file: its mtime is old, its ctime is not, and
    /// its writer is alive, so it is never taken for a leftover.)
    static func removeStaleTempFiles(in directory: String, _ scope: TempScope, nowSeconds: Int64) {
        for name in directoryEntries(directory) {
            guard let (target, pid) = tempNameParts(name) else { continue }
            if case .of(let only) = scope, target != only { continue }
            let path = "\(directory)/\(name)"
            guard let info = linkInfo(path), info.isRegular,
                  nowSeconds - info.modifiedNanoseconds / 1_000_000_000 > 60 else { continue }
            if nowSeconds - info.changedSeconds > 60 || !(kill(pid, 0) == 0 || errno == EPERM) { unlink(path) }
        }
    }

    /// Temp file beside `path`, fsync, `beforeReplace`, rename over `path`, directory fsync. On
    /// failure `path` is as it was and the temp file is gone. The rename replaces whatever is at
    /// `path` (a symlink is replaced, never followed). `faults` lets tests fail any step.
    static func writeAtomically(_ content: [UInt8], to path: String, shown: (String) -> String,
                                faults: StatusStore.WriteFaults = .none, syncingDirectory: Bool = true,
                                beforeReplace: () throws(TrackerError) -> Void = {}) throws(TrackerError) {
        var mode: mode_t = 0o644
        var keepMode = false
        if let existing = linkInfo(path) {
            if existing.isDirectory {
                throw TrackerError(.writeFailed, "\(shown(path)) is a directory; move it away and retry")
            }
            if existing.isRegular {
                guard existing.permissions & S_IWUSR != 0 else {
                    throw TrackerError(.writeFailed, "\(shown(path)) is read-only; make it writable (chmod u+w) and retry")
                }
                mode = existing.permissions & 0o777
                keepMode = true
            }
        }
        let directory = split(path).directory
        let temp = tempPath(for: path)
        let fd = faults.fails(.createTemp) ? -1 : open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw TrackerError(.writeFailed, "cannot write in \(shown(directory)): \(lastError())")
        }
        // The replaced file's mode exactly, not as the umask would narrow it.
        if keepMode { fchmod(fd, mode) }
        func fail(_ what: String) -> TrackerError {
            let message = TrackerError(.writeFailed, "\(what) \(shown(path)) failed: \(lastError()); \(shown(path)) is unchanged")
            unlink(temp)
            return message
        }
        do throws(TrackerError) {
            try writeAll(content, to: fd, faults: faults, failure: { () -> TrackerError in fail("writing") })
        } catch {
            close(fd)
            throw error
        }
        guard !faults.fails(.sync), fsync(fd) == 0 else {
            let code = errno
            close(fd)
            errno = code
            throw fail("syncing")
        }
        close(fd)
        do {
            try beforeReplace()
        } catch {
            unlink(temp)
            throw error
        }
        guard !faults.fails(.replace), rename(temp, path) == 0 else { throw fail("replacing") }
        if syncingDirectory { syncDirectory(directory) }
    }

    /// Streams `content` into what is already at `path` (a FIFO, a terminal, `/dev/null`): such
    /// targets cannot be replaced, only written to. A FIFO nobody reads is refused rather than
    /// waited on.
    static func writeInPlace(_ content: [UInt8], to path: String, shown: String) throws(TrackerError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENXIO {
                throw TrackerError(.writeFailed, "nothing is reading the FIFO \(shown); start its reader first")
            }
            throw TrackerError(.writeFailed, "cannot open \(shown) for writing: \(lastError())")
        }
        defer { close(fd) }
        // Blocking from here on: a reader that is slower than us is waited for, not failed.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        try writeAll(content, to: fd, faults: .none) { () -> TrackerError in
            TrackerError(.writeFailed, "writing \(shown) failed: \(lastError())")
        }
    }

    /// The descriptor a path names when it is one of this process's own streams: `/dev/stdout`,
    /// `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`. Those are links into the process, so they
    /// are written through the descriptor, never replaced (as root, replacing `/dev/stdout`
    /// would replace it for every process).
    static func ownDescriptor(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/\(getpid())/fd/"] where path.hasPrefix(prefix) {
                let number = path.dropFirst(prefix.count)
                guard !number.isEmpty, number.allSatisfy({ $0.isASCIIDigit }), let fd = Int32(number) else { return nil }
                return fd
            }
            return nil
        }
    }

    /// Opens one of exectrack's own append-only files (an event log, the hook log) to read and
    /// append: created when missing, never through a symlink, refused unless a regular file.
    /// The caller closes it.
    static func openForAppending(_ path: String, shown: String, role: String) throws(TrackerError) -> (fd: Int32, info: Info) {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw TrackerError(.writeFailed, "\(shown) is a symlink; exectrack never follows one at its own files. Remove it and retry") }
            throw TrackerError(.writeFailed, "cannot open \(shown): \(lastError())")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, Info(st).isRegular else {
            close(fd)
            throw TrackerError(.writeFailed, "\(shown) is \(Info(st).kindName), not \(role); move it away and retry")
        }
        return (fd, Info(st))
    }

    /// Writes `content` to an open descriptor that is not ours to close.
    static func writeToDescriptor(_ content: [UInt8], _ fd: Int32, shown: String) throws(TrackerError) {
        try writeAll(content, to: fd, faults: .none) { () -> TrackerError in
            TrackerError(.writeFailed, "writing \(shown) failed: \(lastError())")
        }
    }

    private static func writeAll(_ content: [UInt8], to fd: Int32, faults: StatusStore.WriteFaults,
                                 failure: () -> TrackerError) throws(TrackerError) {
        var written = 0
        while written < content.count {
            let n = faults.fails(.write) ? -1 : content.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure()
            }
            written += n
        }
    }

    /// `mkdir -p` of the directory, the atomic write, then the clean-up of stale temp files in
    /// `scope`: the sequence every whole-file write outside the status file's commit uses.
    static func replaceFile(_ content: [UInt8], at path: String, cleaning scope: TempScope, nowSeconds: Int64,
                            shown: (String) -> String) throws(TrackerError) {
        let directory = split(path).directory
        try createDirectories(directory, shown: shown)
        try writeAtomically(content, to: path, shown: shown)
        removeStaleTempFiles(in: directory, scope, nowSeconds: nowSeconds)
    }

    static func syncDirectory(_ directory: String) {
        let dir = open(directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
