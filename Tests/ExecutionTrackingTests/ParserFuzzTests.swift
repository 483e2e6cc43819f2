import Foundation
import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

// LayeredTasksParser.parse never fails (docs/layered-tasks-format.md: it reports what it cannot read as diagnostics),
// so no input may crash it or make it hang. Three seeded campaigns feed it:
//
//   bytes    — random bytes decoded as UTF-8 (lossy), plain or biased towards markdown punctuation;
//   soup     — random "markdown-ish" lines from a vocabulary of headings, bullets, checkboxes, ids,
//              backticks, parens, brackets, @mentions, fences, comments, CRLF/CR, BOM, tabs, fields;
//   fixtures — every Fixtures/layered-tasks/*.md cut at a random point, with random line edits
//              (insert, delete, duplicate, swap) and byte edits.
//
// For every input: parse returns within 2 s (ContinuousClock); every task has a description; layer
// keys are unique and of the form L<digits>; diagnostics (and task/layer lines) lie within
// 1...lineCount; taskCount is the sum over layers; parsing twice gives the same result; and
// StatusFile.seeded(...) from the result encodes to JSON that parses back to the same value and
// reads back as a status file with the same tasks.
//
// Each campaign runs in a child process (a Swift Testing exit test), so a crash or an endless loop
// fails that test with the input that caused it instead of taking the whole test run down. The
// child records the case it is on in a progress file before each parse; after a crash the parent
// regenerates that input (generation is deterministic), names it in the failure and saves it under
// the temporary directory for reproduction.
//
// A child that crashes is replaced by one that resumes after the offending case, so one bug does not
// hide others; up to three crashes or hangs are reported per campaign.
//
// Two more tests: the known inputs that crashed it (layer numbers at the top of Int's range), and
// parse time against input size for shapes that could make a step quadratic.
//
// Fixed seed by default; `EXECTRACK_FUZZ_ITERATIONS=<n>` sets the inputs per campaign (default
// 1000, a few seconds each in a debug build), `EXECTRACK_FUZZ_SEED=<n>` another sequence.

// MARK: - Inputs

enum FuzzCampaign: String, CaseIterable, Codable, Sendable {
    case bytes, soup, fixtures

    var salt: UInt64 {
        switch self {
        case .bytes: 0xB17E_5000
        case .soup: 0x50_0900
        case .fixtures: 0xF1_7700
        }
    }
}

private let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/layered-tasks")

/// Every fixture's bytes, sorted by name.
private let fixtures: [(name: String, bytes: [UInt8])] = {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".md") }.sorted()
    return names.compactMap { name in
        (try? Data(contentsOf: fixtureDirectory.appendingPathComponent(name))).map { (name, [UInt8]($0)) }
    }
}()

/// Line pieces the dialects are made of, and near misses of them.
private let vocabulary: [String] = [
    // headings
    "#", "##", "###", "####", "#######", "# Feature: Invoice Export", "# Layered Tasks: 031-audit-log",
    "# Layered Tasks for F014", "# Feature:", "## Layer 0: Infrastructure", "## Layer 1: Foundation & Setup",
    "## Layer 2", "## Layer L3: Core", "## L4 - Wiring", "## Layer 0 (Infrastructure)", "## Layer 10:",
    "## Layer 007: Padded", "## Layer 99999999999999999999: Too big", "## Layer 9223372036854775807: Max",
    "## Layer 9223372036854775806: Max-1", "## Layer -1: Negative", "## Layer: none", "## Foundation Layer (Sequential)",
    "## Parallel Layer (Concurrent)", "## Execution Layer Notes", "### Phase 1.1: Foundation Tasks",
    "#### @claude Foundation Tasks", "## **Layer 5**: Bold", "## 🚀 Layer 6: Launch", "## Overview", "##Layer 1",
    // bullets and checkboxes
    "-", "- ", "* ", "+ ", "1. ", "12) ", "99999. ", "1.", "-\t", "[ ]", "[x]", "[X]", "[", "]", "[]", "[ x]", "[x",
    "- [ ] ", "- [x] ", "* [X] ", "1. [ ] ",
    // ids, tags, metadata
    "T001", "T002", "T12a", "T", "T99999999999999999999", "**T003**", "[T004]", "T005:", "[P]", "[p]", "[Parallel]",
    "[Simple]", "[Moderate]", "[Very Complex]", "[US1]", "[P?]", "Task:", "**Task:**", "**Task**:",
    "(`/db:migrate exports`, db-agent, easy)", "(`/cmd, with (parens)`, agent)", "(`", "`)", "(", ")", "()",
    "`", "``", "`code`", "(@claude)", "(depends on T001)", "depends on T001, T002", "depends on", "— depends on T9;",
    // mentions
    "@claude", "@codex", "@", "@@", "@-", "a@b.c", "@x.", "@копир", "@😀",
    // fields
    "Complexity: Mid", "Agent: Backend", "Agents: @a, @b", "Dependencies: None", "Dependencies: T001 and T002",
    "Depends on: T001; T003", "Dependency: -", "Command: `make build`", "ID: T077", "Parallel: yes", "Parallel: no",
    "**Agents**: @copilot", "**Agents:** codex, gemini", "**Dependencies**: Layer 1 complete", "**Feature**: x",
    "Key: value: more", "a b c: d",
    // fences and comments
    "```", "~~~", "```text", "````", "<!--", "-->", "<!-- note -->", "<!-- - [ ] T999 hidden -->",
    // words and odd text
    "Create exports table", "Provision object storage", "Write ADR", "📝", "✅", "e\u{301}", "\u{0600}",
    "\u{200D}", "\u{FEFF}", "\u{2028}", "\u{0}", "\u{7F}", "\\", "\"", "|", "---", "***", "> quote", "<br>",
    "x", "0", "9", ":", ";", ",", ".", "–", "—", "_", "__", "**", "*",
]

