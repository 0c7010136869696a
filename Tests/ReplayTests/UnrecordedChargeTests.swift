import BMSCore
import CellData
import Replay
import Testing

/// A life with a charge the source lost (NASA's CSV keeps every tenth charge): the firmware
/// sees a full-charge event before the next discharge; and discharges NASA flags as not a
/// capacity test are replayed but not scored.
@Suite("Unrecorded charges and unscored discharges")
struct UnrecordedChargeTests {
    /// discharge (1 Ah, to empty) → gap hiding [EIS, charge] → discharge (1 Ah).
    func life(flagSecond: Bool = false) -> Recording {
        let d1 = samples(durationS: 1800, step: 10, current: { _ in -2.0 }, voltage: { 4.1 - 1.5 * $0 / 1800 })
        let gap = OperationSamples(timeS: [0, 3600], voltageV: [3.4, 4.18], currentA: [0, 0], temperatureC: [24, 24])
        let d2 = samples(durationS: 900, step: 10, current: { _ in -2.0 }, voltage: { 4.1 - 1.5 * $0 / 900 })
        var second = CellOperation(kind: .discharge, nasaCycle: 4, startTimeS: 1800 + 3600, ambientTemperatureC: 24,
                                   capacityAh: 1.0, samples: d2)
        if flagSecond {
            second.quality = [QualityFinding(kind: .indexFlag, sampleIndex: nil, sampleCount: 0, action: .kept,
                                             detail: "capacity_below_1Ah")]
        }
        return Recording(cell: "GAP1", source: "test", operations: [
            CellOperation(kind: .discharge, nasaCycle: 1, startTimeS: 0, ambientTemperatureC: 24, capacityAh: 1.0, samples: d1),
            CellOperation(kind: .rest, nasaCycle: nil, startTimeS: 1800, ambientTemperatureC: 24, capacityAh: nil,
                          samples: gap, isGap: true,
                          unrecordedCycles: [UnrecordedCycle(nasaCycle: 2, type: "impedance"),
                                             UnrecordedCycle(nasaCycle: 3, type: "charge")]),
            second,
        ])
    }

    @Test func theSecondDischargeStartsFromAFullChargeEvent() throws {
        var scenario = ReplayScenario.nominal
        scenario.assumedCapacityAh = 1.0
        let runner = ReplayRunner(factory: testFactory)
        let r = try runner.run(recording: life(), scenario: scenario, estimators: ["count"])
        // Without the event the counter would carry on from 0 (empty) through the second
        // discharge; with it, it restarts at 1 and tracks the reference exactly.
        #expect(r.metrics[0].maxAbsErrorPercent < 1)   // without it: ≈ 100
        let timeline = try PlantTimeline(recording: life(), referenceSOC: labels(life()))
        #expect(timeline.operations.map(\.unrecordedFullCharge) == [false, true])   // the gap is not on the axis
    }

    @Test func aGapWithoutALostChargeRaisesNoEvent() throws {
        var rec = life()
        rec.operations[1].unrecordedCycles = [UnrecordedCycle(nasaCycle: 2, type: "impedance")]
        let timeline = try PlantTimeline(recording: rec, referenceSOC: labels(rec))
        #expect(timeline.operations.allSatisfy { !$0.unrecordedFullCharge })
    }

    /// The replay's labels: CellData's reference, NaN where there is none.
    func labels(_ r: Recording) -> [[Double]] {
        zip(ReferenceSOC.label(r), r.operations).map { $0 ?? [Double](repeating: .nan, count: $1.samples.count) }
    }

    @Test func flaggedDischargesAreNotScored() throws {
        let flagged = ReferenceSOC.references(life(flagSecond: true))
        #expect(flagged[0].values != nil)
        #expect(flagged[1] == .excluded(.gapHidingCharge))
        #expect(flagged[2] == .excluded(.dischargeWithoutCapacity))
        #expect(ReferenceSOC.label(life())[2]?.first == 1)
        var scenario = ReplayScenario.nominal
        scenario.assumedCapacityAh = 1.0
        let r = try ReplayRunner(factory: testFactory).run(recording: life(flagSecond: true), scenario: scenario, estimators: ["count"])
        #expect(r.excluded == [ExcludedSpan(reason: .dischargeWithoutCapacity, operations: 1, seconds: 900)])
    }
}
