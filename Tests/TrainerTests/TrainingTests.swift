import FloatModel
import Foundation
import Testing
import BMSCore
@testable import Trainer

/// Small synthetic "discharges": V falls with the charge drawn, SOC = 1 − Ah/Q.
func syntheticCycles(count: Int, steps: Int, seed: UInt64) -> [GridCycle] {
    var g = SeededGeneratorBoxed(seed: seed)
    return (0..<count).map { c in
        let capacityAh = 1.5 + 0.5 * g.next()
        let currentA = -(1 + g.next())
        var features: [Double] = [], soc: [Double] = []
        var prevV = 0.0, prevI = 0.0
        for n in 0..<steps {
            let s = 1 + currentA * Double(n) * 10 / 3600 / capacityAh * 3
            let v = 3.2 + 0.9 * s + 0.05 * currentA
            features += [v, currentA, 24 + Double(n) * 0.1, n == 0 ? 0 : currentA - prevI, n == 0 ? 0 : v - prevV]
            soc.append(s); prevV = v; prevI = currentA
        }
        return GridCycle(cell: "S\(c)", cycle: c, features: features, soc: soc)
    }
}

struct SeededGeneratorBoxed {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) * 0x1.0p-53
    }
}

/// Four training, two validation and two test cycles of 70 steps.
func tinySOCDataset() -> SOCDataset {
    SOCDataset(train: syntheticCycles(count: 4, steps: 70, seed: 1),
               validation: syntheticCycles(count: 2, steps: 70, seed: 2),
               test: syntheticCycles(count: 2, steps: 70, seed: 3))
}

/// The weights after training `architecture` with `config` on `dataset`.
func trainedWeights(_ architecture: Architecture, _ config: TrainingConfig, _ dataset: SOCDataset) -> [[Float]] {
    let trainer = SOCTrainer(architecture: architecture, config: config, dataset: dataset)
    trainer.train()
    return trainer.network.parameters.map(\.values)
}

@Suite struct TrainingTests {
    func tinyDataset() -> SOCDataset { tinySOCDataset() }

    @Test func tinyModelOverfitsEightWindowsToNearZeroLoss() throws {
        let ds = tinyDataset()
        let set = WindowSet(cycles: ds.train, stride: 9)
        let windows = Array(set.windows.prefix(8))
        #expect(windows.count == 8)
        var eight = set; eight.windows = windows
        let net = Network(architecture: try Architecture.named("lstm:16,dense:1"), seed: 3)
        let adam = Adam(parameters: net.parameters, learningRate: 1e-2)
        let input = Tensor(rows: 50 * 8, cols: 5), target = Tensor(rows: 8, cols: 1), grad = Tensor(rows: 8, cols: 1)
        eight.fill(0..<8, from: ds.train, input: input, target: target)
        var first = 0.0, last = 0.0
        for step in 0..<400 {
            let out = net.forward(input, steps: 50, lanes: 8, mode: .window, training: true)
            var loss = 0.0
            for k in 0..<8 {
                let d = out.data[k] - target.data[k]; loss += Double(d * d) / 8
                grad.data[k] = 2 * d / 8
            }
            if step == 0 { first = loss }
            last = loss
            net.backward(grad)
            adam.update(parameters: net.parameters, gradients: net.gradients)
        }
        #expect(first > 1e-2)
        #expect(last < 1e-5, "loss \(first) → \(last)")
    }

    @Test(arguments: [SequenceMode.window, .stateful])
    func sameSeedGivesBitIdenticalWeightsAndOtherSeedDoesNot(mode: SequenceMode) throws {
        let ds = tinyDataset()
        var config = TrainingConfig()
        config.mode = mode; config.epochs = 2; config.trainStride = 5; config.lanes = 3; config.chunkSteps = 20
        let arch = try Architecture.named("lstm:8,dropout:0.2,lstm:4,dense:1")
        func run(seed: UInt64) -> [[Float]] {
            var c = config; c.seed = seed
            return trainedWeights(arch, c, ds)
        }
        let a = run(seed: 42), b = run(seed: 42), c = run(seed: 43)
        #expect(a == b)
        #expect(a != c)
    }

