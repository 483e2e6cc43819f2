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

/// Where tests leave what the tool produced, for `.ci/run`'s validators; nil when not set.
let artifactsDirectory: URL? = {
    guard let path = ProcessInfo.processInfo.environment["EXECTRACK_ARTIFACTS_DIR"], !path.isEmpty else { return nil }
    let url = URL(fileURLWithPath: path, isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

/// `XDG_CONFIG_HOME` for every run that does not set its own: no notify.json, nothing trusted.
let emptyConfigDirectory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-e2e-config-\(getpid())", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
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

    init(at directory: URL? = nil, specs: [String: String] = [:]) throws {
        root = directory ?? FileManager.default.temporaryDirectory
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
        let result = try runProcess(exectrackBinary, arguments, environment: environment, in: directory ?? root)
        if result.exitCode == 0, let artifacts = artifactsDirectory {
            try collectArtifacts(of: arguments, result: result, into: artifacts, from: directory ?? root, environment: environment)
        }
        return result
    }

    /// With `EXECTRACK_ARTIFACTS_DIR` set (as `.ci/run` does), every file the tool wrote and every
    /// machine-readable output of a successful run is kept there, for the schema and format
    /// validators to check after the tests. Names carry a content hash, so repeats collapse.
    func collectArtifacts(of arguments: [String], result: RunResult, into directory: URL, from cwd: URL,
                          environment: [String: String] = [:]) throws {
        func keep(_ data: Data, kind: String) throws {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            try data.write(to: directory.appendingPathComponent("\(String(hash, radix: 16)).\(kind)"))
        }
        // Only what this command itself wrote: tests also plant corrupt files on purpose.
        let writers: Set<String> = ["init", "parse", "parse-layered-tasks", "update", "complete-layer", "error", "warn",
                                    "pause", "resume", "unblock", "block", "claim", "restore", "validate", "usage", "budget", "gate"]
        // `validate` writes only with --fix; without it the file is whatever the test planted.
        if let command = arguments.first, writers.contains(command), arguments.count > 1,
           command != "validate" || arguments.contains("--fix") {
            let written = url(".claude/execution/\(arguments[1]).json")
            if FileManager.default.fileExists(atPath: written.path) { try keep(Data(contentsOf: written), kind: "status.json") }
            let log = url(".claude/execution/\(arguments[1]).events.jsonl")
            if isRegularFile(log) { try keep(Data(contentsOf: log), kind: "events.jsonl") }
            let ledger = url(".claude/exectrack/usage/\(arguments[1]).json")
            if isRegularFile(ledger) { try keep(Data(contentsOf: ledger), kind: "usage-ledger.json") }
        }
        if arguments.starts(with: ["setup", "mcp"]), isRegularFile(url(".mcp.json")) {
            try keep(Data(contentsOf: url(".mcp.json")), kind: "mcp-config.json")
        }
        // Notification state: cooldowns in the project, trust in the user's configuration.
        let cooldowns = url(".claude/exectrack/notify-state.json")
        if isRegularFile(cooldowns) { try keep(Data(contentsOf: cooldowns), kind: "notify-state.json") }
        if let config = environment["XDG_CONFIG_HOME"] {
            let trust = URL(fileURLWithPath: config).appendingPathComponent("exectrack/trusted.json")
            if isRegularFile(trust) { try keep(Data(contentsOf: trust), kind: "notify-trust.json") }
        }
        // stats and estimate: their JSON, and the summary cache stats leaves.
        if arguments.first == "stats" || arguments.first == "estimate" {
            if arguments.contains("--json") || arguments.contains("json") { try keep(Data(result.stdout.utf8), kind: "\(arguments[0]).json") }
            if isRegularFile(url(".claude/exectrack/stats-cache.json")) {
                try keep(Data(contentsOf: url(".claude/exectrack/stats-cache.json")), kind: "stats-cache.json")
            }
        }
        if arguments.first == "metrics" || arguments.first == "calculate-metrics", let i = arguments.firstIndex(of: "--export") {
            let path = i + 1 < arguments.count && !arguments[i + 1].hasPrefix("-")
                ? URL(fileURLWithPath: arguments[i + 1], relativeTo: cwd) : url(".claude/execution/\(arguments[1])-metrics.json")
            if isRegularFile(path) { try keep(Data(contentsOf: path), kind: "metrics.json") }
        }
        let format = arguments.firstIndex(of: "--format").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        let kinds = ["junit": "junit.xml", "otlp": "otlp.json", "json": "metrics.json", "annotations": "annotations.txt",
                     "chrome-trace": "chrome-trace.json"]
        guard let command = arguments.first, ["export", "metrics", "calculate-metrics"].contains(command) else { return }
        let kind = command == "export" ? format.flatMap { kinds[$0] } : "metrics.json"
        guard let kind else { return }
        if command != "export", format != "json", !arguments.contains("--json") {
            // Text on stdout; only an --export file is machine-readable.
            return
        }
        if let i = arguments.firstIndex(of: "--output"), i + 1 < arguments.count {
            let path = URL(fileURLWithPath: arguments[i + 1], relativeTo: cwd)
            if isRegularFile(path) { try keep(Data(contentsOf: path), kind: kind) }
        } else {
            try keep(Data(result.stdout.utf8), kind: kind)
        }
    }

    /// Exports written to `-`, a device or a FIFO are not files to collect.
    private func isRegularFile(_ url: URL) -> Bool {
        var st = stat()
        return stat(url.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Runs `jq` on a file of this project (the seed's one-liners); skips the test without jq.
    func jq(_ filter: String, _ relative: String, arguments: [String] = []) throws -> RunResult {
        try runProcess(Tool.jq.required(), arguments + [filter, url(relative).path], environment: [:], in: root)
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

func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String], in directory: URL,
                stdin: URL? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "EXECTRACK_ROOT")
    // The user's own notification rules must not run in tests: an empty configuration directory.
    env["XDG_CONFIG_HOME"] = emptyConfigDirectory.path
    env.removeValue(forKey: "EXECTRACK_NO_NOTIFY")
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
    process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
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

/// Runs a command with posix_spawn and waitpid, for programs that fork daemons (tmux): Foundation's
/// Process can miss such a child's exit and wait forever. Output is captured through a file.
func spawnAndWait(_ arguments: [String], in directory: URL) throws -> RunResult {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-spawn-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let command = "cd '\(directory.path)' && exec \"$@\""
    let argv = ["/bin/sh", "-c", command, "sh"] + arguments
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, &cArgs, environ)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    return RunResult(exitCode: (status >> 8) & 0xFF, stdout: text, stderr: "")
}

/// The seed's 13-task F001 spec, as shipped in examples/.
let f001Tasks: String = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try! String(contentsOf: repo.appendingPathComponent("examples/specs/F001/layered-tasks.md"), encoding: .utf8)
}()

/// The task counts per layer of F001 (L0...L3).
let f001LayerSizes = [2, 5, 4, 2]

// MARK: - Outside tools

/// Printed with every skip. `.ci/run` installs every tool the tests use and fails when its test
/// output holds this marker, so a skip on a bare machine never hides a test in CI.
let skipMarker = "EXECTRACK-SKIPPED"

/// Stops the current test as skipped (Swift Testing reports it cancelled), printing why.
func skipTest(_ reason: String) throws -> Never {
    let line = "\(skipMarker): \(Test.current?.name ?? "test"): \(reason)"
    // Printed as well as given to cancel: a cancelled case of a parameterised test is not listed.
    print(line)
    try Test.cancel(Comment(rawValue: line))
}

/// A program some tests run that a machine with only the Swift toolchain may lack.
struct Tool: Sendable {
    let name: String
    /// How to get it, for the skip message.
    let package: String

    static let jq = Tool(name: "jq", package: "jq")
    static let zsh = Tool(name: "zsh", package: "zsh")
    static let tmux = Tool(name: "tmux", package: "tmux")
    static let script = Tool(name: "script", package: "bsdutils (util-linux)")
    static let flock = Tool(name: "flock", package: "util-linux")
    static let python3 = Tool(name: "python3", package: "python3")
    static let bash = Tool(name: "bash", package: "bash")
    static let curl = Tool(name: "curl", package: "curl")
    static let mount = Tool(name: "mount", package: "mount")
    static let setpriv = Tool(name: "setpriv", package: "util-linux")
    static let git = Tool(name: "git", package: "git")

    /// The program found on PATH, or nil.
    var url: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The program's location; without it the current test is skipped, saying what to install.
    func required() throws -> URL {
        guard let url else { try skipTest("\(name) is not on PATH (install \(package))") }
        return url
    }
}

// MARK: - The command table

/// One command as `exectrack help --json` describes it: the tests build their command lines
/// from this, so a new command is in every matrix without anyone adding it.
struct CommandInfo: Sendable, CustomTestStringConvertible {
    struct Value: Sendable {
        let name: String
        let kind: String?
        let choices: [String]
        let required: Bool
        let takesValue: Bool
        let valueOptional: Bool
    }

    let name: String
    let aliases: [String]
    let positionals: [Value]
    let options: [Value]

    var testDescription: String { name }
    var takesSpec: Bool { positionals.first?.kind == "spec" }
    func option(_ name: String) -> Value? { options.first { $0.name == name } }

    /// A value for an argument or option of `kind` that the command accepts in a project made
    /// by `init F001` (layer L0 with tasks 0 and 1); nil for a kind the tests do not know yet.
    static func sample(_ value: Value, spec: String) -> String? {
        switch value.kind {
        case "spec": spec
        case "layer": "L0"
        case "task": "1"
        case "text": "disk nearly full"
        case "number": "1"
        case "path": "specs/F001/layered-tasks.md"
        case "choice": value.choices.first
        default: nil
        }
    }

    /// A command line the command accepts for `spec` (required arguments and options only, and
    /// SPEC even where it is optional: a spec named is always checked), or nil when some kind has
    /// no sample value.
    func invocation(spec: String) -> [String]? {
        var args = [name]
        for value in positionals where value.required || value.kind == "spec" {
            guard let sample = Self.sample(value, spec: spec) else { return nil }
            args.append(sample)
        }
        for option in options where option.required {
            guard let sample = Self.sample(option, spec: spec) else { return nil }
            args += [option.name, sample]
        }
        return args
    }
}

/// The binary's command table, read once.
let commandTable: [CommandInfo] = {
    guard let r = try? runProcess(exectrackBinary, ["help", "--json"], environment: [:],
                                  in: FileManager.default.temporaryDirectory),
          r.exitCode == 0,
          let list = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] else {
        fatalError("exectrack help --json did not print the command table; is \(exectrackBinary.path) built?")
    }
    func values(_ entries: Any?, positional: Bool) -> [CommandInfo.Value] {
        ((entries as? [[String: Any]]) ?? []).map { entry in
            CommandInfo.Value(name: entry["name"] as? String ?? "", kind: entry["kind"] as? String,
                              choices: entry["choices"] as? [String] ?? [], required: entry["required"] as? Bool ?? false,
                              takesValue: positional || entry["value"] is String,
                              valueOptional: entry["value_optional"] as? Bool ?? false)
        }
    }
    return list.map { entry in
        CommandInfo(name: entry["name"] as? String ?? "", aliases: entry["aliases"] as? [String] ?? [],
                    positionals: values(entry["positionals"], positional: true),
                    options: values(entry["options"], positional: false))
    }
}()

/// Starts exectrack without waiting for it; its stdout and stderr go to files in the project.
func startInBackground(_ project: Project, _ arguments: [String]) throws -> (Process, URL, URL) {
    let process = Process()
    process.executableURL = exectrackBinary
    process.arguments = arguments
    process.currentDirectoryURL = project.root
    let out = project.url("background.out")
    let err = project.url("background.err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    return (process, out, err)
}
