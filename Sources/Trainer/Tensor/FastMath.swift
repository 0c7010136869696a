/// Vectorisable Float32 `exp`, logistic sigmoid and `tanh` for the trainer's element-wise
/// kernels (hand-written because Glibc's scalar `expf` call blocks auto-vectorisation and
/// costs several nanoseconds per gate element).
///
/// `exp` is the Cephes `expf` scheme: `x = n·ln2 + r` with `|r| ≤ ln2/2` (Cody–Waite
/// split of ln 2), a degree-6 polynomial for `eʳ`, and `2ⁿ` put in the exponent bits.
/// Inputs are clamped to `[-87.3, 88.3]`, so results are finite and normal. Relative error
/// against Float64 `exp` is below 3e-7 (checked in `FastMathTests`).
public enum FastMath {
    /// `eˣ` for Float32, clamped to the normal range (see the type's summary).
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let xc = min(max(x, -87.3), 88.3)
        // Round to nearest with the 1.5·2²³ trick (vectorises; `rounded()` calls libm).
        let n = (xc * 1.442_695_04 + 12_582_912) - 12_582_912
        var r = xc - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        let r2 = r * r
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * r2 + r + 1
        // 2ⁿ without a trapping Float→Int conversion: n + 127 lands in the low mantissa
        // bits of 1.5·2²³ + n + 127 (exact for |n| < 2²²), then moves to the exponent field.
        let biased = (n + 127) + 12_582_912
        let bits = (biased.bitPattern &- 0x4B40_0000) << 23
        return er * Float(bitPattern: bits)
    }

    /// Logistic sigmoid `σ(x) = 1 / (1 + e⁻ˣ)`.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// Applies `sigmoid` in place to `count` values (a loop the compiler vectorises).
    @inlinable
    public static func sigmoidInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { p[k] = sigmoid(p[k]) }
    }

    /// Applies `tanh` in place to `count` values.
    @inlinable
    public static func tanhInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { p[k] = tanh(p[k]) }
    }

    /// Hyperbolic tangent as `1 − 2 / (1 + e²ˣ)` (absolute error below 3e-7).
    @inlinable @inline(__always)
    public static func tanh(_ x: Float) -> Float { 1 - 2 / (1 + exp(2 * x)) }
}
