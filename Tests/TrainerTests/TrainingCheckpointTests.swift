import BMSCore
import FloatModel
import Foundation
import Testing
@testable import Trainer

/// `TrainingCheckpoint`: stop after an epoch, save, restore in a new trainer, go on — the
/// same weights bit for bit as a run that never stopped; and every kind of bad checkpoint
/// gives a `TrainingCheckpointError` naming the file and the problem, never a crash.
@Suite struct TrainingCheckpointTests {
    /// A configuration with every kind of saved state in play.
    static func config(_ mode: SequenceMode) -> TrainingConfig {
        var c = TrainingConfig()
        c.mode = mode; c.epochs = 6; c.seed = 11; c.workers = 2; c.lanes = 2; c.chunkSteps = 10
        c.batchSize = 8; c.trainStride = 3; c.shuffle = true; c.weightNoise = 1
        c.learningRate = 1e-2; c.earlyStoppingPatience = 3; c.plateauPatience = 1
        return c
    }

    static let architecture = try! Architecture.named("lstm:6,dropout:0.2,dense:4:relu,dropout:0.1,dense:1")

    /// Epoch records without their timing fields (wall and CPU seconds, load).
    static func losses(_ history: [EpochRecord]) -> [[Double]] {
        history.map { [Double($0.epoch), $0.trainLoss, $0.trainMAEPercent, $0.validationLoss, $0.validationMAEPercent, $0.learningRate] }
    }

    @Test("stop after epoch k, save, restore, go on: the weights of an uninterrupted run", arguments: [
        (SequenceMode.window, 1), (.window, 4), (.stateful, 2), (.stateful, 5),
    ])
    func resumeIsBitIdentical(mode: SequenceMode, stopAfter k: Int) throws {
        let data = tinySOCDataset()
        let straight = SOCTrainer(architecture: Self.architecture, config: Self.config(mode), dataset: data)
        #expect(straight.train() == .finished)

        let first = SOCTrainer(architecture: Self.architecture, config: Self.config(mode), dataset: data)
        var saved: Data?
        let outcome = try first.train(onEvent: { _ in }) { trainer in
            saved = try trainer.makeCheckpoint().encoded()
            return trainer.history.count < k
        }
        let checkpoint = try TrainingCheckpoint.decode(try #require(saved))
        #expect(checkpoint == first.makeCheckpoint(), "the JSON round trip changes nothing")
        if outcome == .finished {   // EarlyStopping came first: the resumed run only restores the best weights.
            #expect(checkpoint.stoppedEarly && checkpoint.epochsDone <= k)
        } else {
            #expect(outcome == .stopped(afterEpoch: k) && checkpoint.epochsDone == k)
        }

        let second = SOCTrainer(architecture: Self.architecture, config: Self.config(mode), dataset: data)
        try second.restore(from: checkpoint, path: "memory")
        #expect(second.train() == .finished)
        #expect(second.network.parameters.map(\.values) == straight.network.parameters.map(\.values))
        #expect(Self.losses(second.history) == Self.losses(straight.history))
        #expect(second.bestEpoch == straight.bestEpoch && second.stoppedEarly == straight.stoppedEarly)
    }

    /// A checkpoint after two window-mode epochs, and the data it was made on.
    static func sample() throws -> (TrainingCheckpoint, Data, SOCDataset) {
        let data = tinySOCDataset()
        let trainer = SOCTrainer(architecture: architecture, config: config(.window), dataset: data)
        trainer.train(onEvent: { _ in }) { $0.history.count < 2 }
        let checkpoint = trainer.makeCheckpoint()
        return (checkpoint, try checkpoint.encoded(), data)
    }

    /// The error of decoding `bytes`, nil when they decode.
    static func decodeError(_ bytes: Data) -> TrainingCheckpointError? {
        do { _ = try TrainingCheckpoint.decode(bytes, path: "cp.json"); return nil } catch { return error }
    }

    @Test("a cut file is malformed at every length, never a crash")
    func truncated() throws {
        let (_, bytes, _) = try Self.sample()
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            let error = try #require(Self.decodeError(bytes.prefix(length)), "\(length) of \(bytes.count) bytes decoded")
            #expect(error.path == "cp.json")
            guard case .malformed = error.problem else {
                Issue.record("\(length) bytes: \(error)")
                continue
            }
        }
        #expect(Self.decodeError(Data("garbage".utf8))?.description.hasPrefix("cp.json: not a complete training checkpoint (not JSON") == true)
    }

    @Test("another version or format tag is refused by name")
    func wrongVersion() throws {
        let (_, bytes, _) = try Self.sample()
        var object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        object["version"] = 2
        let v2 = try #require(Self.decodeError(try JSONSerialization.data(withJSONObject: object)))
        #expect(v2.problem == .unsupportedFormat(expected: "bmsim-train-checkpoint v1", found: "bmsim-train-checkpoint v2"))
        object["version"] = 1
        object["format"] = "bmsim-float-lstm"
        let other = try #require(Self.decodeError(try JSONSerialization.data(withJSONObject: object)))
        #expect(other.description == "cp.json: checkpoint format bmsim-float-lstm v1, this build reads bmsim-train-checkpoint v1")
        let model = try #require(Self.decodeError(Data(#"{"format": "bmsim-float-lstm", "version": 1}"#.utf8)))
        #expect(model.problem == .unsupportedFormat(expected: "bmsim-train-checkpoint v1", found: "bmsim-float-lstm v1"))
    }

