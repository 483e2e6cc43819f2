import Foundation
import SeededRandom
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// A timestamp from an ISO 8601 literal that is known to be valid.
func ts(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Timestamp {
    guard let stamp = Timestamp(iso8601: text) else {
        Issue.record("invalid timestamp literal \(text)", sourceLocation: sourceLocation)
        return Timestamp(millisecondsSinceEpoch: 0)
    }
    return stamp
}

/// A base instant for tests: 2026-11-21T10:00:00.000Z.
let t0 = Timestamp(millisecondsSinceEpoch: 1_795_255_200_000)

extension Timestamp {
    func plus(seconds: Int64) -> Timestamp { adding(milliseconds: seconds * 1000) }
}

/// Parses JSON that must be valid.
func parseJSON(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    try JSONParser.parse(text)
}

/// Expects a JSON syntax error and returns it.
func syntaxError(_ text: String) -> JSONSyntaxError? {
    syntaxError(Array(text.utf8))
}

func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

/// Runs `body` and returns the TrackerError it throws, or nil.
func trackerError(_ body: () throws(TrackerError) -> Void) -> TrackerError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// A status file with the given layers (key, name, task descriptions), all pending, derived
/// fields computed.
func makeStatus(feature: String = "F001", featureName: String = "AI Chat Interface",
                layers: [(String, String, [String])]) -> StatusFile {
    var status = StatusFile(feature: feature, featureName: featureName)
    status.layers = layers.map { key, name, tasks in
        ExecutionLayer(key: key, name: name,
                       tasks: tasks.enumerated().map { ExecutionTask(index: $0, description: $1) })
    }
    status.recomputeDerivedFields()
    return status
}

/// The shape of examples/specs/F001: 2, 5, 4 and 2 tasks.
func f001Status() -> StatusFile {
    makeStatus(layers: [
        ("L0", "Infrastructure", ["Setup database schema", "Initialize API structure"]),
        ("L1", "Core Services", ["Message storage", "Conversation service", "LLM client", "Streaming handler",
                                 "Auth middleware"]),
        ("L2", "Features", ["Chat window", "Message list", "History sidebar", "Markdown rendering"]),
        ("L3", "Integration", ["E2E tests", "Deployment"]),
    ])
}

func loc(_ layer: Int, _ task: Int) -> TaskLocation { TaskLocation(layer: layer, task: task) }

// MARK: - Seeded randomness (property and fuzz tests)

struct Random {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &generator) }
    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < p }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }
    mutating func shuffled<T>(_ items: [T]) -> [T] { items.shuffled(using: &generator) }
    mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &generator) }
}

/// A number from the environment (iteration counts, seeds for longer runs).
func environmentNumber(_ name: String) -> UInt64? {
    ProcessInfo.processInfo.environment[name].flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
}
