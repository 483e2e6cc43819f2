import Foundation
import Testing

/// The measurement the scripts failed (13 concurrent `update` calls lost 28%), repeated against
/// the binary: concurrent writers to one spec never lose an update.
@Suite struct ConcurrencyTests {
    @Test func thirteenConcurrentUpdatesAreAllKept() throws {
        for trial in 0..<5 {
            let project = try Project(specs: ["F001": f001Tasks])
            try project.run(["init", "F001"])
            var processes: [Process] = []
            for (layer, size) in f001LayerSizes.enumerated() {
                for task in 0..<size {
                    let process = Process()
                    process.executableURL = exectrackBinary
                    process.arguments = ["update", "F001", "L\(layer)", "\(task)", "complete", "--output", "trial \(trial)"]
                    process.currentDirectoryURL = project.root
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    processes.append(process)
                }
            }
            // Start them all before waiting for any, so they really overlap.
            for process in processes { try process.run() }
            for process in processes { process.waitUntilExit() }
            #expect(processes.allSatisfy { $0.terminationStatus == 0 })
            let status = try project.status("F001")
            #expect(status["completed_tasks"] as? Int == 13, "trial \(trial)")
            #expect(status["status"] as? String == "complete", "trial \(trial)")
            let layers = status["layers"] as! [String: Any]
            let outputs = layers.values.flatMap { (($0 as! [String: Any])["tasks"] as! [[String: Any]]).map { $0["output"] as? String } }
            #expect(outputs.allSatisfy { $0 == "trial \(trial)" })
        }
    }
}
