import BMSCore
import FloatModel
import Foundation
import QuantizedLSTM
import Quantizer
import Testing
@testable import Trainer

/// The uncertainty head (`TrainingLoss.gaussianNLL`): the loss and its derivatives, the
/// gradients through a whole network by finite differences, and the model file's record of it.
@Suite struct GaussianNLLTests {
    /// ∂NLL/∂μ and ∂NLL/∂s against central differences of the loss (Float64), inside the clamp;
    /// outside it the loss is flat in s and the derivative is 0.
    @Test(arguments: [(0.3, 0.1, -2.0), (0.0, 0.5, 0.0), (-0.4, -0.38, -6.0), (1.2, 0.2, 3.5)] as [(Float, Float, Float)])
    func derivativesMatchFiniteDifferences(mean: Float, target: Float, logVariance: Float) {
        let r = GaussianNLL.evaluate(mean: mean, logVariance: logVariance, target: target)
        let d = Double(mean) - Double(target)
        #expect(abs(r.loss - 0.5 * (Double(logVariance) + d * d * exp(-Double(logVariance)))) < 1e-9)
        let h: Float = 1e-2
        func loss(_ m: Float, _ s: Float) -> Double { GaussianNLL.evaluate(mean: m, logVariance: s, target: target).loss }
        let fdMean = (loss(mean + h, logVariance) - loss(mean - h, logVariance)) / Double((mean + h) - (mean - h))
        let fdLog = (loss(mean, logVariance + h) - loss(mean, logVariance - h)) / Double((logVariance + h) - (logVariance - h))
        #expect(abs(fdMean - Double(r.dMean)) <= 1e-3 * max(1, abs(fdMean)), "∂μ fd \(fdMean) analytic \(r.dMean)")
        #expect(abs(fdLog - Double(r.dLogVariance)) <= 1e-3 * max(1, abs(fdLog)), "∂s fd \(fdLog) analytic \(r.dLogVariance)")
    }

