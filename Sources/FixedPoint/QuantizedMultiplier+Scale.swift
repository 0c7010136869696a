/// Conversion between real scales and `QuantizedMultiplier`.
///
/// Desktop side only: used when a quantizer writes a blob and when `bmsim inspect` prints
/// the effective scale. Nothing on the per-tick integer path calls these.
extension QuantizedMultiplier {
    /// The nearest multiplier/shift pair to a positive finite `scale`, or `nil` when the
    /// scale is not representable (≤ 0, not finite, below 2^−32 or at least 2^30).
    ///
    /// ```swift
    /// QuantizedMultiplier(approximating: 0.5)   // multiplier 2^30, shift 31
    /// ```
    public init?(approximating scale: Double) {
        guard scale.isFinite, scale > 0 else { return nil }
        // scale = m · 2^e with m in [0.5, 1)
        let exponent = scale.exponent + 1                     // scale = (significand/2) · 2^exponent
        var mantissa = (scale / Double(sign: .plus, exponent: exponent, significand: 1) * 2_147_483_648).rounded()
        var shift = 31 - exponent
        if mantissa >= 2_147_483_648 {  // rounding carried into the next power of two
            mantissa /= 2
            shift -= 1
        }
        let candidate = QuantizedMultiplier(multiplier: Int32(mantissa), shift: Int32(clamping: shift))
        guard shift >= Int(Self.shiftRange.lowerBound), shift <= Int(Self.shiftRange.upperBound),
              candidate.isValid else { return nil }
        self = candidate
    }

    /// The real scale this pair stands for: `multiplier · 2^−shift`.
    public var scale: Double {
        Double(multiplier) * Double(sign: .plus, exponent: -Int(shift), significand: 1)
    }
}
