import BMSCore
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
    /// Charge drawn since the start, Ah, per step (what the prior counts).
    public var dischargedAh: [Double]
    /// The prior capacity the labels (and a capacity feature) use, Ah (nil without a prior).
    public private(set) var priorCapacityAh: Double?
    /// The SOC the prior starts from (`GridCycle.startSOC`).
    public var startSOC: Double
    /// Grid steps.
    public var count: Int { soc.count }

    /// Scales `cycle` with `scalers` (Float64 arithmetic, then rounded to Float32); the
    /// feature set follows from the scalers' width. `priorCapacityAh` replaces the cycle's
    /// prior capacity (`Scalers.priorCapacityAh(of:)`) when given.
    public init(_ cycle: GridCycle, scalers: Scalers, priorCapacityAh: Double? = nil) {
        cell = cycle.cell
        self.cycle = cycle.cycle
        let set = scalers.resolvedFeatureSet
        startSOC = cycle.priorStartSOC(set)
        let w = set.width
        width = w
        let capacity = scalers.priorCapacityAh == nil ? nil : priorCapacityAh ?? scalers.priorCapacityAh(of: cycle)
        self.priorCapacityAh = capacity
        features = set.features(of: cycle, priorCapacityAh: capacity).enumerated().map { k, x in
            Float((x - scalers.xMean[k % w]) / scalers.xStd[k % w])
        }
        dischargedAh = FeatureSet.dischargedAh(of: cycle)
        soc = cycle.soc
        socPrior = []
        labels = []
        setPrior(capacity, scalers: scalers)
    }

    /// This cycle with another prior capacity (training noise): prior, labels and the
    /// capacity feature follow; nothing else changes.
    public func withPriorCapacity(_ capacityAh: Double, scalers: Scalers) -> ScaledCycle {
        var copy = self
        copy.setPrior(capacityAh, scalers: scalers)
        let set = scalers.resolvedFeatureSet
        func put(_ column: Int, _ x: (Int) -> Double) {
            for k in 0..<count { copy.features[k * width + column] = Float((x(k) - scalers.xMean[column]) / scalers.xStd[column]) }
        }
        if set.hasPriorCapacity { put(set.taskColumns.count + 1) { _ in capacityAh } }
        if set.hasPriorSOC { put(set.width - 1) { copy.socPrior[$0] } }
        return copy
    }

    private mutating func setPrior(_ capacityAh: Double?, scalers: Scalers) {
        priorCapacityAh = capacityAh
        socPrior = capacityAh.map { c in dischargedAh.map { startSOC - $0 / c } } ?? [Double](repeating: 0, count: soc.count)
        labels = zip(soc, socPrior).map { scalers.scaleLabel($0 - $1) }
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
    /// With `learnedPrior` every cycle gets its learned prior capacity
    /// (`GridCycle.assignLearnedPriors`) and `priorCapacityAh` defaults to the design capacity at 25 °C.
    /// With `partialStarts` the training split also gets the rule's cut copies (after the scalers
    /// are fitted on the whole discharges; drawn from `seed`); `dataHash` covers the whole ones.
    /// The training envelope of fitted scalers covers the cuts too: a network trained on runs
    /// that start part-way is not outside its training when the firmware starts it part-way.
    public init(train: [GridCycle], validation: [GridCycle], test: [GridCycle], scalers: Scalers? = nil,
                featureSet: FeatureSet = .task, priorCapacityAh: Double? = nil, learnedPrior: LearnedPriorCapacity? = nil,
                partialStarts: PartialStarts? = nil, seed: UInt64 = 0) {
        var train = train, validation = validation, test = test
        let rule = scalers?.learnedPrior ?? learnedPrior
        if let rule {
            GridCycle.assignLearnedPriors(&train, rule: rule)
            GridCycle.assignLearnedPriors(&validation, rule: rule)
            GridCycle.assignLearnedPriors(&test, rule: rule)
        }
        let defaultCapacity = priorCapacityAh ?? learnedPrior.map { $0.firstCapacityAh(temperatureC: 25) }
        var s = scalers ?? Scalers(fitting: train, featureSet: featureSet, priorCapacityAh: defaultCapacity,
                                   learnedPrior: learnedPrior)
        let cuts = partialStarts.map { GridCycle.partialStarts(of: train, rule: $0, seed: seed) } ?? []
        if scalers == nil && !cuts.isEmpty { s.envelope = TrainingEnvelope(fitting: train + cuts) }
        self.scalers = s
        self.train = (train + cuts).map { ScaledCycle($0, scalers: s) }
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
                            learnedPrior: LearnedPriorCapacity? = nil,
                            partialStarts: PartialStarts? = nil, seed: UInt64 = 0,
                            policy: QualityPolicy = QualityPolicy()) throws(SOCDatasetError) -> SOCDataset {
        let tr = try GridCycle.load(root: root, cells: trainCells, policy: policy)
        guard !tr.isEmpty else { throw .emptySplit(cells: trainCells) }
        let va = try GridCycle.load(root: root, cells: validationCells, policy: policy)
        let te = try GridCycle.load(root: root, cells: testCells, policy: policy)
        return SOCDataset(train: tr, validation: va, test: te, featureSet: featureSet, priorCapacityAh: priorCapacityAh,
                          learnedPrior: learnedPrior, partialStarts: partialStarts, seed: seed)
    }
}
