import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `/proc` says about processes, for leases (docs/agents.md, "Liveness"): this machine's
/// host name, boot id and pid namespace, a process's start time, and which process is the agent.
public enum Processes {
    /// This machine, as leases taken here record it.
    public static let here: HostFacts = {
        let boot = readText("/proc/sys/kernel/random/boot_id")?.filter { !$0.isWhitespace }
        return HostFacts(host: hostName, bootId: boot.flatMap { $0.isEmpty ? nil : $0 }, pidNs: namespace(of: "self"),
                         canReadProcesses: access("/proc/self/stat", R_OK) == 0)
    }()

    static let hostName: String? = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return nil }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Whether `pid` runs, and since when (clock ticks after boot).
    public static func state(of pid: Int64) -> ProcessState {
        guard pid > 0, pid <= Int64(Int32.max) else { return .gone }
        guard let stat = self.stat(of: "\(pid)") else {
            // No /proc entry: gone, unless the process exists but we may not look (EPERM).
            return kill(pid_t(pid), 0) == 0 || errno == EPERM ? .running(start: nil) : .gone
        }
        // A zombie has ended; its parent has not reaped it yet.
        if stat.state == "Z" || stat.state == "X" { return .gone }
        return .running(start: stat.start)
    }

    /// The lease holder for a command: `agent` and `session`, the pid given (`--pid`, else
    /// `EXECTRACK_AGENT_PID`, else the nearest ancestor that is not a shell or a wrapper), with
    /// its start time, and this machine's facts.
    public static func holder(agent: String?, session: String?, pid given: Int64?) -> AgentProcess {
        let found = given == nil ? agentAncestor() : nil
        let pid = given ?? found?.pid
        let start = found?.start ?? pid.flatMap { stat(of: "\($0)")?.start }
        return AgentProcess(agent: agent, sessionId: session, pid: pid, pidStart: start, pidNs: here.pidNs,
                            host: here.host, bootId: here.bootId)
    }

    /// Programs that run the agent's command rather than being the agent: shells, `env`,
    /// `timeout`, `nohup`, `xargs`, `sudo`, and exectrack itself.
    /// An array, not a set: making `Set<String>`'s metadata costs a scan of every conformance
    /// record in the binary, which is more than a lookup among two dozen names.
    static let wrappers: [String] = ["sh", "bash", "dash", "zsh", "fish", "ksh", "mksh", "tcsh", "csh", "busybox", "ash",
                                        "env", "timeout", "nohup", "xargs", "sudo", "doas", "nice", "ionice", "setsid",
                                        "stdbuf", "time", "exectrack", "flock"]

    /// The nearest ancestor whose program is not a wrapper (pid 1 included: in a container the
    /// agent is often the init process); nil when every ancestor is one, or without `/proc`, so
    /// the lease goes by its TTL rather than by a shell that exits at once.
    static func agentAncestor() -> (pid: Int64, start: Int64)? {
        var pid = Int64(getppid())
        var seen = 0
        while pid >= 1, seen < 64, let stat = stat(of: "\(pid)") {
            if !wrappers.contains(stat.name) { return (pid, stat.start) }
            pid = stat.parent
            seen += 1
        }
        return nil
    }

    /// The fields of `/proc/<pid>/stat` a lease needs. The name is in parentheses and may hold
    /// spaces and parentheses itself, so the fields are counted after its last `)`. Read by
    /// bytes: the kernel writes the name as bytes, not necessarily UTF-8.
    static func stat(of pid: String) -> (name: String, state: Character, parent: Int64, start: Int64)? {
        guard let bytes = read("/proc/\(pid)/stat"), let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close else { return nil }
        let name = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        func number(_ field: ArraySlice<UInt8>) -> Int64? { Int64(String(decoding: field, as: UTF8.self)) }
        // After the name: state (3), ppid (4), ... starttime (22).
        guard fields.count >= 20, let state = fields[0].first, state < 0x80, let parent = number(fields[1]),
              let start = number(fields[19]) else { return nil }
        return (name, Character(Unicode.Scalar(state)), parent, start)
    }

    /// `pid:[4026531836]`, the pid namespace of a process.
    static func namespace(of pid: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 128)
        let n = readlink("/proc/\(pid)/ns/pid", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func read(_ path: String) -> [UInt8]? {
        try? FileSystem.read(path, shownAs: path, role: "a /proc file", refuseWith: .notFound, allowStreams: true, maxBytes: 1 << 16)
    }

    private static func readText(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
