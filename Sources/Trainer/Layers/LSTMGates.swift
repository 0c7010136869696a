/// The LSTM gate layout shared by every BMSim consumer (trainer, model file, `.bmsq` blob,
/// Swift integer engine, C runtime): the `4H` gate rows of the kernels and bias come in
/// the order **i, f, g, o** (input, forget, cell candidate, output), each `H` rows.
///
/// ```
/// zᵢ, z_f, z_g, zₒ = W·xₜ + U·hₜ₋₁ + b      (row blocks 0, 1, 2, 3 of the 4H rows)
/// i = σ(zᵢ)  f = σ(z_f)  g = tanh(z_g)  o = σ(zₒ)
/// cₜ = f ⊙ cₜ₋₁ + i ⊙ g                      hₜ = o ⊙ tanh(cₜ)
/// ```
/// This is Keras's (i, f, c, o) and PyTorch's (i, f, g, o) order.
public enum LSTMGate: Int, CaseIterable, Sendable {
    /// Input gate (sigmoid), rows `0..<H`.
    case input = 0
    /// Forget gate (sigmoid), rows `H..<2H`; Keras initialises its bias to 1.
    case forget = 1
    /// Cell candidate (tanh), rows `2H..<3H`.
    case cell = 2
    /// Output gate (sigmoid), rows `3H..<4H`.
    case output = 3

    /// First row of this gate's block for `hiddenUnits` H.
    @inlinable public func firstRow(hiddenUnits: Int) -> Int { rawValue * hiddenUnits }
}
