import BMSCore
import Dispatch
import QuantizedLSTM
import Quantizer
import WeightBlob

/// Settings of quantization-aware fine-tuning.
public struct QATConfig: Sendable, Equatable {
    /// Passes over the training sequences (≥ 1).
    public var epochs: Int = 3
    /// Adam learning rate (finite, > 0; small: this fine-tunes a trained model).
    public var learningRate: Double = 1e-4
    /// Whole sequences (discharges) per Adam step (≥ 1).
    public var sequencesPerBatch: Int = 8
    /// Seed of the per-epoch shuffle.
    public var seed: UInt64 = 1
    /// Worker threads for the sequences of a batch (≥ 1). Gradients are summed in sequence
    /// order, so the result does not depend on it.
    public var threads: Int = 1
    /// Global gradient-norm clip (nil: none).
    public var clipNorm: Double? = 1
    /// Weight of the unquantized (float) network's loss added to the int8 loss (0: int8
    /// only). Above 0 the tuned float weights stay a float model that matches the targets
    /// too, so "int8 vs its own float" stays small.
    public var floatLossWeight: Double = 0
    /// Exponent p of the per-step error in the loss, Σ |100·d|^p (2: mean squared error;
    /// larger: aims at the largest errors). In 2…8.
    public var lossExponent: Double = 2

    /// Creates a configuration.
    public init(epochs: Int = 3, learningRate: Double = 1e-4, sequencesPerBatch: Int = 8, seed: UInt64 = 1,
                threads: Int = 1, clipNorm: Double? = 1, floatLossWeight: Double = 0, lossExponent: Double = 2) {
        self.floatLossWeight = floatLossWeight
        self.lossExponent = lossExponent
        self.epochs = epochs
        self.learningRate = learningRate
        self.sequencesPerBatch = sequencesPerBatch
        self.seed = seed
        self.threads = threads
        self.clipNorm = clipNorm
    }

    /// The first problem with the settings, nil when they are usable.
    public var problem: QATError? {
        if epochs < 1 { return .invalidEpochs(epochs) }
        if !(learningRate > 0 && learningRate.isFinite) { return .invalidLearningRate(learningRate) }
        if sequencesPerBatch < 1 { return .invalidBatch(sequencesPerBatch) }
        if threads < 1 { return .invalidThreads(threads) }
        if let clip = clipNorm, !(clip > 0 && clip.isFinite) { return .invalidClipNorm(clip) }
        if !(floatLossWeight >= 0 && floatLossWeight.isFinite) { return .invalidFloatLossWeight(floatLossWeight) }
        if !(lossExponent >= 2 && lossExponent <= 8) { return .invalidLossExponent(lossExponent) }
        return nil
    }
}

/// Why quantization-aware training could not run.
public enum QATError: Error, Equatable, CustomStringConvertible {
    /// Epochs below 1.
    case invalidEpochs(Int)
    /// A learning rate that is not a positive finite number.
    case invalidLearningRate(Double)
    /// Sequences per batch below 1.
    case invalidBatch(Int)
    /// Threads below 1.
    case invalidThreads(Int)
    /// A clip norm that is not a positive finite number.
    case invalidClipNorm(Double)
    /// A float-loss weight that is negative or not finite.
    case invalidFloatLossWeight(Double)
    /// A loss exponent outside 2…8.
    case invalidLossExponent(Double)
    /// No non-empty training sequence.
    case noTrainingData
    /// Sequence `index` has `samples` samples but `targets` targets.
    case targetCountMismatch(index: Int, samples: Int, targets: Int)
    /// `starts` sequence starts were given for `sequences` sequences.
    case startCountMismatch(sequences: Int, starts: Int)
    /// The model or plan cannot be quantized.
    case quantization(QuantizationError)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case let .invalidEpochs(n): "QAT epochs must be ≥ 1 (got \(n))"
        case let .invalidLearningRate(lr): "QAT learning rate must be a positive finite number (got \(lr))"
        case let .invalidBatch(n): "QAT sequences per batch must be ≥ 1 (got \(n))"
        case let .invalidThreads(n): "QAT threads must be ≥ 1 (got \(n))"
        case let .invalidClipNorm(c): "QAT clip norm must be a positive finite number (got \(c))"
        case let .invalidFloatLossWeight(w): "QAT float-loss weight must be a finite number ≥ 0 (got \(w))"
        case let .invalidLossExponent(p): "QAT loss exponent must be in 2…8 (got \(p))"
        case .noTrainingData: "QAT needs at least one non-empty training sequence"
        case let .targetCountMismatch(index, samples, targets):
            "QAT sequence \(index) has \(samples) samples but \(targets) targets"
        case let .startCountMismatch(sequences, starts):
            "QAT got \(starts) sequence starts (prior capacity, start SOC) for \(sequences) sequences"
        case let .quantization(error): "QAT: \(error)"
        }
    }
}

