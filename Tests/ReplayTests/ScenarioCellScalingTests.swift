import BMSCore
import CellData
import Firmware
import Foundation
import Testing
@testable import Replay

/// The presets are sized for the reference cell (NASA's 18650 as the bundled model has it); on
/// another cell their currents scale with its capacity (`CurrentSizing`, `scaledCurrents(by:)`):
/// a 5 Ah cell's 20 A peaks are not rejected as implausible, a 0.5 Ah cell's sensor does not
/// carry a C/10 bias, and the aged scenario's nameplate keeps its relative error.
@Suite("Scenario currents scaled to the cell")
struct ScenarioCellScalingTests {
    /// The test estimators on a cell of `cellAh`, with presets sized for `referenceAh`.
    struct SizedFactory: EstimatorFactory {
        var cellCapacityAh: Double?
        var referenceCellCapacityAh: Double?
        /// The counter counts against `cellCapacityAh` whatever the scenario assumes.
        var countsAgainstCell = false
        var knownNames: [String] { testFactory.knownNames }
        func makeEstimator(name: String, setup: EstimatorSetup) throws -> any SOCEstimator {
            var setup = setup
            if countsAgainstCell { setup.capacityAh = cellCapacityAh }
            return try testFactory.makeEstimator(name: name, setup: setup)
        }
    }

    @Test("the factor: cell over the sized-for capacity; 1 when absolute or unknown")
    func factor() {
        #expect(CurrentSizing.referenceCell.factor(cellCapacityAh: 5, referenceCapacityAh: 2) == 2.5)
        #expect(CurrentSizing.cell(ah: 4).factor(cellCapacityAh: 1, referenceCapacityAh: 2) == 0.25)
        #expect(CurrentSizing.absolute.factor(cellCapacityAh: 5, referenceCapacityAh: 2) == 1)
        #expect(CurrentSizing.referenceCell.factor(cellCapacityAh: nil, referenceCapacityAh: 2) == 1)
        #expect(CurrentSizing.referenceCell.factor(cellCapacityAh: 5, referenceCapacityAh: nil) == 1)
        #expect(CurrentSizing.referenceCell.factor(cellCapacityAh: .nan, referenceCapacityAh: 2) == 1)
        #expect(CurrentSizing.referenceCell.factor(cellCapacityAh: 5, referenceCapacityAh: 0) == 1)
        #expect(ReplayScenario.presets.allSatisfy { $0.currentSizing == .referenceCell })
    }

    @Test("every current quantity scales, nothing else does; ×1 is the scenario itself")
    func scaledFields() {
        let all = ReplayScenario.all, s = all.scaledCurrents(by: 2.5)
        #expect(s.sensor.current.rangeMin == all.sensor.current.rangeMin * 2.5 && s.sensor.current.rangeMax == all.sensor.current.rangeMax * 2.5)
        #expect(s.sensor.current.noiseSigma == all.sensor.current.noiseSigma * 2.5 && s.sensor.currentBiasA == all.sensor.currentBiasA * 2.5)
        #expect(s.plausibility.currentRangeA == (all.plausibility.currentRangeA.lowerBound * 2.5)...(all.plausibility.currentRangeA.upperBound * 2.5))
        #expect(s.plausibility.maxCurrentStepA == all.plausibility.maxCurrentStepA * 2.5)
        #expect(s.protection.overCurrentDischargeA == all.protection.overCurrentDischargeA * 2.5)
        #expect(s.protection.standbyCurrentA == all.protection.standbyCurrentA * 2.5)
        #expect(s.faults.spikeCurrentA == all.faults.spikeCurrentA * 2.5 && s.assumedCapacityAh == 5)
        #expect(s.sensor.voltage == all.sensor.voltage && s.sensor.temperature == all.sensor.temperature)
        #expect(s.plausibility.voltageRangeV == all.plausibility.voltageRangeV && s.faults.spikeRate == all.faults.spikeRate)
        #expect(s.initialSOC == all.initialSOC && s.seed == all.seed && s.name == all.name)
        #expect(all.scaledCurrents(by: 1) == all && all.scaledCurrents(by: .nan) == all && all.scaledCurrents(by: 0) == all)
    }

