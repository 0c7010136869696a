import QuantizedLSTM
import Testing
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
        let reference = try file.referenceModel()
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

    @Test func modelsOutsideTheReferenceContractAreRefusedWithAReason() throws {
        let grid = syntheticCycles(count: 2, steps: 60, seed: 2)
        let ds = SOCDataset(train: grid, validation: [], test: [], featureSet: .chargeWithoutCurrent, priorCapacityAh: 2)
        let net = Network(architecture: try Architecture.named("lstm16", inputSize: 4), seed: 1)
        let file = FloatModelFile(network: net, scalers: ds.scalers, training: TrainingMetadata(
            config: TrainingConfig(), epochsRun: 0, bestEpoch: 0, dataHash: "", bestValidationLoss: nil))
        #expect(throws: ReferenceConversionError.unsupportedFeatures(found: FeatureSet.chargeWithoutCurrent.names)) {
            _ = try file.referenceModel()
        }
        var prior = file
        prior.scalers = Scalers(fitting: grid, featureSet: .task, priorCapacityAh: 2)
        #expect(throws: ReferenceConversionError.coulombPriorUnsupported(priorCapacityAh: 2)) { _ = try prior.referenceModel() }
    }
}
