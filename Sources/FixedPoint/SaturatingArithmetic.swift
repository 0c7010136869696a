/// Saturating narrowing and addition for the Q formats of the integer LSTM.
///
/// Every function clamps to the destination range instead of wrapping, exactly as the C
/// runtime's `bms_sat_s16` / `bms_sat_s32` do, so the two stay bit-exact.
///
/// ```swift
/// Saturating.narrowToInt16(40_000)    // 32767
/// Saturating.narrowToInt16(-40_000)   // -32768
/// Saturating.add(Int16(30_000), Int16(10_000))  // 32767
/// ```
public enum Saturating {
    /// Clamps a 32-bit value to `Int16`.
    @inlinable @inline(__always)
    public static func narrowToInt16(_ value: Int32) -> Int16 {
        Int16(truncatingIfNeeded: Swift.min(Swift.max(value, -32768), 32767))
    }

    /// Clamps a 64-bit value to `Int16`.
    @inlinable @inline(__always)
    public static func narrowToInt16(_ value: Int64) -> Int16 {
        Int16(truncatingIfNeeded: Swift.min(Swift.max(value, -32768), 32767))
    }

    /// Clamps a 64-bit value to `Int32`.
    @inlinable @inline(__always)
    public static func narrowToInt32(_ value: Int64) -> Int32 {
        Int32(truncatingIfNeeded: Swift.min(Swift.max(value, Int64(Int32.min)), Int64(Int32.max)))
    }

    /// Clamps a 32-bit value to `Int8`.
    @inlinable @inline(__always)
    public static func narrowToInt8(_ value: Int32) -> Int8 {
        Int8(truncatingIfNeeded: Swift.min(Swift.max(value, -128), 127))
    }

    /// `a + b` clamped to `Int16` (computed exactly in 32 bits first).
    @inlinable @inline(__always)
    public static func add(_ a: Int16, _ b: Int16) -> Int16 {
        narrowToInt16(Int32(a) &+ Int32(b))
    }

    /// `a + b` clamped to `Int32` (computed exactly in 64 bits first).
    @inlinable @inline(__always)
    public static func add(_ a: Int32, _ b: Int32) -> Int32 {
        narrowToInt32(Int64(a) &+ Int64(b))
    }

    /// `a - b` clamped to `Int32` (computed exactly in 64 bits first).
    @inlinable @inline(__always)
    public static func subtract(_ a: Int32, _ b: Int32) -> Int32 {
        narrowToInt32(Int64(a) &- Int64(b))
    }
}
