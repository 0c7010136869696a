import QuantizedLSTM
import WeightBlob

/// Post-training vs quantization-aware quantization of one model on one set of discharges
/// (each streamed from a reset): float and int8 RMSE against the labels and the
/// per-prediction |int8 − float| of both, plus the QAT int8 network against the parent
/// float model it was tuned from.
public struct QuantizationComparison: Sendable {
    /// Name of the discharges (e.g. "test split", "calibration cells").
    public var name: String
    /// Parent float model vs its post-training blob.
    public var postTraining: QuantizationEvaluation
    /// QAT float model vs its blob.
    public var quantizationAware: QuantizationEvaluation
    /// Parent float model vs the QAT blob.
    public var quantizationAwareVersusParent: QuantizationEvaluation

    /// Runs the three comparisons (`labels`: SOC fraction per step, or nil), each sequence at
    /// its prior capacity and from its start SOC when given (`QuantizationEvaluation.run`).
    public init(name: String, sequences: [[RawSensorSample]], labels: [[Double]]?, parent: ReferenceLSTMModel,
                postTrainingBlob: BlobModel, tuned: ReferenceLSTMModel, tunedBlob: BlobModel,
                priorCapacitiesMAh: [Int32]? = nil, startSOCs: [Double?]? = nil) {
        self.name = name
        func run(_ float: ReferenceLSTMModel, _ blob: BlobModel) -> QuantizationEvaluation {
            QuantizationEvaluation.run(float: float, blob: blob, sequences: sequences, labels: labels,
                                       priorCapacitiesMAh: priorCapacitiesMAh, startSOCs: startSOCs)
        }
        postTraining = run(parent, postTrainingBlob)
        quantizationAware = run(tuned, tunedBlob)
        quantizationAwareVersusParent = run(parent, tunedBlob)
    }

    /// Markdown table rows for `comparisons` (header included).
    public static func markdown(_ comparisons: [QuantizationComparison]) -> String {
        func f(_ x: Double?, _ digits: Int) -> String {
            guard let x else { return "—" }
            return String(format: "%.\(digits)f", x)
        }
        var lines = ["| discharges | steps | model | float RMSE % | int8 RMSE % | mean \\|int8 − float\\| | max \\|int8 − float\\| |",
                     "|---|---:|---|---:|---:|---:|---:|"]
        for c in comparisons {
            let rows: [(String, QuantizationEvaluation)] = [
                ("PTQ (parent float → int8)", c.postTraining),
                ("QAT (QAT float → int8)", c.quantizationAware),
                ("QAT int8 vs parent float", c.quantizationAwareVersusParent),
            ]
            for (label, e) in rows {
                lines.append("| \(c.name) | \(e.steps) | \(label) | \(f(e.floatRMSEPercent, 2)) | \(f(e.integerRMSEPercent, 2)) | "
                             + "\(f(e.meanAbsDeltaPercent, 3)) | \(f(e.maxAbsDeltaPercent, 3)) |")
            }
        }
        return lines.joined(separator: "\n")
    }
}
