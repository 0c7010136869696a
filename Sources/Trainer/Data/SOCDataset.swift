import CellData
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

/// Feature and label scalers fitted on every grid step of the training cycles (the benchmark task, Docs/Benchmark.md):
/// `x' = (x − mean) / std` per feature (population std; 0 → 1) and `y' = (y − min) / (max − min)`.
public struct Scalers: Codable, Equatable, Sendable {
    /// Per-feature mean.
    public var xMean: [Double]
    /// Per-feature population standard deviation.
    public var xStd: [Double]
    /// Minimum training SOC fraction.
    public var yMin: Double
    /// Maximum training SOC fraction.
    public var yMax: Double
    /// When set, the network's label is the residual to a coulomb-count prior,
    /// `soc − (1 − q/priorCapacityAh)` with `q` the Ah drawn since the discharge began, and
    /// `soc = prior + y·(yMax − yMin) + yMin`; `yMin`/`yMax` then bound the residual.
    /// `nil`: the label is the SOC itself (as the benchmark task).
    public var priorCapacityAh: Double?
    /// The feature set the means and stds belong to (`nil` in older files: `task`, or
    /// `task+charge` when there are six).
    public var featureSet: FeatureSet?

    /// The feature set, inferred from the width for older files.
    public var resolvedFeatureSet: FeatureSet { featureSet ?? (xMean.count == 6 ? .taskPlusCharge : .task) }

    /// Creates scalers from known values.
    public init(xMean: [Double], xStd: [Double], yMin: Double, yMax: Double, priorCapacityAh: Double? = nil) {
        self.xMean = xMean; self.xStd = xStd; self.yMin = yMin; self.yMax = yMax
        self.priorCapacityAh = priorCapacityAh
    }

    /// The prior SOC of each step of `cycle` (all 0 without `priorCapacityAh`).
    public func socPrior(of cycle: GridCycle) -> [Double] {
        guard let capacity = priorCapacityAh else { return [Double](repeating: 0, count: cycle.count) }
        return FeatureSet.dischargedAh(of: cycle).map { 1 - $0 / capacity }
    }

    /// Fits the scalers on all grid steps of `cycles` (features of `featureSet`).
    public init(fitting cycles: [GridCycle], featureSet: FeatureSet = .task, priorCapacityAh: Double? = nil) {
        let width = featureSet.width
        let all = cycles.map(featureSet.features(of:))
        var sum = [Double](repeating: 0, count: width)
        var count = 0
        var yMin = Double.infinity, yMax = -Double.infinity
        for (c, features) in zip(cycles, all) {
            for k in 0..<c.count { for f in 0..<width { sum[f] += features[k * width + f] } }
            count += c.count
            let prior = priorCapacityAh.map { q in FeatureSet.dischargedAh(of: c).map { 1 - $0 / q } }
            for (k, s) in c.soc.enumerated() {
                let y = s - (prior?[k] ?? 0)
                yMin = min(yMin, y); yMax = max(yMax, y)
            }
        }
        let mean = sum.map { $0 / Double(max(count, 1)) }
        var sq = [Double](repeating: 0, count: width)
        for (c, features) in zip(cycles, all) {
            for k in 0..<c.count {
                for f in 0..<width { let d = features[k * width + f] - mean[f]; sq[f] += d * d }
            }
        }
        let std = sq.map { v -> Double in let s = (v / Double(max(count, 1))).squareRoot(); return s == 0 ? 1 : s }
        self.init(xMean: mean, xStd: std, yMin: yMin, yMax: yMax, priorCapacityAh: priorCapacityAh)
        self.featureSet = featureSet
    }

    /// Scaled SOC label.
    @inlinable public func scaleLabel(_ soc: Double) -> Float { Float((soc - yMin) / (yMax - yMin)) }
    /// SOC fraction from a scaled network output.
    @inlinable public func socFraction(fromScaled y: Float) -> Double { Double(y) * (yMax - yMin) + yMin }
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
