import FloatModel
import QuantizedLSTM

extension FloatModelFile {
    /// The same file with the LSTM and dense tensors of `model` (e.g. after
    /// quantization-aware training), layer by layer in order; dropout layers stay as they
    /// are. Scalers, features and training metadata are kept.
    public func replacingWeights(with model: ReferenceLSTMModel) throws(QuantizationError) -> FloatModelFile {
        var copy = self
        var lstm = model.lstmLayers.makeIterator(), dense = model.denseLayers.makeIterator()
        for n in copy.layers.indices {
            switch copy.layers[n].kind {
            case "lstm":
                guard let layer = lstm.next(), layer.kernel.count == copy.layers[n].kernel?.count,
                      layer.recurrentKernel.count == copy.layers[n].recurrentKernel?.count,
                      layer.bias.count == copy.layers[n].bias?.count else {
                    throw .unsupportedModel("layer \(n): the tuned model's LSTM layers do not match the file's")
                }
                copy.layers[n].kernel = layer.kernel
                copy.layers[n].recurrentKernel = layer.recurrentKernel
                copy.layers[n].bias = layer.bias
            case "dense":
                guard let layer = dense.next(), layer.weight.count == copy.layers[n].weight?.count,
                      layer.bias.count == copy.layers[n].bias?.count else {
                    throw .unsupportedModel("layer \(n): the tuned model's dense layers do not match the file's")
                }
                copy.layers[n].weight = layer.weight
                copy.layers[n].bias = layer.bias
            default:
                continue
            }
        }
        guard lstm.next() == nil, dense.next() == nil else {
            throw .unsupportedModel("the tuned model has more layers than the file")
        }
        return copy
    }
}