private let separators = [" ", " ", " ", "", "\t", "  "]
private let lineEndings = ["\n", "\n", "\n", "\n", "\r\n", "\r"]
private let indents = ["", "", "", "  ", "    ", "\t", "   ", " \t "]

private extension Random {
    mutating func soupLine() -> String {
        var line = pick(indents)
        for i in 0..<int(0...7) {
            if i > 0 { line += pick(separators) }
            line += pick(vocabulary)
        }
        return line
    }

    mutating func soup(lines: Int) -> String {
        var text = chance(0.1) ? "\u{FEFF}" : ""
        for _ in 0..<lines { text += soupLine() + pick(lineEndings) }
        if chance(0.5), !text.isEmpty { text.removeLast() }  // no final line ending
        return text
    }

    mutating func randomBytes() -> String {
        let count = int(0...(chance(0.1) ? 20_000 : 1_500))
        let markdownish = Array("#-*+[]xX()`@:T0123456789 \t\n\r\n<!->~|".utf8)
        let biased = chance(0.5)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count { bytes.append(biased && chance(0.85) ? pick(markdownish) : byte()) }
        if chance(0.5) {
            // Under a layer heading, with list bullets at line starts, so random bytes also reach
            // the task parser (not only the line classifier).
            var withTasks = Array("## Layer \(int(0...3)): Random\n- ".utf8)
            for b in bytes {
                withTasks.append(b)
                if b == 0x0A && chance(0.7) { withTasks += Array(pick(["- ", "- [ ] ", "* [x] T1 ", "  - ", "1. "]).utf8) }
            }
            bytes = withTasks
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func mutatedFixture() -> (fixture: String, text: String) {
        let (name, original) = pick(fixtures)
        var bytes = original
        // Cut at a random point (possibly inside a UTF-8 sequence).
        if chance(0.5) { bytes = Array(bytes.prefix(int(0...bytes.count))) }
        // Line edits.
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        for _ in 0..<int(0...6) where !lines.isEmpty {
            let i = int(0...(lines.count - 1))
            switch int(0...4) {
            case 0: lines.insert(Array(soupLine().utf8), at: i)
            case 1: lines.remove(at: i)
            case 2: lines.insert(lines[i], at: int(0...lines.count))
            case 3: lines.swapAt(i, int(0...(lines.count - 1)))
            default: lines[i] = Array(lines[i].prefix(int(0...lines[i].count)))
            }
        }
        bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        // Byte edits.
        for _ in 0..<int(0...(chance(0.5) ? 0 : 8)) {
            let i = int(0...bytes.count)
            switch int(0...3) {
            case 0: bytes.insert(byte(), at: i)
            case 1 where i < bytes.count: bytes.remove(at: i)
            case 2 where i < bytes.count: bytes[i] ^= UInt8(1 << int(0...7))
            default: bytes.insert(contentsOf: pick([[0x0D], [0x0D, 0x0A], [0xEF, 0xBB, 0xBF], [0x09], [0x00], [0xC3]]), at: i)
            }
        }
        if chance(0.2) {
            // CRLF line endings throughout.
            bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        }
        return (name, String(decoding: bytes, as: UTF8.self))
    }
}

/// The input of one case: deterministic in (campaign, seed).
private func fuzzInput(_ campaign: FuzzCampaign, seed: UInt64) -> (label: String, text: String) {
    var random = Random(seed: seed)
    switch campaign {
    case .bytes: return ("random bytes", random.randomBytes())
    case .soup: return ("line soup", random.soup(lines: random.int(0...(random.chance(0.05) ? 400 : 40))))
    case .fixtures:
        let (name, text) = random.mutatedFixture()
        return ("mutated \(name)", text)
    }
}

// MARK: - Invariants

/// Lines as the parser and an editor count them: "\n", "\r\n" and a lone "\r" each end a line.
private func lineCount(_ text: String) -> Int {
    var count = 1
    var previousCR = false
    for scalar in text.unicodeScalars {
        if scalar == "\n" {
            if !previousCR { count += 1 }
            previousCR = false
        } else if scalar == "\r" {
            count += 1
            previousCR = true
        } else {
            previousCR = false
        }
    }
    return count
}

private func isLayerKey(_ key: String) -> Bool {
    key.count >= 2 && key.first == "L" && key.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
}

private let hangLimit: Duration = .seconds(2)

/// What the inputs produced, so a campaign can show it exercised the parser (not only its
/// error paths).
private final class Coverage: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var tasks = 0, layers = 0, diagnostics = 0, inputsWithTasks = 0

    func add(_ parsed: LayeredTasks) {
        lock.lock()
        tasks += parsed.taskCount
        layers += parsed.layers.count
        diagnostics += parsed.diagnostics.count
        if parsed.taskCount > 0 { inputsWithTasks += 1 }
        lock.unlock()
    }

    var summary: String {
        lock.lock()
        defer { lock.unlock() }
        return "\(inputsWithTasks) inputs with tasks, \(tasks) tasks, \(layers) layers, \(diagnostics) diagnostics"
    }
}

private let coverage = Coverage()

/// Parses `text` and checks every invariant; returns the problems (empty when all hold).
private func checkParse(_ text: String) -> [String] {
    var problems: [String] = []
    let clock = ContinuousClock()
    let start = clock.now
    let parsed = LayeredTasksParser.parse(text)
    let elapsed = clock.now - start
    if elapsed > hangLimit { problems.append("parse took \(elapsed) (limit \(hangLimit))") }
    coverage.add(parsed)

    let lines = lineCount(text)
    for layer in parsed.layers {
        if !isLayerKey(layer.key) { problems.append("layer key \(layer.key.debugDescription) is not L<digits>") }
        if !(1...lines).contains(layer.line) { problems.append("layer \(layer.key) line \(layer.line) outside 1...\(lines)") }
        for task in layer.tasks {
            if task.description.isEmpty { problems.append("task on line \(task.line) of \(layer.key) has an empty description") }
            if !(1...lines).contains(task.line) { problems.append("task line \(task.line) outside 1...\(lines)") }
        }
    }
    let keys = parsed.layers.map(\.key)
    if Set(keys).count != keys.count { problems.append("layer keys are not unique: \(keys)") }
    for diagnostic in parsed.diagnostics where !(1...lines).contains(diagnostic.line) {
        problems.append("diagnostic line \(diagnostic.line) outside 1...\(lines): \(diagnostic.message)")
    }
    let sum = parsed.layers.reduce(0) { $0 + $1.tasks.count }
    if parsed.taskCount != sum { problems.append("taskCount \(parsed.taskCount) != sum of layer task counts \(sum)") }
    if LayeredTasksParser.parse(text) != parsed { problems.append("parsing twice gives different results") }

    // Seeding: the status file built from the result must encode to JSON that reads back.
    let seeded = StatusFile.seeded(feature: "F001", from: parsed, now: t0)
    let json = seeded.json
    let encoded = JSONWriter.encode(json)
    do {
        let back = try JSONParser.parse(encoded)
        if back != json { problems.append("seeded status: parse(encode(json)) != json") }
        let reread = try StatusFile(json: back)
        if reread.allTasks.map({ Array($0.description.utf8) }) != seeded.allTasks.map({ Array($0.description.utf8) }) {
            problems.append("seeded status: tasks differ after a round trip")
        }
        if reread.layers.map(\.key) != seeded.layers.map(\.key) { problems.append("seeded status: layer keys differ after a round trip") }
    } catch {
        problems.append("seeded status does not read back: \(error)")
    }
    return problems
}

// MARK: - Running a campaign (in the child process)

/// Shared between the campaign and its watchdog.
private final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var caseStarted: ContinuousClock.Instant?
    private var current = ""

