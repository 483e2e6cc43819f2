import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

@Suite("Layer and task references")
struct ReferenceTests {
    func status() -> StatusFile {
        var s = f001Status()
        s.layers[0].tasks[1].id = "T002"
        s.layers[1].tasks[2].id = "T007"
        return s
    }

    func layer(_ s: StatusFile, _ ref: String) -> Result<Int, TrackerError> {
        Result { () throws(TrackerError) in try s.layerIndex(for: ref) }
    }

    func task(_ s: StatusFile, _ layer: Int, _ ref: String) -> Result<TaskLocation, TrackerError> {
        Result { () throws(TrackerError) in try s.taskLocation(layer: layer, task: ref) }
    }

    @Test func layerByKeyNumberOrName() throws {
        let s = status()
        for ref in ["L1", "l1", "1", "01", " L1 ", "Core Services", "core services", "CORE SERVICES"] {
            #expect(try layer(s, ref).get() == 1, "\(ref)")
        }
        #expect(try layer(s, "L3").get() == 3)
        #expect(try layer(s, "0").get() == 0)
        #expect(try layer(s, "integration").get() == 3)
    }

    @Test func layerPositionNotNumberIsReturned() throws {
        // With a gap in numbering, `L5` is found at its position in `layers`.
        let s = makeStatus(layers: [("L1", "One", ["a"]), ("L5", "Five", ["b"])])
        #expect(try layer(s, "L5").get() == 1)
        #expect(try layer(s, "5").get() == 1)
        #expect(throws: TrackerError.self) { try layer(s, "L0").get() }
    }

    @Test func unknownLayerIsAPrecondition() {
        let s = status()
        guard case .failure(let e) = layer(s, "L9") else { Issue.record("L9 found"); return }
        #expect(e.kind == .precondition)
        #expect(e.exitCode == 6)
        #expect(e.message == "unknown layer 'L9'; layers are: L0 (Infrastructure), L1 (Core Services), "
            + "L2 (Features), L3 (Integration)")
        #expect((try? layer(s, "").get()) == nil)
        // A unique start of a layer name names it; an ambiguous or foreign one does not.
        #expect((try? layer(s, "Core").get()) == 1)
        #expect((try? layer(s, "In").get()) == nil, "Infrastructure and Integration")
        #expect((try? layer(s, "Corez").get()) == nil)
        #expect((try? layer(s, "-1").get()) == nil)
        let none = StatusFile(feature: "F", featureName: "F")
        guard case .failure(let empty) = layer(none, "L0") else { Issue.record("found"); return }
        #expect(empty.message == "unknown layer 'L0'; layers are: none")
    }

    @Test func unknownLayerMessageIsOneLine() {
        guard case .failure(let e) = layer(status(), "bad\nname") else { Issue.record("found"); return }
        #expect(!e.message.contains("\n"))
        #expect(e.message.hasPrefix("unknown layer 'bad\\nname';"))
    }

    @Test func taskByIndexOrId() throws {
        let s = status()
        #expect(try task(s, 1, "0").get() == loc(1, 0))
        #expect(try task(s, 1, "4").get() == loc(1, 4))
        #expect(try task(s, 1, " 2 ").get() == loc(1, 2))
        #expect(try task(s, 1, "T007").get() == loc(1, 2))
        #expect(try task(s, 1, "t007").get() == loc(1, 2))
        #expect(try task(s, 0, "T002").get() == loc(0, 1))
    }

    @Test func indexOutOfRangeIsAPrecondition() {
        let s = status()
        guard case .failure(let e) = task(s, 1, "5") else { Issue.record("found"); return }
        #expect(e.kind == .precondition)
        #expect(e.message == "task index 5 is out of range for L1 (valid: 0-4)")
        guard case .failure(let huge) = task(s, 1, "99999999999999999999999999999999") else { Issue.record("found"); return }
        #expect(huge.kind == .precondition)
        #expect(huge.message == "task index 999999999999999999999999 is out of range for L1 (valid: 0-4)")

        let empty = makeStatus(layers: [("L0", "Empty", [])])
        guard case .failure(let none) = task(empty, 0, "0") else { Issue.record("found"); return }
        #expect(none.message == "task index 0 is out of range for L0 (it has no tasks)")
    }

    @Test func negativeIndexIsAUsageError() {
        guard case .failure(let e) = task(status(), 1, "-1") else { Issue.record("found"); return }
        #expect(e.kind == .usage)
        #expect(e.exitCode == 1)
        #expect(e.message == "task index must be 0 or more, or a task id; got '-1'")
    }

    @Test func idInAnotherLayerIsNamed() {
        guard case .failure(let e) = task(status(), 1, "T002") else { Issue.record("found"); return }
        #expect(e.kind == .precondition)
        #expect(e.message == "task 'T002' is in L0, not L1")
    }

    @Test func unknownTaskIsAPrecondition() {
        guard case .failure(let e) = task(status(), 1, "T999") else { Issue.record("found"); return }
        #expect(e.kind == .precondition)
        #expect(e.message == "no task 'T999' in L1; give a 0-based index or a task id")
        guard case .failure(let blank) = task(status(), 1, "") else { Issue.record("found"); return }
        #expect(blank.kind == .precondition)
        #expect(blank.message == "no task '' in L1; give a 0-based index or a task id")
    }
}
