import BMSCore
import QuantizedLSTM
import Testing
import TestSupport
import WeightBlob

/// The shared integer front-end (engine and fake-quant path) against a written-out reference
/// in 128-bit arithmetic: differences, the coulomb counter, `sat16(round(sat32(raw − offset) ·
/// M / 2^s))` with ties toward +∞, on random and rail-hitting samples.
struct IntegerFeatureFrontEndTests {
    static func model(seed: UInt64) -> BlobModel {
        var rng = SeededGenerator(seed: seed)
        var model = BlobModel.random(using: &rng, chargeCounter: true)
        // Every feature once, with scales from fine to coarse.
        let all: [InputFeature] = [.voltage, .current, .temperature, .dCurrent, .dVoltage, .chargeDrawn, .priorCapacity]
        model.inputs = all.enumerated().map { n, feature in
            BlobInputScaling(feature: feature, offsetRaw: Int32(truncatingIfNeeded: rng.next() % 2001) - 1000,
                             scale: BlobRequantization(multiplier: (1 << 30) + Int32(truncatingIfNeeded: rng.next() % (1 << 30)),
                                                       shift: Int32(20 + 4 * n + Int(rng.next() % 4))))
        }
        model.chargeCounter = BlobChargeCounter(stepSeconds: 1 + Int(rng.next() % 20), priorCapacityMAh: 2000)
        return model
    }

    static func sat(_ x: Int128, _ lo: Int128, _ hi: Int128) -> Int128 { min(max(x, lo), hi) }

    /// round(x / 2^s), ties toward +∞: floor((x + 2^(s−1)) / 2^s) with a floor division.
    static func roundShift(_ x: Int128, _ s: Int) -> Int128 {
        let d = Int128(1) << s
        let n = x + (d >> 1)
        let q = n / d
        return (n % d != 0 && n < 0) ? q - 1 : q
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func featuresMatchAWrittenOutReference(seed: UInt64) {
        let model = Self.model(seed: seed)
        var frontEnd = IntegerFeatureFrontEnd(model: model)
        var rng = SeededGenerator(seed: seed &+ 100)
        var out = [Int16](repeating: 0, count: frontEnd.count)
        var previous: RawSensorSample?
        var counter: Int128 = 0
        var railHits = 0, mismatches = 0
        for k in 0..<20_000 {
            if k == 10_000 {   // a reset forgets the previous sample and the count
                frontEnd.reset()
                previous = nil
                counter = 0
            }
            if k % 1000 == 0 {   // the prior capacity the firmware passes changes now and then
                frontEnd.priorCapacityMAh = k % 3000 == 0 ? Int32(1 + rng.next() % 1_000_000) : Int32(500 + rng.next() % 3000)
            }
            let wild = rng.next() % 50 == 0
            let sample = RawSensorSample(
                voltageUV: wild ? Int32(truncatingIfNeeded: rng.next()) : Int32(2_500_000 + Int(rng.next() % 1_800_000)),
                currentMA: wild ? Int32(truncatingIfNeeded: rng.next()) : Int32(Int(rng.next() % 10_001) - 6000),
                temperatureDeciC: Int32(Int(rng.next() % 900) - 200))
            out.withUnsafeMutableBufferPointer { frontEnd.step(sample, into: $0.baseAddress!) }
            let i32 = (Int128(Int32.min), Int128(Int32.max))
            var dI: Int128 = 0, dV: Int128 = 0
            if let p = previous {
                dI = Self.sat(Int128(sample.currentMA) - Int128(p.currentMA), i32.0, i32.1)
                dV = Self.sat(Int128(sample.voltageUV) - Int128(p.voltageUV), i32.0, i32.1)
                let step = Int128(model.chargeCounter!.stepSeconds)
                counter = Self.sat(counter - (Int128(p.currentMA) + Int128(sample.currentMA)) * step, i32.0, i32.1)
            }
            previous = sample
            for (n, scaling) in model.inputs.enumerated() {
                let raw: Int128
                switch scaling.feature {
                case .voltage: raw = Int128(sample.voltageUV)
                case .current: raw = Int128(sample.currentMA)
                case .temperature: raw = Int128(sample.temperatureDeciC)
                case .dCurrent: raw = dI
                case .dVoltage: raw = dV
                case .chargeDrawn: raw = counter
                case .priorCapacity: raw = Int128(frontEnd.priorCapacityMAh)
                case .priorSOC:
                    raw = Self.sat(Int128(StartSOCTests.reference(q: Int64(counter), capacityMAh: Int64(frontEnd.priorCapacityMAh),
                                                                  start: Int64(frontEnd.startSOCCentiPercent))), i32.0, i32.1)
                }
                let centred = Self.sat(raw - Int128(scaling.offsetRaw), i32.0, i32.1)
                let scaled = Self.roundShift(centred * Int128(scaling.scale.multiplier), Int(scaling.scale.shift))
                let expected = Int16(Self.sat(scaled, Int128(Int16.min), Int128(Int16.max)))
                if out[n] != expected { mismatches += 1 }
                if expected == .max || expected == .min { railHits += 1 }
            }
            #expect(Int128(frontEnd.chargeHalfMAs) == counter)
        }
        #expect(mismatches == 0)
        #expect(railHits > 0)   // the saturation path is exercised
    }
}
