/// The fixed Q formats of the integer LSTM (see `Docs/FixedPoint.md`).
///
/// A value in Qm.n is stored as an integer `q` and stands for `q / 2^n`.
public enum QFormat {
    /// Fraction bits of the gate pre-activations: Q4.11 in `Int16`, range [−16, 16),
    /// resolution 2^−11 ≈ 0.00049 (the sigmoid table's input).
    public static let preActivationFractionBits: Int32 = 11
    /// Fraction bits of the tanh table's input: Q3.12, range [−8, 8).
    public static let tanhInputFractionBits: Int32 = 12
    /// Fraction bits of gate outputs and the hidden state: Q0.15 in `Int16`,
    /// range [−1, 1), resolution 2^−15 ≈ 0.0000305.
    public static let gateFractionBits: Int32 = 15
    /// The integer that stands for 1.0 in Q4.11 (a gate pre-activation): 2^11 = 2048.
    /// `accumulatorScale · preActivationOne` is the rescale from an accumulator to Q4.11.
    public static let preActivationOne: Int32 = 1 << preActivationFractionBits
    /// The integer that stands for 1.0 in Q0.15 (a gate output or hidden state): 2^15 =
    /// 32768, so a hidden state `h` stands for `h / gateOne` (one LSB = 1/32768).
    public static let gateOne: Int32 = 1 << gateFractionBits
    /// Default fraction bits of the cell state (Q3.12, ±8); a blob may choose 8…12 per
    /// layer (Q7.8 … Q3.12) when calibration sees larger cell states.
    public static let defaultCellFractionBits: Int32 = 12
    /// Allowed cell-state fraction bits n (Q(15−n).n): the one definition, used by the blob
    /// reader and writer and by the quantizer. `Int`, the type of the blob's and the
    /// quantizer's `cellFractionBits` fields.
    public static let cellFractionBitsRange: ClosedRange<Int> = 8...12
    /// SOC output unit: hundredths of a percent (`socCentiPercent`, 10000 = 100 %).
    public static let socCentiPercentPerUnit: Int32 = 10_000
}
