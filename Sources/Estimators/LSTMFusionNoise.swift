/// The measurement noise of the LSTM's SOC in `FusedEKFLSTMEstimator` (`ekf+lstm`): a σ per
/// band of the LSTM's own SOC output, learned from its residuals on the NASA validation cells,
/// and the decorrelation time that accounts for the errors being correlated within a discharge.
///
/// One fusion per model step Δt (10 s) uses
///
///     R = σ(band of z)² · max(1, τ / Δt) · ρ_P,    τ = decorrelationSeconds, ρ_P = filterVarianceRatio
///
/// - τ / Δt: the information the LSTM adds over τ equals one measurement of variance σ² (an
///   LSTM error is mostly a bias for a whole discharge; N steps of one bias carry the
///   information of one measurement, not of N).
/// - ρ_P: the EKF's SOC variance P₀₀ is not its error: its voltage noise is set far above
///   white noise (`EstimatorConfig.voltageNoisePerResidual`), so under load it claims a σ of
///   about 5 points while it is off by about 1. The gain P₀₀ / (P₀₀ + R) weighs the two on one
///   scale, so R is put on the filter's scale: ρ_P = mean P₀₀ / mean squared error of the
///   EKF at the same steps.
///
/// Re-learn with `bmsim fusion-noise ../shared/data/nasa_pcoe_battery --cells validation`
/// (prints the bands, the correlation time and the Swift literal of `default`).
///
/// ```swift
/// let noise = LSTMFusionNoise.default
/// noise.variance(lstmSOC: 0.5, stepSeconds: 10)   // σ(0.4…0.6)² · τ/10 · ρ_P
/// ```
public struct LSTMFusionNoise: Sendable, Equatable, Codable {
    /// σ of the LSTM's SOC (fraction) in equal bands of its output over [0, 1]: band k is
    /// [k/n, (k+1)/n) (an output outside [0, 1] takes the nearest band). At least one.
    public var socBandSigma: [Double]
    /// Seconds over which the LSTM's errors count as one independent measurement, s (≥ 0;
    /// at most 1 measurement per step).
    public var decorrelationSeconds: Double
    /// The EKF's claimed SOC variance over its actual squared error under load (> 0).
    public var filterVarianceRatio: Double

    /// Creates a noise model; `socBandSigma` must be non-empty, every σ positive and finite,
    /// `decorrelationSeconds` finite and ≥ 0, `filterVarianceRatio` finite and > 0 (`isValid`).
    public init(socBandSigma: [Double], decorrelationSeconds: Double, filterVarianceRatio: Double = 1) {
        self.socBandSigma = socBandSigma
        self.decorrelationSeconds = decorrelationSeconds
        self.filterVarianceRatio = filterVarianceRatio
    }

    /// True when the bands and the time can be used (see `init`).
    public var isValid: Bool {
        !socBandSigma.isEmpty && socBandSigma.allSatisfy { $0.isFinite && $0 > 0 }
            && decorrelationSeconds.isFinite && decorrelationSeconds >= 0
            && filterVarianceRatio.isFinite && filterVarianceRatio > 0
    }

    /// The band of `soc` (an index into `socBandSigma`).
    @inlinable
    public func band(of soc: Double) -> Int {
        let n = socBandSigma.count
        guard soc.isFinite else { return 0 }
        return min(n - 1, max(0, Int((soc * Double(n)).rounded(.down))))
    }

    /// R for one fused model step of `stepSeconds` with the LSTM at `lstmSOC`, fraction².
    @inlinable
    public func variance(lstmSOC: Double, stepSeconds: Double) -> Double {
        let sigma = socBandSigma[band(of: lstmSOC)]
        let inflation = stepSeconds > 0 ? max(1, decorrelationSeconds / stepSeconds) : 1
        return sigma * sigma * inflation * filterVarianceRatio
    }

    /// R for one fused model step of `stepSeconds` when the network gives its own σ (an
    /// uncertainty head, `BlobUncertaintyHead`), fraction²: the bands' σ replaced by it,
    /// `R = σ_net² · max(1, τ / Δt) · ρ_P` (k = 1: the float comparison's `fusion-float --sigma network`).
    @inlinable
    public func variance(networkSigma sigma: Double, stepSeconds: Double) -> Double {
        let inflation = stepSeconds > 0 ? max(1, decorrelationSeconds / stepSeconds) : 1
        return sigma * sigma * inflation * filterVarianceRatio
    }

    /// These values with τ, ρ_P and/or every σ replaced (an experiment option; nil keeps it).
    public func adjusted(decorrelationSeconds: Double?, sigmaScale: Double?, filterVarianceRatio: Double? = nil) -> LSTMFusionNoise {
        var copy = self
        if let decorrelationSeconds { copy.decorrelationSeconds = decorrelationSeconds }
        if let filterVarianceRatio { copy.filterVarianceRatio = filterVarianceRatio }
        if let sigmaScale { copy.socBandSigma = socBandSigma.map { $0 * sigmaScale } }
        return copy
    }

    /// The shipped values, learned from the `lstm-soh` blob's residuals on the NASA validation
    /// cells (B0007, B0028, B0031, B0034; 432 discharges on a 1 s grid, 98,561 residuals):
    /// `bmsim fusion-noise --data ../shared/data/nasa_pcoe_battery --cell-model Fixtures/models/cell-default.json`.
    public static let `default` = LSTMFusionNoise(socBandSigma: [0.0204, 0.0238, 0.0206, 0.0248, 0.0417],
                                                  decorrelationSeconds: 1833, filterVarianceRatio: 7.8)
}
