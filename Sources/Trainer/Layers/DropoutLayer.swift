import BMSCore

/// Inverted dropout: in training, each element is kept with probability `1 − rate` and
/// scaled by `1 / (1 − rate)`; at inference it is the identity (as Keras's `Dropout`).
/// Masks are drawn from the layer's own `SeededGenerator`, so training is reproducible.
public final class DropoutLayer {
    /// Probability of dropping an element, in `[0, 1)`.
    public let rate: Float
    /// The mask draws (saved in training checkpoints).
    var generator: SeededGenerator
    private var mask = Tensor(rows: 0, cols: 0)
    /// Output of the last training `forward`.
    public private(set) var output = Tensor(rows: 0, cols: 0)
    /// ∂loss/∂input of the last `backward`.
    public private(set) var inputGradient = Tensor(rows: 0, cols: 0)
    private var lastWasTraining = false

    /// Creates a dropout layer with its own seeded mask generator.
    public init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    /// Applies dropout (training) or returns `input` unchanged (inference).
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        lastWasTraining = training && rate > 0
        guard lastWasTraining else { return input }
        if mask.rows != input.rows || mask.cols != input.cols {
            mask = Tensor(rows: input.rows, cols: input.cols)
            output = Tensor(rows: input.rows, cols: input.cols)
            inputGradient = Tensor(rows: input.rows, cols: input.cols)
        }
        let scale = 1 / (1 - rate)
        // `nextUnitDouble() >= rate` without the conversion: u = (x >> 11)·2⁻⁵³ ≥ rate ⇔
        // x >> 11 ≥ ⌈rate·2⁵³⌉ (exact), so the masks are those of the Double comparison.
        let threshold = UInt64((Double(rate) * 0x1.0p53).rounded(.up))
        var g = generator   // a local copy: no exclusivity check per draw
        let m = mask.data, out = output.data, x = input.data
        for k in 0..<input.count {
            let keep: Float = g.next() >> 11 >= threshold ? scale : 0
            m[k] = keep
            out[k] = x[k] * keep
        }
        generator = g
        return output
    }

    /// Backpropagates through the last `forward`.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard lastWasTraining else { return outputGradient }
        for k in 0..<outputGradient.count { inputGradient.data[k] = outputGradient.data[k] * mask.data[k] }
        return inputGradient
    }
}
