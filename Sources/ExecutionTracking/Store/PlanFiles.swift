import ExecutionCore

// The plan files `sync` writes its checkboxes back into (docs/layered-tasks-format.md): the
// user's own files, so only a regular file with one name is ever replaced, atomically and with
// its mode kept.

extension StatusStore {
    /// The plan's bytes, which must be UTF-8: a mark is found by its byte offset.
    func readPlanBytes(_ path: String) throws(TrackerError) -> [UInt8] {
        guard let bytes = try FileSystem.read(path, shownAs: display(path), role: "a plan file", refuseWith: .notFound) else {
            throw TrackerError(.notFound, "file not found: \(display(path))")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw TrackerError(.precondition, "\(display(path)) is not UTF-8 text; sync writes only UTF-8 plans")
        }
        return bytes
    }

    /// Replaces the plan file with `bytes`. Called under the spec's lock (`sync`), so no lock
    /// file of its own is left beside the user's plan.
    func rewritePlanFile(_ path: String, _ bytes: [UInt8]) throws(TrackerError) {
        guard let info = FileSystem.linkInfo(path) else { throw TrackerError(.notFound, "file not found: \(display(path))") }
        guard info.isRegular else {
            throw TrackerError(.precondition, "\(display(path)) is \(info.kindName); sync replaces only a regular file, so tick the boxes by hand")
        }
        // Replacing it would cut it off from its other names.
        guard info.links <= 1 else { throw TrackerError(.precondition, "\(display(path)) has other hard links; sync leaves it alone") }
        try FileSystem.writeAtomically(bytes, to: path, shown: display)
    }
}
