import COpenBLAS

/// Thin, typed access to the OpenBLAS routines the trainer uses.
///
/// Determinism: OpenBLAS may split an `sgemm` differently for different thread counts, so
/// results are bit-identical only for the same thread count (set with `setThreadCount`).
public enum BLAS {
    /// Sets OpenBLAS's worker-thread count (`openblas_set_num_threads`).
    public static func setThreadCount(_ threads: Int) {
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    /// `C = alpha * op(A) * op(B) + beta * C` on row-major Float32 tensors (`cblas_sgemm`).
    ///
    /// `op(X)` is `X` or `Xᵀ` per `transposeA` / `transposeB`. Shapes are checked:
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    @inlinable
    public static func gemm(_ a: Tensor, transposeA: Bool = false,
                            _ b: Tensor, transposeB: Bool = false,
                            into c: Tensor, alpha: Float = 1, beta: Float = 0) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb && c.rows == m && c.cols == n, "gemm shape mismatch")
        gemm(m: m, n: n, k: k, a.data, lda: a.cols, transposeA: transposeA,
             b.data, ldb: b.cols, transposeB: transposeB, c.data, ldc: c.cols, alpha: alpha, beta: beta)
    }

    /// Raw-pointer form of `gemm` for sub-blocks (row ranges) of tensors.
    @inlinable
    public static func gemm(m: Int, n: Int, k: Int,
                            _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                            _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                            _ c: UnsafeMutablePointer<Float>, ldc: Int,
                            alpha: Float = 1, beta: Float = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for r in 0..<m { (c + r * ldc).update(repeating: 0, count: n) } }
            else if beta != 1 { for r in 0..<m { for j in 0..<n { c[r * ldc + j] *= beta } } }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }
}