/// One epoch of quantization-aware training (epoch 0: the starting model).
public struct QATEpochRecord: Sendable, Equatable {
    /// Epoch, from 1 (0: before training).
    public var epoch: Int
    /// RMSE of the fake-quantized (= int8) output against the training targets, SOC points.
    public var trainRMSEPercent: Double
    /// Against the validation targets (nil without validation data).
    public var validationRMSEPercent: Double?
    /// Mean |int8 − target| on the validation data, SOC points.
    public var validationMeanAbsPercent: Double?
    /// Max |int8 − target| on the validation data, SOC points.
    public var validationMaxAbsPercent: Double?
}

/// Quantization-aware fine-tuning of a trained float model: Adam on the float weights with
/// the loss of the fake-quantized network (`FakeQuantizedLSTM`, whose forward pass is the
/// integer engine), whole discharges streamed from a reset with full BPTT, MSE against the
/// targets (labels, or the parent float model's outputs: `TeacherLabels`). The
/// weight-independent quantization choices (`QuantizationPlan`) stay fixed, so the final
/// weights quantized with that plan (`PostTrainingQuantizer.quantize(_:plan:)`) give
/// exactly the int8 network that was trained.
///
/// Reproducible: the shuffle comes from `config.seed`; gradients are summed in sequence
/// order whatever the thread count, so the same inputs and seed give bit-identical weights.
/// The epoch with the lowest validation MSE (epoch 0 included) is kept; without validation
/// data, the last.
public final class QuantizationAwareTraining {
    /// The settings.
    public let config: QATConfig
    /// The network being tuned (its `model` holds the current float weights).
    public let network: FakeQuantizedLSTM
    /// The same weights unquantized (for `floatLossWeight`).
    let floatNetwork: FakeQuantizedLSTM
    /// History, epoch 0 first.
    public private(set) var history: [QATEpochRecord] = []
    /// Epoch whose weights were kept.
    public private(set) var bestEpoch = 0

    /// Prepares fine-tuning of `model` under `plan`.
    public init(model: ReferenceLSTMModel, plan: QuantizationPlan, config: QATConfig) throws(QATError) {
        if let problem = config.problem { throw problem }
        self.config = config
        do {
            network = try FakeQuantizedLSTM(model: model, plan: plan)
            floatNetwork = try FakeQuantizedLSTM(model: model, plan: plan, quantized: false)
        } catch { throw .quantization(error) }
    }

    /// Trains on `sequences` toward `targets` (SOC fraction per step); `validation` picks the
    /// epoch kept. Returns the tuned float model. `onEpoch` sees every record. `starts` and
    /// `validationStarts` (one per sequence, or nil: the blob's capacity, full starts) give
    /// each sequence's prior capacity and start SOC, as the firmware would set them for a
    /// model trained with a learned prior.
    public func train(sequences: [[RawSensorSample]], targets: [[Double]], starts: [FakeQuantStart]? = nil,
                      validation: (sequences: [[RawSensorSample]], targets: [[Double]])? = nil,
                      validationStarts: [FakeQuantStart]? = nil,
                      onEpoch: (QATEpochRecord) -> Void = { _ in }) throws(QATError) -> ReferenceLSTMModel {
        try Self.check(sequences, targets)
        try Self.check(starts, count: sequences.count)
        if let validation {
            try Self.check(validation.sequences, validation.targets)
            try Self.check(validationStarts, count: validation.sequences.count)
        }
        func prepared(_ sequences: [[RawSensorSample]], _ targets: [[Double]], _ starts: [FakeQuantStart]?)
            -> [(FakeQuantSequence, [Double])] {
            sequences.indices.filter { !sequences[$0].isEmpty }.map {
                (network.prepare(sequences[$0], start: starts?[$0] ?? FakeQuantStart()), targets[$0])
            }
        }
        let train = prepared(sequences, targets, starts)
        guard !train.isEmpty else { throw .noTrainingData }
        let valid = validation.map { prepared($0.sequences, $0.targets, validationStarts) }

        let parameters = network.model.parameterTensors.map { Tensor(rows: 1, cols: $0.count, values: $0) }
        let gradients = parameters.map { Tensor(rows: 1, cols: $0.count) }
        let adam = Adam(parameters: parameters, learningRate: config.learningRate)
        var shuffle = SeededGenerator(seed: config.seed ^ 0x0A7_5EED)
        let totalSteps = Double(train.reduce(0) { $0 + $1.0.count })

        var record = QATEpochRecord(epoch: 0, trainRMSEPercent: rmse(train, denominator: totalSteps))
        fillValidation(&record, valid)
        history = [record]
        onEpoch(record)
        var best = (loss: record.validationRMSEPercent ?? .infinity, weights: network.model.parameterTensors)
        bestEpoch = 0

        for epoch in 1...config.epochs {
            var order = Array(train.indices)
            order.shuffle(using: &shuffle)
            var sumSquares = 0.0
            for start in stride(from: 0, to: order.count, by: config.sequencesPerBatch) {
                let batch = Array(order[start..<min(start + config.sequencesPerBatch, order.count)])
                let results = lossesAndGradients(batch.map { train[$0] })
                let steps = Double(batch.reduce(0) { $0 + train[$1].0.count })
                for g in gradients { g.fill(0) }
                for result in results {
                    sumSquares += result.loss
                    for (k, g) in result.gradient.enumerated() {
                        let dst = gradients[k].data
                        for e in 0..<g.count { dst[e] += Float(g[e] / steps) }
                    }
                }
                if let clip = config.clipNorm { clipGlobalNorm(gradients, maxNorm: clip) }
                adam.update(parameters: parameters, gradients: gradients)
                do {
                    try network.update(parameters: parameters.map(\.values))
                    if config.floatLossWeight > 0 { try floatNetwork.update(parameters: parameters.map(\.values)) }
                } catch { throw .quantization(error) }
            }
            record = QATEpochRecord(epoch: epoch, trainRMSEPercent: (sumSquares / totalSteps).squareRoot() * 100)
            fillValidation(&record, valid)
            history.append(record)
            onEpoch(record)
            let score = record.validationRMSEPercent ?? -Double(epoch)   // no validation: keep the last
            if score < best.loss || valid == nil {
                best = (score, network.model.parameterTensors)
                bestEpoch = epoch
            }
        }
        do { try network.update(parameters: best.weights) } catch { throw .quantization(error) }
        return network.model
    }

