/// Every setting of a training run (stored in the model file).
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// `window` (many-to-one, the benchmark task in Docs/Benchmark.md) or `stateful` (many-to-many over whole cycles).
    public var mode: SequenceMode = .stateful
    /// Maximum epochs.
    public var epochs: Int = 100
    /// Seed of initialisation, dropout masks and (stateful) cycle shuffling.
    public var seed: UInt64 = 42
    /// Window mode: windows per batch (benchmark task: 32).
    public var batchSize: Int = 32
    /// Window mode: training-window stride (benchmark task: 20; 1 = all windows).
    public var trainStride: Int = 20
    /// Window mode: validation-window stride (benchmark task: 10).
    public var validationStride: Int = 10
    /// Window mode: shuffle window order each epoch (benchmark task: false).
    public var shuffle: Bool = false
    /// Stateful mode: parallel lanes (cycles played side by side).
    public var lanes: Int = 32
    /// Stateful mode: truncated-BPTT length, steps.
    public var chunkSteps: Int = 50
    /// Adam learning rate.
    public var learningRate: Double = 1e-3
    /// Global gradient-norm clip (nil = none, as the benchmark task).
    public var clipNorm: Double? = nil
    /// EarlyStopping patience (benchmark task: 15).
    public var earlyStoppingPatience: Int = 15
    /// ReduceLROnPlateau patience (benchmark task: 5).
    public var plateauPatience: Int = 5
    /// ReduceLROnPlateau factor (benchmark task: 0.5).
    public var plateauFactor: Double = 0.5
    /// ReduceLROnPlateau floor (benchmark task: 1e-6).
    public var minLearningRate: Double = 1e-6
    /// Inputs per step (the benchmark task's five, or with the discharged-charge counter).
    public var featureSet: FeatureSet = .task
    /// Coulomb-count prior capacity, Ah (nil: plain SOC label; see `Scalers.priorCapacityAh`).
    public var priorCapacityAh: Double? = nil
    /// Learned per-discharge prior capacity (`LearnedPriorCapacity`; nil: the fixed
    /// `priorCapacityAh`, which is then its default capacity). Older files lack the key: fixed.
    public var learnedPrior: LearnedPriorCapacity? = nil
    /// Data-parallel worker threads (each batch split into this many shards; stateful mode
    /// needs `lanes` divisible by it).
    public var workers: Int = 1
    /// OpenBLAS threads (results are bit-identical for the same seed and thread count).
    public var threads: Int = 1
    /// How the LSTM layers do each step (default: the fastest this CPU runs; results are
    /// bit-identical for the same kernel, not across kernels). Older model files, which
    /// lack the key, were trained with `blas`.
    public var stepKernel: LSTMStepKernel
    /// Weight noise during training, in int8 steps of each row (`WeightNoise`; 0 = off).
    /// Seeded from `seed`; older model files, which lack the key, were trained without.
    public var weightNoise: Double = 0
    /// Partial-start copies of the training discharges (`PartialStarts`; nil: none). Older
    /// files lack the key: none.
    public var partialStarts: PartialStarts? = nil
    /// The loss, and so the output head (`TrainingLoss`: `mse` one output, `gaussian-nll` the
    /// mean and log-variance). Older files lack the key: `mse`.
    public var loss: TrainingLoss = .mse
    /// With `gaussianNLL`: the β of β-NLL (gradients times σ^{2β}, held constant; 0 = the plain
    /// NLL, 1 = the mean trained as by MSE). Older files lack the key: 0.
    public var nllBeta: Double = 0
    /// Weight averaging (Polyak–Ruppert / SWA): the kept weights are the mean of the weights
    /// after each of the last this-many epochs of `epochs`, not the best validation epoch's
    /// (`SOCTrainer`; nil = off). Older files lack the key: off.
    public var averageLastEpochs: Int? = nil

    /// Creates the default configuration (the benchmark task's settings where it names them,
    /// Docs/Benchmark.md) with the given step kernel. `Trainer`'s `TrainingConfig()` picks the
    /// fastest kernel this CPU runs (`LSTMStepKernel.best`, a CPUID query this target does not make).
    public init(stepKernel: LSTMStepKernel) {
        self.stepKernel = stepKernel
    }

    private enum CodingKeys: String, CodingKey {
        case mode, epochs, seed, batchSize, trainStride, validationStride, shuffle, lanes, chunkSteps
        case learningRate, clipNorm, earlyStoppingPatience, plateauPatience, plateauFactor, minLearningRate
        case featureSet, workers, threads, priorCapacityAh, stepKernel, weightNoise, learnedPrior, partialStarts, loss, nllBeta
        case averageLastEpochs
    }

    /// Decodes a configuration; keys missing from older model files keep their defaults.
    public init(from decoder: any Decoder) throws {
        self.init(stepKernel: .blas)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.mode, &mode); try read(.epochs, &epochs); try read(.seed, &seed)
        try read(.batchSize, &batchSize); try read(.trainStride, &trainStride)
        try read(.validationStride, &validationStride); try read(.shuffle, &shuffle)
        try read(.lanes, &lanes); try read(.chunkSteps, &chunkSteps); try read(.learningRate, &learningRate)
        clipNorm = try c.decodeIfPresent(Double.self, forKey: .clipNorm)
        try read(.earlyStoppingPatience, &earlyStoppingPatience); try read(.plateauPatience, &plateauPatience)
        try read(.plateauFactor, &plateauFactor); try read(.minLearningRate, &minLearningRate)
        priorCapacityAh = try c.decodeIfPresent(Double.self, forKey: .priorCapacityAh)
        try read(.featureSet, &featureSet); try read(.workers, &workers); try read(.threads, &threads)
        stepKernel = try c.decodeIfPresent(LSTMStepKernel.self, forKey: .stepKernel) ?? .blas
        try read(.weightNoise, &weightNoise)
        learnedPrior = try c.decodeIfPresent(LearnedPriorCapacity.self, forKey: .learnedPrior)
        partialStarts = try c.decodeIfPresent(PartialStarts.self, forKey: .partialStarts)
        try read(.loss, &loss); try read(.nllBeta, &nllBeta)
        averageLastEpochs = try c.decodeIfPresent(Int.self, forKey: .averageLastEpochs)
    }
}
