import FloatModel

/// Scalers fitted on grid cycles, and the coulomb-count prior of a cycle.
extension Scalers {
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
}
