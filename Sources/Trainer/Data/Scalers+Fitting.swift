import BMSCore
import FloatModel

/// Scalers fitted on grid cycles, and the coulomb-count prior of a cycle.
extension Scalers {
    /// The prior capacity of `cycle`, Ah: its learned one with a learned prior (the default
    /// `priorCapacityAh` when it has none), else `priorCapacityAh`; nil without a prior.
    public func priorCapacityAh(of cycle: GridCycle) -> Double? {
        guard let fixed = priorCapacityAh else { return nil }
        return learnedPrior == nil ? fixed : cycle.priorCapacityAh ?? fixed
    }

    /// The least standard deviation of the prior-capacity input, Ah: the spread of a uniform
    /// factor 1 ± max(`trainingNoise`, 10 %) around `meanAh` (mean · max(noise, 0.1) / √3). The
    /// input is standardised with it when the training data hold (almost) one capacity — a
    /// user's dataset of one cell, where the fitted deviation was 27 µAh and a capacity 0.2 mAh
    /// off was 7 σ out, noise-scaled priors 18,000 σ — so that the ±10 % the network is trained
    /// and used over stays within a few σ. NASA's cells spread wider (0.21 Ah against 0.09).
    public static func priorCapacitySpreadFloor(meanAh: Double, trainingNoise: Double) -> Double {
        abs(meanAh) * max(trainingNoise, 0.1) / 3.0.squareRoot()
    }

    /// Fits the scalers on all grid steps of `cycles` (features of `featureSet`). With
    /// `learnedPrior` the cycles' `priorCapacityAh` must be assigned (`GridCycle.assignLearnedPriors`)
    /// and `priorCapacityAh` is the default capacity.
    public init(fitting cycles: [GridCycle], featureSet: FeatureSet = .task, priorCapacityAh: Double? = nil,
                learnedPrior: LearnedPriorCapacity? = nil) {
        let width = featureSet.width
        let all = cycles.map { featureSet.features(of: $0) }
        var sum = [Double](repeating: 0, count: width)
        var count = 0
        var yMin = Double.infinity, yMax = -Double.infinity
        for (c, features) in zip(cycles, all) {
            for k in 0..<c.count { for f in 0..<width { sum[f] += features[k * width + f] } }
            count += c.count
            let capacity = priorCapacityAh.map { learnedPrior == nil ? $0 : c.priorCapacityAh ?? $0 }
            let prior = capacity.map { q in FeatureSet.dischargedAh(of: c).map { c.priorStartSOC(featureSet) - $0 / q } }
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
        var std = sq.map { v -> Double in let s = (v / Double(max(count, 1))).squareRoot(); return s == 0 ? 1 : s }
        if featureSet.hasPriorCapacity, let rule = learnedPrior {
            let column = featureSet.taskColumns.count + 1
            std[column] = max(std[column], Self.priorCapacitySpreadFloor(meanAh: mean[column], trainingNoise: rule.trainingNoise))
        }
        self.init(xMean: mean, xStd: std, yMin: yMin, yMax: yMax, priorCapacityAh: priorCapacityAh)
        self.featureSet = featureSet
        self.learnedPrior = learnedPrior
        envelope = TrainingEnvelope(fitting: cycles)
    }
}

extension TrainingEnvelope {
    /// The envelope of `cycles` (physical features: current column 1, temperature column 2,
    /// voltage column 0 of each cycle's first step); `nil` without a step. Current, temperature
    /// and SOC are the extremes of every step; the start voltage is the 1st percentile of the
    /// cycles' first voltages (what 99 % of the training sequences started at or above: one
    /// sequence started mid-charge does not make partial starts a trained case).
    public init?(fitting cycles: [GridCycle]) {
        guard cycles.contains(where: { $0.count > 0 }) else { return nil }
        var iMin = Double.infinity, iMax = -Double.infinity, tMin = Double.infinity, tMax = -Double.infinity
        var sMin = Double.infinity, sMax = -Double.infinity
        let starts = cycles.filter { $0.count > 0 }.map { $0.features[0] }.sorted()
        let startMin = starts[Int((0.01 * Double(starts.count - 1)).rounded(.down))]
        for c in cycles where c.count > 0 {
            for k in 0..<c.count {
                iMin = min(iMin, c.features[k * 5 + 1]); iMax = max(iMax, c.features[k * 5 + 1])
                tMin = min(tMin, c.features[k * 5 + 2]); tMax = max(tMax, c.features[k * 5 + 2])
                sMin = min(sMin, c.soc[k]); sMax = max(sMax, c.soc[k])
            }
        }
        self.init(currentMinA: iMin, currentMaxA: iMax, temperatureMinC: tMin, temperatureMaxC: tMax,
                  startVoltageMinV: startMin, socMin: sMin, socMax: sMax)
    }
}
