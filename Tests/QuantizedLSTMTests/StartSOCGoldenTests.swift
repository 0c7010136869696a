import BMSCore
import CBMSRuntime
import Foundation
@testable import QuantizedLSTM
import Testing
import TestSupport
import WeightBlob

/// `Fixtures/golden-start` (`bmsim golden --model Fixtures/models/lstm-anystart.json
/// --prior-schedule --start-schedule --steps 5000`): the version-4 golden file, a prior-SOC
/// blob with a new capacity every 500 steps and a new start SOC 250 steps after each, replays
/// bit for bit in Swift and C (the same file is replayed by `Scripts/test-c-runtime.sh` and on
/// the Cortex-M4 by `Benchmarks/CortexM/run.sh`).
struct StartSOCGoldenTests {
    static let folder = SharedData.fixtures.appendingPathComponent("golden-start")

    @Test func startScheduleGoldenVectorsReplayInSwiftAndC() throws {
        let blob = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("golden-model.bmsq")))
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("golden-steps.bin")))
        #expect(bytes[4] == 4)
        let vectors = try #require(GoldenVectors(bytes: bytes))
        #expect(vectors.encoded() == bytes)
        let starts = try #require(vectors.startSOCCentiPercent), priors = try #require(vectors.priorCapacityMAh)
        #expect(starts.filter { $0 != -1 }.count == 10 && priors.filter { $0 != 0 }.count == 10)
        #expect(starts.contains(12_000) && starts.contains(0), "both ends of the range are covered")
        let model = try BlobReader.decode(blob).model
        #expect(model.readsPriorSOC)
        #expect(try vectors.replay(on: QuantizedLSTMEngine(model: model)) == vectors.socCentiPercent)
        let c = CRuntimeHarness(bytes: blob)
        for kernel in CRuntimeHarness.allKernels where c.use(kernel: kernel) {
            // Each kernel from the state the Swift replay starts from: the blob's capacity, a full start.
            c.reset()
            #expect(bms_lstm_set_prior_capacity(c.context, Int32(try #require(model.chargeCounter?.priorCapacityMAh))) == BMS_OK)
            #expect(bms_lstm_set_start_soc(c.context, 10_000) == BMS_OK)
            var mismatches = 0
            for (n, sample) in vectors.samples.enumerated() {
                if priors[n] != 0 { #expect(bms_lstm_set_prior_capacity(c.context, priors[n]) == BMS_OK) }
                if starts[n] != -1 { #expect(bms_lstm_set_start_soc(c.context, starts[n]) == BMS_OK) }
                if c.step(sample) != vectors.socCentiPercent[n] { mismatches += 1 }
            }
            #expect(mismatches == 0, "kernel \(kernel)")
        }
        // The start schedule matters: without it the outputs differ.
        let noStarts = GoldenVectors(samples: vectors.samples, socCentiPercent: vectors.socCentiPercent, priorCapacityMAh: priors)
        #expect(try noStarts.replay(on: QuantizedLSTMEngine(model: model)) != vectors.socCentiPercent)
    }

    @Test func versionFourRoundTripsAndRefusesWhatTheEngineRefuses() throws {
        let samples = (0..<3).map { RawSensorSample(voltageUV: 3_700_000 + Int32($0), currentMA: -1000, temperatureDeciC: 250) }
        let vectors = GoldenVectors(samples: samples, socCentiPercent: [1, 2, 3], startSOCCentiPercent: [-1, 6000, -1])
        #expect(vectors.formatVersion == 4 && vectors.priorCapacityMAh == [0, 0, 0])
        #expect(GoldenVectors(bytes: vectors.encoded()) == vectors)
        var truncated = vectors.encoded()
        truncated.removeLast()
        #expect(GoldenVectors(bytes: truncated) == nil)
        // A start SOC on a blob without the prior-SOC input, or outside 0…12000: a typed error naming the step.
        var rng = SeededGenerator(seed: 4)
        let fullStart = QuantizedLSTMEngine(model: BlobModel.random(using: &rng, chargeCounter: true))
        #expect(throws: GoldenReplayError.startSOC(step: 1, .modelHasNoStartSOC)) { try vectors.replay(on: fullStart) }
        let model = try BlobReader.decode([UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("golden-model.bmsq")))).model
        let outside = GoldenVectors(samples: samples, socCentiPercent: [1, 2, 3], startSOCCentiPercent: [-1, -1, 12_001])
        #expect(throws: GoldenReplayError.startSOC(step: 2, .outOfRange(centiPercent: 12_001))) {
            try outside.replay(on: QuantizedLSTMEngine(model: model))
        }
    }
}
