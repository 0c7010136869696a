import Testing
import PropertyBased
@testable import FixedPoint

/// Saturating helpers against exact arithmetic in a wider type.
struct SaturatingArithmeticTests {
    @Test func narrowToInt16MatchesClampForEveryInt32NearTheRange() {
        for value in Int32(-70_000)...Int32(70_000) {
            let expected = Int16(clamping: value)
            #expect(Saturating.narrowToInt16(value) == expected)
            #expect(Saturating.narrowToInt16(Int64(value)) == expected)
        }
        #expect(Saturating.narrowToInt16(Int32.min) == Int16.min)
        #expect(Saturating.narrowToInt16(Int64.max) == Int16.max)
    }

    @Test func narrowToInt8AndInt32Clamp() {
        for value in Int32(-300)...Int32(300) {
            #expect(Saturating.narrowToInt8(value) == Int8(clamping: value))
        }
        #expect(Saturating.narrowToInt32(Int64(Int32.max) + 1) == Int32.max)
        #expect(Saturating.narrowToInt32(Int64(Int32.min) - 1) == Int32.min)
        #expect(Saturating.narrowToInt32(-5) == -5)
    }

    @Test func addInt16ForEveryInt8PairAndSampledInt16Pairs() async {
        for a in Int8.min...Int8.max {
            for b in Int8.min...Int8.max {
                let sum = Saturating.add(Int16(a) &* 256, Int16(b) &* 256)
                #expect(sum == Int16(clamping: Int(a) * 256 + Int(b) * 256))
            }
        }
        await propertyCheck(count: 2000, input: Gen.int16(), Gen.int16()) { a, b in
            #expect(Saturating.add(a, b) == Int16(clamping: Int(a) + Int(b)))
        }
    }

    @Test func addAndSubtractInt32Sampled() async {
        await propertyCheck(count: 2000, input: Gen.int32(), Gen.int32()) { a, b in
            #expect(Saturating.add(a, b) == Int32(clamping: Int64(a) + Int64(b)))
            #expect(Saturating.subtract(a, b) == Int32(clamping: Int64(a) - Int64(b)))
        }
    }
}
