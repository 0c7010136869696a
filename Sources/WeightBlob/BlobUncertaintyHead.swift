/// The second output of a format-version-6 blob (an uncertainty head, `bmsim train --loss
/// gaussian-nll`): row 1 of the last dense layer is log σ² of the network's **scaled** label,
/// requantized by that row's own multiplier and shift straight to Q4.11 (int16, 11 fraction
/// bits: −16 … 16 in steps of 1/2048). Row 0 stays the SOC output of every version.
///
/// The integer engines (`QuantizedLSTMEngine.logVarianceQ11`, `bms_lstm_log_variance_q11`) report
///
///     s = min(sat16(row 1), 4 · 2048)        the trainer's clamp [−16, 4]: −16 is int16's floor
///
/// and the estimator (float, outside the integer path: `NetworkSigma` in Estimators) turns it into
/// the SOC's σ:
///
///     σ_SOC = e^{s / (2 · 2048)} · labelSpanPPM / 10⁶       (fraction of full)
///
/// since `SOC = prior + u · (yMax − yMin) + yMin` for the scaled label u. Stored in the last
/// dense layer record (Docs/WeightBlobFormat.md, "Version 6"): byte 8 the fraction bits (11),
/// bytes 12…15 `labelSpanPPM`.
///
/// ```swift
/// let head = BlobUncertaintyHead(labelSpanPPM: 400_000)      // yMax − yMin = 0.4
/// BlobUncertaintyHead.clamped(12_000)                        // 8192: log σ² = 4, σ_SOC = e² · 0.4
/// ```
public struct BlobUncertaintyHead: Sendable, Equatable {
    /// Fraction bits of the log-variance output (Q4.11); the only value the readers accept.
    public static let logVarianceFractionBits = 11
    /// The clamp of the trained log variance, [−16, 4], in Q4.11 (`TrainingLoss.logVarianceRange`).
    public static let logVarianceRangeQ11: ClosedRange<Int16> = Int16.min...(4 << 11)
    /// Allowed label spans, ppm of full SOC per unit of the scaled label (up to 10 × full).
    public static let labelSpanPPMRange: ClosedRange<Int32> = 1...10_000_000

    /// SOC per unit of the scaled label, ppm of full (the float model's (yMax − yMin) · 10⁶, rounded).
    public var labelSpanPPM: Int32

    /// Creates a head description.
    public init(labelSpanPPM: Int32) {
        self.labelSpanPPM = labelSpanPPM
    }

    /// The engine's log-variance output of row 1 (int16 Q4.11, already saturated) with the
    /// upper clamp applied (integer only).
    @inlinable
    public static func clamped(_ rowOutput: Int16) -> Int16 { min(rowOutput, logVarianceRangeQ11.upperBound) }
}
