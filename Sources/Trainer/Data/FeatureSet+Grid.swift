import FloatModel

/// The features of a grid cycle in each feature set.
extension FeatureSet {
    /// Charge drawn since the start of `cycle`, Ah, at each grid step (trapezoid of the grid current).
    public static func dischargedAh(of cycle: GridCycle) -> [Double] {
        var q = [Double](repeating: 0, count: cycle.count)
        for k in 1..<max(cycle.count, 1) {
            q[k] = q[k - 1] - 0.5 * (cycle.features[k * 5 + 1] + cycle.features[(k - 1) * 5 + 1])
                * GridCycle.gridStepS / 3600
        }
        return q
    }

    /// The features of `cycle` in this set, row-major `[n × width]`, physical units. A set
    /// with the prior capacity reads `priorCapacityAh`, else the cycle's (one must be set); the
    /// prior SOC is `cycle.startSOC − q/C`.
    public func features(of cycle: GridCycle, priorCapacityAh: Double? = nil) -> [Double] {
        if self == .task { return cycle.features }
        let w = width, columns = taskColumns
        let chargeColumn = columns.count
        var out = [Double](repeating: 0, count: cycle.count * w)
        let q = Self.dischargedAh(of: cycle)
        let capacity = readsPrior ? priorCapacityAh ?? cycle.priorCapacityAh : nil
        precondition(!readsPrior || capacity != nil, "feature set \(rawValue) needs the cycle's prior capacity")
        for k in 0..<cycle.count {
            for (j, f) in columns.enumerated() { out[k * w + j] = cycle.features[k * 5 + f] }
            out[k * w + chargeColumn] = q[k]
            if let capacity {
                if hasPriorCapacity { out[k * w + chargeColumn + 1] = capacity }
                if hasPriorSOC { out[k * w + w - 1] = cycle.startSOC - q[k] / capacity }
            }
        }
        return out
    }
}
