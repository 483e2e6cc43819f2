import Testing
@testable import ExecutionCore
@testable import ExecutionTracking

/// Sums and products of durations saturate: numbers built through the API (not only read from a
/// file, which range-checks them) can exceed 64 bits together.
@Suite struct SaturationTests {
    @Test func derivedFieldsAndMetricsNeverTrapOnHugeDurations() {
        var s = makeStatus(layers: [("L0", "A", ["a", "b", "c", "d"])])
        for t in 0..<3 {
            s.setTaskStatus(.complete, at: loc(0, t), details: TaskUpdateDetails(durationMs: Int64.max / 2), now: t0)
        }
        s.recomputeDerivedFields()
        #expect(s.averageTaskDurationMs == Int64.max / 3)
        #expect(s.estimatedRemainingMs == Int64.max / 3)
        s.layers[0].tasks[3].durationMs = Int64.max
        s.recomputeDerivedFields()
        let metrics = ExecutionMetrics(s, now: Timestamp(millisecondsSinceEpoch: Int64.max))
        #expect(metrics.totalDurationMs == Int64.max)
        #expect(!JUnitReport.xml(s, now: t0).isEmpty)
        #expect(Timestamp(millisecondsSinceEpoch: Int64.max).adding(milliseconds: 1).millisecondsSinceEpoch == Int64.max)
        #expect(Timestamp(millisecondsSinceEpoch: Int64.min).milliseconds(since: Timestamp(millisecondsSinceEpoch: 1)) == Int64.min)
    }

    @Test func saturatingArithmetic() {
        #expect(Int64.max.addingSaturated(1) == .max)
        #expect(Int64.min.addingSaturated(-1) == .min)
        #expect(Int64.min.subtractingSaturated(1) == .min)
        #expect(Int64.max.subtractingSaturated(-1) == .max)
        #expect((Int64.max / 2).multipliedSaturated(by: 3) == .max)
        #expect((Int64.max / 2).multipliedSaturated(by: -3) == .min)
        #expect(Int64(-5).multipliedSaturated(by: -4) == 20)
        #expect([Int64.max, 1, 1].saturatingSum() == .max)
    }
}
