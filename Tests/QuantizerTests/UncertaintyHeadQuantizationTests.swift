import BMSCore
import Testing
import QuantizedLSTM
@testable import Quantizer
import WeightBlob

/// A two-output float model (μ and log σ² of the scaled label, `--loss gaussian-nll`) quantized
/// to blob format 6: row 0 is the SOC exactly as for a one-output model, row 1 goes to Q4.11,
/// and `QuantizationEvaluation` reports how far int8 σ is from float σ.
struct UncertaintyHeadQuantizationTests {
    static func model(seed: UInt64 = 3) -> ReferenceLSTMModel {
        ReferenceLSTMModel.random(lstmSizes: [16], denseSizes: [8, 2], seed: seed)
    }

    @Test func aTwoOutputModelBecomesAVersion6BlobWhoseSigmaAgreesWithFloat() throws {
        let float = Self.model()
        #expect(float.hasUncertaintyHead && float.problems.isEmpty)
        let (blob, _) = try PostTrainingQuantizer().quantize(float, calibration: [SyntheticDischarge.samples(steps: 600, seed: 10)])
        #expect(blob.formatVersion == 6 && blob.denseLayers.last?.outputSize == 2)
        #expect(blob.uncertaintyHead == BlobUncertaintyHead(labelSpanPPM: 1_130_000))   // (1.0 − (−0.13)) · 10⁶
        let test = SyntheticDischarge.samples(steps: 900, seed: 20)
        let result = QuantizationEvaluation.run(float: float, blob: blob, sequences: [test])
        let sigma = try #require(result.sigma)
        #expect(sigma.meanAbsLogVarianceDelta < 0.01 && sigma.maxAbsLogVarianceDelta < 0.05, "\(sigma)")
        #expect(sigma.meanAbsSigmaDeltaPercent < 0.01 * sigma.meanFloatSigmaPercent, "\(sigma)")
        #expect(result.meanAbsDeltaPercent < 0.5, "\(result.meanAbsDeltaPercent)")
        // round trip through the bytes
        #expect(try BlobReader.decode(try BlobWriter.encode(blob)).model == blob)
    }

    @Test func theSOCRowIsQuantizedAsIfTheHeadWereNotThere() throws {
        let float = Self.model(seed: 4)
        var single = float
        let last = single.denseLayers.count - 1
        let width = single.denseLayers[last].inputSize
        single.denseLayers[last].outputSize = 1
        single.denseLayers[last].weight = Array(single.denseLayers[last].weight.prefix(width))
        single.denseLayers[last].bias = [single.denseLayers[last].bias[0]]
        let calibration = [SyntheticDischarge.samples(steps: 600, seed: 11)]
        let quantizer = PostTrainingQuantizer(errorCompensation: false)
        let two = try quantizer.quantize(float, calibration: calibration).blob
        let one = try quantizer.quantize(single, calibration: calibration).blob
        #expect(two.output == one.output && two.lstmLayers == one.lstmLayers)
        let head = two.denseLayers[last], plain = one.denseLayers[last]
        #expect(Array(head.weight.prefix(width)) == plain.weight && head.bias[0] == plain.bias[0])
        #expect(head.multipliers[0] == plain.multipliers[0] && head.shifts[0] == plain.shifts[0])
        #expect(one.uncertaintyHead == nil && one.formatVersion == 1)
        #expect(ReferenceLSTMRunner(model: single).logVariance == nil)
    }

    @Test func aLabelSpanBeyondTenTimesFullIsUnrepresentable() {
        var float = Self.model()
        float.outputMax = 20
        #expect(throws: QuantizationError.self) {
            _ = try PostTrainingQuantizer().quantize(float, calibration: [SyntheticDischarge.samples(steps: 100, seed: 1)])
        }
    }

    @Test func threeOutputsAreNotAModel() {
        var float = ReferenceLSTMModel.random(lstmSizes: [4], denseSizes: [3], seed: 1)
        #expect(!float.problems.isEmpty && !float.hasUncertaintyHead)
        float = Self.model()
        #expect(float.problems.isEmpty)
    }
}
