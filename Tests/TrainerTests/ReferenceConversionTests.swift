import FloatModel
import QuantizedLSTM
import Quantizer
import Testing
import TestSupport
@testable import Trainer

@Suite struct ReferenceConversionTests {
    /// The converted model, run by the fixed-point helper's independent Float64 streaming
    /// runner on raw V, I, T, gives the trainer's own streaming estimates (Float32).
    @Test func referenceRunnerReproducesTheTrainersStreamingEstimates() throws {
        let grid = syntheticCycles(count: 3, steps: 90, seed: 11)
        let ds = SOCDataset(train: grid, validation: [], test: grid)
        let net = Network(architecture: try Architecture.named("lstm:8,dropout:0.2,lstm:6,dense:4:relu,dense:1"), seed: 3)
        var config = TrainingConfig(); config.seed = 3
        let file = FloatModelFile(network: net, scalers: ds.scalers, training: TrainingMetadata(
            config: config, epochsRun: 0, bestEpoch: 0, dataHash: ds.dataHash, bestValidationLoss: nil))
        let reference = try ReferenceLSTMModel(file)   // the quantizer's converter
        #expect(reference.problems.isEmpty)
        #expect(reference.lstmLayers.count == 2 && reference.denseLayers.count == 2)
        let ours = Evaluation.streaming(net, cycles: ds.test, scalers: ds.scalers, firstTarget: 1)
        var k = 0, worst = 0.0
        for cycle in grid {
            let runner = ReferenceLSTMRunner(model: reference)
            for n in 0..<(cycle.count - 1) {
                let f = cycle.features[(n * 5)..<(n * 5 + 5)].map { $0 }
                let soc = runner.step(voltageV: f[0], currentA: f[1], temperatureC: f[2])
                worst = max(worst, abs(soc - ours.predictedSOC[k]))   // output after step n → SOC[n+1]
                k += 1
            }
        }
        #expect(k == ours.predictedSOC.count)
        #expect(worst < 2e-5, "max |Δ| \(worst)")
    }

    /// The shipped float models (Fixtures/models): the quantizer's plain-Swift Float64 forward
    /// (`ReferenceLSTMRunner`, what calibration and the int8-vs-float comparison run) and the
    /// trainer's OpenBLAS network give the same streaming SOC, including the charge counter
    /// and the coulomb-count prior of the charge models.
    @Test(arguments: ["lstm-demo", "lstm-demo-charge", "lstm-f", "lstm-f-qat"])
    func fixtureModelsGiveTheTrainersStreamingEstimates(name: String) throws {
        let file = try FloatModelFile.read(from: SharedData.fixtures.appendingPathComponent("models/\(name).json"))
        let net = try file.makeNetwork()
        let grid = syntheticCycles(count: 3, steps: 120, seed: 5)
        let scaled = grid.map { ScaledCycle($0, scalers: file.scalers) }
        let ours = Evaluation.streaming(net, cycles: scaled, scalers: file.scalers, firstTarget: 1)
        let reference = try ReferenceLSTMModel(file)
        var k = 0, worst = 0.0
        for (c, cycle) in grid.enumerated() {
            let runner = ReferenceLSTMRunner(model: reference)
            for n in 0..<(cycle.count - 1) {
                let soc = runner.step(voltageV: cycle.features[n * 5], currentA: cycle.features[n * 5 + 1],
                                      temperatureC: cycle.features[n * 5 + 2])
                // The trainer adds the prior of the scored step n + 1, the runner the prior it
                // has after step n: compare the networks on the runner's prior.
                let runnerPrior = reference.priorCapacityAh.map { 1 - runner.chargeDrawnAh / $0 } ?? 0
                let trainer = ours.predictedSOC[k] - scaled[c].socPrior[n + 1] + runnerPrior
                worst = max(worst, abs(soc - trainer))
                k += 1
            }
        }
        #expect(k == ours.predictedSOC.count)
        #expect(worst < 2e-5, "max |Δ| \(worst)")
    }

    /// A model with a learned prior and the capacity input: the converted model reads the
    /// capacity as input `priorCapacity`, is marked `prior_capacity=learned`, and the runner at
    /// each cycle's capacity reproduces the trainer's streaming estimates at that capacity.
    @Test func learnedPriorModelWithTheCapacityInputConvertsAndRunsAtEachCyclesCapacity() throws {
        var grid = syntheticCycles(count: 3, steps: 90, seed: 13)
        for (k, capacity) in [1.4, 1.9, 1.65].enumerated() { grid[k].priorCapacityAh = capacity }
        let rule = LearnedPriorCapacity(temperaturesC: [25], designCapacityAh: [1.8])
        let ds = SOCDataset(train: grid, validation: [], test: grid, featureSet: .chargeCapacityWithoutCurrent,
                            learnedPrior: rule)
        #expect(ds.scalers.priorCapacityAh == 1.8 && ds.test.map(\.priorCapacityAh) == [1.4, 1.9, 1.65])
        let net = Network(architecture: try Architecture.named("lstm:8,dense:1", inputSize: 5), seed: 4)
        var config = TrainingConfig()
        config.featureSet = .chargeCapacityWithoutCurrent; config.learnedPrior = rule; config.priorCapacityAh = 1.8
        let file = FloatModelFile(network: net, scalers: ds.scalers, training: TrainingMetadata(
            config: config, epochsRun: 0, bestEpoch: 0, dataHash: ds.dataHash, bestValidationLoss: nil))
        let reference = try ReferenceLSTMModel(file)
        #expect(reference.features.last == .priorCapacity && reference.problems.isEmpty)
        #expect(reference.metadata["prior_capacity"] == "learned" && reference.priorCapacityAh == 1.8)
        let ours = Evaluation.streaming(net, cycles: ds.test, scalers: ds.scalers, firstTarget: 1)
        var k = 0, worst = 0.0
        for (c, cycle) in grid.enumerated() {
            let runner = ReferenceLSTMRunner(model: reference)
            runner.priorCapacityAh = cycle.priorCapacityAh
            for n in 0..<(cycle.count - 1) {
                let soc = runner.step(voltageV: cycle.features[n * 5], currentA: cycle.features[n * 5 + 1],
                                      temperatureC: cycle.features[n * 5 + 2])
                let runnerPrior = 1 - runner.chargeDrawnAh / cycle.priorCapacityAh!
                worst = max(worst, abs(soc - (ours.predictedSOC[k] - ds.test[c].socPrior[n + 1] + runnerPrior)))
                k += 1
            }
        }
        #expect(worst < 2e-5, "max |Δ| \(worst)")
    }

    @Test func aFeatureTheEngineDoesNotComputeIsRefusedWithAReason() throws {
        let grid = syntheticCycles(count: 2, steps: 60, seed: 2)
        let ds = SOCDataset(train: grid, validation: [], test: [])
        let net = Network(architecture: try Architecture.named("lstm16"), seed: 1)
        var file = FloatModelFile(network: net, scalers: ds.scalers, training: TrainingMetadata(
            config: TrainingConfig(), epochsRun: 0, bestEpoch: 0, dataHash: "", bestValidationLoss: nil))
        file.features[1] = "humidity_percent"
        #expect(throws: QuantizationError.self) { _ = try ReferenceLSTMModel(file) }
    }
}
