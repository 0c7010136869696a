import BMSCore

/// Training-time noise on the weight matrices, shaped like int8 per-row rounding: each
/// weight of row r moves by u · a · s_r / 2 with u uniform in [−1, 1), s_r = max_j |W[r,j]| / 127
/// the row's int8 step (`PostTrainingQuantizer`'s per-row scale) and a = `amplitude`. With
/// a = 1 the noise spans exactly the round-to-nearest error; larger a leaves margin.
///
/// The trainer perturbs the weights before the forward pass, takes the gradient at the
/// perturbed point and applies it to the clean weights (noise injection), so the network
/// learns weights around which an int8 rounding changes the output little. Biases are not
/// perturbed (the engine keeps them in int32).
public struct WeightNoise: Sendable {
    /// Noise span in int8 steps of each row (0: off).
    public let amplitude: Double
    /// The noise draws (saved in training checkpoints).
    var generator: SeededGenerator

    /// Creates the noise source; the same seed gives the same noise sequence.
    public init(amplitude: Double, seed: UInt64) {
        precondition(amplitude >= 0 && amplitude.isFinite, "weight-noise amplitude must be finite and ≥ 0")
        self.amplitude = amplitude
        generator = SeededGenerator(seed: seed ^ 0x0415_E000_0415_E000)
    }

    /// Adds the noise to each matrix in place (rows are the quantizer's output rows).
    public mutating func perturb(_ matrices: [Tensor]) {
        guard amplitude > 0 else { return }
        for m in matrices {
            for r in 0..<m.rows {
                let row = m.row(r)
                var largest: Float = 0
                for j in 0..<m.cols { largest = max(largest, abs(row[j])) }
                let halfSpan = amplitude * Double(largest) / 127 / 2
                for j in 0..<m.cols {
                    let u = 2 * generator.nextUnitDouble() - 1
                    row[j] += Float(u * halfSpan)
                }
            }
        }
    }
}

extension Network {
    /// The weight matrices the quantizer rounds per row (LSTM input and recurrent kernels,
    /// dense weights), in layer order; biases excluded.
    public var weightMatrices: [Tensor] {
        layers.flatMap { layer -> [Tensor] in
            switch layer {
            case let .lstm(l): return [l.kernel, l.recurrentKernel]
            case let .dense(d): return [d.weight]
            case .dropout: return []
            }
        }
    }
}
