import BMSCore
import CFloatControl
import FloatModel
import Foundation

/// Trains a `Network` on an `SOCDataset` in window or stateful mode with Adam, MSE (or the
/// Gaussian NLL of an uncertainty head, `TrainingLoss.gaussianNLL`, `GaussianNLL`), optional gradient clipping, EarlyStopping (best weights restored) and ReduceLROnPlateau.
///
/// Data parallelism: with `workers > 1` each batch is split into per-worker shards (windows,
/// or lanes in stateful mode) run on weight-sharing replicas on their own threads; the
/// gradients are summed in worker order, so the result does not depend on scheduling.
///
/// Reproducibility: the same seed, configuration (workers included), data and OpenBLAS
/// thread count give bit-identical weights (all randomness comes from `SeededGenerator`s).
public final class SOCTrainer {
    /// The configuration.
    public let config: TrainingConfig
    /// The network being trained.
    public let network: Network
    /// The data.
    public let dataset: SOCDataset
    /// History so far.
    public internal(set) var history: [EpochRecord] = []
    /// Epoch (from 1) whose weights are kept.
    public internal(set) var bestEpoch = 0
    /// True once EarlyStopping ended the run (a run resumed from such a checkpoint trains no more).
    public internal(set) var stoppedEarly = false
    // Everything below is the state a `TrainingCheckpoint` saves (with the network's weights).
    let optimizer: Adam
    var shuffleGenerator: SeededGenerator
    var weightNoise: WeightNoise
    var stopper: EarlyStopping
    var plateau: ReduceLROnPlateau
    /// Weights of `bestEpoch` (restored at the end of training).
    var bestParameters: [[Float]]
    /// With `config.averageLastEpochs`: the running sum of the last epochs' weights, whose mean
    /// replaces `bestParameters` at the end of training (nil: off).
    var average: WeightAverage?
    /// Worker networks: the master first, then one replica per extra worker (same weights).
    let replicas: [Network]

    /// Builds the network from `architecture` with `config.seed`; every replica's LSTM layers
    /// use `config.stepKernel` (which must be supported by this CPU: `LSTMStepKernel.checked`).
    public init(architecture: Architecture, config: TrainingConfig, dataset: SOCDataset) {
        precondition(architecture.inputSize == dataset.width, "architecture input size differs from the data's features")
        precondition(architecture.outputCount == config.loss.outputCount, "loss \(config.loss.rawValue) needs \(config.loss.outputCount) output(s)")
        precondition(config.stepKernel.isSupported, "LSTM step kernel \(config.stepKernel.rawValue) is not supported by this CPU")
        self.config = config
        self.dataset = dataset
        network = Network(architecture: architecture, seed: config.seed)
        optimizer = Adam(parameters: network.parameters, learningRate: config.learningRate)
        var nets = [network]
        for k in 1..<max(config.workers, 1) {
            let replica = Network(architecture: architecture, seed: config.seed &+ UInt64(k) &* 0x1000_0001)
            for (dst, src) in zip(replica.parameters, network.parameters) { dst.copy(from: src) }
            nets.append(replica)
        }
        for net in nets { net.stepKernel = config.stepKernel }
        replicas = nets
        shuffleGenerator = SeededGenerator(seed: config.seed ^ 0x5EED_5EED)
        weightNoise = WeightNoise(amplitude: config.weightNoise, seed: config.seed)
        stopper = EarlyStopping(patience: config.earlyStoppingPatience)
        plateau = ReduceLROnPlateau(factor: config.plateauFactor, patience: config.plateauPatience,
                                    minLR: config.minLearningRate)
        bestParameters = network.parameters.map(\.values)
        average = config.averageLastEpochs.map { _ in WeightAverage(sizes: network.parameters.map(\.count)) }
    }

    /// How `train` ended.
    public enum Outcome: Equatable, Sendable {
        /// Every epoch ran (or EarlyStopping ended the run); the best epoch's weights are in `network`.
        case finished
        /// `afterEpoch` asked to stop after this epoch (from 1); `network` holds that epoch's
        /// weights, not the best ones, and training can go on from its checkpoint.
        case stopped(afterEpoch: Int)
    }

