import FloatModel
import Foundation
import Testing
@testable import Trainer

/// The fused C step kernels (`LSTMStepKernel`: portable, AVX2, AVX-512) against finite
/// differences, against the OpenBLAS path (`blas`) and for run-to-run reproducibility.
@Suite struct LSTMStepKernelTests {
    /// The fused variants this CPU runs (portable always; AVX2 / AVX-512 when CPUID says so).
    static let fused = LSTMStepKernel.supported.filter { $0 != .blas }

    @Test func portableAndBLASAreAlwaysSupportedAndBestIsTheWidestSupported() {
        #expect(LSTMStepKernel.blas.isSupported && LSTMStepKernel.portable.isSupported)
        let best = LSTMStepKernel.best
        #expect(best.isSupported && best != .blas)
        if LSTMStepKernel.avx512.isSupported { #expect(best == .avx512) }
        else if LSTMStepKernel.avx2.isSupported { #expect(best == .avx2) }
        else { #expect(best == .portable) }
    }

    /// Whole network (two LSTMs, sizes that are not multiples of any vector width, two lanes
    /// so one lane block is partial) against central differences of the MSE loss.
    @Test(arguments: fused, [SequenceMode.window, .stateful])
    func fusedKernelGradientsMatchFiniteDifferences(kernel: LSTMStepKernel, mode: SequenceMode) throws {
        let arch = try Architecture.named("lstm:6,lstm:4,dense:3:relu,dense:1", inputSize: 3)
        let net = Network(architecture: arch, seed: 5)
        net.stepKernel = kernel
        for case let .dense(d) in net.layers where d.activation == .relu { d.bias.fill(5) }
        let steps = 6, lanes = 2
        let input = Tensor(rows: steps * lanes, cols: 3)
        GradientCheck.random(input, scale: 1.5, seed: 21)
        // Stateful: lane 1 restarts at step 3 (no gradient across the reset).
        let keep = Tensor(rows: steps * lanes, cols: 1)
        keep.fill(1); keep.data[3 * lanes + 1] = 0
        let keepPtr: UnsafePointer<Float>? = mode == .stateful ? UnsafePointer(keep.data) : nil
        let outRows = mode == .window ? lanes : steps * lanes
        let target = Tensor(rows: outRows, cols: 1)
        GradientCheck.random(target, scale: 1, seed: 22)
        func loss() -> Double {
            net.resetState()
            let out = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false, keep: keepPtr)
            var s = 0.0
            for k in 0..<out.count { let d = Double(out.data[k]) - Double(target.data[k]); s += d * d }
            return s / Double(out.count)
        }
        net.resetState()
        let out = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false, keep: keepPtr)
        let grad = Tensor(rows: outRows, cols: 1)
        for k in 0..<out.count { grad.data[k] = 2 * (out.data[k] - target.data[k]) / Float(out.count) }
        net.resetState()
        _ = net.forward(input, steps: steps, lanes: lanes, mode: mode, training: false, keep: keepPtr)
        net.backward(grad)
        let analytic = net.gradients.map(\.values)
        for (k, p) in net.parameters.enumerated() {
            let r = GradientCheck.compare(tensor: p, analytic: analytic[k], h: 1e-2, loss: loss)
            #expect(r.failures.isEmpty, "\(kernel) \(mode) parameter \(k): \(r.failures.prefix(4))")
        }
    }

    /// One layer, run by `kernel` and by `blas` on the same weights and data: outputs, carried
    /// state, parameter and input gradients agree within Float32 rounding,
    /// |a − b| ≤ 2e-5 + 2e-4·|b| (the variants sum in different orders; AVX2/AVX-512 fuse
    /// multiply-adds). Sizes: the tutorial's LSTM(64) on a 32-window batch (full vector blocks)
    /// and H = 20, B = 7 (wide + narrow + tail columns, a partial lane block), with resets
    /// and a second call on carried state.
    @Test(arguments: fused, [(inputs: 5, units: 64, lanes: 32, steps: 12), (inputs: 3, units: 20, lanes: 7, steps: 9)])
    func fusedKernelAgreesWithTheBLASPath(kernel: LSTMStepKernel,
                                          size: (inputs: Int, units: Int, lanes: Int, steps: Int)) {
        func makeLayer(_ k: LSTMStepKernel) -> LSTMLayer {
            let l = LSTMLayer(inputSize: size.inputs, units: size.units)
            GradientCheck.random(l.kernel, scale: 0.5, seed: 31)
            GradientCheck.random(l.recurrentKernel, scale: 0.4, seed: 32)
            GradientCheck.random(l.bias, scale: 0.3, seed: 33)
            l.stepKernel = k
            return l
        }
        let t = size.steps, b = size.lanes, n = t * b
        let input = Tensor(rows: n, cols: size.inputs)
        GradientCheck.random(input, scale: 1.5, seed: 34)
        let dOut = Tensor(rows: n, cols: size.units)
        GradientCheck.random(dOut, scale: 1, seed: 35)
        let keep = Tensor(rows: n, cols: 1)
        keep.fill(1)
        for lane in stride(from: 0, to: b, by: 3) { keep.data[(t / 2) * b + lane] = 0 }
        let fused = makeLayer(kernel), blas = makeLayer(.blas)
        var checked = 0
        func expectClose(_ a: Tensor, _ r: Tensor, _ what: String) {
            #expect(a.count == r.count)
            var bad: [String] = []
            for k in 0..<r.count where abs(a.data[k] - r.data[k]) > 2e-5 + 2e-4 * abs(r.data[k]) {
                bad.append("[\(k)] \(a.data[k]) vs \(r.data[k])")
            }
            #expect(bad.isEmpty, "\(kernel) \(what): \(bad.prefix(4))")
            checked += r.count
        }
        for call in 0..<2 {   // the second call starts from the carried state of the first
            for l in [fused, blas] {
                l.forward(input, steps: t, lanes: b, keep: UnsafePointer(keep.data), carryState: true)
                l.backward(dOut)
            }
            expectClose(fused.output, blas.output, "output, call \(call)")
            expectClose(fused.carryC, blas.carryC, "carried c, call \(call)")
            expectClose(fused.kernelGradient, blas.kernelGradient, "dW, call \(call)")
            expectClose(fused.recurrentKernelGradient, blas.recurrentKernelGradient, "dU, call \(call)")
            expectClose(fused.biasGradient, blas.biasGradient, "db, call \(call)")
            expectClose(fused.inputGradient, blas.inputGradient, "dx, call \(call)")
        }
        // Something non-trivial was compared (gradients are not all zero).
        #expect(checked > 0 && fused.recurrentKernelGradient.values.contains { abs($0) > 1e-3 })
    }

    /// Same seed and kernel → bit-identical weights after training (dropout on, 1 and 2
    /// workers); and the fused kernel really is a different computation from `blas`.
    @Test(arguments: fused, [1, 2])
    func trainingWithAFusedKernelIsBitReproducible(kernel: LSTMStepKernel, workers: Int) throws {
        let ds = SOCDataset(train: syntheticCycles(count: 4, steps: 70, seed: 1),
                            validation: syntheticCycles(count: 2, steps: 70, seed: 2),
                            test: syntheticCycles(count: 2, steps: 70, seed: 3))
        var config = TrainingConfig()
        config.mode = .window; config.epochs = 2; config.trainStride = 5; config.batchSize = 7
        config.workers = workers
        let arch = try Architecture.named("lstm:8,dropout:0.2,lstm:4,dense:1")
        func run(_ k: LSTMStepKernel) -> [[Float]] {
            var c = config; c.stepKernel = k
            let t = SOCTrainer(architecture: arch, config: c, dataset: ds)
            t.train()
            return t.network.parameters.map(\.values)
        }
        let a = run(kernel), b = run(kernel), reference = run(.blas)
        #expect(a == b)
        for (x, y) in zip(a.joined(), reference.joined()) { #expect(abs(x - y) < 1e-3) }
    }

    @Test func trainingConfigStoresTheKernelAndOlderFilesMeanBLAS() throws {
        var config = TrainingConfig()
        #expect(config.stepKernel == .best)
        config.stepKernel = .portable
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: data).stepKernel == .portable)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["stepKernel"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: old).stepKernel == .blas)
        object["stepKernel"] = "sse9"
        let bad = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(TrainingConfig.self, from: bad) }
    }

    @Test func checkedAcceptsSupportedKernelsAndNamesTheSupportedOnesOtherwise() throws {
        for k in LSTMStepKernel.supported { #expect(try LSTMStepKernel.checked(k) == k) }
        let message = UnsupportedKernelError(kernel: .avx512).description
        #expect(message.contains("avx512") && message.contains("portable") && message.contains("blas"))
        for k in LSTMStepKernel.allCases where !k.isSupported {
            #expect(throws: UnsupportedKernelError(kernel: k)) { _ = try LSTMStepKernel.checked(k) }
        }
    }
}

