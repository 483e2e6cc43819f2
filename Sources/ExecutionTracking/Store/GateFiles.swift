import ExecutionCore

// The files behind quality gates (docs/gates.md): `.claude/exectrack/gates.json`, read by every
// command that reads a spec (the gates it requires change what is complete), and trusted before
// `gates --run` runs the commands it names.

extension StatusStore {
    public var gatesConfigPath: String { toolDirectory + "/gates.json" }

    /// gates.json (empty when there is none). A file of the wrong shape is exit 4 naming the path
    /// and the field.
    public func gateConfig() throws(TrackerError) -> GateConfig {
        guard let bytes = try FileSystem.read(gatesConfigPath, shownAs: display(gatesConfigPath), role: "a gates.json",
                                              refuseWith: .corruptFile, maxBytes: 1 << 20) else { return GateConfig() }
        switch GateConfig.parse(bytes) {
        case .success(let config): return config
        case .failure(let problem):
            throw TrackerError(.corruptFile, "\(display(gatesConfigPath))\(problem.field.map { ": \($0)" } ?? ""): \(problem.message) (docs/gates.md)")
        }
    }

    /// Whether the commands of gates.json may run here: trusted as it is now (`gates --trust`).
    public func gateCommandsTrust(_ settings: NotifySettings) throws(TrackerError) -> NotifySource.State {
        if FileSystem.linkInfo(gatesConfigPath)?.isSymlink == true {
            return .unreadable("\(display(gatesConfigPath)) is a symlink; exectrack runs only commands the repository holds itself")
        }
        guard let bytes = try FileSystem.read(gatesConfigPath, shownAs: display(gatesConfigPath), role: "a gates.json",
                                              refuseWith: .corruptFile, maxBytes: 1 << 20) else { return .missing }
        return trustState(of: gatesConfigPath, sha256: SHA256.hex(bytes), settings)
    }

    /// `gates --trust`: lets the commands of gates.json, as it is now, run here.
    public func trustGateCommands(_ settings: NotifySettings, now: Timestamp) throws(TrackerError) -> String {
        _ = try gateConfig()
        guard let bytes = try FileSystem.read(gatesConfigPath, shownAs: display(gatesConfigPath), role: "a gates.json",
                                              refuseWith: .corruptFile, maxBytes: 1 << 20) else {
            throw TrackerError(.notFound, "no \(display(gatesConfigPath)) to trust")
        }
        if FileSystem.linkInfo(gatesConfigPath)?.isSymlink == true {
            throw TrackerError(.precondition, "\(display(gatesConfigPath)) is a symlink; exectrack trusts only files the repository holds itself")
        }
        let sha = SHA256.hex(bytes)
        try recordTrust(of: gatesConfigPath, sha256: sha, settings, now: now)
        return sha
    }

    /// `gates --untrust`; false when it was not trusted.
    public func untrustGateCommands(_ settings: NotifySettings) throws(TrackerError) -> Bool {
        try forgetTrust(of: gatesConfigPath, settings)
    }
}
