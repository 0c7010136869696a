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
    /// Default fraction bits of the cell state (Q3.12, ±8); a blob may choose 8…12 per
    /// layer (Q7.8 … Q3.12) when calibration sees larger cell states.
    public static let defaultCellFractionBits: Int32 = 12
    /// Allowed cell-state fraction bits.
    public static let cellFractionBitsRange: ClosedRange<Int32> = 8...12
    /// SOC output unit: hundredths of a percent (`socCentiPercent`, 10000 = 100 %).
    public static let socCentiPercentPerUnit: Int32 = 10_000
}
