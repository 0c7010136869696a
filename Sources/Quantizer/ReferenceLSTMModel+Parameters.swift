import QuantizedLSTM
import WeightBlob

extension ReferenceLSTMModel {
    /// Every weight tensor in training order: per LSTM layer kernel, recurrent kernel,
    /// bias; per dense layer weight, bias.
    public var parameterTensors: [[Float]] {
        lstmLayers.flatMap { [$0.kernel, $0.recurrentKernel, $0.bias] } + denseLayers.flatMap { [$0.weight, $0.bias] }
    }

    /// Replaces the weights from `parameterTensors`-ordered arrays of the same shapes.
    public mutating func setParameterTensors(_ tensors: [[Float]]) {
        precondition(tensors.count == 3 * lstmLayers.count + 2 * denseLayers.count, "parameter tensor count")
        var k = 0
        for l in lstmLayers.indices {
            precondition(tensors[k].count == lstmLayers[l].kernel.count && tensors[k + 1].count == lstmLayers[l].recurrentKernel.count
                         && tensors[k + 2].count == lstmLayers[l].bias.count, "LSTM tensor shapes")
            lstmLayers[l].kernel = tensors[k]; lstmLayers[l].recurrentKernel = tensors[k + 1]; lstmLayers[l].bias = tensors[k + 2]
            k += 3
        }
        for d in denseLayers.indices {
            precondition(tensors[k].count == denseLayers[d].weight.count && tensors[k + 1].count == denseLayers[d].bias.count,
                         "dense tensor shapes")
            denseLayers[d].weight = tensors[k]; denseLayers[d].bias = tensors[k + 1]
            k += 2
        }
    }
}

extension ReferenceLSTMModel {
    /// The model with its weights replaced by the int8 weights of `blob` (quantized from this
    /// model, e.g. with error-compensating rounding) dequantized with this model's row
    /// scales `s_r = max_j |w[r,j]| / 127`: a starting point for quantization-aware training
    /// whose round-to-nearest quantization gives back `blob`'s weights wherever a row's
    /// largest weight kept ±127. Biases and everything else stay.
    public func withDequantizedWeights(of blob: BlobModel) throws(QuantizationError) -> ReferenceLSTMModel {
        guard blob.lstmLayers.count == lstmLayers.count, blob.denseLayers.count == denseLayers.count else {
            throw .invalidModel(["the blob's layers do not match the model's"])
        }
        func dequantize(_ weights: [Float], _ q: [Int8], rows: Int, columns: Int) throws(QuantizationError) -> [Float] {
            guard weights.count == q.count, q.count == rows * columns else {
                throw .invalidModel(["the blob's weight shapes do not match the model's"])
            }
            var out = weights
            for r in 0..<rows {
                var largest: Float = 0
                for j in 0..<columns { largest = max(largest, abs(weights[r * columns + j])) }
                let s = largest > 0 ? Double(largest) / 127 : 1
                for j in 0..<columns { out[r * columns + j] = Float(Double(q[r * columns + j]) * s) }
            }
            return out
        }
        var copy = self
        for (l, layer) in lstmLayers.enumerated() {
            let rows = 4 * layer.hiddenSize
            copy.lstmLayers[l].kernel = try dequantize(layer.kernel, blob.lstmLayers[l].inputKernel, rows: rows, columns: layer.inputSize)
            copy.lstmLayers[l].recurrentKernel = try dequantize(layer.recurrentKernel, blob.lstmLayers[l].recurrentKernel,
                                                                rows: rows, columns: layer.hiddenSize)
        }
        for (d, layer) in denseLayers.enumerated() {
            copy.denseLayers[d].weight = try dequantize(layer.weight, blob.denseLayers[d].weight,
                                                        rows: layer.outputSize, columns: layer.inputSize)
        }
        return copy
    }
}
