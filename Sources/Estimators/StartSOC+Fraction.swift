import QuantizedLSTM

extension StartSOC {
    /// `fraction` (1 = 100 %) in 0.01 %, rounded to nearest (ties away from zero): the
    /// conversion a firmware does once per model run, at the boundary of the integer path
    /// (which has no floating point). Throws for NaN, ±∞ or a value outside 0 … 1.2.
    ///
    /// ```swift
    /// try StartSOC.centiPercent(fraction: 0.73456)   // 7346
    /// try StartSOC.centiPercent(fraction: 1.3)       // throws .outOfRange(centiPercent: 13000)
    /// ```
    public static func centiPercent(fraction: Double) throws(StartSOCError) -> Int32 {
        guard fraction.isFinite else { throw .notFinite }
        let scaled = (fraction * 10_000).rounded()
        guard scaled >= Double(centiPercentRange.lowerBound), scaled <= Double(centiPercentRange.upperBound) else {
            throw .outOfRange(centiPercent: scaled.magnitude < 2e9 ? Int32(scaled) : (scaled < 0 ? .min : .max))
        }
        return Int32(scaled)
    }
}