    /// Two data-parallel workers: reproducible run to run, and the same gradient sum as one
    /// worker up to Float32 summation order (no dropout, so only the split differs).
    @Test(arguments: [SequenceMode.window, .stateful])
    func dataParallelWorkersAreReproducibleAndMatchOneWorker(mode: SequenceMode) throws {
        let ds = tinyDataset()
        var config = TrainingConfig()
        config.mode = mode; config.epochs = 1; config.trainStride = 5; config.lanes = 4; config.chunkSteps = 20
        config.batchSize = 6
        let arch = try Architecture.named("lstm:8,dense:1")
        func run(workers: Int) -> [[Float]] {
            var c = config; c.workers = workers
            return trainedWeights(arch, c, ds)
        }
        let a = run(workers: 2), b = run(workers: 2), one = run(workers: 1)
        #expect(a == b)
        for (x, y) in zip(a.joined(), one.joined()) { #expect(abs(x - y) < 1e-4) }
    }

    @Test func trainingReducesValidationLossAndKeepsTheBestEpoch() throws {
        var config = TrainingConfig()
        config.mode = .stateful; config.epochs = 8; config.lanes = 2; config.chunkSteps = 10; config.learningRate = 1e-2
        let t = SOCTrainer(architecture: try Architecture.named("lstm16"), config: config, dataset: tinyDataset())
        var epochs = 0
        t.train { if case .epoch = $0 { epochs += 1 } }
        #expect(epochs == 8 && t.history.count == 8)
        let best = t.history.min { $0.validationLoss < $1.validationLoss }!
        #expect(best.validationLoss < 0.5 * t.history.first!.validationLoss, "\(t.history.map(\.validationLoss))")
        #expect(t.bestEpoch == best.epoch)
        // Restored weights reproduce the best epoch's validation loss.
        #expect(abs(t.validate().scaledMSE - best.validationLoss) < 1e-12)
    }

    /// A stateful run over one fresh 50-step window gives the window model's output: both
    /// modes are one network, and `StreamSchedule` plays exactly the window's inputs.
    @Test func streamingOverAWindowEqualsWindowMode() throws {
        let ds = tinyDataset()
        let net = Network(architecture: try Architecture.named("lstm:8,lstm:4,dense:1"), seed: 9)
        let set = WindowSet(cycles: ds.train, stride: 100)
        let input = Tensor(rows: 50, cols: 5), target = Tensor(rows: 1, cols: 1)
        set.fill(0..<1, from: ds.train, input: input, target: target)
        let window = net.forward(input, steps: 50, lanes: 1, mode: .window, training: false).data[0]
        net.resetState()
        let streamed = net.forward(input, steps: 50, lanes: 1, mode: .stateful, training: false)
        #expect(streamed.data[49] == window)
        // The schedule's target for the output after step 49 is the label of step 50 (= window target).
        let schedule = StreamSchedule(cycles: ds.train, order: [0], lanes: 1, chunkSteps: 50)
        let i2 = Tensor(rows: 50, cols: 5), t2 = Tensor(rows: 50, cols: 1), w2 = Tensor(rows: 50, cols: 1), k2 = Tensor(rows: 50, cols: 1)
        schedule.fill(chunk: 0, from: ds.train, input: i2, target: t2, weight: w2, keep: k2)
        #expect(i2.values == input.values && t2.data[49] == target.data[0] && k2.data[0] == 0 && k2.data[1] == 1)
    }

    @Test func modelFileRoundTripsAndRejectsBadFiles() throws {
        let ds = tinyDataset()
        let net = Network(architecture: try Architecture.named("lstm32-dense16"), seed: 4)
        var config = TrainingConfig(); config.seed = 4
        let meta = TrainingMetadata(config: config, epochsRun: 0, bestEpoch: 0, dataHash: ds.dataHash, bestValidationLoss: nil)
        let file = FloatModelFile(network: net, scalers: ds.scalers, training: meta)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-model-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.json")
        try file.write(to: url)
        let back = try FloatModelFile.read(from: url)
        #expect(back == file)
        let a = Evaluation.streaming(net, cycles: ds.test, scalers: ds.scalers)
        let b = Evaluation.streaming(try back.makeNetwork(), cycles: ds.test, scalers: ds.scalers)
        #expect(a.predictedSOC == b.predictedSOC)

        var broken = file
        broken.layers[0].kernel?.removeLast()
        #expect(throws: FloatModelFileError.shapeMismatch(layer: 0, tensor: "kernel", expectedCount: 4 * 32 * 5, foundCount: 4 * 32 * 5 - 1)) {
            _ = try broken.makeNetwork()
        }
        var wrongFormat = file; wrongFormat.format = "keras"
        try wrongFormat.write(to: url)
        #expect(throws: FloatModelFileError.unsupportedFormat(path: url.path, expected: "bmsim-float-lstm v1", found: "keras v1")) {
            _ = try FloatModelFile.read(from: url)
        }
        try Data("{\"format\": 3}".utf8).write(to: url)
        #expect(throws: FloatModelFileError.self) { _ = try FloatModelFile.read(from: url) }
        #expect(throws: FloatModelFileError.self) { _ = try FloatModelFile.read(from: dir.appendingPathComponent("absent.json")) }
    }

    @Test func architecturePresetsCountParametersLikeKeras() throws {
        // Keras's model.count_params() for the tutorial model is 30,881 (results/keras.json).
        #expect(try Architecture.named("tutorial").parameterCounts.reduce(0, +) == 30_881)
        #expect(Network(architecture: try Architecture.named("tutorial"), seed: 1).parameterCount == 30_881)
        // LSTM(32) on 5 inputs: 4·32·(5 + 32 + 1) = 4,864; Dense(1): 33.
        #expect(try Architecture.named("lstm32").parameterCounts == [4_864, 33])
    }

    @Test func badArchitecturesGiveTypedErrors() {
        #expect(throws: ArchitectureError.unknownLayer(text: "gru:8", position: 0,
            expected: "lstm:UNITS, dropout:RATE or dense:UNITS[:relu|linear] (or a preset: tutorial, lstm32, lstm16, lstm32-dense16)")) {
            _ = try Architecture.named("gru:8,dense:1")
        }
        #expect(throws: ArchitectureError.self) { _ = try Architecture.named("lstm:8,dropout:1.5,dense:1") }
        #expect(throws: ArchitectureError.invalidStructure(reason: "the first layer must be an LSTM")) {
            _ = try Architecture.named("dense:4,dense:1")
        }
        #expect(throws: ArchitectureError.invalidStructure(reason: "the last layer must be dense:1 (linear), the scaled SOC, or dense:2 (linear), its mean and log-variance")) {
            _ = try Architecture.named("lstm:8,dense:3")
        }
        #expect(throws: ArchitectureError.self) { _ = try Architecture.named("lstm:8,dense:2:relu") }
        #expect(throws: ArchitectureError.invalidStructure(reason: "an LSTM cannot follow a dense layer")) {
            _ = try Architecture.named("lstm:8,dense:4,lstm:4,dense:1")
        }
    }

    @Test func metricsMatchHandWorkedExample() {
        // errors 0.1, −0.2, 0: MAE 0.1 → 10 %, RMSE √(0.05/3) → 12.91 %, max 20 %;
        // reference mean 0.5, SS_tot = 0.08 + 0 + 0.08... reference [0.3, 0.5, 0.7]: SS_tot 0.08, SS_res 0.05.
        let m = ErrorStatistics(reference: [0.3, 0.5, 0.7], predicted: [0.4, 0.3, 0.7])
        #expect(abs(m.mae - 10) < 1e-12)
        #expect(abs(m.rmse - (0.05 / 3).squareRoot() * 100) < 1e-12)
        #expect(abs(m.maxAbs - 20) < 1e-12)
        #expect(abs(m.r2 - (1 - 0.05 / 0.08)) < 1e-12)
    }
}
