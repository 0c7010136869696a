/// Keras 3 `EarlyStopping(monitor: val_loss, patience, min_delta, restore_best_weights)`:
/// stop after `patience` epochs without a validation loss below `best − minDelta`;
/// the best epoch's weights are restored at the end of training.
public struct EarlyStopping: Codable, Equatable, Sendable {
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// Minimum decrease that counts as an improvement.
    public let minDelta: Double
    /// Best monitored value so far.
    public private(set) var best: Double?
    /// Epoch (0-based) of the best value.
    public private(set) var bestEpoch = 0
    private var wait = 0

    /// Creates the callback (benchmark task, Docs/Benchmark.md: patience 15, minDelta 0).
    public init(patience: Int = 15, minDelta: Double = 0) {
        self.patience = patience
        self.minDelta = minDelta
    }

    /// Records epoch `epoch`'s monitored value. Returns `(improved, stop)`: whether this
    /// epoch is the new best (save its weights) and whether training must stop now.
    public mutating func record(epoch: Int, value: Double) -> (improved: Bool, stop: Bool) {
        wait += 1
        if best.map({ value - minDelta < $0 }) ?? true {
            best = value; bestEpoch = epoch; wait = 0
            return (true, false)
        }
        return (false, wait >= patience && epoch > 0)
    }
}

/// Keras 3 `ReduceLROnPlateau(monitor: val_loss, factor, patience, min_lr, min_delta)`:
/// after `patience` epochs without `value < best − minDelta`, multiply the learning rate by
/// `factor` (not below `minLR`) and wait again.
public struct ReduceLROnPlateau: Codable, Equatable, Sendable {
    /// Multiplier applied to the learning rate.
    public let factor: Double
    /// Epochs without improvement before reducing.
    public let patience: Int
    /// Floor of the learning rate.
    public let minLR: Double
    /// Minimum decrease that counts as an improvement.
    public let minDelta: Double
    private var best: Double?
    private var wait = 0

    /// Creates the callback (benchmark task, Docs/Benchmark.md: factor 0.5, patience 5, minLR 1e-6, minDelta 1e-4).
    public init(factor: Double = 0.5, patience: Int = 5, minLR: Double = 1e-6, minDelta: Double = 1e-4) {
        self.factor = factor
        self.patience = patience
        self.minLR = minLR
        self.minDelta = minDelta
    }

    /// Records the epoch's monitored value; returns the learning rate to use next.
    public mutating func record(value: Double, learningRate: Double) -> Double {
        if best.map({ value < $0 - minDelta }) ?? true {
            best = value; wait = 0
            return learningRate
        }
        wait += 1
        if wait >= patience && Float(learningRate) > Float(minLR) {
            wait = 0
            return max(learningRate * factor, minLR)
        }
        return learningRate
    }
}
