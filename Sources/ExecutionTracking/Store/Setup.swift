import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// `exectrack setup`: the one place that writes integration files into a user's project.

extension StatusStore {
    /// Plans `target`'s edits and, unless `dryRun`, writes the files that change (each replaced
    /// atomically). A file that is not a regular file (a symlink, a directory) is refused rather
    /// than replaced, and so is a project that is not the kind the target needs.
    public func setUp(_ target: IntegrationTarget, dryRun: Bool) throws(TrackerError) -> [IntegrationEdit] {
        if target == .git, !isInGitWorkTree {
            throw TrackerError(.precondition, "\(display(root)) is not in a git work tree (no .git here or above); "
                + "run setup git in the repository, or pass --root")
        }
        var edits: [IntegrationEdit] = []
        for file in target.files {
            let path = root + "/" + file
            // The hook goes in the repository's own git directory; elsewhere (a `.git` file) it is left out.
            if file == IntegrationTarget.postMergeHook, !FileSystem.isDirectory(root + "/.git") {
                edits.append(IntegrationEdit(path: file, newText: nil, added: [], kept: [], refusal: nil))
                continue
            }
            var current: String?
            if let info = FileSystem.linkInfo(path) {
                guard info.isRegular else {
                    throw TrackerError(.precondition, "\(display(path)) is \(info.kindName); exectrack only edits "
                        + "regular files, so add to it by hand (see: exectrack setup --help)")
                }
                // Replacing it would cut it off from its other names.
                guard info.links <= 1 else {
                    throw TrackerError(.precondition, "\(display(path)) has other hard links; add to it by hand (see: exectrack setup --help)")
                }
                // Bytes that are not UTF-8 would come back changed: such a file is left alone.
                guard let bytes = try FileSystem.read(path, shownAs: display(path), role: "a project file",
                                                      refuseWith: .precondition, allowStreams: false),
                      let text = String(validating: bytes, as: UTF8.self) else {
                    throw TrackerError(.precondition, "\(display(path)) is not UTF-8 text; add to it by hand")
                }
                current = text
            }
            let edit = target.edit(file, current: current)
            if let refusal = edit.refusal {
                throw TrackerError(.precondition, "\(display(path)) \(refusal); add to it by hand (see: exectrack setup --help)")
            }
            edits.append(edit)
        }
        guard !dryRun else { return edits }
        for edit in edits {
            guard let text = edit.newText else { continue }
            try FileSystem.createDirectories(FileSystem.split(root + "/" + edit.path).directory, shown: display)
            try FileSystem.replaceFile(Array(text.utf8), at: root + "/" + edit.path, cleaning: .of(FileSystem.split(edit.path).name),
                                       nowSeconds: SystemClock.now().millisecondsSinceEpoch / 1000, shown: display)
            // git runs a hook only when it is executable.
            if edit.path == IntegrationTarget.postMergeHook { chmod(root + "/" + edit.path, 0o755) }
        }
        return edits
    }

    /// The root or a directory above it holds `.git` (a directory, or a file in a worktree).
    private var isInGitWorkTree: Bool {
        var directory = root
        while true {
            if FileSystem.linkInfo(directory + "/.git") != nil { return true }
            let parent = FileSystem.split(directory).directory
            if parent == directory || directory == "/" { return false }
            directory = parent
        }
    }
}
