import BMSCore
import FloatModel
import Foundation
import Testing
@testable import Trainer

/// Weight averaging (`TrainingConfig.averageLastEpochs`, `WeightAverage`): the kept weights are
/// the mean of the last epochs' weights, checked against the weights recorded after each
/// epoch; a run resumed from a checkpoint keeps the same mean bit for bit; bad average
/// state in a checkpoint is refused by name.
@Suite struct WeightAverageTests {
    static let architecture = TrainingCheckpointTests.architecture

    static func config(average last: Int?) -> TrainingConfig {
        var c = TrainingCheckpointTests.config(.window)
        c.earlyStoppingPatience = 1000   // every epoch runs, so the window is the last `last`
        c.averageLastEpochs = last
        return c
    }

    @Test("the mean of random tensors, against a Float64 reference")
    func meanOfRandomTensors() {
        var rng = SeededGenerator(seed: 7)
        for trial in 0..<50 {
            let sizes = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 0...9, using: &rng) }
            let epochs = Int.random(in: 1...12, using: &rng)
            var average = WeightAverage(sizes: sizes)
            #expect(average.mean == nil, "no epoch added: no mean")
            var reference = sizes.map { [Double](repeating: 0, count: $0) }
            for _ in 0..<epochs {
                let weights = sizes.map { (0..<$0).map { _ in Float.random(in: -3...3, using: &rng) } }
                average.add(weights)
                for t in sizes.indices { for i in 0..<sizes[t] { reference[t][i] += Double(weights[t][i]) } }
            }
            let mean = average.mean!
            #expect(average.count == epochs)
            for t in sizes.indices {
                for i in 0..<sizes[t] {
                    #expect(abs(Double(mean[t][i]) - reference[t][i] / Double(epochs)) < 1e-5, "trial \(trial)")
                }
            }
        }
    }

    @Test("the window is the last N epochs of the run", arguments: [(40, 10), (6, 1), (6, 6), (5, 0)])
    func window(epochs: Int, last: Int) {
        let included = (1...epochs).filter { WeightAverage.includes(epoch: $0, of: epochs, last: last) }
        #expect(included == Array(max(1, epochs - last + 1)..<(epochs + 1)))
        #expect(included.count == last)
    }

    @Test("the trainer keeps the mean of the weights after each of the last 3 epochs")
    func trainerKeepsTheMean() throws {
        let data = tinySOCDataset()
        let trainer = SOCTrainer(architecture: Self.architecture, config: Self.config(average: 3), dataset: data)
        var after: [[[Float]]] = []
        #expect(trainer.train(onEvent: { _ in }) { t in
            after.append(t.network.parameters.map(\.values)); return true
        } == .finished)
        #expect(after.count == 6 && trainer.averagedEpochs == 3)
        let kept = trainer.network.parameters.map(\.values)
        for t in kept.indices {
            for i in kept[t].indices {
                let mean = (Double(after[3][t][i]) + Double(after[4][t][i]) + Double(after[5][t][i])) / 3
                #expect(abs(Double(kept[t][i]) - mean) < 1e-6)
            }
        }
        #expect(kept != after[5] && kept != after[trainer.bestEpoch - 1], "neither the last nor the best epoch's weights")

        let plain = SOCTrainer(architecture: Self.architecture, config: Self.config(average: nil), dataset: data)
        plain.train()
        #expect(plain.averagedEpochs == 0)
        let encoded = String(decoding: try JSONEncoder().encode(plain.config), as: UTF8.self)
        #expect(!encoded.contains("averageLastEpochs"), "a run without averaging writes the config as before")
    }

    @Test("stopped before and inside the window, resumed: the mean of an uninterrupted run", arguments: [2, 4, 5])
    func resumeIsBitIdentical(stopAfter k: Int) throws {
        let data = tinySOCDataset()
        let straight = SOCTrainer(architecture: Self.architecture, config: Self.config(average: 3), dataset: data)
        straight.train()
        let first = SOCTrainer(architecture: Self.architecture, config: Self.config(average: 3), dataset: data)
        var saved: Data?
        #expect(try first.train(onEvent: { _ in }) { t in
            saved = try t.makeCheckpoint().encoded(); return t.history.count < k
        } == .stopped(afterEpoch: k))
        let checkpoint = try TrainingCheckpoint.decode(try #require(saved))
        #expect(checkpoint.averageCount == max(0, k - 3))
        let second = SOCTrainer(architecture: Self.architecture, config: Self.config(average: 3), dataset: data)
        try second.restore(from: checkpoint, path: "memory")
        second.train()
        #expect(second.network.parameters.map(\.values) == straight.network.parameters.map(\.values))
    }

    @Test("bad average state: sizes, a count without sums, a NaN, a count beyond the epochs, averaging on one side only")
    func badAverageState() throws {
        let data = tinySOCDataset()
        let trainer = SOCTrainer(architecture: Self.architecture, config: Self.config(average: 3), dataset: data)
        trainer.train(onEvent: { _ in }) { $0.history.count < 5 }
        let checkpoint = trainer.makeCheckpoint()
        func decodeError(_ c: TrainingCheckpoint) throws -> String? {
            do { _ = try TrainingCheckpoint.decode(try c.encoded(), path: "cp.json"); return nil } catch { return error.description }
        }
        var noSums = checkpoint
        noSums.averageSums = nil
        var nan = checkpoint
        nan.averageSums?[0].values[0] = .nan
        var beyond = checkpoint
        beyond.averageCount = 6
        var offInConfig = checkpoint
        offInConfig.config.averageLastEpochs = nil
        for (bad, expected) in [(noSums, "weight average"), (nan, "averageSums["), (beyond, "weight average: 6 epochs summed"),
                                (offInConfig, "weight average")] {
            let message = try #require(try decodeError(bad), "decoded: \(expected)")
            #expect(message.hasPrefix("cp.json: not a complete training checkpoint") && message.contains(expected), "\(message)")
        }

        var cut = checkpoint
        cut.averageSums?[1].values.removeLast()
        let fresh = SOCTrainer(architecture: Self.architecture, config: Self.config(average: 3), dataset: data)
        let error = #expect(throws: TrainingCheckpointError.self) { try fresh.restore(from: cut, path: "cp.json") }
        #expect(error?.description.contains("averageSums: tensor sizes") == true, "\(String(describing: error))")
        #expect(fresh.history.isEmpty, "a refused checkpoint changes nothing")
    }
}
