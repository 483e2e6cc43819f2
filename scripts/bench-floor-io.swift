// A lower floor than the issue's: a static binary that reads a status file and writes the
// same bytes back the way exectrack does (temp file, fsync, rename, directory fsync) — no
// parsing, no logic. With a second argument it first appends one event line to that log and
// fsyncs it, as a write of exectrack's does before publishing the state (docs/events.md).
// Built and run by scripts/bench.sh.
#if canImport(Glibc)
import Glibc
#endif

let path = CommandLine.arguments[1]
let directory = String(path[..<path.lastIndex(of: "/")!])
let fd = open(path, O_RDONLY)
var bytes: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 1 << 16)
while true {
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n <= 0 { break }
    bytes.append(contentsOf: chunk[0..<n])
}
close(fd)
if CommandLine.arguments.count > 2 {
    let log = open(CommandLine.arguments[2], O_WRONLY | O_CREAT | O_APPEND, 0o644)
    let line = Array(("{\"specversion\":\"1.0\",\"type\":\"dev.exectrack.task.started\",\"data\":{\"pad\":\""
        + String(repeating: "x", count: 300) + "\"}}\n").utf8)
    _ = line.withUnsafeBytes { write(log, $0.baseAddress, $0.count) }
    fsync(log)
    close(log)
}
let temp = "\(directory)/.floor.tmp.\(getpid())"
let out = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
_ = bytes.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
fsync(out)
close(out)
rename(temp, path)
let dir = open(directory, O_RDONLY)
fsync(dir)
close(dir)
