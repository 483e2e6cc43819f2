import Testing
@testable import ExecutionCore

/// Quality gates (docs/gates.md) as pure functions: where the required gates come from, how a
/// gate that has not passed holds its layer back, the events, and reading JUnit.
@Suite struct GateTests {
    let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    func spec(_ gatesLine: String = "Gates: tests, lint") -> StatusFile {
        StatusFile.seeded(feature: "F001", from: LayeredTasksParser.parse("""
        # Feature: Gated

        ## Layer 0: Infra
        \(gatesLine)
        - [ ] T001 Set up the database

        ## Layer 1: Core
        - [ ] T002 Build the service
        """), now: now)
    }

    func attempt(_ name: String, _ status: GateStatus, score: Double? = nil) -> GateResult {
        var r = GateResult()
        r.name = name
        r.status = status
        r.score = score
        return r
    }

    func finishLayer0(_ s: inout StatusFile) {
        s.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 0), now: now)
        s.recomputeDerivedFields()
    }

    @Test(arguments: ["Gates: tests, lint", "**Gates**: tests, lint", "**Gates:** `tests`, `lint`", "- Gates: tests, lint",
                      "Quality gates: tests,lint"])
    func theGatesLineIsReadInEveryForm(_ line: String) {
        let s = spec(line)
        #expect(s.layers[0].requiredGates == ["tests", "lint"])
        #expect(s.layers[0].tasks.count == 1, "a Gates line is not a task")
        #expect(s.layers[1].requiredGates == nil)
    }

    @Test func aLayerWhoseGatesHaveNotPassedIsNotCompleteAndLaterLayersWait() {
        var s = spec()
        finishLayer0(&s)
        #expect(s.layers[0].status == .inProgress)
        #expect(s.currentLayer == "L0")
        #expect(s.readyTasks().isEmpty)
        #expect(s.nothingReadyMessage().contains("required gates have not passed: tests (not run), lint (not run)"))
        #expect(s.nextAction.contains("Pass the required gates of L0"))

        s.recordGate(attempt("tests", .failed), at: 0, now: now)
        s.recomputeDerivedFields()
        #expect(s.layers[0].status == .failed)
        s.recordGate(attempt("tests", .passed), at: 0, now: now)
        s.recordGate(attempt("lint", .warn), at: 0, now: now)
        s.recomputeDerivedFields()
        #expect(s.layers[0].status == .complete, "a warning passes")
        #expect(s.layers[0].gates?.map(\.attempt) == [1, 2, 1])
        #expect(s.currentLayer == "L1")
        #expect(s.readyTasks() == [TaskLocation(layer: 1, task: 0)])
    }

    @Test func theSpecIsNotCompleteWithARequiredGateFailed() {
        var s = spec()
        s.setTaskStatus(.complete, at: TaskLocation(layer: 0, task: 0), now: now)
        s.setTaskStatus(.complete, at: TaskLocation(layer: 1, task: 0), now: now)
        s.recordGate(attempt("tests", .failed), at: 0, now: now)
        s.recomputeDerivedFields()
        #expect(s.status != .complete)
        #expect(s.completedAt == nil)
        s.recordGate(attempt("tests", .passed), at: 0, now: now)
        s.recordGate(attempt("LINT", .passed), at: 0, now: now)
        s.recomputeDerivedFields()
        #expect(s.status == .complete, "gate names compare without case")
    }

    @Test func completeLayerRefusesNamingTheGatesUntilTheyPassOrAreWaived() throws {
        var s = spec()
        finishLayer0(&s)
        s.recordGate(attempt("tests", .failed), at: 0, now: now)
        for (force, reason) in [(false, nil), (true, nil), (true, "  "), (false, "because")] as [(Bool, String?)] {
            var copy = s
            #expect(throws: TrackerError.self) { try copy.completeLayer(at: 0, force: force, overrideReason: reason, now: now) }
            do {
                try copy.completeLayer(at: 0, force: force, overrideReason: reason, now: now)
            } catch {
                #expect(error.kind == .precondition)
                #expect(error.message.contains("tests (failed), lint (not run)"), "\(error.message)")
            }
        }
        let before = s
        try s.completeLayer(at: 0, force: true, overrideReason: "flaky CI runner", now: now)
        #expect(s.layers[0].status == .complete)
        #expect(s.layers[0].gatesOverrideReason == "flaky CI runner")
        let events = s.changeEvents(since: before)
        let overridden = try #require(events.first { $0.type == .gateOverridden })
        #expect(overridden.data["reason"] == .string("flaky CI runner"))
        #expect(events.map(\.type).contains(.layerCompleted))
    }

    @Test func eachAttemptIsAnEventByHowItEnded() {
        var s = spec()
        let before = s
        s.recordGate(attempt("tests", .failed), at: 0, now: now)
        s.recordGate(attempt("lint", .warn), at: 0, now: now)
        s.recordGate(attempt("tests", .passed, score: 0.97), at: 0, now: now)
        s.recomputeDerivedFields()
        #expect(s.changeEvents(since: before).map(\.type) == [.gateFailed, .gateWarned, .gatePassed])
    }

    @Test func gatesJSONSaysWhichLayersRequireWhat() throws {
        let file = #"{"gates": [{"name": "e2e", "layers": ["L1", "Infra"], "run": ["npm", "test"], "timeout_s": 30},"#
            + #" {"name": "docs", "required": false}, {"name": "lint", "layers": ["1"]}]}"#
        let config = try GateConfig.parse(Array(file.utf8)).get()
        var s = spec()
        s.configureGates(config)
        #expect(s.layers[0].allRequiredGates == ["tests", "lint", "e2e"], "by name, each once")
        #expect(s.layers[1].allRequiredGates == ["e2e", "lint"])
        #expect(config.rule(named: "E2E", for: s.layers[1])?.run == ["npm", "test"])
        #expect(config.rule(named: "e2e", for: s.layers[1])?.timeoutSeconds == 30)
    }

    @Test func aGatesJSONOfTheWrongShapeNamesTheField() {
        for (file, field) in [(#"{"gates": [{"name": ""}]}"#, "gates[0].name"), (#"{"gates": [{"name": "a", "run": "npm test"}]}"#, "gates[0].run"),
                              (#"{"gates": [{"name": "a", "run": []}]}"#, "gates[0].run"), (#"{"gates": [{"name": "a", "threshold": 2}]}"#, "gates[0].threshold"),
                              (#"{"gates": [{"name": "a", "layers": []}]}"#, "gates[0].layers"), (#"{"gates": [{"name": "a", "timeout_s": 0}]}"#, "gates[0].timeout_s"),
                              (#"{"gates": [{"name": "a", "required": "yes"}]}"#, "gates[0].required"), (#"{"gates": {}}"#, "gates"), ("[]", nil)] {
            guard case .failure(let problem) = GateConfig.parse(Array(file.utf8)) else {
                Issue.record("\(file) parsed")
                continue
            }
            #expect(problem.field == field, "\(file)")
        }
    }

    @Test func junitIsReadByItsTestCases() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- <testcase name="in a comment"/> -->
        <testsuites tests="99">
          <testsuite name="a" tests="5">
            <testcase name="ok" classname="a"/>
            <testcase name="fails"><failure message="a > b">expected <x></failure></testcase>
            <testcase name="errs"><error type="E"/><system-out><![CDATA[<failure> in output]]></system-out></testcase>
            <testcase name="skips"><skipped/></testcase>
            <testcase name='quoted' classname='a>b'></testcase>
          </testsuite>
        </testsuites>
        """
        let summary = try #require(JUnitSummary.read(Array(xml.utf8)))
        #expect(summary == JUnitSummary(tests: 5, failures: 1, errors: 1, skipped: 1))
        #expect(summary.passed == 2)
        #expect(summary.score == 0.4, "passed over total")
        #expect(JUnitSummary.read(Array("<html><body>no tests</body></html>".utf8)) == nil)
        #expect(JUnitSummary.read(Array("<testsuite/>".utf8)) == JUnitSummary())
        #expect(JUnitSummary.read(Array("<testsuite/>".utf8))?.score == nil)
    }

    @Test func theJUnitExportHasATestCasePerAttempt() {
        var s = spec()
        var failed = attempt("tests", .failed)
        failed.details = "exit 1\nFAIL: login"
        s.recordGate(failed, at: 0, now: now)
        s.recordGate(attempt("tests", .passed), at: 0, now: now)
        let xml = JUnitReport.xml(s, now: now)
        #expect(xml.contains(#"<testcase name="gate tests (attempt 1)" classname="F001.L0.gates""#))
        #expect(xml.contains(#"<testcase name="gate tests (attempt 2)""#))
        #expect(xml.contains("FAIL: login</failure>"))
        #expect(xml.contains(#"<testsuite name="L0 Infra" tests="3" failures="1""#))
        let annotations = GitHubAnnotations.lines(s)
        #expect(!annotations.contains("::error title=F001 L0 required gate tests"), "the latest attempt passed")
        #expect(annotations.hasSuffix("\n"))
    }

    @Test func annotationsEscapeAsGitHubRequires() {
        var s = spec()
        var failed = attempt("tests", .failed)
        failed.details = "50% done\nline two"
        s.recordGate(failed, at: 0, now: now)
        let lines = GitHubAnnotations.lines(s).split(separator: "\n")
        #expect(lines.first == "::error title=F001 L0 required gate tests::❌ tests failed (attempt 1)%0A50%25 done%0Aline two")
        #expect(lines.last?.hasPrefix("::notice title=F001::") == true)
    }
}
