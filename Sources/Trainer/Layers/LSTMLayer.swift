import CTrainerKernels
import FloatModel

/// A trainable LSTM layer over time-major sequence batches, with backpropagation through
/// time. Gate order i, f, g, o (`WeightBlob.LSTMGate`, the one order of every consumer):
///
/// ```
/// zᵢ, z_f, z_g, zₒ = W·xₜ + U·hₜ₋₁ + b      (row blocks 0, 1, 2, 3 of the 4H rows)
/// i = σ(zᵢ)  f = σ(z_f)  g = tanh(z_g)  o = σ(zₒ)
/// cₜ = f ⊙ cₜ₋₁ + i ⊙ g                      hₜ = o ⊙ tanh(cₜ)
/// ```
///
/// Shapes (`T` steps, `B` lanes, `I` inputs, `H` units; rows are `t * B + b`):
/// input `[T·B × I]`, output `[T·B × H]`, `kernel [4H × I]`, `recurrentKernel [4H × H]`,
/// `bias [1 × 4H]`. The input projection of all steps is one `sgemm`; each step adds one
/// `[B × H]·[H × 4H]` recurrent `sgemm`. Backward does one recurrent `sgemm` per step and
/// computes the three weight gradients with one `sgemm` each over all steps.
///
/// Lane resets: `keep[t·B + b] = 0` means lane `b` starts a new sequence at step `t`
/// (`hₜ₋₁ = cₜ₋₁ = 0` for it, and no gradient flows back across the reset). Carried
/// state: with `carryState`, the final `h`, `c` of one call are the initial state of the
/// next (truncated BPTT: gradients stop at the call boundary).
///
/// `stepKernel` chooses the implementation: `blas` is the OpenBLAS path described above;
/// the fused variants (`LSTMStepKernel`) do one C call per step and the whole-sequence
/// products with the C kernels' own GEMM (`tk_gemm`).
public final class LSTMLayer {
    /// Input features per step (I).
    public let inputSize: Int
    /// Hidden units (H).
    public let units: Int
    /// Input kernel W, `[4H × I]`, gate rows in order i, f, g, o.
    public let kernel: Tensor
    /// Recurrent kernel U, `[4H × H]`, gate rows in order i, f, g, o.
    public let recurrentKernel: Tensor
    /// Bias b, `[1 × 4H]`.
    public let bias: Tensor
    /// ∂loss/∂W of the last `backward`.
    public let kernelGradient: Tensor
    /// ∂loss/∂U of the last `backward`.
    public let recurrentKernelGradient: Tensor
    /// ∂loss/∂b of the last `backward`.
    public let biasGradient: Tensor

    private var steps = 0, lanes = 0
    private var gates = Tensor(rows: 0, cols: 0)      // activations i, f, g, o per row
    private var cells = Tensor(rows: 0, cols: 0)      // cₜ
    private var tanhCells = Tensor(rows: 0, cols: 0)  // tanh(cₜ)
    private var hPrev = Tensor(rows: 0, cols: 0)      // hₜ₋₁ after resets
    private var cPrev = Tensor(rows: 0, cols: 0)      // cₜ₋₁ after resets
    /// Output h of every step of the last `forward`, `[T·B × H]`.
    public private(set) var output = Tensor(rows: 0, cols: 0)
    private var dGates = Tensor(rows: 0, cols: 0)
    /// ∂loss/∂input of the last `backward`, `[T·B × I]`.
    public private(set) var inputGradient = Tensor(rows: 0, cols: 0)
    private var dhNext = Tensor(rows: 0, cols: 0)
    private var dcNext = Tensor(rows: 0, cols: 0)
    /// Carried hidden state `[B × H]` (final h of the last `forward`).
    public private(set) var carryH = Tensor(rows: 0, cols: 0)
    /// Carried cell state `[B × H]` (final c of the last `forward`).
    public private(set) var carryC = Tensor(rows: 0, cols: 0)
    private var lastInput: Tensor?
    private var lastKeep: UnsafePointer<Float>?
    private var packedRecurrent = Tensor(rows: 0, cols: 0)  // Uᵀ [H × 4H] for the fused kernels
    private var packedKernel = Tensor(rows: 0, cols: 0)     // Wᵀ [I × 4H] for the fused kernels
    private var gradientScratch = Tensor(rows: 0, cols: 0)  // Wᵀ- / Uᵀ-shaped gradient
    /// How each step is done (default `blas`, the original path); see `LSTMStepKernel`.
    /// The caller makes sure the CPU supports it (`LSTMStepKernel.isSupported`).
    public var stepKernel: LSTMStepKernel = .blas

