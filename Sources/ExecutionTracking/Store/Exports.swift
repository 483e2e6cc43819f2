import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Exports written where the user asked, and the metrics export beside the status file.

extension StatusStore {
    /// Writes an export (metrics, JUnit, ...) where the user asked (`-`, stdout, is the
    /// caller's to print). A relative path is taken from the working directory, as users
    /// expect of `--output`:
    /// - this process's own streams (`/dev/stdout`, `/dev/fd/N`, ...) are written through the
    ///   descriptor;
    /// - a FIFO or character device (`/dev/null`, a named pipe) is written in place;
    /// - a missing or regular file, or a symlink (never followed), is replaced atomically under
    ///   the spec's lock, so readers never see half a file;
    /// - a directory, another special file or an empty path is exit 1;
    /// - a file in `.claude/execution/` (a status file, its `.bak` or lock, an event log) is
    ///   exit 6: those are the tool's own, and an export over one would destroy state.
    public func writeArtifact(_ bytes: [UInt8], to path: String, of spec: SpecID) throws(TrackerError) {
        guard !path.isEmpty else { throw TrackerError(.usage, "the output path is empty; give a file path, or - for stdout") }
        if isInExecutionDirectory(path) {
            if FileSystem.split(path).name == "\(spec)\(SpecID.metricsSuffix).json" {
                _ = try writeMetricsExport(bytes, of: spec)
                return
            }
            throw TrackerError(.precondition, "\(display(path)) is in \(display(executionDirectory)), where exectrack keeps its "
                + "own files; write the export elsewhere (metrics --export without a path writes \(spec)\(SpecID.metricsSuffix).json there)")
        }
        if let fd = FileSystem.ownDescriptor(path) {
            return try FileSystem.writeToDescriptor(bytes, fd, shown: path)
        }
        if let target = FileSystem.linkInfo(path), !target.isRegular, !target.isSymlink {
            switch target.type {
            case S_IFIFO, S_IFCHR:
                return try FileSystem.writeInPlace(bytes, to: path, shown: display(path))
            default:
                throw TrackerError(.usage, "\(display(path)) is \(target.kindName); give a file path, or - for stdout")
            }
        }
        try write(spec) { (write) throws(TrackerError) in
            try write.commitFile(bytes, at: path, cleaning: .of(FileSystem.split(path).name), now: SystemClock.now())
        }
    }

    /// `metrics --export` without a path: `<SPEC>-metrics.json`, replaced atomically, and only
    /// over a metrics export: never over the status file of a spec whose id ends in `-metrics`,
    /// nor anything else found there (exit 6).
    public func writeMetricsExport(_ bytes: [UInt8], of spec: SpecID) throws(TrackerError) -> String {
        let path = metricsPath(spec)
        if FileSystem.linkInfo(path) != nil, !isMetricsExport(at: path) {
            throw TrackerError(.precondition, "\(display(path)) is not a metrics export (it is the status file of spec "
                + "\(spec)\(SpecID.metricsSuffix), or was made by hand); pass --export PATH")
        }
        try write(spec) { (write) throws(TrackerError) in
            try write.commitFile(bytes, at: path, cleaning: .all, now: SystemClock.now())
        }
        return path
    }

    /// Whether `path`'s directory is the execution directory, however it is spelt (`./`, `..`,
    /// a symlink to it).
    private func isInExecutionDirectory(_ path: String) -> Bool {
        guard let execution = FileSystem.realPath(executionDirectory) else { return false }
        let directory = FileSystem.split(path).directory
        return FileSystem.realPath(directory.isEmpty ? "." : directory) == execution
    }
}
