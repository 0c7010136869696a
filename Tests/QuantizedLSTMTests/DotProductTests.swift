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

    /// The four-gate kernels on `UnitInterleavedKernel`'s layout against a 64-bit sum of the
    /// row-major rows, for every width 1…70 and extreme values.
    @Test func fourGateKernelsMatchAWideReference() {
        var rng = SeededGenerator(seed: 13)
        for columns in 1...70 {
            let hidden = 1 + Int(rng.next() % 3)
            let kernel = (0..<(4 * hidden * columns)).map { _ in rng.next() % 7 == 0 ? Int8.min : Int8(truncatingIfNeeded: rng.next()) }
            let groups = (columns + 7) / 8
            var input = [Int16](repeating: 0, count: 8 * groups)
            for c in 0..<columns { input[c] = rng.next() % 8 == 0 ? Int16.min : Int16(truncatingIfNeeded: rng.next()) }
            let interleaved = UnitInterleavedKernel(kernel, hidden: hidden, columns: columns)
            defer { interleaved.deallocate() }
            input.withUnsafeBufferPointer { x in
                for unit in 0..<hidden {
                    var reference = [Int64](repeating: 0, count: 4)
                    for gate in 0..<4 {
                        for c in 0..<columns {
                            let w = Int64(kernel[(gate * hidden + unit) * columns + c])
                            reference[gate] += w * Int64(x[c])
                        }
                    }
                    let w = UnsafePointer(interleaved.weights + unit * interleaved.unitStride)
                    let scalar = dotProduct4Scalar(w, x.baseAddress!, groups)
                    let simd = dotProduct4SIMD(w, x.baseAddress!, groups)
                    let scalarSums: [Int64] = [Int64(scalar[0]), Int64(scalar[1]), Int64(scalar[2]), Int64(scalar[3])]
                    let simdSums: [Int64] = [Int64(simd[0]), Int64(simd[1]), Int64(simd[2]), Int64(simd[3])]
                    #expect(scalarSums == reference, "columns \(columns)")
                    #expect(simdSums == reference, "columns \(columns)")
                }
            }
        }
    }
}
