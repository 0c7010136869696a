import RealModule

/// Adam with bias correction, in Keras 3's form:
///
/// ```
/// t += 1;  α = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)
/// m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
/// p ← p − α · m / (√v + ε)
/// ```
/// Moments are kept in Float32 like the parameters; the bias-correction factor in Float64.
public final class Adam {
    /// Learning rate (changed by `ReduceLROnPlateau`).
    public var learningRate: Double
    /// β₁ (first-moment decay).
    public let beta1: Double
    /// β₂ (second-moment decay).
    public let beta2: Double
    /// ε (Keras default 1e-7).
    public let epsilon: Double
    /// Steps taken.
    public internal(set) var step = 0
    /// m, one tensor per parameter (saved in training checkpoints).
    let firstMoments: [Tensor]
    /// v, one tensor per parameter (saved in training checkpoints).
    let secondMoments: [Tensor]

    /// Creates the optimiser for `parameters` (moment buffers of the same shapes, zero).
    public init(parameters: [Tensor], learningRate: Double = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { Tensor(rows: $0.rows, cols: $0.cols) }
        secondMoments = parameters.map { Tensor(rows: $0.rows, cols: $0.cols) }
    }

    /// Applies one update of `parameters` with `gradients` (same order and shapes as at init).
    public func update(parameters: [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == firstMoments.count && gradients.count == parameters.count,
                     "Adam: parameter list changed")
        step += 1
        let t = Double(step)
        let alpha = Float(learningRate * (1 - Double.pow(beta2, t)).squareRoot() / (1 - Double.pow(beta1, t)))
        let oneMinusB1 = Float(1 - beta1), oneMinusB2 = Float(1 - beta2), eps = Float(epsilon)
        for k in 0..<parameters.count {
            let p = parameters[k].data, g = gradients[k].data
            let m = firstMoments[k].data, v = secondMoments[k].data
            precondition(parameters[k].count == gradients[k].count, "Adam: gradient shape mismatch")
            for e in 0..<parameters[k].count {
                let ge = g[e]
                m[e] += (ge - m[e]) * oneMinusB1
                v[e] += (ge * ge - v[e]) * oneMinusB2
                p[e] -= alpha * m[e] / (v[e].squareRoot() + eps)
            }
        }
    }
}

/// Global gradient-norm clipping: if `‖g‖₂ > maxNorm` over all tensors, scale every
/// gradient by `maxNorm / ‖g‖₂`. Returns the norm before clipping.
@discardableResult
public func clipGlobalNorm(_ gradients: [Tensor], maxNorm: Double) -> Double {
    var sum = 0.0
    for g in gradients { for e in 0..<g.count { sum += Double(g.data[e]) * Double(g.data[e]) } }
    let norm = sum.squareRoot()
    if norm > maxNorm && norm > 0 {
        let scale = Float(maxNorm / norm)
        for g in gradients { for e in 0..<g.count { g.data[e] *= scale } }
    }
    return norm
}
