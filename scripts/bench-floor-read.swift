// The read-only floor (issue 27's targets for commands that only read): a static binary that
// reads a status file whole and does nothing else. Built and run by scripts/bench.sh.
#if canImport(Glibc)
import Glibc
#endif

let fd = open(CommandLine.arguments[1], O_RDONLY)
var total = 0
var chunk = [UInt8](repeating: 0, count: 1 << 16)
while true {
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n <= 0 { break }
    total += n
}
close(fd)
exit(total > 0 ? 0 : 1)