    /// Runs the epochs not run yet (all of them, or those after a restored checkpoint) up to
    /// `config.epochs` or EarlyStopping; restores the best validation epoch's weights.
    @discardableResult
    public func train(onEvent: (TrainingEvent) -> Void = { _ in }) -> Outcome {
        train(onEvent: onEvent, afterEpoch: { _ in true })
    }

    /// `train(onEvent:)` with `afterEpoch` called once each epoch's bookkeeping is done (the
    /// moment to write a checkpoint); returning false stops training there with `.stopped`
    /// (when epochs remain).
    @discardableResult
    public func train(onEvent: (TrainingEvent) -> Void,
                      afterEpoch: (SOCTrainer) throws -> Bool) rethrows -> Outcome {
        _ = bms_enable_flush_denormals()
        BLAS.setThreadCount(config.threads)
        while history.count < config.epochs && !stoppedEarly {
            let epoch = history.count
            let lr = optimizer.learningRate
            let cpu0 = Self.processCPUSeconds()
            let t0 = Date()
            let (loss, mae, samples) = config.mode == .window
                ? windowEpoch(epoch: epoch, onEvent: onEvent) : statefulEpoch(epoch: epoch, onEvent: onEvent)
            let t1 = Date()
            let cpu1 = Self.processCPUSeconds()
            let val = validate()
            let t2 = Date()
            let trainS = t1.timeIntervalSince(t0)
            let record = EpochRecord(epoch: epoch + 1, trainLoss: loss, trainMAEPercent: mae,
                                     validationLoss: val.loss(config.loss), validationMAEPercent: val.metrics.mae,
                                     learningRate: lr, trainSeconds: trainS,
                                     validationSeconds: t2.timeIntervalSince(t1),
                                     samplesPerSecond: Double(samples) / max(trainS, 1e-9),
                                     trainCPUSeconds: cpu1 - cpu0, loadAverage1m: Self.loadAverage())
            history.append(record)
            onEvent(.epoch(record))
            let (improved, stop) = stopper.record(epoch: epoch, value: val.loss(config.loss))
            if improved { bestParameters = network.parameters.map(\.values); bestEpoch = epoch + 1 }
            if let last = config.averageLastEpochs,
               WeightAverage.includes(epoch: epoch + 1, of: config.epochs, last: last) {
                average?.add(network.parameters.map(\.values))
            }
            optimizer.learningRate = plateau.record(value: val.loss(config.loss), learningRate: lr)
            stoppedEarly = stop
            if try !afterEpoch(self) && !stoppedEarly && history.count < config.epochs {
                return .stopped(afterEpoch: epoch + 1)
            }
        }
        for (p, values) in zip(network.parameters, keptParameters) {
            values.withUnsafeBufferPointer { p.data.update(from: $0.baseAddress!, count: values.count) }
        }
        return .finished
    }

    /// The weights a finished run keeps: the mean of the averaged epochs when averaging is on
    /// and at least one epoch was averaged (EarlyStopping can end a run before its last
    /// epochs), else the best validation epoch's.
    var keptParameters: [[Float]] { average?.mean ?? bestParameters }

    /// Epochs whose weights were averaged into the kept ones (0: averaging off or none reached).
    public var averagedEpochs: Int { average?.count ?? 0 }

    /// User + system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    }

