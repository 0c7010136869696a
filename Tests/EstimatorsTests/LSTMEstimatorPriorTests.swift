import BMSCore
import CellModel
import Estimators
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
import WeightBlob

/// The LSTM estimator passes the capacity its own `CapacityLearner` holds to a blob trained
/// with a learned prior (issue 16 part 1, stage 3), and leaves other blobs at their capacity.
@Suite struct LSTMEstimatorPriorTests {
    static let cell = try! CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))

    /// `lstm-demo-charge.bmsq` (a prior of 2000 mAh), marked as trained with a learned prior or not.
    static func blob(learned: Bool) throws -> BlobModel {
        let url = SharedData.fixtures.appendingPathComponent("models/lstm-demo-charge.bmsq")
        var model = try BlobReader.decode([UInt8](try Data(contentsOf: url))).model
        if learned {
            model.metadata.append(BlobMetadataEntry(key: BlobChargeCounter.learnedPriorMetadata.key,
                                                    value: BlobChargeCounter.learnedPriorMetadata.value))
        }
        return model
    }

    /// Rest at 4.19 V (a full-rest anchor), then a 2 A discharge whose voltage falls below the
    /// 2.7 V terminate voltage after `seconds`, then rest; 1 s ticks at 24 °C.
    static func anchoredDischarge(seconds: Int) -> [CellMeasurement] {
        var out: [CellMeasurement] = []
        for _ in 0..<120 { out.append(CellMeasurement(voltageV: 4.19, currentA: 0, temperatureC: 24, dtSeconds: 1)) }
        for t in 0..<(seconds + 5) {
            out.append(CellMeasurement(voltageV: 4.0 - 1.3 * Double(t) / Double(seconds) + 0.001, currentA: -2,
                                       temperatureC: 24, dtSeconds: 1))
        }
        for _ in 0..<120 { out.append(CellMeasurement(voltageV: 3.3, currentA: 0, temperatureC: 24, dtSeconds: 1)) }
        return out
    }

    /// Feeds `measurements`, returning the engine's prior capacity after each.
    static func run(_ estimator: LSTMEstimator, _ measurements: [CellMeasurement]) -> [Int32] {
        measurements.map { _ = estimator.update($0); return estimator.engine.priorCapacityMAh }
    }

    @Test func aLearnedPriorBlobCountsAgainstTheDesignCapacityThenTheMeasuredOne() throws {
        let estimator = try #require(try makeEstimator(.lstm, model: Self.cell, lstmModel: Self.blob(learned: true))
                                     as? LSTMEstimator)
        #expect(estimator.learner != nil)
        let design = Int32((Self.cell.designCapacityAh(temperatureC: 24) * 1000).rounded())   // 1804 mAh
        let first = Self.run(estimator, Self.anchoredDischarge(seconds: 3000))
        #expect(first[119] == 2000)                           // before any discharge: the blob's capacity
        #expect(first[121] == design && first[160] == design)  // the first discharge: nothing learned yet
        let measured = try #require(estimator.learner?.lastMeasuredAh)
        #expect(abs(measured - 2.0 * 3000 / 3600) < 0.01)
        // Charge back to full, rest, discharge again: the prior is the measured capacity.
        var charge: [CellMeasurement] = (0..<600).map { _ in CellMeasurement(voltageV: 4.1, currentA: 1.5, temperatureC: 24, dtSeconds: 1) }
        charge += Self.anchoredDischarge(seconds: 2800)
        let second = Self.run(estimator, charge)
        let learned = Int32((measured * 1000).rounded())
        #expect(second[600 + 121] == learned && second[600 + 200] == learned)
        #expect(estimator.stateBytes == estimator.engine.stateBytes + 9 * 4 + 3 * 4 + 2 + 4 * 11
                + (estimator.betweenRuns?.stateBytes ?? 0))
    }

    @Test func aLearnedPriorRunEndsOnItsLastOutputUnderLoadAndTheCountUsesTheLearnedCapacity() throws {
        let estimator = try #require(try makeEstimator(.lstm, model: Self.cell, lstmModel: Self.blob(learned: true))
                                     as? LSTMEstimator)
        let profile = Self.anchoredDischarge(seconds: 3000)
        var atLastLoad = 0.0
        for m in profile {
            let estimate = estimator.update(m)
            if m.currentA < 0 { atLastLoad = estimator.loadedModelSOC }
            if m.currentA < 0 && estimator.runConfirmed { #expect(estimate.soc == atLastLoad) }
        }
        // The run ended in the rest after it (60 s); the rest steps moved the model, not the estimate.
        #expect(!estimator.inDischarge && estimator.estimate.soc == atLastLoad)
        #expect(estimator.countCapacityAh == Double((Self.cell.designCapacityAh(temperatureC: 24) * 1000).rounded()) / 1000)
        // Charging 0.5 Ah counts against that capacity.
        for _ in 0..<1200 { _ = estimator.update(CellMeasurement(voltageV: 4.0, currentA: 1.5, temperatureC: 24, dtSeconds: 1)) }
        #expect(abs(estimator.estimate.soc - (atLastLoad + 0.5 / estimator.countCapacityAh)) < 2e-3)
    }

    @Test func otherBlobsKeepTheirOwnCapacity() throws {
        let estimator = try #require(try makeEstimator(.lstm, model: Self.cell, lstmModel: Self.blob(learned: false))
                                     as? LSTMEstimator)
        #expect(estimator.learner == nil)
        let capacities = Self.run(estimator, Self.anchoredDischarge(seconds: 3000) + Self.anchoredDischarge(seconds: 2800))
        #expect(Set(capacities) == [2000])
    }

    @Test func aFixedCapacityConfigurationLearnsNothing() throws {
        var config = EstimatorConfig()
        config.useLearnedCapacity = false
        let estimator = try #require(try makeEstimator(.lstm, model: Self.cell, lstmModel: Self.blob(learned: true),
                                                       config: config) as? LSTMEstimator)
        #expect(estimator.learner == nil)
        #expect(Set(Self.run(estimator, Self.anchoredDischarge(seconds: 3000))) == [2000])
    }
}
