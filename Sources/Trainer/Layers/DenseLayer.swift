import FloatModel

/// A fully connected layer `y = act(x·Wᵀ + b)` on row batches, with backward pass.
///
/// Shapes: input `[N × in]`, `weight [out × in]`, `bias [1 × out]`, output `[N × out]`.
public final class DenseLayer {
    /// Input width.
    public let inputSize: Int
    /// Output width.
    public let units: Int
    /// Activation after the affine map.
    public let activation: Activation
    /// Weight `[out × in]`.
    public let weight: Tensor
    /// Bias `[1 × out]`.
    public let bias: Tensor
    /// ∂loss/∂weight of the last `backward`.
    public let weightGradient: Tensor
    /// ∂loss/∂bias of the last `backward`.
    public let biasGradient: Tensor
    /// Output of the last `forward`.
    public private(set) var output = Tensor(rows: 0, cols: 0)
    /// ∂loss/∂input of the last `backward`.
    public private(set) var inputGradient = Tensor(rows: 0, cols: 0)
    private var preactGradient = Tensor(rows: 0, cols: 0)
    private var lastInput: Tensor?

    /// Creates a zero-initialised layer (see `Initializers`).
    public init(inputSize: Int, units: Int, activation: Activation) {
        precondition(inputSize > 0 && units > 0, "dense sizes must be positive")
        self.inputSize = inputSize
        self.units = units
        self.activation = activation
        weight = Tensor(rows: units, cols: inputSize)
        bias = Tensor(rows: 1, cols: units)
        weightGradient = Tensor(rows: units, cols: inputSize)
        biasGradient = Tensor(rows: 1, cols: units)
    }

    /// Trainable tensors: weight, bias.
    public var parameters: [Tensor] { [weight, bias] }
    /// Gradients matching `parameters`.
    public var gradients: [Tensor] { [weightGradient, biasGradient] }

    /// Computes the output for `input` (`[N × in]`).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.cols == inputSize, "dense input width mismatch")
        if output.rows != input.rows {
            output = Tensor(rows: input.rows, cols: units)
            preactGradient = Tensor(rows: input.rows, cols: units)
            inputGradient = Tensor(rows: input.rows, cols: inputSize)
        }
        lastInput = input
        BLAS.gemm(input, weight, transposeB: true, into: output)
        let b = bias.data
        for r in 0..<input.rows {
            let row = output.row(r)
            switch activation {
            case .linear: for j in 0..<units { row[j] += b[j] }
            case .relu: for j in 0..<units { row[j] = max(row[j] + b[j], 0) }
            }
        }
        return output
    }

    /// Backpropagates `outputGradient` (`[N × out]`); overwrites the parameter gradients and,
    /// when `needInputGradient`, `inputGradient`.
    public func backward(_ outputGradient: Tensor, needInputGradient: Bool = true) {
        guard let input = lastInput else { preconditionFailure("dense backward without forward") }
        precondition(outputGradient.rows == output.rows && outputGradient.cols == units,
                     "dense output-gradient shape mismatch")
        let n = output.rows
        for r in 0..<n {
            let g = outputGradient.row(r), y = output.row(r), d = preactGradient.row(r)
            switch activation {
            case .linear: for j in 0..<units { d[j] = g[j] }
            case .relu: for j in 0..<units { d[j] = y[j] > 0 ? g[j] : 0 }
            }
        }
        BLAS.gemm(preactGradient, transposeA: true, input, into: weightGradient)
        let db = biasGradient.data
        db.update(repeating: 0, count: units)
        for r in 0..<n {
            let d = preactGradient.row(r)
            for j in 0..<units { db[j] += d[j] }
        }
        if needInputGradient { BLAS.gemm(preactGradient, weight, into: inputGradient) }
    }
}
