import BMSCore
import CBMSRuntime
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
@testable import WeightBlob

/// The prior capacity set at run time (issue 16 part 1, stage 2): the Swift engine and the C
/// runtime count the prior against a capacity the firmware passes, bit for bit, and refuse
/// capacities the blob format could not hold.
struct PriorCapacityTests {
    /// A random version-2 model that has a prior.
    static func modelWithPrior(seed: UInt64) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        var model = BlobModel.random(using: &rng, chargeCounter: true)
        if model.chargeCounter?.priorCapacityMAh == nil { model.chargeCounter?.priorCapacityMAh = 2000 }
        return model
    }

    @Test func theBlobsCapacityIsTheDefaultAndAnotherOneMovesOnlyThePrior() throws {
        let model = Self.modelWithPrior(seed: 1)
        let blobCapacity = Int32(model.chargeCounter!.priorCapacityMAh!)
        let engine = QuantizedLSTMEngine(model: model), other = QuantizedLSTMEngine(model: model)
        #expect(engine.priorCapacityMAh == blobCapacity && engine.defaultPriorCapacityMAh == blobCapacity)
        try other.setPriorCapacity(milliampHours: 1234)
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: 9))
        for _ in 0..<300 {
            let sample = source.next()
            let a = Int64(engine.step(sample)), b = Int64(other.step(sample))
            let q = engine.chargeDrawnHalfMilliampSeconds
            // Same network, same counter: the outputs differ by the two priors exactly (unless saturated).
            let expected = IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: q, priorCapacityMAh: 1234)
                - IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: q, priorCapacityMAh: blobCapacity)
            if abs(a) < Int64(Int32.max) / 2 && abs(b) < Int64(Int32.max) / 2 { #expect(b - a == expected) }
        }
        other.reset()
        #expect(other.priorCapacityMAh == 1234)   // reset keeps the capacity
    }

    @Test func badCapacitiesAreRefusedWithATypedErrorAndChangeNothing() throws {
        let engine = QuantizedLSTMEngine(model: Self.modelWithPrior(seed: 2))
        let before = engine.priorCapacityMAh
        for bad: Int32 in [0, -1, -2000, 1_000_001, .min, .max] {
            #expect(throws: PriorCapacityError.outOfRange(milliampHours: bad)) { try engine.setPriorCapacity(milliampHours: bad) }
            #expect(engine.priorCapacityMAh == before)
        }
        try engine.setPriorCapacity(milliampHours: 1)
        try engine.setPriorCapacity(milliampHours: 1_000_000)
        var rng = SeededGenerator(seed: 3)
        let plain = QuantizedLSTMEngine(model: BlobModel.random(using: &rng))
        #expect(throws: PriorCapacityError.modelHasNoPrior) { try plain.setPriorCapacity(milliampHours: 2000) }
        #expect(PriorCapacityError.modelHasNoPrior.statusCode == Int(BMS_ERR_PRIOR.rawValue))
        #expect(PriorCapacityError.outOfRange(milliampHours: 0).description.contains("1…1000000 mAh"))
    }

    @Test func cRefusesTheSameCapacities() throws {
        let c = CRuntimeHarness(bytes: try BlobWriter.encode(Self.modelWithPrior(seed: 4)))
        #expect(c.loadStatus == BMS_OK)
        let before = c.context.pointee.prior_capacity_mAh
        for bad: Int32 in [0, -1, 1_000_001, .min, .max] {
            #expect(bms_lstm_set_prior_capacity(c.context, bad) == BMS_ERR_PRIOR)
            #expect(c.context.pointee.prior_capacity_mAh == before)
        }
        #expect(bms_lstm_set_prior_capacity(nil, 2000) == BMS_ERR_ARGUMENT)
        var rng = SeededGenerator(seed: 5)
        let plain = CRuntimeHarness(bytes: try BlobWriter.encode(BlobModel.random(using: &rng)))
        #expect(bms_lstm_set_prior_capacity(plain.context, 2000) == BMS_ERR_PRIOR)
    }

    /// Property: random prior models, a new random capacity every few steps (and resets),
    /// Swift and C agree at every step.
    @Test(arguments: 0..<30)
    func swiftAndCAgreeWithChangingCapacities(seed: Int) throws {
        try Self.expectSwiftEqualsC(try BlobWriter.encode(Self.modelWithPrior(seed: 7000 + UInt64(seed))),
                                    seed: UInt64(seed), steps: 400, every: 37)
    }

    /// Streams random samples through the Swift engine and the C runtime (each C kernel this
    /// machine has), setting the same random capacity in both every `every` steps and resetting
    /// both halfway; records the first step where they differ.
    static func expectSwiftEqualsC(_ bytes: [UInt8], seed: UInt64, steps: Int, every: Int) throws {
        let c = CRuntimeHarness(bytes: bytes)
        #expect(c.loadStatus == BMS_OK)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(bytes).model)
        for kernel in CRuntimeHarness.allKernels where c.use(kernel: kernel) {
            var rng = SeededGenerator(seed: seed + 11)
            var source = RawSampleSource(rng: SeededGeneratorBox(seed: seed + 77))
            engine.reset(); c.reset()
            for n in 0..<steps {
                if n % every == 0 {
                    let capacity = rng.next() % 4 == 0 ? Int32(1 + rng.next() % 1_000_000) : Int32(800 + rng.next() % 2400)
                    try engine.setPriorCapacity(milliampHours: capacity)
                    #expect(bms_lstm_set_prior_capacity(c.context, capacity) == BMS_OK)
                }
                if n == steps / 2 { engine.reset(); c.reset() }
                let sample = source.next()
                let swift = engine.step(sample), cSOC = c.step(sample)
                if swift != cSOC { Issue.record("seed \(seed) step \(n) kernel \(kernel): Swift \(swift) C \(cSOC)"); return }
            }
        }
    }

    /// `Fixtures/golden-charge-prior` (`bmsim golden --model Fixtures/models/lstm-demo-charge.json
    /// --prior-schedule`): the version-2 golden file with a new capacity every 500 steps.
    @Test func priorScheduleGoldenVectorsReplayInSwiftAndC() throws {
        let folder = SharedData.fixtures.appendingPathComponent("golden-charge-prior")
        let blob = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-model.bmsq")))
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-steps.bin")))
        #expect(bytes[4] == 2)
        let vectors = try #require(GoldenVectors(bytes: bytes))
        let schedule = try #require(vectors.priorCapacityMAh)
        #expect(Set(schedule.filter { $0 != 0 }).count == 20 && !schedule.contains(2000))
        #expect(vectors.encoded() == bytes)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(blob).model)
        #expect(try vectors.replay(on: engine) == vectors.socCentiPercent)
        let c = CRuntimeHarness(bytes: blob)
        var cMismatches = 0
        for (n, sample) in vectors.samples.enumerated() {
            if schedule[n] != 0 { #expect(bms_lstm_set_prior_capacity(c.context, schedule[n]) == BMS_OK) }
            if c.step(sample) != vectors.socCentiPercent[n] { cMismatches += 1 }
        }
        #expect(cMismatches == 0)
        // The schedule matters: at the blob's capacity the outputs differ.
        let plain = GoldenVectors(samples: vectors.samples, socCentiPercent: vectors.socCentiPercent)
        #expect(try plain.replay(on: engine) != vectors.socCentiPercent)
    }

    @Test func goldenFilesOfAWrongVersionOrLengthAreRefused() throws {
        let vectors = GoldenVectors(samples: [RawSensorSample(voltageUV: 1, currentMA: 2, temperatureDeciC: 3)],
                                    socCentiPercent: [4], priorCapacityMAh: [1500])
        var bytes = vectors.encoded()
        #expect(GoldenVectors(bytes: bytes) == vectors)
        bytes[4] = 5
        #expect(GoldenVectors(bytes: bytes) == nil)
        bytes[4] = 4   // version 4 (a start-SOC schedule) has 24-byte records: wrong length
        #expect(GoldenVectors(bytes: bytes) == nil)
        bytes[4] = 3   // version 3 (log variance) has the same record length: the prior word is read as a SOC
        #expect(GoldenVectors(bytes: bytes)?.priorCapacityMAh == nil)
        bytes[4] = 1   // a version-2 record read as version 1: wrong length
        #expect(GoldenVectors(bytes: bytes) == nil)
    }
}