    @Test func theLogVarianceIsClampedAndFlatOutsideTheRange() {
        let range = TrainingLoss.logVarianceRange
        for s in [range.lowerBound - 3, range.upperBound + 3] {
            let r = GaussianNLL.evaluate(mean: 0.2, logVariance: s, target: 0.1)
            let edge = GaussianNLL.evaluate(mean: 0.2, logVariance: min(max(s, range.lowerBound), range.upperBound), target: 0.1)
            #expect(r.dLogVariance == 0 && r.loss == edge.loss && r.dMean == edge.dMean)
        }
        #expect(abs(GaussianNLL.sigma(logVariance: -4) - exp(-2)) < 1e-12)
        #expect(GaussianNLL.sigma(logVariance: 50) == GaussianNLL.sigma(logVariance: range.upperBound))
        // At a fixed error the loss is smallest where σ² equals the squared error.
        let e: Float = 0.05
        let best = GaussianNLL.evaluate(mean: e, logVariance: Float(log(Double(e * e))), target: 0).loss
        for s: Float in [-8, -7, -5, -4] { #expect(GaussianNLL.evaluate(mean: e, logVariance: s, target: 0).loss > best) }
    }

    /// The mean NLL of a two-output network (LSTM → Dense(2)) in both modes: the gradients
    /// the trainer feeds back (`GaussianNLL` per output pair) against finite differences.
    @Test(arguments: [SequenceMode.window, .stateful])
    func wholeNetworkNLLGradientsMatchFiniteDifferences(mode: SequenceMode) throws {
        let arch = try Architecture.named("lstm:5,dense:3:linear,dense:1", inputSize: 3).withOutputs(2)
        #expect(arch.outputCount == 2 && arch.name.hasSuffix("+nll"))
        let net = Network(architecture: arch, seed: 8)
        let steps = 6, lanes = 2
        let (input, target, outRows) = GradientCheck.batch(mode: mode, steps: steps, lanes: lanes, width: 3, seed: 31)
        func loss() -> Double {
            net.resetState()
            let out = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false)
            var s = 0.0
            for e in 0..<out.rows {
                s += GaussianNLL.evaluate(mean: out.data[2 * e], logVariance: out.data[2 * e + 1], target: target.data[e]).loss
            }
            return s / Double(out.rows)
        }
        net.resetState()
        let out = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false)
        #expect(out.rows == outRows && out.cols == 2)
        let grad = Tensor(rows: outRows, cols: 2)
        for e in 0..<out.rows {
            let r = GaussianNLL.evaluate(mean: out.data[2 * e], logVariance: out.data[2 * e + 1], target: target.data[e])
            grad.data[2 * e] = r.dMean / Float(out.rows)
            grad.data[2 * e + 1] = r.dLogVariance / Float(out.rows)
        }
        let failures = GradientCheck.network(net, input: input, steps: steps, lanes: lanes, mode: mode, outputGradient: grad, loss: loss)
        #expect(failures.isEmpty, "\(mode): \(failures.prefix(4))")
    }

    /// A short NLL training run lowers the validation NLL, and evaluation reports a σ per
    /// prediction; the file records the loss and the head and reads back.
    @Test func trainingRecordsTheHeadAndEvaluationReportsSigma() throws {
        let ds = tinySOCDataset()
        var config = TrainingConfig(stepKernel: .blas)
        config.mode = .stateful; config.lanes = 2; config.chunkSteps = 35; config.epochs = 4; config.seed = 3
        config.loss = .gaussianNLL
        let arch = try Architecture.named("lstm:6,dense:1", inputSize: ds.width).withOutputs(2)
        let trainer = SOCTrainer(architecture: arch, config: config, dataset: ds)
        let before = trainer.validate()
        trainer.train()
        let after = trainer.validate()
        let nllBefore = try #require(before.scaledNLL), nllAfter = try #require(after.scaledNLL)
        #expect(nllAfter < nllBefore)
        #expect(after.predictedSigmaSOC.count == after.predictedSOC.count && after.predictedSigmaSOC.allSatisfy { $0 > 0 })
        let file = FloatModelFile(network: trainer.network, scalers: ds.scalers, training: TrainingMetadata(
            config: config, epochsRun: 4, bestEpoch: trainer.bestEpoch, dataHash: ds.dataHash, bestValidationLoss: nil))
        let back = try FloatModelFile.decode(try file.encoded())
        #expect(back.training.config.loss == .gaussianNLL && back.architecture.outputCount == 2)
        let a = Evaluation.streaming(trainer.network, cycles: ds.test, scalers: ds.scalers)
        let b = Evaluation.streaming(try back.makeNetwork(), cycles: ds.test, scalers: ds.scalers)
        #expect(a.predictedSOC == b.predictedSOC && a.predictedSigmaSOC == b.predictedSigmaSOC)
    }

    /// A head that does not match the recorded loss, a three-output head and an old file
    /// without the key; the quantizer takes a two-output gaussian-nll model (an uncertainty head,
    /// blob format 6) and refuses two outputs under another loss with a reason.
    @Test func mismatchedHeadsAreRefusedAndOldFilesAreMSE() throws {
        let ds = tinySOCDataset()
        let net = Network(architecture: try Architecture.named("lstm:4,dense:1", inputSize: ds.width).withOutputs(2), seed: 2)
        var config = TrainingConfig(stepKernel: .blas)
        config.loss = .gaussianNLL
        let file = FloatModelFile(network: net, scalers: ds.scalers, training: TrainingMetadata(
            config: config, epochsRun: 0, bestEpoch: 0, dataHash: "", bestValidationLoss: nil))
        var mismatched = file
        mismatched.training.config.loss = .mse
        #expect(throws: FloatModelFileError.invalidField(path: "m.json", field: "training.config.loss",
                                                         reason: "loss mse needs 1 output(s), the architecture's last layer has 2")) {
            _ = try FloatModelFile.decode(try mismatched.encoded(), path: "m.json")
        }
        #expect(throws: ArchitectureError.self) { _ = try Architecture.named("lstm:4,dense:3") }
        #expect(try ReferenceLSTMModel(file).hasUncertaintyHead)
        do {
            _ = try ReferenceLSTMModel(mismatched)
            Issue.record("a two-output mse model was converted")
        } catch {
            #expect("\(error)".contains("2 outputs") && "\(error)".contains("loss mse"))
        }
        // An older file: no `loss` key → mse, and a one-output head loads.
        let old = FloatModelFile(network: Network(architecture: try Architecture.named("lstm:4,dense:1", inputSize: ds.width), seed: 2),
                                 scalers: ds.scalers, training: TrainingMetadata(config: TrainingConfig(stepKernel: .blas), epochsRun: 0,
                                                                                 bestEpoch: 0, dataHash: "", bestValidationLoss: nil))
        var json = try #require(try JSONSerialization.jsonObject(with: try old.encoded()) as? [String: Any])
        var training = try #require(json["training"] as? [String: Any]), cfg = try #require(training["config"] as? [String: Any])
        #expect(cfg["loss"] as? String == "mse")
        cfg.removeValue(forKey: "loss"); training["config"] = cfg; json["training"] = training
        let back = try FloatModelFile.decode(try JSONSerialization.data(withJSONObject: json))
        #expect(back.training.config.loss == .mse)
    }
}
