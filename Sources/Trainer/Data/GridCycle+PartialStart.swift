import FloatModel

/// Cycles that start part-way through a discharge (issue 16, "any start"; `PartialStarts`).
extension GridCycle {
    /// The cycle from grid step `step` on, as a BMS would run it from there: the differences
    /// of the first step 0 (no previous sample), the coulomb counter restarting at 0
    /// (`FeatureSet.dischargedAh` counts from the first step) and `startSOC` as the prior's start.
    /// The record and prior capacity stay (the capacity the BMS had learned before the discharge).
    public func partialStart(at step: Int, startSOC: Double) -> GridCycle {
        precondition(step >= 0 && step < count, "cut step \(step) outside 0..<\(count)")
        var features = Array(self.features[(step * 5)...])
        features[3] = 0
        features[4] = 0
        var cut = GridCycle(cell: cell, cycle: cycle, features: features, soc: Array(soc[step...]))
        cut.record = record
        cut.priorCapacityAh = priorCapacityAh
        cut.startSOC = startSOC
        return cut
    }

    /// The partial-start copies of `cycles` by `rule` (in cycle order, then copy order); copy k of
    /// cycle i starts at the reference SOC there plus the drawn error.
    public static func partialStarts(of cycles: [GridCycle], rule: PartialStarts, seed: UInt64) -> [GridCycle] {
        var out: [GridCycle] = []
        for (index, cycle) in cycles.enumerated() {
            for copy in 0..<rule.copies {
                guard let (step, error) = rule.draw(seed: seed, index: index, copy: copy, steps: cycle.count) else { continue }
                out.append(cycle.partialStart(at: step, startSOC: cycle.soc[step] + error))
            }
        }
        return out
    }
}
