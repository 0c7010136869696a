/// The weight-independent choices of a quantization: the standardised-feature scale, each
/// LSTM layer's cell format and each dense layer's output scale. Calibration picks them
/// (`PostTrainingQuantizer.Report.plan`); quantization-aware training holds them fixed
/// while the weights move, and `PostTrainingQuantizer.quantize(_:plan:)` reuses them.
public struct QuantizationPlan: Sendable, Equatable, Codable {
    /// Real value of one LSB of the standardised int16 features.
    public var featureScale: Double
    /// Cell fraction bits n (Q(15−n).n) per LSTM layer.
    public var cellFractionBits: [Int]
    /// Real value of one LSB of each dense layer's int16 output.
    public var denseOutputScales: [Double]

    /// Creates a plan.
    public init(featureScale: Double, cellFractionBits: [Int], denseOutputScales: [Double]) {
        self.featureScale = featureScale
        self.cellFractionBits = cellFractionBits
        self.denseOutputScales = denseOutputScales
    }
}