    @Test("fields out of range: a missing key, bad base64, wrong tensor sizes, a dead generator, epochs beyond the run")
    func badFields() throws {
        let (checkpoint, bytes, data) = try Self.sample()
        var object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        object["optimizer"] = nil
        let missing = try #require(Self.decodeError(try JSONSerialization.data(withJSONObject: object)))
        #expect(missing.problem == .malformed("missing key optimizer"))

        object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        object["parameters"] = ["not base64!"]
        let packed = try #require(Self.decodeError(try JSONSerialization.data(withJSONObject: object)))
        #expect(packed.description.contains("not base64 of Float32 values at parameters.0"), "\(packed)")

        var cut = checkpoint
        cut.optimizer.firstMoments[0].values.removeLast()
        var dead = checkpoint
        dead.dropoutGenerators[1][0] = SeededGeneratorState(words: [0, 0, 0, 0], spareGaussianBits: nil)
        for (bad, expected) in [(cut, "optimizer.firstMoments: tensor sizes"), (dead, "dropoutGenerators: not a generator state")] {
            let trainer = SOCTrainer(architecture: Self.architecture, config: Self.config(.window), dataset: data)
            let before = trainer.network.parameters.map(\.values)
            let error = #expect(throws: TrainingCheckpointError.self) { try trainer.restore(from: bad, path: "cp.json") }
            #expect(error?.description.hasPrefix("cp.json: not a complete training checkpoint (\(expected)") == true, "\(String(describing: error))")
            #expect(trainer.history.isEmpty && trainer.network.parameters.map(\.values) == before, "a refused checkpoint changes nothing")
        }

        // A NaN or an infinity in a weight or moment tensor (fuzzer finding, checkpoint target:
        // a NaN weight decoded, and the decode–encode round trip no longer held).
        for (path, value) in [("parameters", Float.nan), ("bestParameters", .infinity), ("optimizer.secondMoments", -.infinity)] {
            var poisoned = checkpoint
            switch path {
            case "parameters": poisoned.parameters[0].values[0] = value
            case "bestParameters": poisoned.bestParameters[1].values[0] = value
            default: poisoned.optimizer.secondMoments[0].values[0] = value
            }
            let error = try #require(Self.decodeError(try poisoned.encoded()))
            #expect(error.description.contains("\(path)[") && error.description.contains("not finite"), "\(error)")
        }

        var beyond = checkpoint
        beyond.config.epochs = 1
        let late = try #require(Self.decodeError(try beyond.encoded()))
        #expect(late.problem == .malformed("best epoch \(checkpoint.bestEpoch), 2 epochs done of 1"))
    }

    @Test("other options, architecture or data: refused, naming what differs")
    func mismatchedOptions() throws {
        let (checkpoint, _, data) = try Self.sample()
        func refusal(_ architecture: Architecture = Self.architecture, _ config: TrainingConfig = Self.config(.window),
                     _ dataset: SOCDataset? = nil) -> TrainingCheckpointError.Problem? {
            let trainer = SOCTrainer(architecture: architecture, config: config, dataset: dataset ?? data)
            do { try trainer.restore(from: checkpoint, path: "cp.json"); return nil } catch { return error.problem }
        }
        var seed = Self.config(.window); seed.seed = 12
        #expect(refusal(Self.architecture, seed) == .optionsMismatch(option: "seed", checkpoint: "11", thisRun: "12"))
        var rate = Self.config(.window); rate.learningRate = 0.02
        #expect(refusal(Self.architecture, rate) == .optionsMismatch(option: "learningRate", checkpoint: "0.01", thisRun: "0.02"))
        var clip = Self.config(.window); clip.clipNorm = 1
        #expect(refusal(Self.architecture, clip) == .optionsMismatch(option: "clipNorm", checkpoint: "none", thisRun: "1"))
        guard case .optionsMismatch(option: "architecture", _, _) = refusal(try Architecture.named("lstm:6,dense:1")) else {
            Issue.record("another architecture was not refused")
            return
        }
        let other = SOCDataset(train: syntheticCycles(count: 4, steps: 70, seed: 9), validation: syntheticCycles(count: 2, steps: 70, seed: 2),
                               test: syntheticCycles(count: 2, steps: 70, seed: 3))
        #expect(refusal(Self.architecture, Self.config(.window), other)
                == .dataMismatch(checkpointHash: data.dataHash, dataHash: other.dataHash))
    }

    @Test("file errors name the path: a missing file, an unwritable place")
    func fileErrors() throws {
        let (checkpoint, _, _) = try Self.sample()
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/cp.json")
        let read = #expect(throws: TrainingCheckpointError.self) { try TrainingCheckpoint.read(from: missing) }
        #expect(read?.description.hasPrefix("cannot read checkpoint \(missing.path): ") == true)
        let write = #expect(throws: TrainingCheckpointError.self) { try checkpoint.write(to: missing) }
        #expect(write?.description.hasPrefix("cannot write checkpoint \(missing.path): ") == true)
    }

    @Test("PackedFloats and generator states keep every bit")
    func exactValues() throws {
        let floats: [Float] = [0, -0, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, .infinity, 0.1, -3.25]
        let packed = try JSONDecoder().decode(PackedFloats.self, from: JSONEncoder().encode(PackedFloats(floats)))
        #expect(packed.values.map(\.bitPattern) == floats.map(\.bitPattern))
        var generator = SeededGenerator(seed: 5)
        _ = generator.nextGaussian()   // leaves a spare deviate
        let state = try JSONDecoder().decode(SeededGeneratorState.self, from: JSONEncoder().encode(generator.state))
        var copy = try #require(SeededGenerator(state: state))
        #expect((0..<5).map { _ in copy.nextGaussian() } == (0..<5).map { _ in generator.nextGaussian() })
        #expect(SeededGenerator(state: SeededGeneratorState(words: [1, 2, 3], spareGaussianBits: nil)) == nil)
    }
}
