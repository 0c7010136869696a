import FixedPoint

/// A `QuantizedMultiplier` unpacked once at init into the three 64-bit operands of its
/// rounding shift, so the per-tick requantization is a multiply, an add and a shift:
/// `(acc · multiplier + 2^(shift−1)) >> shift` — the same integer as
/// `QuantizedMultiplier.applyWide` for every accumulator and every valid pair (shift 0
/// gives rounding 0, as `RoundingShift.right` leaves the value alone there).
struct RowRequantization {
    let multiplier: Int64
    let rounding: Int64
    let shift: Int64

    init(_ scale: QuantizedMultiplier) {
        multiplier = Int64(scale.multiplier)
        shift = Int64(scale.shift)
        rounding = scale.shift > 0 ? Int64(1) << Int64(scale.shift - 1) : 0
    }

    /// `round(acc · scale)`, saturated to the int16 range (kept in `Int32`).
    @inline(__always)
    func applySaturating16(_ accumulator: Int32) -> Int32 {
        let wide = (Int64(accumulator) &* multiplier &+ rounding) &>> shift
        return Int32(truncatingIfNeeded: Swift.min(Swift.max(wide, -32768), 32767))
    }
}
