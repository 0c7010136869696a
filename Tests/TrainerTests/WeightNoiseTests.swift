import FloatModel
import Foundation
import Testing
@testable import Trainer

@Suite struct WeightNoiseTests {
    /// Two rows with int8 steps 0.01 and 0.1 (largest |w| 1.27 and 12.7), many weights each.
    func matrix() -> Tensor {
        let cols = 2000
        var values: [Float] = []
        for r in 0..<2 {
            let largest: Float = r == 0 ? 1.27 : 12.7
            values += (0..<cols).map { j in j == 0 ? largest : largest * Float(j % 97) / 200 - largest / 4 }
        }
        return Tensor(rows: 2, cols: cols, values: values)
    }

    @Test func noiseStaysWithinTheRowsInt8StepAndSpansIt() {
        let amplitude = 2.0
        let clean = matrix(), noisy = matrix()
        var noise = WeightNoise(amplitude: amplitude, seed: 7)
        noise.perturb([noisy])
        for (r, step) in [(0, 0.01), (1, 0.1)] {
            let half = amplitude * step / 2
            var largest = 0.0, sum = 0.0
            for j in 0..<clean.cols {
                let d = Double(noisy[r, j] - clean[r, j])
                #expect(abs(d) <= half * 1.0001 + 1e-6, "row \(r) weight \(j): \(d) beyond ±\(half)")
                largest = max(largest, abs(d)); sum += d
            }
            // Uniform on ±half: 2000 draws reach past 0.95·half and average near 0
            // (σ of the mean = half/√(3·2000) ≈ 0.013·half).
            #expect(largest > 0.95 * half)
            #expect(abs(sum / Double(clean.cols)) < 0.06 * half)
        }
    }

    @Test func sameSeedGivesTheSameNoiseAndZeroAmplitudeNone() {
        func draw(seed: UInt64, amplitude: Double) -> [Float] {
            let m = matrix()
            var noise = WeightNoise(amplitude: amplitude, seed: seed)
            noise.perturb([m])
            return m.values
        }
        #expect(draw(seed: 3, amplitude: 1) == draw(seed: 3, amplitude: 1))
        #expect(draw(seed: 3, amplitude: 1) != draw(seed: 4, amplitude: 1))
        #expect(draw(seed: 3, amplitude: 0) == matrix().values)
    }

    @Test func weightMatricesAreTheKernelsAndDenseWeightsWithoutBiases() throws {
        let net = Network(architecture: try Architecture.named("lstm:8,dropout:0.1,lstm:4,dense:3,dense:1"), seed: 1)
        #expect(net.weightMatrices.map(\.shape) == [[32, 5], [32, 8], [16, 8], [16, 4], [3, 4], [1, 3]])
    }

    @Test(arguments: [1, 2])
    func trainingWithNoiseIsReproducibleAndDiffersFromNoNoise(workers: Int) throws {
        let ds = tinySOCDataset()
        let arch = try Architecture.named("lstm:8,dense:1")
        func run(noise: Double) -> [[Float]] {
            var c = TrainingConfig()
            c.mode = .window; c.epochs = 2; c.trainStride = 5; c.batchSize = 6; c.workers = workers
            c.weightNoise = noise
            return trainedWeights(arch, c, ds)
        }
        let a = run(noise: 2), b = run(noise: 2), plain = run(noise: 0)
        #expect(a == b)
        #expect(a != plain)
    }

    /// The noise is taken back after each step: with a learning rate so small that Adam
    /// cannot move a weight by 1e-6, the trained weights are the initial ones, not noisy.
    @Test func theNoiseIsNotLeftInTheWeights() throws {
        let ds = tinySOCDataset()
        let arch = try Architecture.named("lstm:8,dense:1")
        var c = TrainingConfig()
        c.mode = .window; c.epochs = 1; c.trainStride = 5; c.batchSize = 6; c.learningRate = 1e-12
        c.weightNoise = 4
        let t = SOCTrainer(architecture: arch, config: c, dataset: ds)
        let initial = Network(architecture: arch, seed: c.seed).parameters.map(\.values)
        t.train()
        for (p, q) in zip(t.network.parameters.map(\.values), initial) {
            for (x, y) in zip(p, q) { #expect(abs(x - y) < 1e-6) }
        }
    }

    @Test func configKeepsTheNoiseAndOldFilesDecodeWithout() throws {
        var c = TrainingConfig()
        c.weightNoise = 2
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: data).weightNoise == 2)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["weightNoise"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: old).weightNoise == 0)
    }
}
