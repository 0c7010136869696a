/// Why a model's correction cannot be scaled (`FloatModelFile.scalingCorrection(by:)`).
public enum CorrectionScaleError: Error, Equatable, CustomStringConvertible {
    /// λ is not a finite number in 0…1.
    case invalidScale(Double)
    /// The model has no coulomb-count prior: its output is the SOC itself, not a correction.
    case noPrior
    /// The last layer is not a one-unit linear dense layer (an uncertainty head, a ReLU output…).
    case unsupportedOutput(String)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case let .invalidScale(lambda): "the correction scale must be a finite number in 0…1 (got \(lambda))"
        case .noPrior:
            "the model has no coulomb-count prior (scalers.priorCapacityAh): its output is the SOC, not a correction to a prior"
        case let .unsupportedOutput(what):
            "the model's last layer is \(what); scaling the correction needs one linear output unit (not an uncertainty head)"
        }
    }
}

extension FloatModelFile {
    /// The output a model with a coulomb-count prior adds to it, on the scaled label axis: the
    /// dense output y for which `y · (yMax − yMin) + yMin` is 0.
    var zeroCorrectionOutput: Double { -scalers.yMin / (scalers.yMax - scalers.yMin) }

    /// The model whose SOC is `prior + λ · (this model's SOC − prior)`: the network's correction
    /// to its coulomb-count prior shrunk by λ (0 = the prior alone, 1 = unchanged). Only the
    /// last (linear, one-unit) dense layer changes: `w' = λ w`, `b' = λ b + (1 − λ) y₀` with y₀
    /// the output of zero correction; the exact identity holds in real arithmetic, and the
    /// stored weights are its Float32 roundings. `training.correctionScale` records the
    /// product of every λ applied.
    public func scalingCorrection(by lambda: Double) throws(CorrectionScaleError) -> FloatModelFile {
        guard lambda.isFinite, (0...1).contains(lambda) else { throw .invalidScale(lambda) }
        guard scalers.priorCapacityAh != nil else { throw .noPrior }
        guard case let .dense(units, activation)? = architecture.layers.last, let last = layers.last,
              let weight = last.weight, let bias = last.bias else {
            throw .unsupportedOutput("not a dense layer")
        }
        guard units == 1, activation == .linear else {
            throw .unsupportedOutput("a dense layer of \(units) unit(s), activation \(activation.rawValue)")
        }
        var copy = self
        let y0 = zeroCorrectionOutput
        copy.layers[layers.count - 1].weight = weight.map { Float(lambda * Double($0)) }
        copy.layers[layers.count - 1].bias = bias.map { Float(lambda * Double($0) + (1 - lambda) * y0) }
        copy.training.correctionScale = (training.correctionScale ?? 1) * lambda
        return copy
    }
}
