import CTrainerKernels

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

    /// Whether this CPU can run the variant (CPUID; `blas` and `portable` always can).
    public var isSupported: Bool {
        switch self {
        case .blas: return true
        case .portable, .avx2, .avx512: return tk_isa_supported(isa) != 0
        }
    }

    /// The fastest variant this CPU supports (the widest fused build).
    public static var best: LSTMStepKernel {
        switch tk_best_isa() {
        case Int32(TK_ISA_AVX512.rawValue): return .avx512
        case Int32(TK_ISA_AVX2.rawValue): return .avx2
        default: return .portable
        }
    }

    /// Every variant this CPU can run.
    public static var supported: [LSTMStepKernel] { allCases.filter(\.isSupported) }

    /// The C kernels' ISA code (unused for `blas`).
    var isa: Int32 {
        switch self {
        case .blas, .portable: return Int32(TK_ISA_PORTABLE.rawValue)
        case .avx2: return Int32(TK_ISA_AVX2.rawValue)
        case .avx512: return Int32(TK_ISA_AVX512.rawValue)
        }
    }
}

/// A kernel the CPU cannot run was asked for.
public struct UnsupportedKernelError: Error, CustomStringConvertible, Equatable {
    /// The variant asked for.
    public let kernel: LSTMStepKernel
    /// Creates the error.
    public init(kernel: LSTMStepKernel) { self.kernel = kernel }
    /// Names the variant and the ones this CPU can run.
    public var description: String {
        "LSTM step kernel \(kernel.rawValue) is not supported by this CPU (supported: "
            + LSTMStepKernel.supported.map(\.rawValue).joined(separator: ", ") + ")"
    }
}

extension LSTMStepKernel {
    /// Returns `kernel` if this CPU runs it, else throws `UnsupportedKernelError`.
    public static func checked(_ kernel: LSTMStepKernel) throws(UnsupportedKernelError) -> LSTMStepKernel {
        guard kernel.isSupported else { throw UnsupportedKernelError(kernel: kernel) }
        return kernel
    }
}

extension LSTMStepKernel {
    /// `c[m × n] = (accumulate ? c : bias) + A·b` with this variant's C GEMM (`tk_gemm`;
    /// `blas` means the portable build here). Element (r, p) of A is `a[r·lda + p·acs]`.
    func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, acs: Int,
              b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
              accumulate: Bool, bias: UnsafePointer<Float>?) {
        tk_gemm(isa, Int32(m), Int32(n), Int32(k), a, Int32(lda), Int32(acs), b, Int32(ldb),
                c, Int32(ldc), accumulate ? 1 : 0, bias)
    }
}
