/// Integer sigmoid and tanh with Q0.15 outputs (`Int16`, real value y/32768).
///
/// sigmoid takes Q4.11 (real x/2048, domain [−16, 16)), the format of the LSTM gate
/// pre-activations; tanh takes Q3.12 (real x/4096, domain [−8, 8)). Both use a 513-knot
/// table (`ActivationTables`) with linear interpolation between knots:
/// `u = x + 32768` (0…65535), `k = u >> 7`, `t = u & 127`,
/// `y = T[k] + ((T[k+1] − T[k]) · t + 64) >> 7`.
/// Measured error against the exact functions over all 65,536 inputs is in
/// `Docs/FixedPoint.md` (test `ActivationAccuracyTests`).
///
/// ```swift
/// IntegerActivations.sigmoidQ15(0)       // 16384  (0.5)
/// IntegerActivations.sigmoidQ15(2048)    // ≈ 23955 (σ(1) = 0.7311)
/// IntegerActivations.tanhQ15(4096)       // ≈ 24956 (tanh 1 = 0.7616)
/// ```
public enum IntegerActivations {
    /// Interpolates a 513-knot table at an int16 input (the table's domain spans all int16).
    @inlinable @inline(__always)
    public static func interpolate(_ table: UnsafePointer<Int16>, _ xQ3_12: Int16) -> Int16 {
        let u = Int32(xQ3_12) &+ 32768
        let k = Int(u &>> 7)
        let t = u & 127
        let y0 = Int32(table[k])
        let y1 = Int32(table[k &+ 1])
        // (y1 − y0) · t is ≥ 0 for the monotone tables; the shift is arithmetic anyway.
        return Int16(truncatingIfNeeded: y0 &+ (((y1 &- y0) &* t &+ 64) &>> 7))
    }

    /// σ(x): Q4.11 in, Q0.15 out (0…32767).
    @inlinable
    public static func sigmoidQ15(_ xQ4_11: Int16) -> Int16 {
        ActivationTables.sigmoidQ15.withUnsafeBufferPointer { interpolate($0.baseAddress!, xQ4_11) }
    }

    /// tanh(x): Q3.12 in, Q0.15 out (−32767…32767; odd up to interpolation rounding).
    @inlinable
    public static func tanhQ15(_ xQ3_12: Int16) -> Int16 {
        ActivationTables.tanhQ15.withUnsafeBufferPointer { interpolate($0.baseAddress!, xQ3_12) }
    }
}
