import RealModule
import WeightBlob

extension BlobUncertaintyHead {
    /// σ of the SOC (fraction of full) for the engine's clamped log variance `s` (Q4.11,
    /// `QuantizedLSTMEngine.logVarianceQ11`):
    ///
    ///     σ_SOC = e^{s / 4096} · labelSpanPPM / 10⁶
    ///
    /// The one floating-point step of the uncertainty head, on the estimator's side of the
    /// integer engine (Docs/Estimators.md, "EKF + LSTM fusion"). s = 0 gives the label span
    /// itself; s = −8 · 2048 (log σ² = −8) gives e^{−4} ≈ 1.8 % of it.
    ///
    /// ```swift
    /// BlobUncertaintyHead(labelSpanPPM: 400_000).sigmaSOC(logVarianceQ11: -8 * 2048)   // ≈ 0.0073
    /// ```
    @inlinable
    public func sigmaSOC(logVarianceQ11: Int16) -> Double {
        let logVariance = Double(logVarianceQ11) / Double(1 << Self.logVarianceFractionBits)
        return Double.exp(0.5 * logVariance) * Double(labelSpanPPM) / 1_000_000
    }
}
