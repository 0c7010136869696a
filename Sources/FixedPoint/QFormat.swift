/// The fixed Q formats of the integer LSTM (see `Docs/FixedPoint.md`).
///
/// A value in Qm.n is stored as an integer `q` and stands for `q / 2^n`.
public enum QFormat {
    /// Fraction bits of standardised input features, gate pre-activations and the cell
    /// state: Q3.12 in `Int16`, range [−8, 8), resolution 2^−12 ≈ 0.000244.
    public static let featureFractionBits: Int32 = 12
    /// Fraction bits of gate outputs and the hidden state: Q0.15 in `Int16`,
    /// range [−1, 1), resolution 2^−15 ≈ 0.0000305.
    public static let gateFractionBits: Int32 = 15
    /// Fraction bits of the cell state (Q3.12).
    public static let cellFractionBits: Int32 = 12
    /// SOC output unit: hundredths of a percent (`socCentiPercent`, 10000 = 100 %).
    public static let socCentiPercentPerUnit: Int32 = 10_000
}
