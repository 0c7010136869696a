import FloatModel

extension TrainingConfig {
    /// Creates the default configuration (the benchmark task's settings where it names them,
    /// Docs/Benchmark.md) with the fastest LSTM step kernel this CPU runs.
    public init() {
        self.init(stepKernel: .best)
    }
}

/// One row of the training history.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// Epoch number, from 1.
    public var epoch: Int
    /// Mean training loss (MSE on scaled labels, dropout active) over the epoch.
    public var trainLoss: Double
    /// Training MAE over the epoch's batches, SOC %.
    public var trainMAEPercent: Double
    /// Validation loss (MSE on scaled labels).
    public var validationLoss: Double
    /// Validation MAE, SOC %.
    public var validationMAEPercent: Double
    /// Learning rate used in this epoch.
    public var learningRate: Double
    /// Wall seconds of the training pass.
    public var trainSeconds: Double
    /// Wall seconds of the validation pass.
    public var validationSeconds: Double
    /// Training samples (windows or scored steps) per second of the training pass.
    public var samplesPerSecond: Double
    /// CPU seconds (user + system, all threads of the process) of the training pass.
    public var trainCPUSeconds: Double
    /// 1-minute load average at the end of the epoch (machine state for timing figures).
    public var loadAverage1m: Double
}

/// Events reported while training.
public enum TrainingEvent: Sendable {
    /// A batch finished: epoch (from 1), batch index (from 1), batch count, running mean loss.
    case batch(epoch: Int, batch: Int, of: Int, runningLoss: Double)
    /// An epoch finished.
    case epoch(EpochRecord)
}
