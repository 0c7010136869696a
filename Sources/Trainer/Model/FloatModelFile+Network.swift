import FloatModel

/// A model file from a network's weights, and back.
extension FloatModelFile {
    /// Captures `network`'s current weights.
    public init(network: Network, scalers: Scalers, training: TrainingMetadata) {
        let layers = network.layers.map { layer in
            switch layer {
            case let .lstm(l):
                return LayerWeights(kind: "lstm", inputSize: l.inputSize, units: l.units, kernel: l.kernel.values,
                                    recurrentKernel: l.recurrentKernel.values, bias: l.bias.values)
            case let .dropout(d):
                return LayerWeights(kind: "dropout", rate: Double(d.rate))
            case let .dense(d):
                return LayerWeights(kind: "dense", inputSize: d.inputSize, units: d.units, weight: d.weight.values,
                                    bias: d.bias.values, activation: d.activation)
            }
        }
        self.init(architecture: network.architecture, layers: layers, scalers: scalers, training: training,
                  features: training.config.featureSet.names)
    }

    /// Builds a network holding these weights (checks every shape).
    public func makeNetwork() throws(FloatModelFileError) -> Network {
        do { try architecture.validate() } catch { throw .architectureMismatch(layer: 0, expected: "a valid architecture", found: error.description) }
        try checkLayers()
        let network = Network(architecture: architecture, seed: training.config.seed)
        func put(_ values: [Float]?, _ tensor: Tensor, layer: Int, name: String) throws(FloatModelFileError) {
            guard let values, values.count == tensor.count else {
                throw .shapeMismatch(layer: layer, tensor: name, expectedCount: tensor.count, foundCount: values?.count ?? 0)
            }
            values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: values.count) }
        }
        for (k, (stored, built)) in zip(layers, network.layers).enumerated() {
            switch built {
            case let .lstm(l):
                guard stored.kind == "lstm" else { throw .architectureMismatch(layer: k, expected: "lstm", found: stored.kind) }
                try put(stored.kernel, l.kernel, layer: k, name: "kernel")
                try put(stored.recurrentKernel, l.recurrentKernel, layer: k, name: "recurrentKernel")
                try put(stored.bias, l.bias, layer: k, name: "bias")
            case .dropout:
                guard stored.kind == "dropout" else { throw .architectureMismatch(layer: k, expected: "dropout", found: stored.kind) }
            case let .dense(d):
                guard stored.kind == "dense" else { throw .architectureMismatch(layer: k, expected: "dense", found: stored.kind) }
                try put(stored.weight, d.weight, layer: k, name: "weight")
                try put(stored.bias, d.bias, layer: k, name: "bias")
            }
        }
        return network
    }
}