/// The C GEMM of the fused variants against a Float64 triple loop: row-major and transposed
/// A, starting from zero, from a bias row and accumulating, over sizes that hit every
/// column path (wide, narrow, tail), partial lane blocks and several 128-row k-chunks.
@Suite struct TrainerGEMMTests {
    @Test(arguments: LSTMStepKernelTests.fused, [(m: 7, n: 83, k: 300), (m: 32, n: 256, k: 64), (m: 3, n: 5, k: 1)])
    func gemmMatchesAFloat64TripleLoop(kernel: LSTMStepKernel, size: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = size
        let a = Tensor(rows: m, cols: k), at = Tensor(rows: k, cols: m)   // A and Aᵀ stored
        GradientCheck.random(a, scale: 1, seed: 41)
        for r in 0..<m { for p in 0..<k { at[p, r] = a[r, p] } }
        let b = Tensor(rows: k, cols: n), bias = Tensor(rows: 1, cols: n), start = Tensor(rows: m, cols: n)
        GradientCheck.random(b, scale: 1, seed: 42)
        GradientCheck.random(bias, scale: 1, seed: 43)
        GradientCheck.random(start, scale: 1, seed: 44)
        for transposed in [false, true] {
            for mode in ["zero", "bias", "accumulate"] {
                let c = start.clone()
                kernel.gemm(m: m, n: n, k: k, a: transposed ? at.data : a.data,
                            lda: transposed ? 1 : k, acs: transposed ? m : 1, b: b.data, ldb: n,
                            c: c.data, ldc: n, accumulate: mode == "accumulate",
                            bias: mode == "bias" ? bias.data : nil)
                var worst = 0.0
                for r in 0..<m {
                    for j in 0..<n {
                        var s = mode == "accumulate" ? Double(start[r, j]) : mode == "bias" ? Double(bias[0, j]) : 0
                        var magnitude = abs(s)
                        for p in 0..<k { s += Double(a[r, p]) * Double(b[p, j]); magnitude += abs(Double(a[r, p]) * Double(b[p, j])) }
                        // Float32 summation of k terms: error ≤ k·2⁻²⁴·Σ|terms| (loose bound).
                        worst = max(worst, abs(Double(c[r, j]) - s) / (Double(k + 1) * 0x1.0p-24 * magnitude + 1e-30))
                    }
                }
                #expect(worst <= 1, "\(kernel) \(size) transposed \(transposed) \(mode): \(worst)")
            }
        }
    }
}
