import BMSCore
import FloatModel

/// Scores a network on cycles, either window by window (as the benchmark task, Docs/Benchmark.md) or streaming.
/// A network with an uncertainty head (two outputs, `TrainingLoss.gaussianNLL`) is scored on its
/// mean; its σ and NLL are reported beside.
public enum Evaluation {
    /// Predictions and references of one evaluation.
    public struct Outcome: Sendable {
        /// Metrics in SOC %.
        public var metrics: ErrorStatistics
        /// Mean squared error on scaled labels (the training loss's scale).
        public var scaledMSE: Double
        /// Mean Gaussian NLL on scaled labels (`GaussianNLL`; nil for a one-output network).
        public var scaledNLL: Double? = nil
        /// The uncertainty head's σ of each prediction, SOC fraction (empty for a one-output network).
        public var predictedSigmaSOC: [Double] = []
        /// Predicted SOC fractions, in evaluation order.
        public var predictedSOC: [Double]
        /// Reference SOC fractions, same order.
        public var referenceSOC: [Double]
        /// Index into the evaluated cycles of each prediction, same order.
        public var cycleIndex: [Int]

        /// The loss training watches: the scaled MSE, or the NLL for `gaussianNLL`.
        public func loss(_ kind: TrainingLoss) -> Double {
            kind == .gaussianNLL ? (scaledNLL ?? scaledMSE) : scaledMSE
        }

        /// Metrics per cell name (cells in first-seen order).
        public func metricsByCell(_ cycles: [ScaledCycle]) -> [(cell: String, metrics: ErrorStatistics)] {
            var order: [String] = [], ref: [String: [Double]] = [:], pred: [String: [Double]] = [:]
            for k in predictedSOC.indices {
                let cell = cycles[cycleIndex[k]].cell
                if ref[cell] == nil { order.append(cell) }
                ref[cell, default: []].append(referenceSOC[k]); pred[cell, default: []].append(predictedSOC[k])
            }
            return order.map { ($0, ErrorStatistics(reference: ref[$0]!, predicted: pred[$0]!)) }
        }
    }

    /// Window evaluation: every window of stride `stride` run from zero state, target
    /// `SOC[i + L]` (benchmark task: test stride 1, validation stride 10).
    public static func windows(_ network: Network, cycles: [ScaledCycle], stride: Int, scalers: Scalers,
                               batchSize: Int = 512) -> Outcome {
        let set = WindowSet(cycles: cycles, stride: stride)
        var predicted: [Double] = [], reference: [Double] = [], index: [Int] = []
        predicted.reserveCapacity(set.count); reference.reserveCapacity(set.count)
        var mse = 0.0, nll = 0.0, sigmas: [Double] = []
        let width = network.architecture.outputCount
        var start = 0
        while start < set.count {
            let b = min(batchSize, set.count - start)
            let input = Tensor(rows: set.lookback * b, cols: network.architecture.inputSize), target = Tensor(rows: b, cols: 1)
            set.fill(start..<(start + b), from: cycles, input: input, target: target)
            let out = network.forward(input, steps: set.lookback, lanes: b, mode: .window, training: false)
            for lane in 0..<b {
                let w = set.windows[start + lane]
                let y = out.data[lane * width]
                let d = Double(y) - Double(target.data[lane]); mse += d * d
                if width == 2 {
                    nll += GaussianNLL.evaluate(mean: y, logVariance: out.data[lane * 2 + 1], target: target.data[lane]).loss
                    sigmas.append(GaussianNLL.sigma(logVariance: out.data[lane * 2 + 1]) * (scalers.yMax - scalers.yMin))
                }
                predicted.append(cycles[w.cycle].socPrior[w.start + set.lookback] + scalers.socFraction(fromScaled: y))
                reference.append(cycles[w.cycle].soc[w.start + set.lookback]); index.append(w.cycle)
            }
            start += b
        }
        var outcome = Outcome(metrics: ErrorStatistics(reference: reference, predicted: predicted),
                              scaledMSE: mse / Double(max(set.count, 1)), predictedSOC: predicted, referenceSOC: reference,
                              cycleIndex: index)
        if width == 2 { outcome.scaledNLL = nll / Double(max(set.count, 1)); outcome.predictedSigmaSOC = sigmas }
        return outcome
    }

    /// Streaming evaluation: each cycle run from its first step with carried state, one step
    /// at a time as firmware does; the output after step `n − 1` is scored against `SOC[n]`
    /// for `n ≥ firstTarget` (50 gives exactly the benchmark task's window targets).
    public static func streaming(_ network: Network, cycles: [ScaledCycle], scalers: Scalers,
                                 firstTarget: Int = TaskSplit.lookback, lanes: Int = 64,
                                 chunkSteps: Int = 100) -> Outcome {
        let b = max(1, min(lanes, cycles.count))
        let schedule = StreamSchedule(cycles: cycles, order: Array(cycles.indices), lanes: b, chunkSteps: chunkSteps)
        let n = chunkSteps * b
        let input = Tensor(rows: n, cols: network.architecture.inputSize), target = Tensor(rows: n, cols: 1)
        let weight = Tensor(rows: n, cols: 1), keep = Tensor(rows: n, cols: 1)
        var perCycle = cycles.map { [Double](repeating: .nan, count: $0.count) }
        let width = network.architecture.outputCount
        var sigmaPerCycle = width == 2 ? perCycle : []
        network.resetState()
        var mse = 0.0, nll = 0.0, scored = 0
        for k in 0..<schedule.chunkCount {
            schedule.fill(chunk: k, from: cycles, input: input, target: target, weight: weight, keep: keep)
            let out = network.forward(input, steps: chunkSteps, lanes: b, mode: .stateful,
                                      training: false, keep: UnsafePointer(keep.data))
            for t in 0..<chunkSteps {
                for lane in 0..<b {
                    guard let (c, s) = schedule.position(chunk: k, step: t, lane: lane),
                          s + 1 < cycles[c].count else { continue }
                    let r = t * b + lane, y = out.data[r * width]
                    perCycle[c][s + 1] = cycles[c].socPrior[s + 1] + scalers.socFraction(fromScaled: y)
                    if width == 2 {
                        sigmaPerCycle[c][s + 1] = GaussianNLL.sigma(logVariance: out.data[r * 2 + 1]) * (scalers.yMax - scalers.yMin)
                    }
                    if s + 1 >= firstTarget {
                        let d = Double(y) - Double(target.data[r]); mse += d * d; scored += 1
                        if width == 2 {
                            nll += GaussianNLL.evaluate(mean: y, logVariance: out.data[r * 2 + 1], target: target.data[r]).loss
                        }
                    }
                }
            }
        }
        var predicted: [Double] = [], reference: [Double] = [], index: [Int] = [], sigmas: [Double] = []
        for (c, cycle) in cycles.enumerated() where cycle.count > firstTarget {
            for s in firstTarget..<cycle.count {
                predicted.append(perCycle[c][s]); reference.append(cycle.soc[s]); index.append(c)
                if width == 2 { sigmas.append(sigmaPerCycle[c][s]) }
            }
        }
        var outcome = Outcome(metrics: ErrorStatistics(reference: reference, predicted: predicted),
                              scaledMSE: mse / Double(max(scored, 1)), predictedSOC: predicted, referenceSOC: reference,
                              cycleIndex: index)
        if width == 2 { outcome.scaledNLL = nll / Double(max(scored, 1)); outcome.predictedSigmaSOC = sigmas }
        return outcome
    }
}
