import FloatModel
import QuantizedLSTM
import WeightBlob

extension ReferenceLSTMModel {
    /// The trainer's model file (`bmsim-float-lstm`) as the float reference the quantizer
    /// takes. Dropout layers are dropped (identity at inference). Only the benchmark task's feature
    /// set (voltage, current, temperature and their one-step differences) and a plain SOC
    /// label map onto the integer engine, as do the charge-drawn counter (`discharged_Ah`,
    /// integrated over the file's `stepSeconds`) and the coulomb-count prior
    /// (`priorCapacityAh`); anything else is `unsupportedModel`.
    /// A model with an uncertainty head (`TrainingLoss.gaussianNLL`, two outputs: μ and log σ²)
    /// maps onto blob format version 6; two outputs under another loss are `unsupportedModel`.
    public init(_ file: FloatModelFile) throws(QuantizationError) {
        let outputs = file.architecture.outputCount
        guard outputs == 1 || (outputs == 2 && file.training.config.loss == .gaussianNLL) else {
            throw .unsupportedModel("\(outputs) outputs with loss \(file.training.config.loss.rawValue): the integer engine takes one output (loss mse) or two (loss gaussian-nll: μ and log σ²)")
        }
        if let prior = file.scalers.priorCapacityAh, !(prior > 0 && prior.isFinite) {
            throw .unsupportedModel("prior capacity \(prior) Ah: must be positive")
        }
        let names: [String: InputFeature] = ["voltage_V": .voltage, "current_A": .current, "temperature_C": .temperature,
                                             "d_current_A": .dCurrent, "d_voltage_V": .dVoltage,
                                             "discharged_Ah": .chargeDrawn, "prior_capacity_Ah": .priorCapacity, "prior_soc": .priorSOC]
        var features: [InputFeature] = []
        for name in file.features {
            guard let feature = names[name] else { throw .unsupportedModel("feature \(name)") }
            features.append(feature)
        }
        var lstm: [ReferenceLSTMLayer] = [], dense: [ReferenceDenseLayer] = []
        for (n, layer) in file.layers.enumerated() {
            switch layer.kind {
            case "lstm":
                guard let input = layer.inputSize, let units = layer.units, let kernel = layer.kernel,
                      let recurrent = layer.recurrentKernel, let bias = layer.bias else {
                    throw .unsupportedModel("layer \(n): LSTM without its tensors")
                }
                lstm.append(ReferenceLSTMLayer(inputSize: input, hiddenSize: units, kernel: kernel,
                                               recurrentKernel: recurrent, bias: bias))
            case "dense":
                guard let input = layer.inputSize, let units = layer.units, let weight = layer.weight,
                      let bias = layer.bias else {
                    throw .unsupportedModel("layer \(n): dense without its tensors")
                }
                dense.append(ReferenceDenseLayer(inputSize: input, outputSize: units, weight: weight, bias: bias,
                                                 activation: layer.activation == .relu ? .relu : .none))
            case "dropout":
                continue
            default:
                throw .unsupportedModel("layer \(n): kind \(layer.kind)")
            }
        }
        let training = file.training
        self.init(features: features, inputMean: file.scalers.xMean, inputStd: file.scalers.xStd,
                  outputMin: file.scalers.yMin, outputMax: file.scalers.yMax, lstmLayers: lstm, denseLayers: dense,
                  metadata: ["architecture": file.architecture.name, "mode": "\(training.config.mode)",
                             "seed": "\(training.config.seed)", "best_epoch": "\(training.bestEpoch)",
                             "epochs_run": "\(training.epochsRun)", "data_hash": training.dataHash,
                             "feature_set": file.scalers.resolvedFeatureSet.rawValue]
                      .merging(file.scalers.learnedPrior == nil ? [:]
                               : [BlobChargeCounter.learnedPriorMetadata.key: BlobChargeCounter.learnedPriorMetadata.value]) { a, _ in a }
                      .merging(Dictionary(uniqueKeysWithValues: (file.scalers.envelope?.metadata ?? []).map { ($0.key, $0.value) })) { a, _ in a },
                  stepSeconds: file.stepSeconds, priorCapacityAh: file.scalers.priorCapacityAh)
    }
}
