import Testing
@testable import ExecutionCore

/// The event log replays to the status file (docs/events.md, "Replaying"): for any sequence of
/// versions, the events each write records, applied in order, give that version back exactly.
@Suite struct EventReplayTests {
    /// The events of a write as the log would hold them.
    private func records(_ changes: [ChangeEvent], after seq: inout Int64, time: Timestamp) -> [EventRecord] {
        changes.map { change in
            seq += 1
            return EventRecord(change, spec: "F001", id: "e\(seq)", seq: seq, time: time, actor: JSONObject())
        }
    }

    /// The event as replay reads it from its line.
    private func read(_ record: EventRecord) throws -> ReplayEvent {
        try ExactJSONDecoder.decode(ReplayEvent.self, from: record.line)
    }

    /// The log file holding `records`.
    private func file(_ records: [EventRecord]) -> [UInt8] { records.flatMap { $0.line } }

    /// One random change of the kinds commands, agents and `jq` make.
    private func mutate(_ status: inout StatusFile, _ random: inout Random, now: Timestamp) {
        let l = random.int(0...(status.layers.count - 1))
        switch random.int(0...11) {
        case 0...3:
            guard !status.layers[l].tasks.isEmpty else { return }
            let t = random.int(0...(status.layers[l].tasks.count - 1))
            status.layers[l].tasks[t].status = random.pick(TaskStatus.allCases)
            status.layers[l].tasks[t].startedAt = random.chance(0.7) ? now : nil
            status.layers[l].tasks[t].attempts += 1
            if random.chance(0.3) { status.layers[l].tasks[t].output = "output \(random.int(0...99))" }
            if random.chance(0.2) { status.layers[l].tasks[t].extra["tokens"] = .int(random.int(1...9000)) }
        case 4:
            status.errors.append(ErrorEntry(layer: status.layers[l].key, taskIndex: 0, taskDescription: "task", message: "boom \(random.int(0...99))",
                                            timestamp: now, severity: .high, category: .other, recoveryAction: nil))
        case 5:
            if !status.errors.isEmpty { status.errors[random.int(0...(status.errors.count - 1))].resolvedAt = now }
        case 6:
            status.warnings.append(WarningEntry(message: "careful \(random.int(0...99))", timestamp: now))
        case 7:
            if status.pausedAt == nil { status.pausedAt = now; status.pauseReason = "lunch" } else { status.pausedAt = nil; status.pauseReason = nil }
        case 8:
            status.layers[l].completedAt = random.chance(0.5) ? now : nil
            status.layers[l].extra["owner"] = random.chance(0.5) ? .string("team \(random.int(0...9))") : nil
        case 9:
            // A re-parse: a task added or dropped.
            if random.chance(0.5) || status.layers[l].tasks.count < 2 {
                status.layers[l].tasks.append(ExecutionTask(index: status.layers[l].tasks.count, description: "new \(random.int(0...999))"))
            } else {
                status.layers[l].tasks.removeLast()
            }
        case 10:
            status.extra["sprint"] = random.chance(0.8) ? .int(random.int(1...40)) : nil
            status.tasksFile = random.chance(0.5) ? "specs/F001/tasks-\(random.int(0...3)).md" : nil
        default:
            // Entries shrink only by hand; the write after records the whole list.
            if !status.warnings.isEmpty { status.warnings.removeFirst() }
        }
    }

    @Test func replayingEveryWritesEventsGivesEachVersionBack() throws {
        var random = Random(seed: environmentNumber("EXECTRACK_REPLAY_SEED") ?? 0x7265_706C_6179)
        for run in 0..<40 {
            var status = f001Status()
            var seq: Int64 = 0
            var now = t0
            status.createdAt = now
            var replay = EventReplay()
            for event in records(status.changeEvents(since: nil), after: &seq, time: now) { try replay.apply(read(event)) }
            status.eventSeq = seq
            for step in 0..<60 {
                let before = status
                now = now.plus(seconds: 7)
                mutate(&status, &random, now: now)
                status.lastUpdated = now
                status.recomputeDerivedFields()
                var after = status
                after.eventSeq = nil
                var old = before
                old.eventSeq = nil
                guard after != old else { continue }
                // Applied as they come, as `events --follow` readers would.
                for event in records(status.changeEvents(since: before), after: &seq, time: now) { try replay.apply(read(event)) }
                status.eventSeq = seq
                var replayed = replay.state
                replayed?.recomputeDerivedFields()
                let same = replayed == status
                #expect(same, "run \(run) step \(step) differs at \(replayed.map { status.differences(from: $0) } ?? ["no state"])")
                if !same { return }
            }
        }
    }

    /// F001 as `init` logs it: the status (its `event_seq` set), the log, the last `seq`.
    private func initialized() -> (status: StatusFile, log: [EventRecord], seq: Int64) {
        var status = f001Status()
        var seq: Int64 = 0
        let log = records(status.changeEvents(since: nil), after: &seq, time: t0)
        status.eventSeq = seq
        return (status, log, seq)
    }

    @Test func voidedEventsAreNeverApplied() throws {
        var (status, log, seq) = initialized()
        let published = status
        // A write whose status file never appeared, then the next write's void.
        var lost = status
        lost.layers[0].tasks[0].status = .complete
        log += records(lost.changeEvents(since: status), after: &seq, time: t0.plus(seconds: 1))
        log += records([ChangeEvent(.eventVoided, data: JSONObject([("from_seq", .int(2)), ("through_seq", .int(Int(seq)))]))],
                       after: &seq, time: t0.plus(seconds: 2))
        var replayed = try #require(try EventReplay.replay(log: file(log)).replay.state)
        replayed.eventSeq = published.eventSeq
        #expect(replayed == published)
    }

    @Test func replayStopsAtTheTimeAsked() throws {
        var (status, log, seq) = initialized()
        let first = status
        var second = status
        second.layers[1].tasks[2].status = .inProgress
        second.recomputeDerivedFields()
        log += records(second.changeEvents(since: status), after: &seq, time: t0.plus(seconds: 60))
        #expect(try EventReplay.replay(log: file(log), until: t0.plus(seconds: 59)).replay.state == first)
        #expect(try EventReplay.replay(log: file(log), until: t0.plus(seconds: -1)).replay.state == nil)
        #expect(try EventReplay.replay(log: file(log), until: t0.plus(seconds: 60)).replay.state?.layers[1].tasks[2].status == .inProgress)
    }

    @Test func anEventThatCannotBeAppliedIsNamed() {
        var seq: Int64 = 0
        let log = records([ChangeEvent(.taskStarted, subject: "L0/0", data: JSONObject([("layer", .string("L0")), ("index", .int(0))]))],
                          after: &seq, time: t0)
        #expect(throws: ReplayError.self) { try EventReplay.replay(log: file(log)) }
    }

    @Test func digestsDifferForAnyChangedByte() {
        let bytes = Array("{\"feature\":\"F001\",\"layers\":{}}".utf8) + [UInt8](repeating: 32, count: 100)
        let digest = ContentDigest.of(bytes)
        #expect(digest.count == 16)
        #expect(ContentDigest.of(bytes) == digest)
        for i in bytes.indices {
            var changed = bytes
            changed[i] ^= 1
            #expect(ContentDigest.of(changed) != digest, "byte \(i)")
        }
        #expect(ContentDigest.of(bytes + [32]) != digest)
        #expect(ContentDigest.of([]) != ContentDigest.of([0]))
    }
}
