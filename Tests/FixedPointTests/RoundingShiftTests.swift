import Testing
import PropertyBased
@testable import FixedPoint

/// Rounding shifts against an exact rational reference: round-half-up of x / 2^n.
struct RoundingShiftTests {
    /// ⌊x / 2^n + 1/2⌋ computed in Double, exact while |x| < 2^52.
    static func reference(_ x: Int64, _ n: Int32) -> Int64 {
        Int64((Double(x) / Double(sign: .plus, exponent: Int(n), significand: 1) + 0.5).rounded(.down))
    }

    @Test func everyInt8TimesInt8ProductForEveryShift() {
        for a in Int8.min...Int8.max {
            for b in Int8.min...Int8.max {
                let product = Int64(a) * Int64(b)
                for n in Int32(0)...Int32(16) {
                    #expect(RoundingShift.right(product, by: n) == Self.reference(product, n))
                }
            }
        }
    }

    @Test func handWorkedTies() {
        #expect(RoundingShift.right(Int64(5), by: 1) == 3)
        #expect(RoundingShift.right(Int64(-5), by: 1) == -2)
        #expect(RoundingShift.right(Int64(-7), by: 2) == -2)
        #expect(RoundingShift.right(Int64(-6), by: 2) == -1)  // −1.5 → −1
        #expect(RoundingShift.right(Int32(-1), by: 31) == 0)
    }

    @Test func sampledInt16TimesInt16Products() async {
        await propertyCheck(count: 3000, input: Gen.int16(), Gen.int16(), Gen.int32(in: 0...40)) { a, b, n in
            let product = Int64(a) * Int64(b)
            #expect(RoundingShift.right(product, by: n) == Self.reference(product, n))
            #expect(Int64(RoundingShift.right(Int32(a) * Int32(b), by: n)) == Self.reference(product, n))
        }
    }
}
