import BMSCore
import CFloatControl
import Foundation

/// Trains a `Network` on an `SOCDataset` in window or stateful mode with Adam, MSE,
/// optional gradient clipping, EarlyStopping (best weights restored) and ReduceLROnPlateau.
///
/// Reproducibility: the same seed, configuration, data and OpenBLAS thread count give
/// bit-identical weights (all randomness comes from `SeededGenerator`s; the training loop
/// is single-threaded apart from OpenBLAS).
public final class SOCTrainer {
    /// The configuration.
    public let config: TrainingConfig
    /// The network being trained.
    public let network: Network
    /// The data.
    public let dataset: SOCDataset
    /// History so far.
    public private(set) var history: [EpochRecord] = []
    /// Epoch (from 1) whose weights are kept.
    public private(set) var bestEpoch = 0
    private let optimizer: Adam
    private var shuffleGenerator: SeededGenerator

    /// Builds the network from `architecture` with `config.seed`.
    public init(architecture: Architecture, config: TrainingConfig, dataset: SOCDataset) {
        self.config = config
        self.dataset = dataset
        network = Network(architecture: architecture, seed: config.seed)
        optimizer = Adam(parameters: network.parameters, learningRate: config.learningRate)
        shuffleGenerator = SeededGenerator(seed: config.seed ^ 0x5EED_5EED)
    }

    /// Runs up to `config.epochs` epochs; restores the best validation epoch's weights.
    public func train(onEvent: (TrainingEvent) -> Void = { _ in }) {
        _ = bms_enable_flush_denormals()
        BLAS.setThreadCount(config.threads)
        var stopper = EarlyStopping(patience: config.earlyStoppingPatience)
        var plateau = ReduceLROnPlateau(factor: config.plateauFactor, patience: config.plateauPatience,
                                        minLR: config.minLearningRate)
        var best: [[Float]] = network.parameters.map(\.values)
        for epoch in 0..<config.epochs {
            let lr = optimizer.learningRate
            let t0 = Date()
            let (loss, mae, samples) = config.mode == .window
                ? windowEpoch(epoch: epoch, onEvent: onEvent) : statefulEpoch(epoch: epoch, onEvent: onEvent)
            let t1 = Date()
            let val = validate()
            let t2 = Date()
            let trainS = t1.timeIntervalSince(t0)
            let record = EpochRecord(epoch: epoch + 1, trainLoss: loss, trainMAEPercent: mae,
                                     validationLoss: val.scaledMSE, validationMAEPercent: val.metrics.maePercent,
                                     learningRate: lr, trainSeconds: trainS,
                                     validationSeconds: t2.timeIntervalSince(t1),
                                     samplesPerSecond: Double(samples) / max(trainS, 1e-9))
            history.append(record)
            onEvent(.epoch(record))
            let (improved, stop) = stopper.record(epoch: epoch, value: val.scaledMSE)
            if improved { best = network.parameters.map(\.values); bestEpoch = epoch + 1 }
            optimizer.learningRate = plateau.record(value: val.scaledMSE, learningRate: lr)
            if stop { break }
        }
        for (p, values) in zip(network.parameters, best) {
            values.withUnsafeBufferPointer { p.data.update(from: $0.baseAddress!, count: values.count) }
        }
    }

    /// Validation pass: window MSE (window mode) or streaming MSE from step 50 (stateful).
    public func validate() -> Evaluation.Outcome {
        switch config.mode {
        case .window:
            return Evaluation.windows(network, cycles: dataset.validation, stride: config.validationStride,
                                      scalers: dataset.scalers)
        case .stateful:
            return Evaluation.streaming(network, cycles: dataset.validation, scalers: dataset.scalers)
        }
    }

