import Testing
import PropertyBased
@testable import FixedPoint

/// Requantization against exact 128-bit arithmetic, and scale round trips.
struct QuantizedMultiplierTests {
    /// round-half-up(acc · m / 2^n) in Int128.
    static func reference(_ acc: Int32, _ m: Int32, _ n: Int32) -> Int64 {
        let product = Int128(acc) * Int128(m)
        let rounded = (product + (Int128(1) << (n - 1))) >> n   // Int128 >> is a floor
        return Int64(rounded)
    }

    @Test func applyMatchesInt128ReferenceOnSampledInputs() async {
        let multipliers = Gen.int32(in: QuantizedMultiplier.multiplierRange)
        let shifts = Gen.int32(in: QuantizedMultiplier.shiftRange)
        await propertyCheck(count: 5000, input: Gen.int32(), multipliers, shifts) { acc, m, n in
            let q = QuantizedMultiplier(multiplier: m, shift: n)
            let expected = Self.reference(acc, m, n)
            #expect(q.applyWide(to: acc) == expected)
            #expect(q.apply(to: acc) == Int32(clamping: expected))
            #expect(q.applySaturatingInt16(to: acc) == Int16(clamping: expected))
        }
    }

    @Test func extremesDoNotOverflow() {
        let q = QuantizedMultiplier(multiplier: Int32.max, shift: 1)
        #expect(q.applyWide(to: Int32.min) == Self.reference(Int32.min, Int32.max, 1))
        #expect(q.apply(to: Int32.min) == Int32.min)
        #expect(q.apply(to: Int32.max) == Int32.max)
    }

    @Test func everyInt8AccumulatorWithHalfScale() {
        let half = QuantizedMultiplier(multiplier: 1 << 30, shift: 31)
        for acc in Int32(Int8.min)...Int32(Int8.max) {
            #expect(half.apply(to: acc) == Int32((Double(acc) / 2 + 0.5).rounded(.down)))
        }
    }

    @Test func approximatingKeepsThirtyOneBitsOfPrecision() async {
        await propertyCheck(count: 2000, input: Gen.double(in: -30...28)) { log2Scale in
            let scale = Double.pow2(log2Scale)
            guard let q = QuantizedMultiplier(approximating: scale) else {
                Issue.record("scale \(scale) should be representable"); return
            }
            #expect(q.isValid)
            #expect(abs(q.scale - scale) / scale <= 1.0 / Double(1 << 30))
        }
    }

    @Test func approximatingRejectsUnrepresentableScales() {
        for bad in [0.0, -1.0, .infinity, .nan, 0x1p-40, 0x1p31] {
            #expect(QuantizedMultiplier(approximating: bad) == nil)
        }
        #expect(QuantizedMultiplier(approximating: 0.5) == QuantizedMultiplier(multiplier: 1 << 30, shift: 31))
        #expect(QuantizedMultiplier(approximating: 1.0) == QuantizedMultiplier(multiplier: 1 << 30, shift: 30))
        #expect(!QuantizedMultiplier(multiplier: 5, shift: 3).isValid)
        #expect(!QuantizedMultiplier(multiplier: 1 << 30, shift: 0).isValid)
    }
}

extension Double {
    /// 2^x for the test's scale sweep.
    static func pow2(_ x: Double) -> Double {
        let whole = x.rounded(.down)
        let frac = x - whole
        // 2^frac by a short series is enough here; the test only needs a spread of scales.
        var term = 1.0, sum = 1.0
        for k in 1...20 { term *= frac * 0.6931471805599453 / Double(k); sum += term }
        return sum * Double(sign: .plus, exponent: Int(whole), significand: 1)
    }
}
