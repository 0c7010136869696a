import FloatModel
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
@testable import Quantizer

/// `quantize --evaluate` and calibration on a generic dataset: a network that reads the prior
/// SOC starts each recording's prior at its start SOC (its first label), in the float runner and
/// the integer engine alike; a full-start network ignores it.
struct StartSOCEvaluationTests {
    static let anyStart = SharedData.fixtures.appendingPathComponent("models/lstm-anystart.json")
    static let fullStart = SharedData.fixtures.appendingPathComponent("models/lstm-demo-charge.json")

    /// The float runner's outputs for `samples` with its prior starting at `start`: the labels a
    /// run from that start reproduces exactly.
    static func floatOutputs(_ model: ReferenceLSTMModel, _ samples: [RawSensorSample], start: Double) -> [Double] {
        let runner = ReferenceLSTMRunner(model: model)
        runner.startSOC = start
        return samples.map { runner.step($0) }
    }

    @Test func aPriorSOCNetworkIsComparedFromEachRecordingsStart() throws {
        let model = try ReferenceLSTMModel(try FloatModelFile.read(from: Self.anyStart))
        #expect(model.features.contains(.priorSOC))
        let samples = [SyntheticDischarge.samples(steps: 300, seed: 7), SyntheticDischarge.samples(steps: 250, seed: 8)]
        let (blob, _) = try PostTrainingQuantizer().quantize(model, calibration: samples, startSOCs: [0.6, 0.45])
        #expect(blob.readsPriorSOC)
        let labels = [Self.floatOutputs(model, samples[0], start: 0.6), Self.floatOutputs(model, samples[1], start: 0.45)]
        let fromStart = QuantizationEvaluation.run(float: model, blob: blob, sequences: samples, labels: labels,
                                                   startSOCs: [0.6, 0.45])
        #expect(fromStart.floatRMSEPercent! < 1e-9)
        #expect(fromStart.meanAbsDeltaPercent < 1, "int8 follows float from the same start")
        // From full (the behaviour before) both models read a prior 40-55 points off.
        let fromFull = QuantizationEvaluation.run(float: model, blob: blob, sequences: samples, labels: labels)
        #expect(fromFull.floatRMSEPercent! > 5)
        // A start given as nil or non-finite runs from full, as before.
        let unknown = QuantizationEvaluation.run(float: model, blob: blob, sequences: samples, labels: labels,
                                                 startSOCs: [nil, .nan])
        #expect(unknown == fromFull)
    }

    @Test func startsAtFullOrForAFullStartNetworkChangeNothing() throws {
        let anyStart = try ReferenceLSTMModel(try FloatModelFile.read(from: Self.anyStart))
        let samples = [SyntheticDischarge.samples(steps: 200, seed: 3)]
        // NASA's discharges start at 1: the same blob as without starts, byte for byte.
        let plain = try PostTrainingQuantizer().quantize(anyStart, calibration: samples).blob
        let atFull = try PostTrainingQuantizer().quantize(anyStart, calibration: samples, startSOCs: [1.0]).blob
        #expect(plain == atFull)
        let full = try ReferenceLSTMModel(try FloatModelFile.read(from: Self.fullStart))
        let (blob, _) = try PostTrainingQuantizer().quantize(full, calibration: samples, startSOCs: [0.5])
        #expect(blob == (try PostTrainingQuantizer().quantize(full, calibration: samples)).blob)
        #expect(QuantizationEvaluation.run(float: full, blob: blob, sequences: samples, startSOCs: [0.5])
                == QuantizationEvaluation.run(float: full, blob: blob, sequences: samples))
    }

    @Test func startSOCsRoundAndClampLikeTheEngine() {
        #expect(StartSOCs.centiPercent(0.6) == 6000)
        #expect(StartSOCs.centiPercent(0.123456) == 1235)
        #expect(StartSOCs.centiPercent(-0.2) == 0)
        #expect(StartSOCs.centiPercent(1.5) == StartSOC.centiPercentRange.upperBound)
        #expect(StartSOCs.centiPercent(nil) == nil && StartSOCs.centiPercent(.infinity) == nil && StartSOCs.centiPercent(.nan) == nil)
    }
}
