import CTrainerKernels
import FloatModel

/// What this CPU runs of the step kernels (CPUID through `CTrainerKernels`).
extension LSTMStepKernel {
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
