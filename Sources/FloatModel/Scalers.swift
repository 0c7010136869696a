import BMSCore

/// Feature and label scalers fitted on every grid step of the training cycles (the benchmark task, Docs/Benchmark.md):
/// `x' = (x − mean) / std` per feature (population std; 0 → 1) and `y' = (y − min) / (max − min)`.
public struct Scalers: Codable, Equatable, Sendable {
    /// Per-feature mean.
    public var xMean: [Double]
    /// Per-feature population standard deviation.
    public var xStd: [Double]
    /// Minimum training SOC fraction.
    public var yMin: Double
    /// Maximum training SOC fraction.
    public var yMax: Double
    /// When set, the network's label is the residual to a coulomb-count prior,
    /// `soc − (1 − q/priorCapacityAh)` with `q` the Ah drawn since the discharge began, and
    /// `soc = prior + y·(yMax − yMin) + yMin`; `yMin`/`yMax` then bound the residual.
    /// `nil`: the label is the SOC itself (as the benchmark task). With `learnedPrior` this
    /// is the default capacity (the blob's, used when the firmware gives none).
    public var priorCapacityAh: Double?
    /// When set, each discharge's prior capacity is the one learned before it
    /// (`LearnedPriorCapacity`), not `priorCapacityAh` (`nil` in older files: fixed).
    public var learnedPrior: LearnedPriorCapacity?
    /// The feature set the means and stds belong to (`nil` in older files: `task`, or
    /// `task+charge` when there are six).
    public var featureSet: FeatureSet?
    /// The ranges of the training steps (`nil` in files written before envelopes existed):
    /// carried into the blob's metadata, where `LSTMEstimator` reads it.
    public var envelope: TrainingEnvelope?

    /// The feature set, inferred from the width for older files.
    public var resolvedFeatureSet: FeatureSet { featureSet ?? (xMean.count == 6 ? .taskPlusCharge : .task) }

    /// Creates scalers from known values.
    public init(xMean: [Double], xStd: [Double], yMin: Double, yMax: Double, priorCapacityAh: Double? = nil) {
        self.xMean = xMean; self.xStd = xStd; self.yMin = yMin; self.yMax = yMax
        self.priorCapacityAh = priorCapacityAh
    }

    /// Scaled SOC label.
    @inlinable public func scaleLabel(_ soc: Double) -> Float { Float((soc - yMin) / (yMax - yMin)) }
    /// SOC fraction from a scaled network output.
    @inlinable public func socFraction(fromScaled y: Float) -> Double { Double(y) * (yMax - yMin) + yMin }
}
