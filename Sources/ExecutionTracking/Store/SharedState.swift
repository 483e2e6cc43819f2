import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The files that carry a spec's state between machines through git (docs/worktrees.md,
// "Several machines"): each machine's snapshot under `.claude/execution/shared/<SPEC>/`, and the
// id that names this machine's.

extension StatusStore {
    public var sharedDirectory: String { executionDirectory + "/shared" }

    func sharedDirectory(_ spec: SpecID) -> String { "\(sharedDirectory)/\(spec)" }

    /// `.claude/exectrack/machine-id`: made once per machine and clone (the host name and random
    /// bytes), never committed (`setup git`), so two clones on one host are two machines.
    public func machineID() throws(TrackerError) -> String {
        if let id = try existingMachineID() { return id }
        let path = toolDirectory + "/machine-id"
        // The system's random source (SystemRandomNumberGenerator).
        let random = (0..<6).map { _ in UInt8.random(in: 0...255) }
        let host = (Processes.hostName ?? "machine").filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40)
        let hex = random.map { byte in String(byte >> 4, radix: 16) + String(byte & 15, radix: 16) }.joined()
        let id = (host.isEmpty ? "machine" : String(host)) + "-" + hex
        try refuseSymlinks([toolDirectory])
        try FileSystem.createDirectories(toolDirectory, shown: display)
        try FileSystem.writeAtomically(Array((id + "\n").utf8), to: path, shown: display)
        return id
    }

    /// This machine's id when it has published before; nil when it never made one.
    func existingMachineID() throws(TrackerError) -> String? {
        let path = toolDirectory + "/machine-id"
        if let bytes = try FileSystem.read(path, shownAs: display(path), role: "a machine id", refuseWith: .corruptFile, maxBytes: 256) {
            let id = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
            guard Self.isMachineID(id) else {
                throw TrackerError(.corruptFile, "\(display(path)) is not a machine id (letters, digits, - and _); remove it to make a new one")
            }
            return id
        }
        return nil
    }

    static func isMachineID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 100 && id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
    }

    /// Writes this machine's snapshot of `spec` atomically; returns its path.
    func writeSnapshot(_ snapshot: SharedSnapshot, _ spec: SpecID) throws(TrackerError) -> String {
        let directory = sharedDirectory(spec)
        try refuseSymlinks([sharedDirectory, directory])
        try FileSystem.createDirectories(directory, shown: display)
        let path = "\(directory)/\(snapshot.machine).json"
        try FileSystem.writeAtomically(Array(JSONWriter.encode(snapshot.json).utf8), to: path, shown: display)
        return path
    }

    /// Every other machine's snapshot of `spec`, and a reason for each file that cannot be merged.
    func otherSnapshots(_ spec: SpecID, except machine: String?) -> (snapshots: [SharedSnapshot], skipped: [String]) {
        let directory = sharedDirectory(spec)
        var snapshots: [SharedSnapshot] = []
        var skipped: [String] = []
        for name in FileSystem.directoryEntries(directory).sorted() where name.hasSuffix(".json") && name != machine.map({ "\($0).json" }) {
            let path = "\(directory)/\(name)"
            do {
                guard let bytes = try FileSystem.read(path, shownAs: display(path), role: "a shared snapshot", refuseWith: .corruptFile) else { continue }
                switch SharedSnapshot.parse(bytes, spec: spec.rawValue) {
                case .success(let snapshot): snapshots.append(snapshot)
                case .failure(let problem): skipped.append("\(display(path)) \(problem.message); skipped")
                }
            } catch {
                skipped.append("\(error.message); skipped")
            }
        }
        return (snapshots, skipped)
    }

    /// The specs that have shared snapshots.
    public func sharedSpecs() -> [SpecID] {
        FileSystem.directoryEntries(sharedDirectory).sorted().compactMap { name in
            FileSystem.isDirectory("\(sharedDirectory)/\(name)") ? try? SpecID(name) : nil
        }
    }
}
