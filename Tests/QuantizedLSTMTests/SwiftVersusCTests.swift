import BMSCore
import CBMSRuntime
import FixedPoint
import Testing
import QuantizedLSTM
@testable import WeightBlob

/// The Swift engine and the C runtime produce identical integers.
struct SwiftVersusCTests {
    @Test func activationsMatchForAllInputs() {
        for x in Int16.min...Int16.max {
            #expect(bms_sigmoid_q15(x) == IntegerActivations.sigmoidQ15(x))
            #expect(bms_tanh_q15(x) == IntegerActivations.tanhQ15(x))
        }
    }

    @Test func requantizationMatchesOnSampledInputs() {
        let rng = SeededGeneratorBox(seed: 99)
        for _ in 0..<200_000 {
            let acc = Int32(truncatingIfNeeded: rng.next())
            let m = Int32(1 << 30) + Int32(truncatingIfNeeded: rng.next() % (1 << 30))
            let s = Int32(1 + rng.next() % 62)
            let swift = QuantizedMultiplier(multiplier: m, shift: s).applyWide(to: acc)
            #expect(bms_requantize_wide(acc, bms_requant_t(multiplier: m, shift: s)) == swift)
            #expect(bms_requantize_s16(acc, bms_requant_t(multiplier: m, shift: s)) == Int16(clamping: swift))
        }
    }

    @Test func crcMatches() {
        let rng = SeededGeneratorBox(seed: 5)
        for length in [0, 1, 3, 64, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(bms_crc32(bytes, bytes.count) == CRC32.checksum(bytes))
        }
    }

    /// Property: for random valid blobs and random inputs, every step's SOC is the same.
    @Test(arguments: 0..<60)
    func randomBlobsAndInputsAgreeStepByStep(seed: Int) throws {
        var rng = SeededGenerator(seed: 1000 + UInt64(seed))
        let model = BlobModel.random(using: &rng)
        let bytes = try BlobWriter.encode(model)
        let c = CRuntimeHarness(bytes: bytes)
        #expect(c.loadStatus == BMS_OK)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(bytes).model)
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: UInt64(seed)))
        var distinct = Set<Int32>()
        for n in 0..<300 {
            if n == 150 { engine.reset(); c.reset() }
            let sample = source.next()
            let swift = engine.step(sample), cSOC = c.step(sample)
            distinct.insert(swift)
            if swift != cSOC {
                Issue.record("seed \(seed) step \(n): Swift \(swift) C \(cSOC)")
                return
            }
        }
        #expect(Int(c.model.pointee.workspace_words) >= engine.stateSnapshot.count)
    }

    @Test func windowEqualsResetThenSteps() throws {
        var rng = SeededGenerator(seed: 77)
        let bytes = try BlobWriter.encode(BlobModel.random(using: &rng))
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(bytes).model)
        let c = CRuntimeHarness(bytes: bytes)
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: 4))
        let window = (0..<50).map { _ in source.next() }
        for sample in window.prefix(20) { _ = engine.step(sample); _ = c.step(sample) }  // dirty state
        let windowed = engine.runWindow(window)
        engine.reset()
        var stepped: Int32 = 0
        for sample in window { stepped = engine.step(sample) }
        #expect(windowed == stepped)
        #expect(c.window(window) == windowed)
    }

    @Test func resetClearsStateAndDifferences() throws {
        var rng = SeededGenerator(seed: 8)
        let engine = QuantizedLSTMEngine(model: BlobModel.random(using: &rng))
        let first = RawSensorSample(voltageUV: 3_700_000, currentMA: -2000, temperatureDeciC: 250)
        let fresh = engine.step(first)
        for k in 0..<10 { _ = engine.step(RawSensorSample(voltageUV: 3_600_000 - Int32(k) * 1000, currentMA: 500,
                                                          temperatureDeciC: 300)) }
        engine.reset()
        #expect(engine.stateSnapshot.allSatisfy { $0 == 0 })
        #expect(engine.step(first) == fresh)
    }
}
