import CellData
import FloatModel
import Foundation

/// The split by cell of the benchmark task (Docs/Benchmark.md).
public enum TaskSplit {
    /// Training cells.
    public static let train = NASADataset.Split.train.cells
    /// Validation cells (early stopping, learning-rate schedule).
    public static let validation = NASADataset.Split.validation.cells
    /// Test cells.
    public static let test = NASADataset.Split.test.cells
    /// Window length (steps of 10 s).
    public static let lookback = 50
}

/// A grid cycle with scaled Float32 features and labels, ready for batching.
public struct ScaledCycle: Sendable {
    /// Cell name.
    public var cell: String
    /// NASA cycle number.
    public var cycle: Int
    /// Scaled features `[n × width]`, row-major.
    public var features: [Float]
    /// Features per step.
    public var width: Int
    /// Scaled labels `[n]`.
    public var labels: [Float]
    /// Reference SOC fractions `[n]` (unscaled, for metrics).
    public var soc: [Double]
    /// Prior SOC per step (0 unless the scalers use a coulomb-count prior); the network
    /// predicts `soc − socPrior`.
    public var socPrior: [Double]
    /// Grid steps.
    public var count: Int { soc.count }

    /// Scales `cycle` with `scalers` (Float64 arithmetic, then rounded to Float32); the
    /// feature set follows from the scalers' width.
    public init(_ cycle: GridCycle, scalers: Scalers) {
        cell = cycle.cell
        self.cycle = cycle.cycle
        let set = scalers.resolvedFeatureSet
        let w = set.width
        width = w
        features = set.features(of: cycle).enumerated().map { k, x in
            Float((x - scalers.xMean[k % w]) / scalers.xStd[k % w])
        }
        let prior = scalers.socPrior(of: cycle)
        socPrior = prior
        labels = zip(cycle.soc, prior).map { scalers.scaleLabel($0 - $1) }
        soc = cycle.soc
    }
}

/// The three splits of the benchmark task (Docs/Benchmark.md), scaled with scalers fitted on the training split.
public struct SOCDataset: Sendable {
    /// Training cycles.
    public var train: [ScaledCycle]
    /// Validation cycles.
    public var validation: [ScaledCycle]
    /// Test cycles.
    public var test: [ScaledCycle]
    /// The fitted scalers.
    public var scalers: Scalers
    /// Features per step.
    public var width: Int { scalers.xMean.count }
    /// FNV-1a 64-bit hash of every grid feature and label of the three splits (hex).
    public var dataHash: String

    /// Builds the dataset from grid cycles (fits scalers on `train`).
    public init(train: [GridCycle], validation: [GridCycle], test: [GridCycle], scalers: Scalers? = nil,
                featureSet: FeatureSet = .task, priorCapacityAh: Double? = nil) {
        let s = scalers ?? Scalers(fitting: train, featureSet: featureSet, priorCapacityAh: priorCapacityAh)
        self.scalers = s
        self.train = train.map { ScaledCycle($0, scalers: s) }
        self.validation = validation.map { ScaledCycle($0, scalers: s) }
        self.test = test.map { ScaledCycle($0, scalers: s) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in train + validation + test {
            for v in c.features + c.soc {
                var bits = v.bitPattern
                for _ in 0..<8 { hash = (hash ^ (bits & 0xff)) &* 0x100_0000_01b3; bits >>= 8 }
            }
        }
        dataHash = String(hash, radix: 16)
    }

    /// Loads the benchmark task's splits from the NASA folder (`…/nasa_pcoe_battery`).
    public static func load(root: URL, trainCells: [String] = TaskSplit.train,
                            validationCells: [String] = TaskSplit.validation,
                            testCells: [String] = TaskSplit.test,
                            featureSet: FeatureSet = .task,
                            priorCapacityAh: Double? = nil,
                            policy: QualityPolicy = QualityPolicy()) throws(SOCDatasetError) -> SOCDataset {
        let tr = try GridCycle.load(root: root, cells: trainCells, policy: policy)
        guard !tr.isEmpty else { throw .emptySplit(cells: trainCells) }
        let va = try GridCycle.load(root: root, cells: validationCells, policy: policy)
        let te = try GridCycle.load(root: root, cells: testCells, policy: policy)
        return SOCDataset(train: tr, validation: va, test: te, featureSet: featureSet, priorCapacityAh: priorCapacityAh)
    }
}
