import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The stdio transport of `exectrack mcp` (docs/mcp.md): newline-delimited messages on stdin,
// answers on stdout, nothing else on stdout. One thread: a request is answered before the next
// line is read, and while a client subscribes, the status files are looked at every
// `pollMilliseconds` between lines.

extension MCPServer {
    /// A line longer than this is answered with a parse error and skipped, not buffered.
    static let maxLineBytes = 8 << 20
    static let pollMilliseconds: Int32 = 250

    /// Serves `input` until it ends (or `output` is closed); returns the exit status.
    public mutating func serve(input: Int32 = 0, output: Int32 = 1) -> Int32 {
        // A client that went away must end us with EOF or EPIPE, not a signal.
        signal(SIGPIPE, SIG_IGN)
        var pending: [UInt8] = []
        var skipping = false
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if hasSubscriptions {
                var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, Self.pollMilliseconds)
                if ready == 0 {
                    guard Self.send(changes(), to: output) else { return 0 }
                    continue
                }
                if ready < 0 { continue }
            }
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return 0
            }
            // End of input: a last line without its newline is still a message.
            if count == 0 {
                if !pending.isEmpty, !skipping { _ = Self.send(handle(pending), to: output) }
                return 0
            }
            var start = 0
            for i in 0..<count where chunk[i] == UInt8(ascii: "\n") {
                if !skipping {
                    pending.append(contentsOf: chunk[start..<i])
                    if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                    let line = pending
                    pending.removeAll(keepingCapacity: true)
                    if !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                        guard Self.send(handle(line) + changes(), to: output) else { return 0 }
                    }
                }
                skipping = false
                start = i + 1
            }
            if !skipping {
                pending.append(contentsOf: chunk[start..<count])
                if pending.count > Self.maxLineBytes {
                    pending.removeAll()
                    skipping = true
                    let failure = JSONRPC.Failure(JSONRPC.parseError, "parse error: a message longer than \(Self.maxLineBytes >> 20) MiB")
                    guard Self.send([JSONRPC.error(id: .null, failure)], to: output) else { return 0 }
                }
            }
        }
    }

    /// Writes each line whole; false when the client closed its end.
    private static func send(_ lines: [String], to output: Int32) -> Bool {
        for line in lines {
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { write(output, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
        }
        return true
    }
}
