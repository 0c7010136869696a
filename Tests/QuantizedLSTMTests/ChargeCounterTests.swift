import BMSCore
import CBMSRuntime
import Foundation
import QuantizedLSTM
import Testing
import TestSupport
@testable import WeightBlob

/// The integer coulomb counter and prior (format version 2) against independent references,
/// and the Swift engine against the C runtime on models that use them.
struct ChargeCounterTests {
    /// Random currents: mostly a cell's range, sometimes anything an ADC fault could give.
    static func currents(_ count: Int, seed: UInt64, wild: Bool) -> [Int32] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            if wild && rng.next() % 7 == 0 { return Int32(truncatingIfNeeded: rng.next()) }
            return Int32(Int(rng.next() % 10_001) - 6000)   // −6 A … +4 A
        }
    }

    /// Reference: the counter in Double (exact: every partial sum is an integer below 2^53),
    /// clamped to Int32 after each step like the firmware's saturation.
    static func referenceCounter(_ currents: [Int32], stepSeconds: Int) -> [Double] {
        var q = 0.0, out: [Double] = []
        for (n, current) in currents.enumerated() {
            if n > 0 {
                q -= (Double(currents[n - 1]) + Double(current)) * Double(stepSeconds)
                q = min(max(q, Double(Int32.min)), Double(Int32.max))
            }
            out.append(q)
        }
        return out
    }

    @Test(arguments: [(1, false), (10, false), (10, true), (3600, true)])
    func integerCounterIsExactOnLongSequences(stepSeconds: Int, wild: Bool) {
        let currents = Self.currents(50_000, seed: UInt64(stepSeconds) &+ (wild ? 99 : 0), wild: wild)
        let reference = Self.referenceCounter(currents, stepSeconds: stepSeconds)
        var q: Int32 = 0
        var mismatches = 0, saturated = 0
        for n in currents.indices {
            if n > 0 {
                q = IntegerChargeCounter.advance(q, previousMA: currents[n - 1], currentMA: currents[n],
                                                 stepSeconds: Int32(stepSeconds))
            }
            if Double(q) != reference[n] { mismatches += 1 }
            if q == .max || q == .min { saturated += 1 }
        }
        #expect(mismatches == 0)
        if wild { #expect(saturated > 0) }   // the wild sequences do reach the rails
    }

    @Test func counterIsTheTrainersTrapezoidInAmpereHours() {
        // The trainer's q (FeatureSet.dischargedAh): q[k] = q[k−1] − ½(I[k] + I[k−1])·10 s / 3600, in A.
        let currents = Self.currents(2_000, seed: 5, wild: false)
        var qAh = 0.0, q: Int32 = 0, worst = 0.0
        for n in 1..<currents.count {
            qAh -= 0.5 * (Double(currents[n]) / 1000 + Double(currents[n - 1]) / 1000) * 10 / 3600
            q = IntegerChargeCounter.advance(q, previousMA: currents[n - 1], currentMA: currents[n], stepSeconds: 10)
            worst = max(worst, abs(Double(q) / Double(BlobChargeCounter.halfMilliampSecondsPerAh) - qAh))
        }
        #expect(worst < 1e-9)
    }

    @Test func priorIsOneMinusQOverCapacityRoundedHalfUp() {
        // Hand-worked: 1 Ah drawn of 2 Ah is 50.00 %; nothing drawn is 100.00 %; 2.5 Ah of 2 Ah is −25.00 %.
        #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: 7_200_000, priorCapacityMAh: 2000) == 5000)
        #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: 0, priorCapacityMAh: 2000) == 10_000)
        #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: 18_000_000, priorCapacityMAh: 2000) == -2500)
        // Exact halves: 9 half-mA·s of 25 mAh (180,000 half-mA·s) is a drop of 0.5 units → 1 unit
        // (99.99 %); −9 (charging) is −0.5 → 0 (100.00 %): halves round up.
        #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: 9, priorCapacityMAh: 25) == 9999)
        #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: -9, priorCapacityMAh: 25) == 10_000)
        #expect(IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: -10, priorCapacityMAh: 25) == 10_001)
        // Property over the whole input range: drop = 10000 − prior is the integer nearest to
        // 10000·q/Qh with halves rounded up: (2·drop − 1)·Qh ≤ 20000·q < (2·drop + 1)·Qh.
        var rng = SeededGenerator(seed: 31)
        for n in 0..<200_000 {
            let q = n < 1000 ? Int32(n - 500) : Int32(truncatingIfNeeded: rng.next())
            let capacity = Int32(1 + Int(rng.next() % 1_000_000))
            let drop = 10_000 - IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: q, priorCapacityMAh: capacity)
            let qh = Int64(capacity) * 7200
            let scaled = 20_000 * Int64(q)
            #expect((2 * drop - 1) * qh <= scaled && scaled < (2 * drop + 1) * qh, "q \(q) Q \(capacity)")
        }
    }

    @Test func referenceForwardCountsTheSameCharge() throws {
        var rng = SeededGenerator(seed: 12)
        var blob = BlobModel.random(using: &rng, chargeCounter: true)
        blob.chargeCounter?.stepSeconds = 10
        let engine = QuantizedLSTMEngine(model: blob)
        let float = ReferenceLSTMModel(features: [.voltage, .chargeDrawn], inputMean: [3.7, 1], inputStd: [0.3, 0.5],
                                       outputMin: 0, outputMax: 1,
                                       lstmLayers: [ReferenceLSTMLayer(inputSize: 2, hiddenSize: 1,
                                                                       kernel: [Float](repeating: 0.1, count: 8),
                                                                       recurrentKernel: [0, 0, 0, 0], bias: [0, 0, 0, 0])],
                                       denseLayers: [ReferenceDenseLayer(inputSize: 1, outputSize: 1, weight: [1], bias: [0],
                                                                         activation: .none)],
                                       stepSeconds: 10, priorCapacityAh: 2)
        #expect(float.problems.isEmpty)
        let runner = ReferenceLSTMRunner(model: float)
        for current in Self.currents(3000, seed: 8, wild: false) {
            let sample = RawSensorSample(voltageUV: 3_700_000, currentMA: current, temperatureDeciC: 250)
            _ = engine.step(sample)
            _ = runner.step(sample)
            let integerAh = Double(engine.chargeDrawnHalfMilliampSeconds) / Double(BlobChargeCounter.halfMilliampSecondsPerAh)
            #expect(abs(integerAh - runner.chargeDrawnAh) < 1e-9)
        }
    }

    /// Property: on random version-2 models (charge input, often a prior), Swift and C agree
    /// at every step, and the C context's counter equals the engine's.
    @Test(arguments: 0..<40)
    func swiftAndCAgreeOnChargeModels(seed: Int) throws {
        var rng = SeededGenerator(seed: 5000 + UInt64(seed))
        let model = BlobModel.random(using: &rng, chargeCounter: true)
        let bytes = try BlobWriter.encode(model)
        #expect(bytes[4] == 2)
        let c = CRuntimeHarness(bytes: bytes)
        #expect(c.loadStatus == BMS_OK)
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(bytes).model)
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: UInt64(seed) + 77))
        for n in 0..<400 {
            if n == 200 { engine.reset(); c.reset() }
            let sample = source.next()
            let swift = engine.step(sample), cSOC = c.step(sample)
            if swift != cSOC || engine.chargeDrawnHalfMilliampSeconds != c.context.pointee.charge_half_mAs {
                Issue.record("seed \(seed) step \(n): Swift \(swift) C \(cSOC)")
                return
            }
        }
    }

    @Test func chargeGoldenVectorsReplayInSwiftAndC() throws {
        let folder = SharedData.fixtures.appendingPathComponent("golden-charge")
        let blob = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-model.bmsq")))
        let steps = [UInt8](try Data(contentsOf: folder.appendingPathComponent("golden-steps.bin")))
        let vectors = try #require(GoldenVectors(bytes: steps))
        let model = try BlobReader.decode(blob).model
        #expect(model.inputs.map(\.feature) == [.voltage, .temperature, .dVoltage, .chargeDrawn])
        #expect(model.chargeCounter == BlobChargeCounter(stepSeconds: 10, priorCapacityMAh: 2000))
        let engine = QuantizedLSTMEngine(model: model)
        let c = CRuntimeHarness(bytes: blob)
        #expect(c.loadStatus == BMS_OK)
        var swiftMismatches = 0, cMismatches = 0
        for (sample, expected) in zip(vectors.samples, vectors.socCentiPercent) {
            if engine.step(sample) != expected { swiftMismatches += 1 }
            if c.step(sample) != expected { cMismatches += 1 }
        }
        #expect(swiftMismatches == 0 && cMismatches == 0)
        #expect(Set(vectors.socCentiPercent).count > 100)
    }
}
