import Foundation
import Testing

/// The built `exectrack` binary: next to the test bundle (swift test builds it first), or
/// `$EXECTRACK_BIN`.
let exectrackBinary: URL = {
    if let explicit = ProcessInfo.processInfo.environment["EXECTRACK_BIN"] {
        return URL(fileURLWithPath: explicit)
    }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // On macOS the test binary sits inside an .xctest bundle.
    while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
        dir.deleteLastPathComponent()
    }
    return dir.appendingPathComponent("exectrack")
}()

struct RunResult {
    let exitCode: Int32
    let stdout: String
    let stderr: String

    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A scratch project directory (with `.git/` so root discovery stops there), removed on deinit.
final class Project {
    let root: URL

    init(specs: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("exectrack-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        for (spec, text) in specs { try write("specs/\(spec)/layered-tasks.md", text) }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    func write(_ relative: String, _ text: String) throws {
        let url = url(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func statusURL(_ spec: String) -> URL { url(".claude/execution/\(spec).json") }

    func statusBytes(_ spec: String) throws -> Data { try Data(contentsOf: statusURL(spec)) }

    /// The status file as parsed by Foundation's JSON reader (an independent parser from ours).
    func status(_ spec: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: statusBytes(spec)) as! [String: Any]
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> RunResult {
        try runProcess(exectrackBinary, arguments, environment: environment, in: directory ?? root)
    }

    /// Runs `jq` on a file of this project (the seed's one-liners).
    func jq(_ filter: String, _ relative: String, arguments: [String] = []) throws -> RunResult {
        try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["jq"] + arguments + [filter, url(relative).path],
                       environment: [:], in: root)
    }

    /// Identity of a file's content and inode: equal before and after means nothing touched it.
    func fingerprint(_ relative: String) throws -> FileFingerprint {
        let url = url(relative)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return FileFingerprint(bytes: try Data(contentsOf: url), inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)
    }
}

struct FileFingerprint: Equatable {
    let bytes: Data
    let inode: UInt64
}

func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String], in directory: URL) throws -> RunResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "EXECTRACK_ROOT")
    for (k, v) in environment { env[k] = v }
    process.environment = env
    // Output goes to files, so a large output can never block the child on a full pipe.
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-out-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    let outData = try Data(contentsOf: outURL)
    let errData = try Data(contentsOf: errURL)
    return RunResult(exitCode: process.terminationStatus,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

/// The seed's 13-task F001 spec, as shipped in examples/.
let f001Tasks: String = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try! String(contentsOf: repo.appendingPathComponent("examples/specs/F001/layered-tasks.md"), encoding: .utf8)
}()

/// The task counts per layer of F001 (L0...L3).
let f001LayerSizes = [2, 5, 4, 2]
