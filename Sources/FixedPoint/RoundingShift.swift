/// Arithmetic right shifts that round to nearest, ties toward +∞.
///
/// `roundingRightShift(x, n) = ⌊(x + 2^(n−1)) / 2^n⌋` for `n ≥ 1`, and `x` for `n = 0`.
/// The floor is the arithmetic shift; it is the same for negative `x` in Swift and in the
/// C runtime, which computes it without relying on C's implementation-defined `>>` of
/// negative numbers (see `bms_floor_shift_s64`).
///
/// ```swift
/// RoundingShift.right(Int64(5), by: 1)    //  3  ( 2.5 →  3)
/// RoundingShift.right(Int64(-5), by: 1)   // -2  (-2.5 → -2, tie toward +∞)
/// RoundingShift.right(Int64(-7), by: 2)   // -2  (-1.75 → -2)
/// ```
public enum RoundingShift {
    /// Rounds `value / 2^shift` to nearest (ties toward +∞). `shift` must be in 0…62 and
    /// `value + 2^(shift−1)` must not overflow (true for every |value| < 2^62).
    @inlinable @inline(__always)
    public static func right(_ value: Int64, by shift: Int32) -> Int64 {
        if shift == 0 { return value }
        return (value &+ (Int64(1) &<< Int64(shift &- 1))) &>> Int64(shift)
    }

    /// Rounds `value / 2^shift` to nearest (ties toward +∞); `shift` in 0…31, computed in
    /// 64 bits so it never overflows.
    @inlinable @inline(__always)
    public static func right(_ value: Int32, by shift: Int32) -> Int32 {
        Int32(truncatingIfNeeded: right(Int64(value), by: shift))
    }
}
