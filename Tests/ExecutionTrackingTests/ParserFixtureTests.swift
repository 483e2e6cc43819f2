import Foundation
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// Every `Fixtures/layered-tasks/*.md` parses to exactly the tasks listed in its `.expected`
/// sidecar, written by a person reading the markdown (not by running the parser).
///
/// Sidecar format, one record per line (`#` starts a comment, blank lines ignored):
///
///     feature | <feature name, or - when the file names none>
///     layer | <key, e.g. L0> | <name>
///     task | <id or -> | <description> | <agent or -> | <complexity or -> | <deps, comma-separated, or -> | <P or -> | <x or -> | <command or ->
///     diagnostic | <line number>
///     format | <layered, spec-kit, openspec, task-headings or kiro>
///     depends | <layer key> | <the layer keys it waits for, comma-separated, or ->
///
/// Tasks belong to the layer record above them; a task record may add `| <story or -> |
/// <requirements, comma-separated, or ->` (checked when given). `diagnostic` lists every line the
/// parser must report as not understood (and no others). `depends` is given for layers whose
/// dependencies the file states; every other layer must have none read. `format` defaults to
/// layered.
@Suite struct ParserFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/layered-tasks")

    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted()
    }

    struct Expectation {
        var featureName: String?
        var layers: [(key: String, name: String, tasks: [[String]])] = []
        var diagnosticLines: [Int] = []
        var format = "layered"
        var dependsOn: [String: [String]] = [:]
    }

    static func expectation(for fixture: String) throws -> Expectation {
        let url = directory.appendingPathComponent(fixture.replacingOccurrences(of: ".md", with: ".expected"))
        var result = Expectation()
        for raw in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            switch fields[0] {
            case "feature": result.featureName = fields[1] == "-" ? nil : fields[1]
            case "layer": result.layers.append((fields[1], fields[2], []))
            case "task": result.layers[result.layers.count - 1].tasks.append(Array(fields.dropFirst()))
            case "diagnostic": result.diagnosticLines.append(Int(fields[1])!)
            case "format": result.format = fields[1]
            case "depends": result.dependsOn[fields[1]] = fields[2] == "-" ? [] : fields[2].split(separator: ",").map(String.init)
            default: Issue.record("\(fixture).expected: unknown record '\(line)'")
            }
        }
        return result
    }

    /// A parsed task in the sidecar's field order (with story and requirements when `wide`).
    static func fields(_ task: ParsedTask, wide: Bool) -> [String] {
        [task.id ?? "-", task.description, task.agent ?? "-", task.complexity ?? "-",
         task.dependencies.isEmpty ? "-" : task.dependencies.joined(separator: ","),
         task.parallel ? "P" : "-", task.done ? "x" : "-", task.command ?? "-"]
            + (wide ? [task.story ?? "-", task.requirements.isEmpty ? "-" : task.requirements.joined(separator: ",")] : [])
    }

    @Test func thereAreAtLeastTwoFixturesPerDialect() {
        // Dialects A–E, and the task files of spec-kit, Kiro, OpenSpec and task headings.
        for dialect in ["a", "b", "c", "d", "e", "s", "k", "o", "h"] {
            #expect(Self.fixtures.filter { $0.hasPrefix("\(dialect)-") }.count >= 2, "dialect \(dialect)")
        }
    }

    @Test(arguments: fixtures)
    func fixtureParsesToExactlyItsTasks(_ fixture: String) throws {
        let text = String(decoding: try Data(contentsOf: Self.directory.appendingPathComponent(fixture)), as: UTF8.self)
        let parsed = LayeredTasksParser.parse(text)
        let expected = try Self.expectation(for: fixture)
        #expect(parsed.featureName == expected.featureName, "\(fixture): feature")
        #expect(parsed.layers.map(\.key) == expected.layers.map(\.key), "\(fixture): layer keys")
        #expect(parsed.layers.map(\.name) == expected.layers.map(\.name), "\(fixture): layer names")
        #expect(parsed.format.rawValue == expected.format, "\(fixture): format (\(parsed.formatReason))")
        for layer in parsed.layers {
            #expect(layer.dependsOn == expected.dependsOn[layer.key], "\(fixture) \(layer.key): depends on")
        }
        for (layer, want) in zip(parsed.layers, expected.layers) {
            let got = layer.tasks.map { Self.fields($0, wide: want.tasks.first.map { $0.count > 8 } ?? false) }
            #expect(got.count == want.tasks.count, "\(fixture) \(layer.key): task count")
            for (i, (g, w)) in zip(got, want.tasks).enumerated() {
                #expect(g == w, "\(fixture) \(layer.key) task \(i)")
            }
        }
        #expect(parsed.diagnostics.map(\.line) == expected.diagnosticLines, "\(fixture): diagnostics \(parsed.diagnostics)")
    }
}
