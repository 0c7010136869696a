import BMSCore
import Foundation
import Testing
@testable import CellData

/// Reference SOC, resampling and quality rules on hand-worked examples.
@Suite struct LabelsAndResamplingTests {
    @Test func dischargeLabelIsCoulombCountingOverCapacity() {
        // 2 A for 1800 s out of 2 Ah: 1 Ah removed → SOC 0.5 (hand-worked).
        let soc = ReferenceSOC.discharge(timeS: [0, 900, 1800], currentA: [-2, -2, -2], capacityAh: 2)
        #expect(soc == [1, 0.75, 0.5])
        // Trapezoid rule: the current ramps 0 → −2 A in 3600 s: 1 Ah removed.
        #expect(ReferenceSOC.discharge(timeS: [0, 3600], currentA: [0, -2], capacityAh: 4) == [1, 0.75])
    }

    func op(_ kind: OperationKind, _ t: [Double], _ i: [Double], capacity: Double? = nil, start: Double = 0,
            gap: Bool = false, unrecorded: [UnrecordedCycle] = []) -> CellOperation {
        CellOperation(kind: kind, nasaCycle: nil, startTimeS: start, ambientTemperatureC: nil, capacityAh: capacity,
                      samples: OperationSamples(timeS: t, voltageV: t.map { _ in 3.7 }, currentA: i, temperatureC: t.map { _ in 25 }),
                      isGap: gap, unrecordedCycles: unrecorded)
    }

    @Test func chargesContinueFromTheEndOfTheDischarge() {
        let r = Recording(cell: "X", source: "test", operations: [
            op(.charge, [0, 10], [1, 1]),                              // nothing before: undefined
            op(.discharge, [0, 3600], [-1, -1], capacity: 2, start: 100),   // 1 → 0.5
            op(.rest, [0, 60], [0, 0], start: 3700, gap: true),        // holds 0.5
            op(.charge, [0, 1800], [1, 1], start: 3760),               // 0.5 → 0.75
            op(.rest, [0, 60], [0, 0], start: 5560, gap: true, unrecorded: [UnrecordedCycle(nasaCycle: 9, type: "charge")]),
            op(.charge, [0, 10], [1, 1], start: 5620),                 // unknown start: undefined
        ])
        let labels = ReferenceSOC.label(r)
        #expect(labels[0] == nil)
        #expect(labels[1] == [1, 0.5])
        #expect(labels[2] == [0.5, 0.5])
        #expect(labels[3] == [0.5, 0.75])
        #expect(labels[4] == nil && labels[5] == nil)
    }

    @Test func resamplingMatchesTheGridRuleAndInterpolatesLinearly() {
        // Grid n·10 for n = 0 … ⌊25/10⌋ = 2; a straight line is reproduced exactly.
        let samples = OperationSamples(timeS: [0, 7, 25], voltageV: [4, 3.3, 1.5], currentA: [0, -7, -25], temperatureC: [20, 20, 20])
        let r = Resampler.resample(samples, soc: [1, 0.93, 0.75], dtS: 10)
        #expect(r.timeS == [0, 10, 20])
        #expect(r.currentA.map { ($0 * 1e12).rounded() / 1e12 } == [0, -10, -20])
        #expect(r.soc!.map { ($0 * 1e12).rounded() / 1e12 } == [1, 0.9, 0.8])
        // Exactly on the last sample: included (⌊30/10 + 1e-9⌋ = 3).
        #expect(Resampler.grid(lastS: 30, dtS: 10) == [0, 10, 20, 30])
        // Before the first sample the first value is held, after the last the last (numpy.interp).
        #expect(Resampler.interpolate(timeS: [5, 15], values: [1, 2], at: [0, 10, 20]) == [1, 1.5, 2])
        // At a repeated time (operation boundary) the later sample wins.
        #expect(Resampler.interpolate(timeS: [0, 10, 10, 20], values: [0, 1, 5, 5], at: [10]) == [5])
    }

    @Test func wholeTimelineOnOneGridForTheTickLoop() {
        // Synthetic profile: 120 s rest, 3000 s at 2 A, 600 s rest, 2400 s at 1.5 A, 300 s rest.
        let grid = Resampler.resample(SyntheticRecording.make(), dtS: 1)
        #expect(grid.count == 6421)
        // 1500 s into the discharge: 1 − 1500·2/3600/2 (SOC is linear there, so exact to rounding).
        #expect(abs(grid.soc![1620] - (1 - 1500.0 * 2 / 3600 / 2)) < 1e-12)
        #expect(grid.currentA[1620] == -2 && grid.currentA[120 + 3000 + 600 + 100] == 1.5)
        // Capping gaps changes nothing when there are none; with a real gap the grid shrinks.
        let gap = CellOperation(kind: .rest, nasaCycle: nil, startTimeS: 100, ambientTemperatureC: nil, capacityAh: nil,
                                samples: OperationSamples(timeS: [0, 1000], voltageV: [3.5, 3.6], currentA: [0, 0], temperatureC: [25, 25]),
                                isGap: true)
        let r = Recording(cell: "G", source: "test", operations: [
            op(.discharge, [0, 100], [-1, -1], capacity: 1), gap, op(.charge, [0, 100], [1, 1], start: 1100)])
        let capped = r.withGapsCapped(atS: 10)
        #expect(capped.operations[2].startTimeS == 110)
        #expect(Resampler.resample(capped, dtS: 10).count == 22)
        #expect(Resampler.resample(r, dtS: 10).count == 121)
    }

    @Test func qualityRulesDetectRepairAndReport() {
        let t: [Double] = [0, 2.5, 10, 20, 30, 40, 50, 60]
        var v: [Double] = [3.2, 2.8, 3.4, 3.5, 8.4, 3.7, 3.8, 3.9]
        let i: [Double] = [0, -3.5, 1.5, 1.5, 1.5, 1.5, 1.5, .nan]
        let samples = OperationSamples(timeS: t, voltageV: v, currentA: i, temperatureC: t.map { _ in 25 })
        let (clean, findings) = DataQuality.clean(samples, kind: .charge)
        #expect(clean.count == 7)                                   // the NaN row is dropped
        #expect(abs(clean.voltageV[4] - 3.6) < 1e-12)               // 8.4 V between 3.5 and 3.7 → 3.6
        #expect(clean.currentA[1] == -3.5)                          // artefact kept by default
        let kinds = findings.map { "\($0.kind.rawValue)/\($0.action.rawValue)" }
        #expect(kinds == ["nanSample/droppedSamples", "voltageSpike/repaired", "chargeStartArtefact/kept"])
        // With the artefact rule switched on, current and voltage are interpolated.
        let (repaired, _) = DataQuality.clean(samples, kind: .charge, policy: QualityPolicy(repairChargeStartArtefact: true))
        #expect(abs(repaired.currentA[1] - 0.375) < 1e-12)          // 0 + 1.5·2.5/10
        // A long run of implausible readings is kept and flagged, not invented away.
        v = [3.5, 0.3, 0.3, 0.3, 0.3, 3.7, 3.8, 3.9]
        let (kept, f2) = DataQuality.clean(OperationSamples(timeS: t, voltageV: v, currentA: t.map { _ in -1 }, temperatureC: t.map { _ in 25 }),
                                           kind: .discharge)
        #expect(kept.voltageV == v && f2.map(\.action) == [.kept] && f2[0].sampleCount == 4)
    }
}
