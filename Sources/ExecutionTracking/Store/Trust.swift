import ExecutionCore

// Trust in a repository's files that make exectrack run commands (docs/notifications.md,
// "Trust"; docs/gates.md): a cloned repository must not run commands on its own, as git does
// not run the hooks it clones. The user trusts a file's content, by SHA-256, in their own
// configuration directory, where a clone cannot write; a changed file needs trusting again.

extension StatusStore {
    /// Whether the repository file at `path`, whose bytes hash to `sha256`, is trusted here.
    func trustState(of path: String, sha256: String, _ settings: NotifySettings) -> NotifySource.State {
        switch trustedHashes(settings)[trustKey(path)] {
        case sha256?: .active
        case nil: .untrusted
        default: .changed
        }
    }

    /// Records `sha256` as the trusted content of the file at `path`.
    func recordTrust(of path: String, sha256: String, _ settings: NotifySettings, now: Timestamp) throws(TrackerError) {
        guard let trustPath = settings.trustPath else {
            throw TrackerError(.precondition, "cannot record trust: neither XDG_CONFIG_HOME nor HOME is set to an absolute path")
        }
        let key = trustKey(path)
        try updateTrust(trustPath) { entries in
            entries = entries.filter { $0.objectValue?["path"]?.stringValue != key }
            entries.append(.object(JSONObject([("path", .string(key)), ("sha256", .string(sha256)), ("trusted_at", .string(now.iso8601))])))
        }
    }

    /// Forgets the trust of the file at `path`; false when it was not trusted.
    func forgetTrust(of path: String, _ settings: NotifySettings) throws(TrackerError) -> Bool {
        guard let trustPath = settings.trustPath else { return false }
        var removed = false
        let key = trustKey(path)
        try updateTrust(trustPath) { entries in
            let kept = entries.filter { $0.objectValue?["path"]?.stringValue != key }
            removed = kept.count != entries.count
            entries = kept
        }
        return removed
    }

    /// A trusted file as trust records it: its path with symlinks resolved, so trust follows the
    /// file however the project is reached.
    private func trustKey(_ path: String) -> String { FileSystem.realPath(path) ?? path }

    private func updateTrust(_ trustPath: String, _ change: (inout [JSONValue]) -> Void) throws(TrackerError) {
        try withToolState(trustPath) { (state: inout JSONObject) in
            var entries = state["trusted"]?.arrayValue ?? []
            change(&entries)
            state = JSONObject([("trusted", .array(entries))])
        }
    }

    /// Trusted SHA-256 by the real path of each trusted file.
    private func trustedHashes(_ settings: NotifySettings) -> [String: String] {
        guard let path = settings.trustPath,
              let bytes = try? FileSystem.read(path, shownAs: path, role: "exectrack's trust file", refuseWith: .corruptFile),
              let entries = (try? JSONParser.parse(bytes))?.objectValue?["trusted"]?.arrayValue else { return [:] }
        var hashes: [String: String] = [:]
        for entry in entries {
            if let file = entry.objectValue?["path"]?.stringValue, let sha = entry.objectValue?["sha256"]?.stringValue { hashes[file] = sha }
        }
        return hashes
    }
}
