import BMSCore
import Foundation
import Testing
import QuantizedLSTM
@testable import Quantizer
import WeightBlob

/// The integer engine running a quantized model against the float reference it came from.
struct PostTrainingQuantizerTests {
    /// Float vs int8 SOC (percentage points) over a sequence, streaming from reset.
    static func compare(_ model: ReferenceLSTMModel, _ samples: [RawSensorSample], calibration: [[RawSensorSample]])
        throws -> (meanAbs: Double, maxAbs: Double, span: Double) {
        let (blob, _) = try PostTrainingQuantizer().quantize(model, calibration: calibration)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(try BlobWriter.encode(blob)).model)
        let reference = ReferenceLSTMRunner(model: model)
        var sum = 0.0, worst = 0.0, low = Double.infinity, high = -Double.infinity
        for sample in samples {
            let float = reference.step(sample) * 100
            let integer = Double(engine.step(sample)) / 100
            low = min(low, float)
            high = max(high, float)
            sum += abs(float - integer)
            worst = max(worst, abs(float - integer))
        }
        return (sum / Double(samples.count), worst, high - low)
    }

    /// The accuracy goal (mean |Δ| ≤ 0.1 point, max ≤ 1 point) on the default
    /// topology LSTM(64)→LSTM(32)→Dense(16, ReLU)→Dense(1) with random weights, calibrated
    /// on one synthetic discharge and tested on another.
    @Test func defaultTopologyMeetsTheAccuracyGoalOnAnUnseenDischarge() throws {
        let model = ReferenceLSTMModel.random(lstmSizes: [64, 32], denseSizes: [16, 1], seed: 1)
        let calibration = [SyntheticDischarge.samples(steps: 600, seed: 10)]
        let test = SyntheticDischarge.samples(steps: 900, seed: 20)
        let (meanAbs, maxAbs, span) = try Self.compare(model, test, calibration: calibration)
        print(String(format: "int8 vs float, default topology: mean |Δ| %.4f, max |Δ| %.4f SOC points (span %.1f)",
                     meanAbs, maxAbs, span))
        #expect(meanAbs <= 0.1, "mean |Δ| \(meanAbs) points")
        #expect(maxAbs <= 1.0, "max |Δ| \(maxAbs) points")
    }

    /// Random single-layer models swing over ~100 SOC points (untrained weights), so the
    /// bound is relative to the float output's span: int8 rounding of the largest weight
    /// of a row is 1/254 = 0.39 % of it, so mean |Δ| ≤ 0.4 % and max |Δ| ≤ 2 % of the span.
    @Test(arguments: [UInt64(2), 3, 4])
    func smallFirmwareModelsStayWithinInt8RoundingOfTheirSpan(seed: UInt64) throws {
        let model = ReferenceLSTMModel.random(lstmSizes: [16], denseSizes: [1], seed: seed)
        let samples = SyntheticDischarge.samples(steps: 800, seed: seed)
        let (meanAbs, maxAbs, span) = try Self.compare(model, samples, calibration: [samples])
        print(String(format: "int8 vs float, LSTM(16)→Dense(1) seed %d: mean |Δ| %.4f, max |Δ| %.4f SOC points (span %.1f)",
                     Int(seed), meanAbs, maxAbs, span))
        #expect(meanAbs <= 0.004 * span && maxAbs <= 0.02 * span, "mean \(meanAbs) max \(maxAbs) span \(span)")
    }

    @Test func weightsAreSymmetricPerRowAndUseTheFullRange() throws {
        let model = ReferenceLSTMModel.random(lstmSizes: [8], denseSizes: [4, 1], seed: 9)
        // Plain rounding (error compensation may move a row's largest weight off ±127).
        let (blob, report) = try PostTrainingQuantizer(errorCompensation: false)
            .quantize(model, calibration: [SyntheticDischarge.samples(steps: 100, seed: 1)])
        let layer = blob.lstmLayers[0]
        for r in 0..<32 {
            let row = layer.inputKernel[(r * 5)..<(r * 5 + 5)]
            #expect(row.map { abs(Int($0)) }.max() == 127)   // the largest weight maps to ±127
            #expect(!row.contains(-128))
        }
        #expect(report.calibrationSteps == 100)
        #expect(report.denseOutputScales.count == 2)
    }

    @Test func badModelsAndMissingCalibrationAreTypedErrors() {
        var model = ReferenceLSTMModel.random(lstmSizes: [4], denseSizes: [1], seed: 1)
        #expect(throws: QuantizationError.noCalibrationData) {
            try PostTrainingQuantizer().quantize(model, calibration: [[]])
        }
        model.inputStd[2] = 0
        #expect {
            try PostTrainingQuantizer().quantize(model, calibration: [SyntheticDischarge.samples(steps: 10, seed: 1)])
        } throws: { error in
            guard case let .invalidModel(problems) = error as? QuantizationError else { return false }
            return problems.contains("inputStd must be positive")
        }
        model = ReferenceLSTMModel.random(lstmSizes: [4], denseSizes: [3], seed: 1)
        #expect(throws: QuantizationError.self) {
            try PostTrainingQuantizer().quantize(model, calibration: [SyntheticDischarge.samples(steps: 10, seed: 1)])
        }
    }

    @Test func referenceModelRoundTripsThroughJSON() throws {
        let model = ReferenceLSTMModel.random(lstmSizes: [4], denseSizes: [2, 1], seed: 4)
        let data = try JSONEncoder().encode(model)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"d_current\"") && text.contains("\"relu\""))
        #expect(try JSONDecoder().decode(ReferenceLSTMModel.self, from: data) == model)
    }
}


/// Error-compensating rounding against plain rounding on a hand-checkable case.
struct ErrorCompensationTests {
    /// With inputs that always satisfy x0 = x1 (H singular but damped), the rounding error
    /// of w0 is moved onto w1, so q0·s + q1·s stays closer to w0 + w1 than plain rounding.
    @Test func errorOfOneWeightMovesOntoItsCorrelatedNeighbour() {
        let quantizer = PostTrainingQuantizer()
        let s = 1.0 / 127
        let weights: [Float] = [Float(0.4 * s), Float(0.4 * s), 1]   // plain rounding: 0, 0, 127
        let moments: [Double] = [1, 1, 0, 1, 1, 0, 0, 0, 1]          // x0 = x1, x2 independent
        let (plain, _) = quantizer.quantizeRows(weights, rows: 1, columns: 3)
        let (compensated, scales) = quantizer.quantizeRows(weights, rows: 1, columns: 3, moments: moments)
        #expect(plain == [0, 0, 127])
        #expect(abs(scales[0] - s) < 1e-12)
        // 0.8·s of combined weight on the correlated pair: compensation rounds it to 1·s.
        #expect(Int(compensated[0]) + Int(compensated[1]) == 1)
        #expect(compensated[2] == 127)
    }

    @Test func singularOrMissingMomentsFallBackToPlainRounding() {
        let quantizer = PostTrainingQuantizer()
        let weights: [Float] = [0.3, -0.2, 0.1, 0.05]
        let (plain, _) = quantizer.quantizeRows(weights, rows: 2, columns: 2)
        let (none, _) = quantizer.quantizeRows(weights, rows: 2, columns: 2, moments: nil)
        let (zero, _) = quantizer.quantizeRows(weights, rows: 2, columns: 2, moments: [0, 0, 0, 0])
        #expect(none == plain && zero == plain)
    }
}
