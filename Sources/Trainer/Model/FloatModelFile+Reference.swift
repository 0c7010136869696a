import QuantizedLSTM
import WeightBlob

/// Why a float model cannot become a `ReferenceLSTMModel`.
public enum ReferenceConversionError: Error, Equatable, CustomStringConvertible {
    /// The reference model reads only TASK.md's five features (`V, I, T, ΔI, ΔV`).
    case unsupportedFeatures(found: [String])
    /// The reference model's output is the SOC itself, not a residual to a coulomb-count prior.
    case coulombPriorUnsupported(priorCapacityAh: Double)

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .unsupportedFeatures(found):
            return "the quantizer's reference model reads voltage, current, temperature, d_current, d_voltage; this model reads \(found.joined(separator: ", "))"
        case let .coulombPriorUnsupported(capacity):
            return "the model predicts a residual to the coulomb-count prior (capacity \(capacity) Ah); the reference model predicts SOC directly"
        }
    }
}

extension FloatModelFile {
    /// The same network as the fixed-point path's float reference (`ReferenceLSTMModel`):
    /// LSTM and dense tensors copied as they are (both use `[4H × I]`, `[4H × H]`, `[4H]`
    /// in gate order i, f, g, o and dense `[out × in]`), dropout layers dropped (identity at
    /// inference), scalers mapped to `inputMean/inputStd/outputMin/outputMax`.
    public func referenceModel() throws(ReferenceConversionError) -> ReferenceLSTMModel {
        let set = scalers.resolvedFeatureSet
        guard set == .task else { throw .unsupportedFeatures(found: set.names) }
        if let prior = scalers.priorCapacityAh { throw .coulombPriorUnsupported(priorCapacityAh: prior) }
        var lstm: [ReferenceLSTMLayer] = [], dense: [ReferenceDenseLayer] = []
        for layer in layers {
            switch layer.kind {
            case "lstm":
                lstm.append(ReferenceLSTMLayer(inputSize: layer.inputSize ?? 0, hiddenSize: layer.units ?? 0,
                                               kernel: layer.kernel ?? [], recurrentKernel: layer.recurrentKernel ?? [],
                                               bias: layer.bias ?? []))
            case "dense":
                dense.append(ReferenceDenseLayer(inputSize: layer.inputSize ?? 0, outputSize: layer.units ?? 0,
                                                 weight: layer.weight ?? [], bias: layer.bias ?? [],
                                                 activation: layer.activation == .relu ? .relu : .none))
            default:
                continue
            }
        }
        let c = training.config
        let metadata = ["trainer": "bmsim train", "architecture": architecture.name, "mode": c.mode.rawValue,
                        "seed": String(c.seed), "epochsRun": String(training.epochsRun),
                        "bestEpoch": String(training.bestEpoch), "dataHash": training.dataHash]
        return ReferenceLSTMModel(features: ReferenceLSTMModel.defaultFeatures, inputMean: scalers.xMean,
                                  inputStd: scalers.xStd, outputMin: scalers.yMin, outputMax: scalers.yMax,
                                  lstmLayers: lstm, denseLayers: dense, metadata: metadata)
    }
}
