// The floor docs/benchmarks.md names: a static binary that imports FoundationEssentials only, decodes a
// status file with JSONDecoder, re-encodes it with JSONEncoder and writes it the way exectrack
// does (temp file, fsync, rename, directory fsync). Built and run by scripts/bench.sh; it works
// on its own copy of the status file so the other commands' input stays as it was.
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

struct Task: Codable {
    var index: Int
    var id: String?
    var description: String
    var command: String?
    var agent: String?
    var complexity: String?
    var dependencies: [String]
    var parallel: Bool
    var status: String
    var started_at: String?
    var completed_at: String?
    var duration_ms: Int?
    var attempts: Int
    var output: String?
    var files_created: [String]
    var files_modified: [String]
    var error: String?
}

struct Layer: Codable {
    var name: String
    var status: String
    var total_tasks: Int
    var completed_tasks: Int
    var failed_tasks: Int
    var skipped_tasks: Int
    var started_at: String?
    var completed_at: String?
    var duration_ms: Int?
    var tasks: [Task]
}

struct StatusFile: Codable {
    var schema_version: Int
    var feature: String
    var feature_name: String
    var status: String
    var current_layer: String
    var created_at: String?
    var started_at: String?
    var last_updated: String?
    var total_tasks: Int
    var completed_tasks: Int
    var failed_tasks: Int
    var completion_percentage: Int
    var next_action: String
    var layers: [String: Layer]
}

let path = CommandLine.arguments[1]
let status = try JSONDecoder().decode(StatusFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted]
let bytes = try encoder.encode(status)
let directory = String(path[..<path.lastIndex(of: "/")!])
let temp = "\(directory)/.floor.tmp.\(getpid())"
let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
_ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
fsync(fd)
close(fd)
rename(temp, path)
let dir = open(directory, O_RDONLY)
fsync(dir)
close(dir)
