import BMSCore
@testable import Estimators
import QuantizedLSTM
import Testing
@testable import WeightBlob

/// The LSTM estimator passes its best SOC at a run's start to a blob that reads a start SOC
/// (issue 16, "any start"), and leaves older blobs starting from full.
struct LSTMStartSOCTests {
    static func blob(priorSOCInput: Bool, seed: UInt64) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        var model = BlobModel.random(using: &rng, chargeCounter: true, priorSOCInput: priorSOCInput)
        if model.chargeCounter?.priorCapacityMAh == nil { model.chargeCounter?.priorCapacityMAh = 2000 }
        return model
    }

    /// Believing 60 %, a rest, a partial charge of 0.1 Ah (5 points of 2 Ah), a rest, then a discharge.
    static func runAfterPartialCharge(_ estimator: LSTMEstimator) {
        func feed(_ currentA: Double, seconds: Int) {
            for _ in 0..<seconds {
                _ = estimator.update(CellMeasurement(voltageV: 3.8, currentA: currentA, temperatureC: 24, dtSeconds: 1))
            }
        }
        feed(0, seconds: 120)
        feed(1, seconds: 360)
        feed(0, seconds: 120)
        feed(-2, seconds: 30)
    }

    @Test func aRunAfterAPartialChargeStartsFromTheCountNotFromFull() throws {
        let estimator = LSTMEstimator(model: Self.blob(priorSOCInput: true, seed: 1), capacityAh: 2, soc: 0.6)
        Self.runAfterPartialCharge(estimator)
        #expect(estimator.dischargesStarted == 1)
        #expect(abs(estimator.runStartSOC - 0.65) < 1e-9)
        #expect(estimator.engine.startSOCCentiPercent == 6500)
    }

    @Test func aStartSOCOutsideTheFormatIsClampedNotRefused() throws {
        let estimator = LSTMEstimator(model: Self.blob(priorSOCInput: true, seed: 2), capacityAh: 2, soc: 1.3)
        Self.runAfterPartialCharge(estimator)
        #expect(estimator.runStartSOC == 1.2 && estimator.engine.startSOCCentiPercent == 12_000)
        let low = LSTMEstimator(model: Self.blob(priorSOCInput: true, seed: 3), capacityAh: 2, soc: -0.3)
        Self.runAfterPartialCharge(low)
        #expect(low.runStartSOC == 0 && low.engine.startSOCCentiPercent == 0)
    }

    @Test func anOlderBlobStillStartsEveryRunFromFull() throws {
        let estimator = LSTMEstimator(model: Self.blob(priorSOCInput: false, seed: 1), capacityAh: 2, soc: 0.6)
        Self.runAfterPartialCharge(estimator)
        #expect(estimator.dischargesStarted == 1)
        #expect(estimator.runStartSOC == 1 && estimator.engine.startSOCCentiPercent == 10_000)
    }
}
