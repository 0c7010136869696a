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

    /// A charge record: CC at `cc` A, then the CV taper at `taper` A and 4.2 V (or not).
    func charge(_ t: [Double], _ i: [Double], volts: [Double], start: Double, capacity: Double? = nil) -> CellOperation {
        CellOperation(kind: .charge, nasaCycle: nil, startTimeS: start, ambientTemperatureC: nil, capacityAh: capacity,
                      samples: OperationSamples(timeS: t, voltageV: volts, currentA: i, temperatureC: t.map { _ in 25 }))
    }

    /// A discharge from a rested 4.19 V start under 1 A to 2.6 V (it reaches the 2.7 V zero).
    func discharge(_ t: [Double], capacity: Double?, start: Double, firstVolts: Double = 4.19, flag: String? = nil) -> CellOperation {
        CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: start, ambientTemperatureC: nil, capacityAh: capacity,
                      samples: OperationSamples(timeS: t, voltageV: [firstVolts] + t.dropFirst().map { _ in 2.6 },
                                                currentA: [0] + t.dropFirst().map { _ in -1 }, temperatureC: t.map { _ in 25 }),
                      quality: flag.map { [QualityFinding(kind: .indexFlag, sampleIndex: nil, sampleCount: 0, action: .kept, detail: $0)] } ?? [])
    }

    @Test func chargesAreCountedBackFromTheirFullEnd() {
        let r = Recording(cell: "X", source: "test", operations: [
            // 1 A for 1800 s, then the taper at 0.05 A: ends full. Q_ref = the next discharge's 2 Ah.
            charge([0, 1800, 1810, 2400], [1, 1, 0.05, 0.05], volts: [3.6, 4.2, 4.2, 4.2], start: 0),
            discharge([0, 10, 3610], capacity: 2, start: 2500),           // 1 → 0.5 (rested first sample)
            op(.rest, [0, 60], [0, 0], start: 6200, gap: true),           // holds 0.5
            charge([0, 1800], [1, 1], volts: [3.7, 4.0], start: 6260),    // stops in CC: no reference
            op(.rest, [0, 60], [0, 0], start: 8100),                      // after an unknown SOC
            discharge([0, 10, 3610], capacity: 0.5, start: 8200, flag: "capacity_below_1Ah"),
            discharge([0, 10, 3610], capacity: 2, start: 12_000, firstVolts: 3.9),   // rested at 3.9 V: not full
        ])
        let refs = ReferenceSOC.references(r)
        let q0 = 0.5 * (1 + 1) * 1800 + 0.5 * (1 + 0.05) * 10 + 0.05 * 590
        #expect(refs[0].values == [1 - q0 / 7200, 1 - (q0 - 1800) / 7200, 1 - (q0 - 1805.25) / 7200, 1])
        let d = refs[1].values!
        #expect(d[0] == 1 && abs(d[1] - (1 - 5.0 / 7200)) < 1e-12 && abs(d[2] - (1 - 3605.0 / 7200)) < 1e-12)
        #expect(refs[2].values! == [d[2], d[2]])
        #expect(refs[3] == .excluded(.chargeNotEndingFull))
        #expect(refs[4] == .excluded(.restAfterUnknown))
        #expect(refs[5] == .excluded(.dischargeWithoutCapacity))
        #expect(refs[6] == .excluded(.dischargeNotStartingFull))
        // A discharge that never falls below the 2.7 V zero under load (the logger stopped).
        var early = r
        early.operations[1].samples.voltageV = [4.19, 3.9, 3.7]
        #expect(ReferenceSOC.references(early)[1] == .excluded(.dischargeNeverReachesReference))
        // With no labelled discharge anywhere, a full charge has nothing to normalise by.
        let alone = Recording(cell: "Y", source: "test", operations: [r.operations[0]])
        #expect(ReferenceSOC.references(alone)[0] == .excluded(.chargeWithoutCapacity))
    }

    @Test("a glitch discharge (capacity above 2.05 Ah, or a first sample above 4.3 V) is not labelled")
    func glitchDischargesAreNotLabelled() {
        for flag in ["capacity_above_2.05Ah", "v_above_4.3"] {
            let r = Recording(cell: "X", source: "test", operations: [
                discharge([0, 10, 3610], capacity: 2, start: 0),
                discharge([0, 10, 3610], capacity: 2.4, start: 4000, flag: flag),
                discharge([0, 10, 3610], capacity: 2, start: 8000),
            ])
            let refs = ReferenceSOC.references(r)
            #expect(refs[1] == .excluded(.dischargeWithoutCapacity), "\(flag)")
            #expect(refs[0].values != nil && refs[2].values != nil)
            // The benchmark's own filter is unchanged (it drops only missing and below-1 Ah).
            #expect(!NASADataset.skippedFlags.contains(flag))
        }
    }

    @Test func aGapHidingAChargeLeavesNoReferenceAfterIt() {
        let r = Recording(cell: "X", source: "test", operations: [
            discharge([0, 10, 3610], capacity: 2, start: 0),
            op(.rest, [0, 60], [0, 0], start: 3700, gap: true, unrecorded: [UnrecordedCycle(nasaCycle: 9, type: "charge")]),
            op(.rest, [0, 60], [0, 0], start: 3760),
        ])
        let refs = ReferenceSOC.references(r)
        #expect(refs[1] == .excluded(.gapHidingCharge) && refs[2] == .excluded(.restAfterUnknown))
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
        let ticks = grid.measurements()
        #expect(ticks.count == grid.count && ticks.allSatisfy { $0.dtSeconds == 1 && $0.isFinite })
        #expect(ticks[1620].currentA == -2)
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
