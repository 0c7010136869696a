import BMSCore
import FloatModel
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
@testable import Quantizer
import WeightBlob

/// Charge-drawn models with a coulomb-count prior (the trainer's `charge-no-current` /
/// `--prior-capacity` models) through the converter, the quantizer and the integer engine.
struct ChargeModelQuantizationTests {
    static let demoCharge = SharedData.fixtures.appendingPathComponent("models/lstm-demo-charge.json")

    @Test func converterKeepsTheChargeFeatureStepAndPrior() throws {
        let model = try ReferenceLSTMModel(try FloatModelFile.read(from: Self.demoCharge))
        #expect(model.features == [.voltage, .temperature, .dVoltage, .chargeDrawn])
        #expect(model.stepSeconds == 10 && model.priorCapacityAh == 2)
        #expect(model.problems.isEmpty)
        let (blob, _) = try PostTrainingQuantizer().quantize(model, calibration: [SyntheticDischarge.samples(steps: 400, seed: 3)])
        #expect(blob.chargeCounter == BlobChargeCounter(stepSeconds: 10, priorCapacityMAh: 2000))
        let bytes = try BlobWriter.encode(blob)
        #expect(bytes[4] == 2)
    }

    @Test(arguments: [0.0, -2.0, .nan])
    func converterRejectsNonPositivePriors(prior: Double) throws {
        var file = try FloatModelFile.read(from: Self.demoCharge)
        file.scalers.priorCapacityAh = prior
        #expect {
            _ = try ReferenceLSTMModel(file)
        } throws: { error in
            guard case let .unsupportedModel(reason) = error as? QuantizationError else { return false }
            return reason.contains("prior capacity")
        }
    }

    /// The prior part of the integer SOC (engine with the prior minus the same blob without
    /// it) is the float `1 − q/Q` of the reference runner to within the 0.005 % rounding.
    @Test func integerPriorEqualsTheFloatPrior() throws {
        var model = try ReferenceLSTMModel(try FloatModelFile.read(from: Self.demoCharge))
        model.priorCapacityAh = 1.85   // not a round number of centi-percent per step
        let samples = SyntheticDischarge.samples(steps: 900, seed: 11)
        let (blob, _) = try PostTrainingQuantizer().quantize(model, calibration: [samples])
        #expect(blob.chargeCounter?.priorCapacityMAh == 1850)
        var withoutPrior = blob
        withoutPrior.chargeCounter?.priorCapacityMAh = nil
        let with = QuantizedLSTMEngine(model: blob), without = QuantizedLSTMEngine(model: withoutPrior)
        let runner = ReferenceLSTMRunner(model: model)
        var worst = 0.0
        for sample in samples {
            _ = runner.step(sample)
            let prior = Double(with.step(sample) - without.step(sample))
            worst = max(worst, abs(prior - 10_000 * (1 - runner.chargeDrawnAh / 1.85)))
        }
        #expect(worst <= 0.5 + 1e-6)
        #expect(runner.chargeDrawnAh > 0.5)   // the discharge did draw charge
    }
}
