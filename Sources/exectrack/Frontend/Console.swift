#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Data to stdout, messages to stderr (docs/file-format.md, "Exit codes"). Unbuffered writes: each call reaches the
/// descriptor whole, so output interleaves cleanly with other processes writing to the same pipe.
enum Console {
    static func out(_ text: String) {
        writeAll(1, text)
    }

    static func out(_ bytes: [UInt8]) {
        writeAll(1, bytes)
    }

    static func line(_ text: String) {
        writeAll(1, text + "\n")
    }

    /// A note about what was done, on stderr so stdout stays data.
    static func message(_ text: String) {
        writeAll(2, text + "\n")
    }

    static func error(_ message: String) {
        writeAll(2, "exectrack: \(message)\n")
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        writeAll(fd, Array(text.utf8))
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
    }
}
