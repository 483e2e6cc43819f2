import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Plain files and directories for scratch projects (the demo).

extension StatusStore {
    /// Creates a fresh directory under the system temp directory (`TMPDIR`; an empty one means unset).
    public static func makeTemporaryDirectory(prefix: String, temporaryDirectory: String?) throws(TrackerError) -> String {
        let base = temporaryDirectory.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw TrackerError(.writeFailed, "cannot create a temporary directory in \(base): \(FileSystem.lastError())")
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes a directory and everything in it (demo projects). Symbolic links are removed, not followed.
    public static func removeTree(_ path: String) throws(TrackerError) {
        guard let info = FileSystem.linkInfo(path) else { return }
        if info.isDirectory {
            for name in FileSystem.directoryEntries(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw TrackerError(.writeFailed, "cannot remove \(path): \(FileSystem.lastError())") }
        } else if unlink(path) != 0 {
            throw TrackerError(.writeFailed, "cannot remove \(path): \(FileSystem.lastError())")
        }
    }


    /// Writes a text file under the root, creating its directories (used to set up demo projects).
    public func writeProjectFile(_ relativePath: String, _ text: String) throws(TrackerError) {
        try FileSystem.replaceFile(Array(text.utf8), at: root + "/" + relativePath, cleaning: .of(FileSystem.split(relativePath).name),
                                   nowSeconds: SystemClock.now().millisecondsSinceEpoch / 1000, shown: display)
    }
}
