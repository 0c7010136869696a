/// How `LSTMLayer` does its per-step work.
///
/// - `blas`: the original path — the recurrent product of each step is an OpenBLAS
///   `sgemm`, the gate activations and cell update are Swift loops.
/// - `portable`, `avx2`, `avx512`: one fused C call per step (`Sources/CTrainerKernels`):
///   the recurrent product for the batch as a small in-kernel GEMM against Uᵀ (packed once
///   per forward), the activations and the cell update (forward), or the BPTT step with
///   ∂loss/∂hₜ₋₁ = keep ⊙ (dZ·U) (backward), built for plain C, AVX2+FMA or AVX-512F.
///
/// The fused variants also do the whole-sequence products of the layer — the input
/// projection of all steps (with the bias) and the weight and input gradients — with the same
/// register-blocked C GEMM (`tk_gemm`) instead of OpenBLAS; `blas` keeps OpenBLAS for them.
/// Dense layers use OpenBLAS in every variant. Each variant is deterministic (fixed summation
/// order); variants agree to Float32 rounding, not bit for bit (`LSTMStepKernelTests`).
public enum LSTMStepKernel: String, CaseIterable, Codable, Sendable {
    /// OpenBLAS `sgemm` per step plus Swift loops.
    case blas
    /// Fused C kernel, baseline instruction set.
    case portable
    /// Fused C kernel, AVX2 + FMA.
    case avx2
    /// Fused C kernel, AVX-512F.
    case avx512
}
