import BMSCore
import FloatModel

extension SOCTrainer {
    /// The trainer's state after the last finished epoch (call it between epochs, e.g. from
    /// `train`'s `afterEpoch`).
    public func makeCheckpoint() -> TrainingCheckpoint {
        TrainingCheckpoint(
            architecture: network.architecture, config: config, dataHash: dataset.dataHash,
            history: history, stoppedEarly: stoppedEarly, bestEpoch: bestEpoch,
            parameters: network.parameters.map { PackedFloats($0.values) },
            bestParameters: bestParameters.map(PackedFloats.init),
            optimizer: .init(step: optimizer.step, learningRate: optimizer.learningRate,
                             firstMoments: optimizer.firstMoments.map { PackedFloats($0.values) },
                             secondMoments: optimizer.secondMoments.map { PackedFloats($0.values) }),
            shuffleGenerator: shuffleGenerator.state, weightNoiseGenerator: weightNoise.generator.state,
            dropoutGenerators: replicas.map { $0.dropoutLayers.map(\.generator.state) },
            earlyStopping: stopper, plateau: plateau,
            averageSums: average.map { $0.sums.map(PackedFloats.init) }, averageCount: average?.count)
    }

    /// Puts the trainer (just built with the same architecture, options and data, not yet
    /// trained) in the state of `checkpoint`, so that `train` goes on with the next epoch and
    /// ends with the same weights, bit for bit, as a run that never stopped. Checks everything
    /// before changing anything; `path` names the checkpoint in errors.
    public func restore(from checkpoint: TrainingCheckpoint, path: String) throws(TrainingCheckpointError) {
        do throws(TrainingCheckpointError.Problem) { try apply(checkpoint) } catch { throw TrainingCheckpointError(path: path, error) }
    }

    /// `restore` without the file name: checks, then applies.
    private func apply(_ checkpoint: TrainingCheckpoint) throws(TrainingCheckpointError.Problem) {
        if checkpoint.architecture != network.architecture {
            throw .optionsMismatch(option: "architecture", checkpoint: Self.describe(checkpoint.architecture),
                                   thisRun: Self.describe(network.architecture))
        }
        if checkpoint.config != config {
            let first = checkpoint.config.differences(from: config).first ?? ("options", "\(checkpoint.config)", "\(config)")
            throw .optionsMismatch(option: first.key, checkpoint: first.this, thisRun: first.other)
        }
        guard checkpoint.dataHash == dataset.dataHash else {
            throw .dataMismatch(checkpointHash: checkpoint.dataHash, dataHash: dataset.dataHash)
        }
        let shapes = network.parameters.map(\.count)
        func check(_ tensors: [PackedFloats], _ name: String) throws(TrainingCheckpointError.Problem) {
            guard tensors.map(\.values.count) == shapes else {
                throw .malformed("\(name): tensor sizes \(tensors.map(\.values.count)), the network's \(shapes)")
            }
        }
        try check(checkpoint.parameters, "parameters")
        try check(checkpoint.bestParameters, "bestParameters")
        if let sums = checkpoint.averageSums { try check(sums, "averageSums") }
        guard (checkpoint.averageSums != nil) == (average != nil) else {
            throw .malformed("weight average: the checkpoint \(checkpoint.averageSums == nil ? "has none" : "has one"), this run \(average == nil ? "averages none" : "averages")")
        }
        try check(checkpoint.optimizer.firstMoments, "optimizer.firstMoments")
        try check(checkpoint.optimizer.secondMoments, "optimizer.secondMoments")
        let dropoutCounts = replicas.map(\.dropoutLayers.count)
        guard checkpoint.dropoutGenerators.map(\.count) == dropoutCounts else {
            throw .malformed("dropout generators \(checkpoint.dropoutGenerators.map(\.count)) per worker, "
                             + "the networks have \(dropoutCounts)")
        }
        func generator(_ state: SeededGeneratorState, _ name: String) throws(TrainingCheckpointError.Problem) -> SeededGenerator {
            guard let g = SeededGenerator(state: state) else { throw .malformed("\(name): not a generator state") }
            return g
        }
        let shuffle = try generator(checkpoint.shuffleGenerator, "shuffleGenerator")
        let noise = try generator(checkpoint.weightNoiseGenerator, "weightNoiseGenerator")
        var dropout: [[SeededGenerator]] = []
        for states in checkpoint.dropoutGenerators {
            var row: [SeededGenerator] = []
            for state in states { row.append(try generator(state, "dropoutGenerators")) }
            dropout.append(row)
        }
        guard checkpoint.optimizer.step >= 0, checkpoint.optimizer.learningRate > 0 else {
            throw .malformed("optimizer step \(checkpoint.optimizer.step), "
                             + "learning rate \(checkpoint.optimizer.learningRate)")
        }
        // Everything checked: apply.
        for net in replicas {
            for (tensor, stored) in zip(net.parameters, checkpoint.parameters) { tensor.load(stored.values) }
        }
        for (layers, states) in zip(replicas.map(\.dropoutLayers), dropout) {
            for (layer, state) in zip(layers, states) { layer.generator = state }
        }
        optimizer.step = checkpoint.optimizer.step
        optimizer.learningRate = checkpoint.optimizer.learningRate
        for (tensor, stored) in zip(optimizer.firstMoments, checkpoint.optimizer.firstMoments) { tensor.load(stored.values) }
        for (tensor, stored) in zip(optimizer.secondMoments, checkpoint.optimizer.secondMoments) { tensor.load(stored.values) }
        shuffleGenerator = shuffle
        weightNoise.generator = noise
        stopper = checkpoint.earlyStopping
        plateau = checkpoint.plateau
        history = checkpoint.history
        stoppedEarly = checkpoint.stoppedEarly
        bestEpoch = checkpoint.bestEpoch
        bestParameters = checkpoint.bestParameters.map(\.values)
        if let sums = checkpoint.averageSums {
            average = WeightAverage(sums: sums.map(\.values), count: checkpoint.averageCount ?? 0)
        }
    }

    /// The architecture in one line: its name and layers.
    static func describe(_ architecture: Architecture) -> String {
        "\(architecture.name) (\(architecture.inputSize) inputs, \(architecture.layers.map { "\($0)" }.joined(separator: ", ")))"
    }
}

extension Network {
    /// The dropout layers, in layer order.
    var dropoutLayers: [DropoutLayer] {
        layers.compactMap { if case let .dropout(d) = $0 { d } else { nil } }
    }
}

extension Tensor {
    /// Overwrites every value with `values` (same count).
    func load(_ values: [Float]) {
        precondition(values.count == count, "Tensor.load: \(values.count) values for \(count)")
        guard !values.isEmpty else { return }
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }
}