    /// Creates a zero-initialised layer (see `Initializers` for Keras's initialisation).
    public init(inputSize: Int, units: Int) {
        precondition(inputSize > 0 && units > 0, "LSTM sizes must be positive")
        self.inputSize = inputSize
        self.units = units
        kernel = Tensor(rows: 4 * units, cols: inputSize)
        recurrentKernel = Tensor(rows: 4 * units, cols: units)
        bias = Tensor(rows: 1, cols: 4 * units)
        kernelGradient = Tensor(rows: 4 * units, cols: inputSize)
        recurrentKernelGradient = Tensor(rows: 4 * units, cols: units)
        biasGradient = Tensor(rows: 1, cols: 4 * units)
    }

    /// Trainable tensors in a fixed order: kernel, recurrent kernel, bias.
    public var parameters: [Tensor] { [kernel, recurrentKernel, bias] }
    /// Gradients matching `parameters`.
    public var gradients: [Tensor] { [kernelGradient, recurrentKernelGradient, biasGradient] }

    private func prepare(steps t: Int, lanes b: Int) {
        if t == steps && b == lanes { return }
        let h = units
        if b != lanes {
            carryH = Tensor(rows: b, cols: h); carryC = Tensor(rows: b, cols: h)
            dhNext = Tensor(rows: b, cols: h); dcNext = Tensor(rows: b, cols: h)
        }
        steps = t; lanes = b
        let n = t * b
        gates = Tensor(rows: n, cols: 4 * h)
        dGates = Tensor(rows: n, cols: 4 * h)
        cells = Tensor(rows: n, cols: h); tanhCells = Tensor(rows: n, cols: h)
        hPrev = Tensor(rows: n, cols: h); cPrev = Tensor(rows: n, cols: h)
        output = Tensor(rows: n, cols: h)
        inputGradient = Tensor(rows: n, cols: inputSize)
    }

    /// Sets the carried state of every lane to zero.
    public func resetState() { carryH.fill(0); carryC.fill(0) }

    /// Runs `steps` steps on `lanes` lanes. `keep` (optional, `T·B` values of 0 or 1) marks
    /// lane resets; without `carryState` every lane starts from zero state.
    /// Returns `output` (`[T·B × H]`). The input must stay alive until `backward`.
    @discardableResult
    public func forward(_ input: Tensor, steps t: Int, lanes b: Int,
                        keep: UnsafePointer<Float>? = nil, carryState: Bool = false) -> Tensor {
        precondition(input.rows == t * b && input.cols == inputSize, "LSTM input shape mismatch")
        let stateShapeChanged = b != lanes
        prepare(steps: t, lanes: b)
        if !carryState || stateShapeChanged { resetState() }
        lastInput = input
        lastKeep = keep
        let h = units, g4 = 4 * h
        if stepKernel != .blas {
            forwardFused(input, steps: t, lanes: b, keep: keep)
            return output
        }
        // Input projection of every step, then the bias.
        BLAS.gemm(input, kernel, transposeB: true, into: gates)
        let biasPtr = bias.data
        for r in 0..<(t * b) {
            let row = gates.row(r)
            for j in 0..<g4 { row[j] += biasPtr[j] }
        }
        for step in 0..<t {
            let base = step * b
            // hₜ₋₁, cₜ₋₁ with resets applied.
            let srcH = step == 0 ? carryH.data : output.row(base - b)
            let srcC = step == 0 ? carryC.data : cells.row(base - b)
            let dstH = hPrev.row(base), dstC = cPrev.row(base)
            for lane in 0..<b {
                let k: Float = keep.map { $0[base + lane] } ?? 1
                for j in 0..<h {
                    dstH[lane * h + j] = srcH[lane * h + j] * k
                    dstC[lane * h + j] = srcC[lane * h + j] * k
                }
            }
            BLAS.gemm(m: b, n: g4, k: h, dstH, lda: h, transposeA: false,
                      recurrentKernel.data, ldb: h, transposeB: true,
                      gates.row(base), ldc: g4, alpha: 1, beta: 1)
            for lane in 0..<b {
                let z = gates.row(base + lane)
                FastMath.sigmoidInPlace(z, count: 2 * h)          // i, f
                FastMath.tanhInPlace(z + 2 * h, count: h)         // g
                FastMath.sigmoidInPlace(z + 3 * h, count: h)      // o
                let gi = z, gf = z + h, gg = z + 2 * h, go = z + 3 * h
                let cp = dstC + lane * h
                let c = cells.row(base + lane), tc = tanhCells.row(base + lane)
                let out = output.row(base + lane)
                for j in 0..<h { c[j] = gf[j] * cp[j] + gi[j] * gg[j] }
                for j in 0..<h { tc[j] = c[j] }
                FastMath.tanhInPlace(tc, count: h)
                for j in 0..<h { out[j] = go[j] * tc[j] }
            }
        }
        carryH.data.update(from: output.row((t - 1) * b), count: b * h)
        carryC.data.update(from: cells.row((t - 1) * b), count: b * h)
        return output
    }