    func begin(_ description: String) {
        lock.lock()
        current = description
        caseStarted = ContinuousClock.now
        lock.unlock()
    }

    func end() {
        lock.lock()
        caseStarted = nil
        lock.unlock()
    }

    func stuck(longerThan limit: Duration) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let started = caseStarted, ContinuousClock.now - started > limit else { return nil }
        return current
    }
}

/// How long one case may run before the watchdog ends the child (a real hang, well past the
/// 2 s limit that the timing check reports).
private let watchdogLimit: Duration = .seconds(30)

enum ParserFuzz {
    static var iterations: Int { Int(environmentNumber("EXECTRACK_FUZZ_ITERATIONS") ?? 1000) }
    static var baseSeed: UInt64 { environmentNumber("EXECTRACK_FUZZ_SEED") ?? 0xF022_5EED }

    static func seed(_ campaign: FuzzCampaign, _ index: Int) -> UInt64 {
        (baseSeed ^ campaign.salt) &+ UInt64(index) &* 0x9E37_79B9
    }

    /// Runs cases `first..<iterations` of a campaign; writes `<index> <seed>` to `progressPath`
    /// before each case (`HANG <index> <seed>` when the watchdog fires, `DONE ...` at the end);
    /// records an issue per failing case.
    static func run(_ campaign: FuzzCampaign, from first: Int, progressPath: String) {
        let fd = open(progressPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        @Sendable func note(_ text: String) {
            let bytes = Array((text + "\n").utf8)
            _ = ftruncate(fd, 0)
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        let progress = Progress()
        let watchdog = Thread {
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                if let stuck = progress.stuck(longerThan: watchdogLimit) {
                    note("HANG \(stuck)")
                    exit(3)
                }
            }
        }
        watchdog.start()

        var failures = 0
        let clock = ContinuousClock()
        let started = clock.now
        for index in first..<max(first, iterations) {
            let seed = seed(campaign, index)
            note("\(index) \(seed)")
            let (label, text) = fuzzInput(campaign, seed: seed)
            progress.begin("\(index) \(seed)")
            let problems = checkParse(text)
            progress.end()
            guard !problems.isEmpty else { continue }
            failures += 1
            let list = problems.prefix(8).joined(separator: "\n  ")
            Issue.record("""
                \(campaign.rawValue) case \(index) (\(label), seed \(seed)):
                  \(list)
                input (\(text.utf8.count) bytes): \(String(text.prefix(1500)).debugDescription)
                """)
            if failures >= 5 { break }
        }
        note("DONE \(iterations - first) cases in \(clock.now - started); \(coverage.summary)")
        close(fd)
    }
}

// MARK: - Tests

/// Inputs far bigger than real tasks files, each in a shape that could make a step quadratic.
/// `n` scales them.
private func bigInput(_ shape: String, n: Int) -> String {
    var text = "# Feature: Big\n"
    switch shape {
    case "numbered layers":
        for i in 0..<n { text += "## Layer \(i): Part \(i)\n- [ ] T\(i) Task \(i)\n" }
    case "named headings without tasks":
        for i in 0..<n { text += "## Topic\(i) Layer\nSome prose.\n" }
    case "named layers with tasks":
        for i in 0..<n { text += "## Topic\(i) Layer\n- Task \(i)\n" }
    case "tasks with notes and fields":
        text += "## Layer 1: All\n"
        for i in 0..<n { text += "- [ ] T\(i) Task \(i) @claude (depends on T\(max(0, i - 1)))\n  - note \(i)\n  - Complexity: Mid\n" }
    case "one line of mentions":
        text += "## Layer 1: All\n- x " + String(repeating: "@a ", count: 33 * n) + "\n"
    case "one line of brackets and parens":
        text += "## Layer 1: All\n- x " + String(repeating: "[(`", count: 33 * n) + ")\n"
    case "lines that look like tasks outside layers":
        for i in 0..<n { text += "- [ ] T\(i) stray task\n" }
    default:  // the fixtures, repeated
        for _ in 0..<max(1, n / 250) { for f in fixtures { text += String(decoding: f.bytes, as: UTF8.self) + "\n" } }
    }
    return text
}

@Suite struct ParserFuzzTests {
    @Test func fixturesAreThere() {
        #expect(fixtures.count >= 10, "found \(fixtures.count) fixtures in \(fixtureDirectory.path)")
    }

