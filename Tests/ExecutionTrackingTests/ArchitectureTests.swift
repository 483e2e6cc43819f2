import Foundation
import Testing

// The layout docs/architecture.md describes, checked on the source tree so that it stays true.

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Every Swift file under `directory` (relative to the repository), with its text.
private func sources(_ directory: String) throws -> [(path: String, text: String)] {
    let root = repository.appendingPathComponent(directory)
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
    return try walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map { url in
        (String(url.path.dropFirst(repository.path.count + 1)), try String(contentsOf: url, encoding: .utf8))
    }
}

@Suite("Architecture")
struct ArchitectureTests {
    @Test func theCoreImportsNoSystemLibrary() throws {
        let files = try sources("Sources/ExecutionCore")
        #expect(files.count > 30)
        for file in files {
            for line in file.text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@_exported import") {
                Issue.record("\(file.path): \(line) (the core target imports nothing; docs/architecture.md)")
            }
            #expect(!file.text.contains("canImport("), "\(file.path)")
        }
    }

    /// One place takes locks: a second `flock` would be a second lock protocol to get right.
    @Test func oneFileTakesLocks() throws {
        let files = try sources("Sources")
        let locking = files.filter { $0.text.contains("flock(") }.map(\.path)
        #expect(locking == ["Sources/ExecutionTracking/Store/FileLock.swift"])
    }

    /// Options are read through their declarations, never by a name written at the lookup.
    @Test func commandsReadOptionsThroughTheirDeclarations() throws {
        for file in try sources("Sources/exectrack") {
            let lookups = file.text.matches(of: /arguments\.(?:read|value|flag|text|isGiven)\("--/)
            #expect(lookups.isEmpty, "\(file.path) looks an option up by its name")
        }
    }

    /// Comments cite files a reader of the repository can open, not design documents or issues.
    @Test func commentsCiteTheRepository() throws {
        for file in try sources("Sources") + sources("Tests") where !file.path.hasSuffix("ArchitectureTests.swift") {
            for line in file.text.split(separator: "\n") {
                if line.contains("DESIGN") || line.contains(/\bissue \d+/) {
                    Issue.record("\(file.path): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }
}
