import ExecutionCore
import ExecutionTracking

/// Where `--output` and `--export` send an export: `-` is stdout; anything else goes through the
/// store's rules for export targets (`StatusStore.writeArtifact`).
enum Output {
    /// Writes `bytes` to `path`; returns false when they went to stdout, so no "wrote" note is due.
    @discardableResult
    static func write(_ bytes: [UInt8], to path: String, of spec: SpecID, _ context: Context) throws(TrackerError) -> Bool {
        if path == "-" {
            Console.out(bytes)
            return false
        }
        try context.store.writeArtifact(bytes, to: path, of: spec)
        return true
    }

    @discardableResult
    static func write(_ text: String, to path: String, of spec: SpecID, _ context: Context) throws(TrackerError) -> Bool {
        try write(Array(text.utf8), to: path, of: spec, context)
    }
}