    @Test("a file says what it was sized for: a capacity, \"reference\", or nothing (absolute); bad values are refused")
    func fileField() throws {
        func decode(_ json: String) throws -> ReplayScenario { try JSONDecoder().decode(ReplayScenario.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"name": "a"}"#).currentSizing == .absolute)
        #expect(try decode(#"{"name": "a", "sizedForCellAh": 2.5}"#).currentSizing == .cell(ah: 2.5))
        #expect(try decode(#"{"name": "a", "sizedForCellAh": "reference"}"#).currentSizing == .referenceCell)
        #expect(try decode(#"{"name": "a", "sizedForCellAh": "absolute"}"#).currentSizing == .absolute)
        for bad in ["0", "-2", "\"big\"", "\"NaN\"", "true"] {
            #expect(throws: DecodingError.self, "\(bad)") { try decode("{\"name\": \"a\", \"sizedForCellAh\": \(bad)}") }
        }
        // The presets write and read back their sizing.
        for preset in ReplayScenario.presets {
            #expect(try JSONDecoder().decode(ReplayScenario.self, from: JSONEncoder().encode(preset)) == preset)
        }
    }

    /// The synthetic life (2 Ah, rests at 0 A; its pauses unrecorded, so the auto-zero calibrates at
    /// each wake-up) under `scenario` without current noise.
    func learnedOffset(_ scenario: ReplayScenario, cellAh: Double, referenceAh: Double) throws -> Double {
        var scenario = scenario
        scenario.sensor.current.noiseSigma = 0
        let runner = ReplayRunner(factory: SizedFactory(cellCapacityAh: cellAh, referenceCellCapacityAh: referenceAh))
        let result = try runner.run(recording: syntheticRecording(pausesAreGaps: true), scenario: scenario, estimators: ["count"])
        return try #require(result.currentOffset).offsetA
    }

    @Test("current-bias on a cell twice the reference: the sensor's bias is twice the preset's, and the auto-zero learns it")
    func biasScales() throws {
        #expect(abs(try learnedOffset(.currentBias, cellAh: 2, referenceAh: 2) - 0.05) < 1e-9)
        #expect(abs(try learnedOffset(.currentBias, cellAh: 4, referenceAh: 2) - 0.10) < 1e-9)
        // A scenario file's values stay as written.
        var file = ReplayScenario.currentBias
        file.currentSizing = .absolute
        #expect(abs(try learnedOffset(file, cellAh: 4, referenceAh: 2) - 0.05) < 1e-9)
    }

    @Test("nominal on a 5 Ah cell at 25 A: plausible after scaling, rejected (held) before")
    func highCurrentIsPlausible() throws {
        // 25 A for 600 s from 4.1 V to the 2.7 V reference point (4.17 Ah of a 5 Ah cell).
        let discharge = samples(durationS: 600, step: 1, current: { $0 == 0 ? 0 : -25 }, voltage: { 4.1 - 1.5 * $0 / 600 })
        let op = CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: 0, ambientTemperatureC: 25, capacityAh: 5,
                               samples: discharge, isGap: false)
        let recording = Recording(cell: "BIG", source: "synthetic", operations: [op])
        func rmse(referenceAh: Double) throws -> Double {
            let runner = ReplayRunner(factory: SizedFactory(cellCapacityAh: 5, referenceCellCapacityAh: referenceAh, countsAgainstCell: true))
            let result = try runner.run(recording: recording, scenario: .nominal, estimators: ["count"])
            #expect(result.metrics.first?.scoredTicks ?? 0 > 500)
            return try #require(result.metrics.first { $0.estimator == "count" }).rmsePercent
        }
        #expect(try rmse(referenceAh: 2) < 0.5)    // scaled ×2.5: ±50 A plausible
        #expect(try rmse(referenceAh: 5) > 5)      // as written: ±20 A, every 25 A reading rejected
    }
}