    static func check(_ starts: [FakeQuantStart]?, count: Int) throws(QATError) {
        if let starts, starts.count != count { throw .startCountMismatch(sequences: count, starts: starts.count) }
    }

    static func check(_ sequences: [[RawSensorSample]], _ targets: [[Double]]) throws(QATError) {
        guard sequences.count == targets.count else {
            throw .targetCountMismatch(index: min(sequences.count, targets.count), samples: sequences.count, targets: targets.count)
        }
        for (n, (s, t)) in zip(sequences, targets).enumerated() where s.count != t.count {
            throw .targetCountMismatch(index: n, samples: s.count, targets: t.count)
        }
    }

    /// Loss and gradient of each sequence, in the given order (in parallel over `threads`):
    /// the int8 network's, plus `floatLossWeight` times the float network's gradient (the
    /// reported loss stays the int8 one).
    private func lossesAndGradients(_ items: [(FakeQuantSequence, [Double])]) -> [(loss: Double, gradient: [[Double]])] {
        let net = JointLoss(quantized: network, float: floatNetwork, floatWeight: config.floatLossWeight,
                            exponent: config.lossExponent)
        if config.threads == 1 || items.count == 1 {
            return items.map { net.lossAndGradient($0.0, targets: $0.1) }
        }
        let slots = ResultSlots(count: items.count)
        let work = UncheckedSendable(items)
        let workers = min(config.threads, items.count)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for k in stride(from: w, to: work.value.count, by: workers) {
                slots.set(k, net.lossAndGradient(work.value[k].0, targets: work.value[k].1))
            }
        }
        return slots.values
    }

    private func rmse(_ items: [(FakeQuantSequence, [Double])], denominator: Double) -> Double {
        var sum = 0.0
        for (sequence, targets) in items {
            for (soc, target) in zip(network.forward(sequence), targets) { sum += (soc - target) * (soc - target) }
        }
        return (sum / max(denominator, 1)).squareRoot() * 100
    }

    private func fillValidation(_ record: inout QATEpochRecord, _ items: [(FakeQuantSequence, [Double])]?) {
        guard let items, !items.isEmpty else { return }
        var sum = 0.0, sumAbs = 0.0, maxAbs = 0.0, n = 0.0
        for (sequence, targets) in items {
            for (soc, target) in zip(network.forward(sequence), targets) {
                let d = abs(soc - target) * 100
                sum += d * d; sumAbs += d; maxAbs = max(maxAbs, d); n += 1
            }
        }
        record.validationRMSEPercent = (sum / max(n, 1)).squareRoot()
        record.validationMeanAbsPercent = sumAbs / max(n, 1)
        record.validationMaxAbsPercent = maxAbs
    }
}

/// One result per index, written by concurrent workers at distinct indices (raw storage, so
/// no copy-on-write check races).
private final class ResultSlots: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<(loss: Double, gradient: [[Double]])?>
    private let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    func set(_ index: Int, _ value: (loss: Double, gradient: [[Double]])) { storage[index] = value }
    var values: [(loss: Double, gradient: [[Double]])] { (0..<count).map { storage[$0]! } }
}

/// The int8 loss and gradient, plus a weighted float one.
private struct JointLoss: @unchecked Sendable {
    let quantized: FakeQuantizedLSTM, float: FakeQuantizedLSTM, floatWeight: Double, exponent: Double
    func lossAndGradient(_ sequence: FakeQuantSequence, targets: [Double]) -> (loss: Double, gradient: [[Double]]) {
        var result = quantized.lossAndGradient(sequence, targets: targets, exponent: exponent)
        guard floatWeight > 0 else { return result }
        let extra = float.lossAndGradient(sequence, targets: targets, exponent: exponent).gradient
        for k in result.gradient.indices {
            for e in result.gradient[k].indices { result.gradient[k][e] += floatWeight * extra[k][e] }
        }
        return result
    }
}
