import Foundation
import Testing
@testable import Trainer
import BMSCore

@Suite struct KernelTests {
    @Test func fastExpSigmoidTanhMatchFloat64() {
        var worstExp = 0.0, worstSig = 0.0, worstTanh = 0.0
        var x: Float = -87
        while x <= 88 {
            let e = Double(FastMath.exp(x)), r = Foundation.exp(Double(x))
            worstExp = max(worstExp, abs(e - r) / r)
            if abs(x) < 40 {
                worstSig = max(worstSig, abs(Double(FastMath.sigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
                worstTanh = max(worstTanh, abs(Double(FastMath.tanh(x)) - Foundation.tanh(Double(x))))
            }
            x += 0.0137
        }
        #expect(worstExp < 3e-7)
        #expect(worstSig < 3e-7)
        #expect(worstTanh < 3e-7)
        #expect(FastMath.exp(-1000) > 0 && FastMath.exp(1000).isFinite)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesTripleLoopInFloat64(transposeA: Bool, transposeB: Bool) {
        let m = 7, n = 5, k = 9
        let a = transposeA ? Tensor(rows: k, cols: m) : Tensor(rows: m, cols: k)
        let b = transposeB ? Tensor(rows: n, cols: k) : Tensor(rows: k, cols: n)
        GradientCheck.random(a, scale: 1, seed: 1); GradientCheck.random(b, scale: 1, seed: 2)
        let c = Tensor(rows: m, cols: n)
        GradientCheck.random(c, scale: 1, seed: 3)
        let c0 = c.values
        BLAS.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, alpha: 0.5, beta: 2)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    s += Double(transposeA ? a[p, i] : a[i, p]) * Double(transposeB ? b[j, p] : b[p, j])
                }
                #expect(abs(Double(c[i, j]) - (0.5 * s + 2 * Double(c0[i * n + j]))) < 1e-5)
            }
        }
    }

    @Test func kerasInitialisersHaveTheirDefiningProperties() {
        var g = SeededGenerator(seed: 1)
        let lstm = LSTMLayer(inputSize: 5, units: 8)
        Initializers.keras(lstm, generator: &g)
        let limit = Float((6.0 / Double(5 + 32)).squareRoot())
        #expect(lstm.kernel.values.allSatisfy { abs($0) <= limit })
        // Uᵀ U = I (orthonormal columns).
        for p in 0..<8 {
            for q in 0..<8 {
                var dot = 0.0
                for r in 0..<32 { dot += Double(lstm.recurrentKernel[r, p]) * Double(lstm.recurrentKernel[r, q]) }
                #expect(abs(dot - (p == q ? 1 : 0)) < 1e-5)
            }
        }
        let bias = lstm.bias.values
        #expect(bias[0..<8].allSatisfy { $0 == 0 } && bias[8..<16].allSatisfy { $0 == 1 } && bias[16...].allSatisfy { $0 == 0 })
    }
}
