import FixedPoint
import WeightBlob

/// The integer coulomb counter of the engine (and of `bms_step.c`): the charge drawn since
/// a reset in 0.5 mA·s, and the coulomb-count prior SOC in 0.01 % (see `BlobChargeCounter`).
///
/// Exact: `−(I[n−1] + I[n]) · stepSeconds` is the trapezoid `−½(I[n−1] + I[n]) · step` in
/// half-mA·s, so no rounding happens until the sum leaves ±(2^31 − 1) (≈ ±298 Ah), where it
/// saturates. No floating point.
public enum IntegerChargeCounter {
    /// The counter after one more step: `sat32(q − (previousMA + currentMA) · stepSeconds)`.
    @inlinable
    public static func advance(_ chargeHalfMAs: Int32, previousMA: Int32, currentMA: Int32, stepSeconds: Int32) -> Int32 {
        let drawn = -(Int64(previousMA) + Int64(currentMA)) * Int64(stepSeconds)
        return Saturating.narrowToInt32(Int64(chargeHalfMAs) + drawn)
    }

    /// The prior SOC `s0 − q/Q` in 0.01 %, `q/Q` rounded half up:
    /// `s0 − floor((20000·q + Qh) / (2·Qh))` with `Qh = 7200 · priorCapacityMAh` (half-mA·s) and
    /// `s0 = startSOCCentiPercent` (10000, a full start, unless the firmware set a start SOC;
    /// `StartSOC.centiPercentRange`). `priorCapacityMAh` is in 1…1 000 000 (checked by the blob
    /// readers), so nothing overflows Int64; the result can leave Int32 (|q| near 2^31 with
    /// Q = 1 mAh), hence Int64.
    ///
    /// ```swift
    /// // 0.9 Ah drawn (6,480,000 half-mA·s) of 1.8 Ah from a start at 70 %: 70 % − 50 % = 20 %
    /// IntegerChargeCounter.priorCentiPercent(chargeHalfMAs: 6_480_000, priorCapacityMAh: 1800,
    ///                                        startSOCCentiPercent: 7000)   // 2000
    /// ```
    @inlinable
    public static func priorCentiPercent(chargeHalfMAs: Int32, priorCapacityMAh: Int32,
                                         startSOCCentiPercent: Int32 = 10_000) -> Int64 {
        let capacity = Int64(priorCapacityMAh) * 7200
        let numerator = 20_000 * Int64(chargeHalfMAs) + capacity
        let denominator = 2 * capacity
        var quotient = numerator / denominator
        if numerator % denominator != 0 && numerator < 0 { quotient -= 1 }   // floor, not truncation
        return Int64(startSOCCentiPercent) - quotient
    }
}