    /// A campaign in a child process; after a crash or hang the next child resumes after the
    /// offending case, so one bug does not hide the rest (up to three crashes are reported).
    @Test("Random and mutated inputs never crash or hang", arguments: FuzzCampaign.allCases)
    func campaign(_ campaign: FuzzCampaign) async throws {
        let progressPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("exectrack-fuzz-\(campaign.rawValue)-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: progressPath) }
        let clock = ContinuousClock()
        let started = clock.now
        var first = 0
        var crashes = 0
        var summary = ""
        while first < ParserFuzz.iterations {
            let result = await #expect(processExitsWith: .success) {
                [campaign = campaign as FuzzCampaign, first = first as Int, progressPath = progressPath as String] in
                ParserFuzz.run(campaign, from: first, progressPath: progressPath)
            }
            let progress = (try? String(contentsOfFile: progressPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if result != nil {
                summary = progress
                break
            }
            // The child crashed or hung: name the input it was on, then resume after it.
            crashes += 1
            let hang = progress.hasPrefix("HANG ")
            let fields = (hang ? String(progress.dropFirst(5)) : progress).split(separator: " ")
            guard fields.count == 2, let index = Int(fields[0]), let seed = UInt64(fields[1]) else {
                Issue.record("the \(campaign.rawValue) campaign failed; last progress: \(progress.debugDescription)")
                break
            }
            let (label, text) = fuzzInput(campaign, seed: seed)
            let saved = FileManager.default.temporaryDirectory.appendingPathComponent("exectrack-fuzz-\(campaign.rawValue)-\(seed).md")
            try? Data(text.utf8).write(to: saved)
            Issue.record("""
                LayeredTasksParser.parse \(hang ? "hung (over \(watchdogLimit))" : "crashed") on \(campaign.rawValue) case \(index) \
                (\(label), seed \(seed)); input saved at \(saved.path): \(String(text.prefix(1500)).debugDescription)
                """)
            if crashes >= 3 { break }
            first = index + 1
        }
        print("ParserFuzzTests \(campaign.rawValue): \(ParserFuzz.iterations) cases, \(crashes) crashes/hangs, \(clock.now - started) (\(summary))")
    }

    // MARK: Known inputs

    /// Layer numbers at the top of Int's range: the next free number for a named layer must not
    /// overflow (arithmetic overflow traps in Swift).
    @Test("Huge layer numbers do not crash", arguments: [
        "## Layer 9223372036854775807: Max\n- task one\n",
        "## Layer 9223372036854775806: Max-1\n- task one\n## Foundation Layer\n- task two\n",
        "## Layer 9223372036854775807: Max\n- task one\n## Foundation Layer\n- task two\n",
    ])
    func hugeLayerNumbers(_ text: String) async {
        await #expect(processExitsWith: .success) { [text = text as String] in
            let problems = checkParse(text)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    /// Parse time grows (about) linearly with the input: 8× the input may take at most 24× the
    /// time, where a quadratic step takes 64×. Load cannot distort the measure: it is the CPU time
    /// of the parsing thread (waiting for a core while the machine is busy does not count), the
    /// best of three runs of each size taken in turn, and the margin is wide.
    @Test("Parse time grows linearly with the input", .serialized, arguments: [
        "numbered layers", "named headings without tasks", "named layers with tasks", "tasks with notes and fields",
        "one line of mentions", "one line of brackets and parens", "lines that look like tasks outside layers",
        "fixtures repeated",
    ])
    func scaling(_ shape: String) async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [shape = shape as String] in
            func cpuTime(_ text: String) -> Duration {
                var start = timespec(), end = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
                _ = LayeredTasksParser.parse(text)
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
                return .seconds(end.tv_sec - start.tv_sec) + .nanoseconds(end.tv_nsec - start.tv_nsec)
            }
            let small = bigInput(shape, n: 750)
            let large = bigInput(shape, n: 6_000)
            var tSmall = Duration.seconds(3600), tLarge = Duration.seconds(3600)
            for _ in 0..<3 {
                tSmall = min(tSmall, cpuTime(small))
                tLarge = min(tLarge, cpuTime(large))
            }
            let bound = max(tSmall, .milliseconds(2)) * 24
            #expect(tLarge < bound, "\(shape): \(small.utf8.count) bytes in \(tSmall) of CPU, 8× that (\(large.utf8.count) bytes) in \(tLarge); more than 24× means a super-linear step")
            #expect(tLarge < .seconds(10), "\(shape): \(large.utf8.count) bytes took \(tLarge) of CPU")
            print("scaling \(shape): \(small.utf8.count) bytes \(tSmall), \(large.utf8.count) bytes \(tLarge) (CPU, best of 3)")
        }
        if let result { print(String(decoding: result.standardOutputContent, as: UTF8.self), terminator: "") }
    }
}
