import Testing
import QuantizedLSTM
@testable import Quantizer

/// The float-vs-int8 report: RMSE against labels and |Δ| between the two models.
struct QuantizationEvaluationTests {
    @Test func labelsEqualToTheFloatModelGiveZeroFloatRMSE() throws {
        let model = ReferenceLSTMModel.random(lstmSizes: [8], denseSizes: [1], seed: 5)
        let sequences = [SyntheticDischarge.samples(steps: 120, seed: 1), SyntheticDischarge.samples(steps: 80, seed: 2)]
        let (blob, _) = try PostTrainingQuantizer().quantize(model, calibration: sequences)
        let runner = ReferenceLSTMRunner(model: model)
        let labels = sequences.map { sequence -> [Double] in
            runner.reset()
            return sequence.map { runner.step($0) }
        }
        let result = QuantizationEvaluation.run(float: model, blob: blob, sequences: sequences, labels: labels)
        #expect(result.steps == 200)
        #expect(result.floatRMSEPercent! < 1e-9)
        // With the float model as the label, the int8 RMSE is the RMS of Δ: between mean and max |Δ|.
        #expect(result.integerRMSEPercent! >= result.meanAbsDeltaPercent - 1e-9)
        #expect(result.integerRMSEPercent! <= result.maxAbsDeltaPercent + 1e-9)
        #expect(result.maxAbsDeltaPercent > 0)
    }
}