    private func step(output: Tensor, target: Tensor, weight: Tensor?, gradient: Tensor) -> (loss: Double, absErr: Double, n: Double) {
        var total = 0.0
        if let w = weight { for k in 0..<w.count { total += Double(w.data[k]) } } else { total = Double(output.count) }
        var loss = 0.0, absErr = 0.0
        let scale = Float(2 / max(total, 1))
        for k in 0..<output.count {
            let w: Float = weight.map { $0.data[k] } ?? 1
            let d = output.data[k] - target.data[k]
            loss += Double(w * d * d); absErr += Double(w * abs(d))
            gradient.data[k] = scale * w * d
        }
        network.backward(gradient)
        let grads = network.gradients
        if let clip = config.clipNorm { clipGlobalNorm(grads, maxNorm: clip) }
        optimizer.update(parameters: network.parameters, gradients: grads)
        return (loss / max(total, 1), absErr, total)
    }

    private func windowEpoch(epoch: Int, onEvent: (TrainingEvent) -> Void) -> (Double, Double, Int) {
        var set = WindowSet(cycles: dataset.train, stride: config.trainStride)
        if config.shuffle { set.windows.shuffle(using: &shuffleGenerator) }
        let batchCount = (set.count + config.batchSize - 1) / config.batchSize
        var lossSum = 0.0, absSum = 0.0, seen = 0.0
        var input = Tensor(rows: 0, cols: 5), target = Tensor(rows: 0, cols: 1), gradient = Tensor(rows: 0, cols: 1)
        for batch in 0..<batchCount {
            let start = batch * config.batchSize
            let b = min(config.batchSize, set.count - start)
            if target.rows != b {
                input = Tensor(rows: set.lookback * b, cols: 5)
                target = Tensor(rows: b, cols: 1); gradient = Tensor(rows: b, cols: 1)
            }
            set.fill(start..<(start + b), from: dataset.train, input: input, target: target)
            let out = network.forward(input, steps: set.lookback, lanes: b, mode: .window, training: true)
            let (loss, absErr, n) = step(output: out, target: target, weight: nil, gradient: gradient)
            lossSum += loss * n; absSum += absErr; seen += n
            onEvent(.batch(epoch: epoch + 1, batch: batch + 1, of: batchCount, runningLoss: lossSum / seen))
        }
        let range = dataset.scalers.yMax - dataset.scalers.yMin
        return (lossSum / max(seen, 1), absSum / max(seen, 1) * range * 100, set.count)
    }

    private func statefulEpoch(epoch: Int, onEvent: (TrainingEvent) -> Void) -> (Double, Double, Int) {
        var order = Array(dataset.train.indices)
        order.shuffle(using: &shuffleGenerator)
        let schedule = StreamSchedule(cycles: dataset.train, order: order, lanes: config.lanes,
                                      chunkSteps: config.chunkSteps)
        let n = config.chunkSteps * config.lanes
        let input = Tensor(rows: n, cols: 5), target = Tensor(rows: n, cols: 1)
        let weight = Tensor(rows: n, cols: 1), keep = Tensor(rows: n, cols: 1), gradient = Tensor(rows: n, cols: 1)
        network.resetState()
        var lossSum = 0.0, absSum = 0.0, seen = 0.0
        let chunks = schedule.chunkCount
        for k in 0..<chunks {
            schedule.fill(chunk: k, from: dataset.train, input: input, target: target, weight: weight, keep: keep)
            let out = network.forward(input, steps: config.chunkSteps, lanes: config.lanes, mode: .stateful,
                                      training: true, keep: UnsafePointer(keep.data))
            let (loss, absErr, count) = step(output: out, target: target, weight: weight, gradient: gradient)
            lossSum += loss * count; absSum += absErr; seen += count
            onEvent(.batch(epoch: epoch + 1, batch: k + 1, of: chunks, runningLoss: lossSum / max(seen, 1)))
        }
        let range = dataset.scalers.yMax - dataset.scalers.yMin
        return (lossSum / max(seen, 1), absSum / max(seen, 1) * range * 100, Int(seen))
    }
}
