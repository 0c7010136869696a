/// The training loss of a float model, and so the width of its output head.
///
/// - `mse`: one output, the scaled SOC label ŷ; loss (ŷ − y)² (the benchmark task's).
/// - `gaussianNLL`: two outputs, the mean μ and the log-variance s = log σ² of a Gaussian over
///   the scaled label (an uncertainty head); loss ½ (s + (y − μ)² e^{−s}) with s clamped to
///   `logVarianceRange` (`GaussianNLL` in `Trainer`). σ in SOC is `σ_scaled · (yMax − yMin)`.
///
/// Stored as `training.config.loss`; model files without the key were trained with `mse`.
public enum TrainingLoss: String, Codable, Sendable, CaseIterable {
    /// Mean squared error on one output.
    case mse
    /// Gaussian negative log-likelihood on two outputs (μ, log σ²).
    case gaussianNLL = "gaussian-nll"

    /// Outputs of the last dense layer.
    public var outputCount: Int { self == .mse ? 1 : 2 }

    /// The clamp of the log-variance output s (scaled-label units): σ from e^{−8} ≈ 3.4e-4 to
    /// e^{2} ≈ 7.4 label ranges; outside it the loss is flat in s (no gradient).
    public static let logVarianceRange: ClosedRange<Float> = -16...4
}
