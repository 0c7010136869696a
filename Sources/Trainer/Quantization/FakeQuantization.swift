import Quantizer

/// Fake quantization with straight-through-estimator (STE) gradients: the forward value is
/// rounded onto the integer grid the engine uses, the backward pass treats the rounding as
/// the identity inside the representable range and as a constant (gradient 0) where the
/// value saturates.
public enum FakeQuantization {
    /// `s · clamp(round(x / s), −limit, limit)` and its STE derivative (1 inside the range,
    /// 0 where it saturates). Rounds half away from zero (`Double.rounded()`), as the
    /// quantizer rounds weights and biases.
    public static func uniform(_ x: Double, step s: Double, limit: Double) -> (value: Double, derivative: Double) {
        let q = (x / s).rounded()
        if q > limit { return (limit * s, 0) }
        if q < -limit { return (-limit * s, 0) }
        return (q * s, 1)
    }

    /// The quantizer's int8 rows dequantized: `ŵ[r,j] = round(w[r,j] / s_r) · s_r` with
    /// `s_r = max_j |w[r,j]| / 127` (1 for a zero row), the per-row scheme of
    /// `PostTrainingQuantizer` with plain rounding. Every |w| ≤ 127·s_r, so the STE
    /// derivative is 1 for every weight (the dependence of s_r on the row maximum is ignored,
    /// as usual for STE).
    public static func dequantizedRows(_ weights: [Float], rows: Int, columns: Int) -> [Double] {
        let (q, scales) = PostTrainingQuantizer().quantizeRows(weights, rows: rows, columns: columns)
        var out = [Double](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for j in 0..<columns { out[r * columns + j] = Double(q[r * columns + j]) * scales[r] }
        }
        return out
    }
}

/// One discharge prepared for `FakeQuantizedLSTM`: the engine's int16 standardised features
/// and integer coulomb-count prior per step (these do not depend on the weights), and the
/// float reference's standardised features and prior (for the unquantized mode).
public struct FakeQuantSequence: Sendable {
    /// Steps.
    public let count: Int
    /// `count × features` int16 features, exactly as `QuantizedLSTMEngine` computes them.
    let integerFeatures: [Int16]
    /// `count × features` float standardised features, as `ReferenceLSTMRunner` computes them.
    let floatFeatures: [Double]
    /// Integer prior (0.01 %) per step, 0 without a prior.
    let integerPrior: [Int64]
    /// Float prior (fraction) per step, 0 without a prior.
    let floatPrior: [Double]
}
