import FloatModel
import RealModule

/// The Gaussian negative log-likelihood of `TrainingLoss.gaussianNLL` for one output pair
/// (μ, s = log σ²) and its label y, all in scaled-label units:
///
///     NLL = ½ (s̄ + (y − μ)² e^{−s̄}),   s̄ = clamp(s, `TrainingLoss.logVarianceRange`)
///     ∂NLL/∂μ = (μ − y) e^{−s̄},        ∂NLL/∂s = ½ (1 − (y − μ)² e^{−s̄}) inside the range, 0 outside
///
/// (the constant ½ log 2π is left out). At the optimum over s, σ² = (y − μ)²: the head learns
/// the expected squared error of its own mean.
///
/// β-NLL (Seitzer et al., ICLR 2022; `TrainingConfig.nllBeta`): both derivatives are multiplied
/// by σ̄^{2β} = e^{β s̄}, held constant (no gradient through the factor). β = 0 is the plain NLL;
/// β = 1 gives the mean the MSE's gradient ½·∂(y − μ)²/∂μ = μ − y, however small σ is, so a
/// head that is confident early cannot starve the mean (the plain NLL's known failure), while
/// σ² still goes to the expected squared error (the s-derivative is ½ (σ̄² − (y − μ)²)).
/// The loss returned is always the plain NLL.
///
/// ```swift
/// GaussianNLL.evaluate(mean: 0.5, logVariance: 0, target: 0.5)   // (0, 0, 0.5)
/// ```
public enum GaussianNLL {
    /// The loss and its partial derivatives for one (μ, s, y).
    @inlinable
    public static func evaluate(mean: Float, logVariance: Float, target: Float, beta: Double = 0)
        -> (loss: Double, dMean: Float, dLogVariance: Float) {
        let range = TrainingLoss.logVarianceRange
        let s = min(max(logVariance, range.lowerBound), range.upperBound)
        let inside = logVariance >= range.lowerBound && logVariance <= range.upperBound
        let precision = Double.exp(-Double(s))
        let d = Double(mean) - Double(target)
        let loss = 0.5 * (Double(s) + d * d * precision)
        let weight = beta == 0 ? 1 : Double.exp(beta * Double(s))
        let dLogVariance = inside ? Float(weight * 0.5 * (1 - d * d * precision)) : 0
        return (loss, Float(weight * d * precision), dLogVariance)
    }

    /// σ of the label (scaled units) from the log-variance output, with the clamp applied.
    @inlinable
    public static func sigma(logVariance: Float) -> Double {
        let range = TrainingLoss.logVarianceRange
        return Double.exp(Double(min(max(logVariance, range.lowerBound), range.upperBound)) / 2)
    }
}