    /// The 1-minute load average (0 when unavailable).
    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : 0
    }

    /// Validation pass: window (window mode) or streaming from step 50 (stateful); the loss
    /// early stopping and the plateau watch is `Outcome.loss(config.loss)`.
    public func validate() -> Evaluation.Outcome {
        switch config.mode {
        case .window:
            return Evaluation.windows(network, cycles: dataset.validation, stride: config.validationStride,
                                      scalers: dataset.scalers)
        case .stateful:
            return Evaluation.streaming(network, cycles: dataset.validation, scalers: dataset.scalers)
        }
    }

    /// One worker's share of a batch: its lanes' inputs, targets, loss weights and resets.
    final class Shard: @unchecked Sendable {
        let input: Tensor, target: Tensor, weight: Tensor, keep: Tensor, gradient: Tensor
        let steps: Int, lanes: Int
        var loss = 0.0, absErr = 0.0
        init(steps: Int, lanes: Int, width: Int, outputsPerLane: Int, outputWidth: Int) {
            self.steps = steps; self.lanes = lanes
            input = Tensor(rows: steps * lanes, cols: width)
            target = Tensor(rows: outputsPerLane * lanes, cols: 1)
            weight = Tensor(rows: outputsPerLane * lanes, cols: 1)
            keep = Tensor(rows: steps * lanes, cols: 1)
            gradient = Tensor(rows: outputsPerLane * lanes, cols: outputWidth)
            weight.fill(1); keep.fill(1)
        }
    }

    /// Forward + backward of every shard on its own replica (in parallel when there are
    /// several), gradients summed into the master network in worker order, then clipping
    /// and one Adam step; replicas get the new weights. Returns (mean loss, Σ|err|, Σweight).
    private func step(_ shards: [Shard], mode: SequenceMode) -> (loss: Double, absErr: Double, n: Double) {
        var total = 0.0
        for shard in shards { for k in 0..<shard.weight.count { total += Double(shard.weight.data[k]) } }
        let scale = Float(2 / max(total, 1))
        let nets = replicas
        let nll = config.loss == .gaussianNLL, beta = config.nllBeta
        // Weight noise: every replica that runs a shard gets its own draw; the gradient taken
        // there is applied to the master's clean weights, restored before the update.
        let clean = weightNoise.amplitude > 0 ? network.weightMatrices.map(\.values) : []
        for net in nets.prefix(shards.count) { weightNoise.perturb(net.weightMatrices) }
        let work = UncheckedSendable((shards, nets))
        @Sendable func run(_ k: Int) {
            _ = bms_enable_flush_denormals()
            let (shards, nets) = work.value
            let shard = shards[k], net = nets[k]
            let out = net.forward(shard.input, steps: shard.steps, lanes: shard.lanes, mode: mode, training: true,
                                  keep: mode == .stateful ? UnsafePointer(shard.keep.data) : nil)
            var loss = 0.0, absErr = 0.0
            if nll {
                // NLL summed over the outputs, so each gradient is w / Σw · ∂NLL.
                for e in 0..<out.rows {
                    let w = shard.weight.data[e], mean = out.data[2 * e]
                    let r = GaussianNLL.evaluate(mean: mean, logVariance: out.data[2 * e + 1], target: shard.target.data[e],
                                                 beta: beta)
                    loss += Double(w) * r.loss; absErr += Double(w * abs(mean - shard.target.data[e]))
                    shard.gradient.data[2 * e] = scale / 2 * w * r.dMean
                    shard.gradient.data[2 * e + 1] = scale / 2 * w * r.dLogVariance
                }
            } else {
                for e in 0..<out.count {
                    let w = shard.weight.data[e]
                    let d = out.data[e] - shard.target.data[e]
                    loss += Double(w * d * d); absErr += Double(w * abs(d))
                    shard.gradient.data[e] = scale * w * d
                }
            }
            shard.loss = loss; shard.absErr = absErr
            net.backward(shard.gradient)
        }
        if shards.count == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: shards.count, execute: run) }
        let grads = network.gradients
        for k in 1..<max(nets.count, 1) where k < shards.count {
            for (g, r) in zip(grads, nets[k].gradients) { for e in 0..<g.count { g.data[e] += r.data[e] } }
        }
        for (m, values) in zip(network.weightMatrices, clean) {
            values.withUnsafeBufferPointer { m.data.update(from: $0.baseAddress!, count: values.count) }
        }
        if let clip = config.clipNorm { clipGlobalNorm(grads, maxNorm: clip) }
        optimizer.update(parameters: network.parameters, gradients: grads)
        for replica in nets.dropFirst() {
            for (dst, src) in zip(replica.parameters, network.parameters) { dst.copy(from: src) }
        }
        let loss = shards.reduce(0) { $0 + $1.loss }, absErr = shards.reduce(0) { $0 + $1.absErr }
        return (loss / max(total, 1), absErr, total)
    }

    /// The training cycles of `epoch` (from 0): with a learned prior and training noise each
    /// cycle's prior capacity times its `LearnedPriorCapacity.noiseFactor` for this epoch.
    func trainingCycles(epoch: Int) -> [ScaledCycle] {
        guard let rule = dataset.scalers.learnedPrior, rule.trainingNoise > 0 else { return dataset.train }
        return dataset.train.enumerated().map { k, cycle in
            guard let capacity = cycle.priorCapacityAh else { return cycle }
            return cycle.withPriorCapacity(capacity * rule.noiseFactor(seed: config.seed, epoch: epoch, index: k),
                                           scalers: dataset.scalers)
        }
    }

    private func windowEpoch(epoch: Int, onEvent: (TrainingEvent) -> Void) -> (Double, Double, Int) {
        let train = trainingCycles(epoch: epoch)
        var set = WindowSet(cycles: train, stride: config.trainStride)
        if config.shuffle { set.windows.shuffle(using: &shuffleGenerator) }
        let batchCount = (set.count + config.batchSize - 1) / config.batchSize
        var lossSum = 0.0, absSum = 0.0, seen = 0.0
        var shards: [Shard] = []
        for batch in 0..<batchCount {
            let start = batch * config.batchSize
            let b = min(config.batchSize, set.count - start)
            let workers = min(replicas.count, b)
            let per = (b + workers - 1) / workers
            let sizes = (0..<workers).map { min(per, b - $0 * per) }.filter { $0 > 0 }
            if shards.map(\.lanes) != sizes {
                shards = sizes.map { Shard(steps: set.lookback, lanes: $0, width: dataset.width, outputsPerLane: 1, outputWidth: config.loss.outputCount) }
            }
            for (k, shard) in shards.enumerated() {
                let from = start + k * per
                set.fill(from..<(from + shard.lanes), from: train, input: shard.input, target: shard.target)
            }
            let (loss, absErr, n) = step(shards, mode: .window)
            lossSum += loss * n; absSum += absErr; seen += n
            onEvent(.batch(epoch: epoch + 1, batch: batch + 1, of: batchCount, runningLoss: lossSum / seen))
        }
        let range = dataset.scalers.yMax - dataset.scalers.yMin
        return (lossSum / max(seen, 1), absSum / max(seen, 1) * range * 100, set.count)
    }

    private func statefulEpoch(epoch: Int, onEvent: (TrainingEvent) -> Void) -> (Double, Double, Int) {
        let train = trainingCycles(epoch: epoch)
        var order = Array(train.indices)
        order.shuffle(using: &shuffleGenerator)
        let schedule = StreamSchedule(cycles: train, order: order, lanes: config.lanes,
                                      chunkSteps: config.chunkSteps)
        let t = config.chunkSteps, b = config.lanes, n = t * b, width = dataset.width
        let input = Tensor(rows: n, cols: width), target = Tensor(rows: n, cols: 1)
        let weight = Tensor(rows: n, cols: 1), keep = Tensor(rows: n, cols: 1)
        let workers = replicas.count
        let perLanes = b / workers
        let shards = (0..<workers).map { _ in Shard(steps: t, lanes: perLanes, width: width, outputsPerLane: t, outputWidth: config.loss.outputCount) }
        for net in replicas { net.resetState() }
        var lossSum = 0.0, absSum = 0.0, seen = 0.0
        let chunks = schedule.chunkCount
        for k in 0..<chunks {
            schedule.fill(chunk: k, from: train, input: input, target: target, weight: weight, keep: keep)
            for (w, shard) in shards.enumerated() {
                for step in 0..<t {
                    for lane in 0..<perLanes {
                        let src = step * b + w * perLanes + lane, dst = step * perLanes + lane
                        shard.input.row(dst).update(from: input.row(src), count: width)
                        shard.target.data[dst] = target.data[src]
                        shard.weight.data[dst] = weight.data[src]
                        shard.keep.data[dst] = keep.data[src]
                    }
                }
            }
            let (loss, absErr, count) = step(shards, mode: .stateful)
            lossSum += loss * count; absSum += absErr; seen += count
            onEvent(.batch(epoch: epoch + 1, batch: k + 1, of: chunks, runningLoss: lossSum / max(seen, 1)))
        }
        let range = dataset.scalers.yMax - dataset.scalers.yMin
        return (lossSum / max(seen, 1), absSum / max(seen, 1) * range * 100, Int(seen))
    }
}

/// Hands non-Sendable values to `concurrentPerform` workers that each touch only their own part.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
