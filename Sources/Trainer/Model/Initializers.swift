import BMSCore
import WeightBlob

/// Keras's default initialisers, drawn from a `SeededGenerator`.
public enum Initializers {
    /// Glorot-uniform: `U(−l, l)`, `l = √(6 / (fanIn + fanOut))`, into every element of `tensor`.
    public static func glorotUniform(_ tensor: Tensor, fanIn: Int, fanOut: Int,
                                     generator: inout SeededGenerator) {
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        for k in 0..<tensor.count {
            tensor.data[k] = Float((2 * generator.nextUnitDouble() - 1) * limit)
        }
    }

    /// Orthogonal: the Q factor (with `R`'s diagonal made positive) of a standard-normal
    /// matrix of `tensor`'s shape; needs `rows ≥ cols`, giving orthonormal columns.
    /// For an LSTM's `U [4H × H]` this is Keras's orthogonal recurrent kernel (Keras draws
    /// `[H × 4H]` with orthonormal rows; U is its transpose). Modified Gram–Schmidt in Float64.
    public static func orthogonal(_ tensor: Tensor, generator: inout SeededGenerator) {
        let rows = tensor.rows, cols = tensor.cols
        precondition(rows >= cols, "orthogonal initialiser needs rows >= cols")
        var columns = (0..<cols).map { _ in (0..<rows).map { _ in generator.nextGaussian() } }
        for j in 0..<cols {
            for p in 0..<j {
                var dot = 0.0
                for r in 0..<rows { dot += columns[p][r] * columns[j][r] }
                for r in 0..<rows { columns[j][r] -= dot * columns[p][r] }
            }
            var norm = 0.0
            for r in 0..<rows { norm += columns[j][r] * columns[j][r] }
            norm = norm.squareRoot()
            for r in 0..<rows { columns[j][r] /= norm }
        }
        for r in 0..<rows { for j in 0..<cols { tensor[r, j] = Float(columns[j][r]) } }
    }

    /// Keras LSTM initialisation: Glorot-uniform `W` (fan-in I, fan-out 4H), orthogonal `U`,
    /// zero bias except the forget-gate block, which is 1 (`unit_forget_bias`).
    public static func keras(_ layer: LSTMLayer, generator: inout SeededGenerator) {
        glorotUniform(layer.kernel, fanIn: layer.inputSize, fanOut: 4 * layer.units, generator: &generator)
        orthogonal(layer.recurrentKernel, generator: &generator)
        layer.bias.fill(0)
        let first = LSTMGate.forget.firstRow(hiddenSize: layer.units)
        for j in first..<(first + layer.units) { layer.bias.data[j] = 1 }
    }

    /// Keras dense initialisation: Glorot-uniform weight, zero bias.
    public static func keras(_ layer: DenseLayer, generator: inout SeededGenerator) {
        glorotUniform(layer.weight, fanIn: layer.inputSize, fanOut: layer.units, generator: &generator)
        layer.bias.fill(0)
    }
}
