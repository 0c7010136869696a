/// A positive real scale `s` stored as an integer multiplier and a right shift:
/// `s ≈ multiplier · 2^−shift` with `multiplier` in [2^30, 2^31) (normalised, 31 bits of
/// precision) and `shift` in 1…62.
///
/// Applying it to an accumulator is one 32×32→64-bit multiply and one rounding shift:
/// `apply(acc) = roundingRightShift(Int64(acc) · multiplier, shift)`. Because
/// |acc · multiplier| < 2^62 for every `Int32` acc, the product and the rounding add never
/// overflow 64 bits. This is a single rounding (TFLite's gemmlowp path rounds twice).
///
/// ```swift
/// let half = QuantizedMultiplier(multiplier: 1 << 30, shift: 31)   // 0.5
/// half.apply(to: 7)    // 4   (3.5 rounds up)
/// half.apply(to: -7)   // -3  (-3.5, tie toward +∞)
/// ```
public struct QuantizedMultiplier: Sendable, Equatable, Hashable {
    /// Smallest valid multiplier, 2^30.
    public static let multiplierRange: ClosedRange<Int32> = (1 << 30)...Int32.max
    /// Valid right shifts.
    public static let shiftRange: ClosedRange<Int32> = 1...62

    /// Mantissa, in `multiplierRange`.
    public var multiplier: Int32
    /// Right shift, in `shiftRange`.
    public var shift: Int32

    /// Creates a multiplier from its two fields (validate with `isValid`; blob readers do).
    @inlinable
    public init(multiplier: Int32, shift: Int32) {
        self.multiplier = multiplier
        self.shift = shift
    }

    /// True when both fields are in range.
    @inlinable
    public var isValid: Bool {
        Self.multiplierRange.contains(multiplier) && Self.shiftRange.contains(shift)
    }

    /// `round(acc · multiplier / 2^shift)` as a 64-bit value (no saturation).
    @inlinable @inline(__always)
    public func applyWide(to accumulator: Int32) -> Int64 {
        RoundingShift.right(Int64(accumulator) &* Int64(multiplier), by: shift)
    }

    /// `round(acc · scale)` saturated to `Int32`.
    @inlinable @inline(__always)
    public func apply(to accumulator: Int32) -> Int32 {
        Saturating.narrowToInt32(applyWide(to: accumulator))
    }

    /// `round(acc · scale)` saturated to `Int16`.
    @inlinable @inline(__always)
    public func applySaturatingInt16(to accumulator: Int32) -> Int16 {
        Saturating.narrowToInt16(applyWide(to: accumulator))
    }
}
