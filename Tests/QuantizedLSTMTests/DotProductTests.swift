import BMSCore
import Testing
@testable import QuantizedLSTM

/// The engine's two dot-product kernels (scalar in debug builds, SIMD in release) give
/// the same exact sum as a 64-bit reference, for every length 0…300 and extreme values.
struct DotProductTests {
    @Test func scalarAndSIMDKernelsMatchAWideReference() {
        var rng = SeededGenerator(seed: 12)
        for count in 0...300 {
            let weights = (0..<count).map { _ in Int16(Int8(truncatingIfNeeded: rng.next())) }
            let input = (0..<count).map { _ in rng.next() % 8 == 0 ? Int16.min : Int16(truncatingIfNeeded: rng.next()) }
            let reference = zip(weights, input).reduce(Int64(0)) { $0 + Int64($1.0) * Int64($1.1) }
            weights.withUnsafeBufferPointer { w in
                input.withUnsafeBufferPointer { x in
                    guard let wp = w.baseAddress, let xp = x.baseAddress else { return }
                    #expect(Int64(dotProductScalar(wp, xp, count)) == reference)
                    #expect(Int64(dotProductSIMD(wp, xp, count)) == reference)
                }
            }
        }
    }
}
