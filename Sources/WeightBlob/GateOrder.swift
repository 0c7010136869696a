/// The order of the four LSTM gates in every weight matrix, bias vector and
/// quantization-parameter vector of BMSim — trainer, blob, Swift engine and C runtime.
///
/// Rows `0..<H` belong to the input gate `i`, `H..<2H` to the forget gate `f`,
/// `2H..<3H` to the cell candidate `g`, `3H..<4H` to the output gate `o` (Keras' order).
/// The blob stores the code `0` for this order; no other order exists.
public enum LSTMGate: Int, CaseIterable, Sendable {
    /// Input gate, σ.
    case input = 0
    /// Forget gate, σ.
    case forget = 1
    /// Cell candidate, tanh.
    case cell = 2
    /// Output gate, σ.
    case output = 3

    /// The one gate order, as stored in the blob header (`gateOrder` = 0).
    public static let order: [LSTMGate] = [.input, .forget, .cell, .output]
    /// Code of `order` in the blob header.
    public static let orderCode: UInt16 = 0

    /// First row of this gate in a `[4H × n]` matrix.
    @inlinable
    public func firstRow(hiddenSize: Int) -> Int { rawValue * hiddenSize }
}
