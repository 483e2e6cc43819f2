import ExecutionCore
import ExecutionTracking

/// Where `--output` and `--export` send an export: `-` is stdout; anything else goes through the
/// store's rules for export targets (`StatusStore.writeArtifact`).
enum Output {
    /// Writes `text` to `path`; returns false when it went to stdout, so no "wrote" note is due.
    @discardableResult
    static func write(_ text: String, to path: String, of spec: SpecID, _ context: Context) throws(TrackerError) -> Bool {
        if path == "-" {
            Console.out(text)
            return false
        }
        try context.store.writeArtifact(text, to: path, of: spec)
        return true
    }
}