    /// Backpropagates `outputGradient` (`[T·B × H]`, ∂loss/∂hₜ from above for every step)
    /// through the last `forward`; fills the parameter gradients (overwriting them) and,
    /// when `needInputGradient`, `inputGradient`.
    public func backward(_ outputGradient: Tensor, needInputGradient: Bool = true) {
        guard let input = lastInput else { preconditionFailure("LSTM backward without forward") }
        let t = steps, b = lanes, h = units, g4 = 4 * h
        precondition(outputGradient.rows == t * b && outputGradient.cols == h,
                     "LSTM output-gradient shape mismatch")
        dhNext.fill(0); dcNext.fill(0)
        if stepKernel != .blas {
            let isa = stepKernel.isa
            for step in stride(from: t - 1, through: 0, by: -1) {
                let base = step * b
                tk_lstm_backward_step(isa, Int32(b), Int32(h), gates.row(base), cPrev.row(base),
                                      tanhCells.row(base), outputGradient.row(base), lastKeep.map { $0 + base },
                                      recurrentKernel.data, dhNext.data, dcNext.data, dGates.row(base))
            }
            fusedWeightGradients(input: input, needInputGradient: needInputGradient)
            return
        }
        for step in stride(from: t - 1, through: 0, by: -1) {
            let base = step * b
            for lane in 0..<b {
                let r = base + lane
                let a = gates.row(r), dz = dGates.row(r)
                let cp = cPrev.row(r), tc = tanhCells.row(r), dOut = outputGradient.row(r)
                let dhN = dhNext.row(lane), dcN = dcNext.row(lane)
                let k: Float = lastKeep.map { $0[r] } ?? 1
                for j in 0..<h {
                    let i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j]
                    let dh = dOut[j] + dhN[j]
                    let tcj = tc[j]
                    let dc = dcN[j] + dh * o * (1 - tcj * tcj)
                    dz[j] = dc * g * i * (1 - i)
                    dz[h + j] = dc * cp[j] * f * (1 - f)
                    dz[2 * h + j] = dc * i * (1 - g * g)
                    dz[3 * h + j] = dh * tcj * o * (1 - o)
                    dcN[j] = dc * f * k
                }
            }
            // ∂loss/∂hₜ₋₁ = keepₜ ⊙ (dZₜ · U).
            BLAS.gemm(m: b, n: h, k: g4, dGates.row(base), lda: g4, transposeA: false,
                      recurrentKernel.data, ldb: h, transposeB: false, dhNext.data, ldc: h)
            if let keep = lastKeep {
                for lane in 0..<b where keep[base + lane] == 0 {
                    dhNext.row(lane).update(repeating: 0, count: h)
                }
            }
        }
        weightGradients(input: input, needInputGradient: needInputGradient)
    }

    /// The fused-kernel forward: input projection of every step (`tk_gemm` against Wᵀ, on
    /// top of the bias), then one fused call per step.
    private func forwardFused(_ input: Tensor, steps t: Int, lanes b: Int, keep: UnsafePointer<Float>?) {
        let h = units, g4 = 4 * h, n = t * b
        if packedRecurrent.count != 4 * h * h { packedRecurrent = Tensor(rows: h, cols: g4) }
        if packedKernel.count != g4 * inputSize { packedKernel = Tensor(rows: inputSize, cols: g4) }
        tk_pack_transposed(Int32(g4), Int32(h), recurrentKernel.data, packedRecurrent.data)
        tk_pack_transposed(Int32(g4), Int32(inputSize), kernel.data, packedKernel.data)
        let isa = stepKernel.isa
        tk_gemm(isa, Int32(n), Int32(g4), Int32(inputSize), input.data, Int32(inputSize), 1,
                packedKernel.data, Int32(g4), gates.data, Int32(g4), 0, bias.data)
        for step in 0..<t {
            let base = step * b
            let srcH = step == 0 ? carryH.data : output.row(base - b)
            let srcC = step == 0 ? carryC.data : cells.row(base - b)
            tk_lstm_forward_step(isa, Int32(b), Int32(h), srcH, srcC, keep.map { $0 + base },
                                 packedRecurrent.data, gates.row(base), hPrev.row(base), cPrev.row(base),
                                 cells.row(base), tanhCells.row(base), output.row(base))
        }
        carryH.data.update(from: output.row((t - 1) * b), count: b * h)
        carryC.data.update(from: cells.row((t - 1) * b), count: b * h)
    }

    /// `weightGradients` done with `tk_gemm`: Wᵀ- and Uᵀ-shaped gradients (Xᵀ·dZ, Hₜ₋₁ᵀ·dZ)
    /// transposed into place, and dX = dZ·W.
    private func fusedWeightGradients(input: Tensor, needInputGradient: Bool) {
        let h = units, g4 = 4 * h, n = dGates.rows, isa = stepKernel.isa
        let width = max(inputSize, h)
        if gradientScratch.count != width * g4 { gradientScratch = Tensor(rows: width, cols: g4) }
        tk_gemm(isa, Int32(inputSize), Int32(g4), Int32(n), input.data, 1, Int32(inputSize),
                dGates.data, Int32(g4), gradientScratch.data, Int32(g4), 0, nil)
        tk_pack_transposed(Int32(inputSize), Int32(g4), gradientScratch.data, kernelGradient.data)
        tk_gemm(isa, Int32(h), Int32(g4), Int32(n), hPrev.data, 1, Int32(h),
                dGates.data, Int32(g4), gradientScratch.data, Int32(g4), 0, nil)
        tk_pack_transposed(Int32(h), Int32(g4), gradientScratch.data, recurrentKernelGradient.data)
        let db = biasGradient.data
        db.update(repeating: 0, count: g4)
        for r in 0..<n {
            let row = dGates.row(r)
            for j in 0..<g4 { db[j] += row[j] }
        }
        if needInputGradient {
            tk_gemm(isa, Int32(n), Int32(inputSize), Int32(g4), dGates.data, Int32(g4), 1,
                    kernel.data, Int32(inputSize), inputGradient.data, Int32(inputSize), 0, nil)
        }
    }

    /// The weight, bias and (optionally) input gradients from `dGates` over all steps.
    private func weightGradients(input: Tensor, needInputGradient: Bool) {
        let g4 = 4 * units
        BLAS.gemm(dGates, transposeA: true, input, into: kernelGradient)
        BLAS.gemm(dGates, transposeA: true, hPrev, into: recurrentKernelGradient)
        let db = biasGradient.data
        db.update(repeating: 0, count: g4)
        for r in 0..<dGates.rows {
            let row = dGates.row(r)
            for j in 0..<g4 { db[j] += row[j] }
        }
        if needInputGradient { BLAS.gemm(dGates, kernel, into: inputGradient) }
    }
}
