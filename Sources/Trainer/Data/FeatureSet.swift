/// Which inputs the network sees per 10 s step.
public enum FeatureSet: String, Codable, Sendable, CaseIterable {
    /// TASK.md's five: voltage V, current A, temperature °C, ΔI A, ΔV V.
    case task
    /// TASK.md's five plus the charge drawn since the discharge started, Ah
    /// (`q[n] = Σₖ₌₁ⁿ −½(I[k] + I[k−1])·10 s / 3600` on the grid: a coulomb counter reset at
    /// the start of each discharge, which every BMS keeps anyway).
    case taskPlusCharge = "task+charge"

    /// Inputs per step.
    public var width: Int { self == .task ? 5 : 6 }

    /// Feature names in input order.
    public var names: [String] {
        let base = ["voltage_V", "current_A", "temperature_C", "d_current_A", "d_voltage_V"]
        return self == .task ? base : base + ["discharged_Ah"]
    }

    /// Charge drawn since the start of `cycle`, Ah, at each grid step (trapezoid of the grid current).
    public static func dischargedAh(of cycle: GridCycle) -> [Double] {
        var q = [Double](repeating: 0, count: cycle.count)
        for k in 1..<max(cycle.count, 1) {
            q[k] = q[k - 1] - 0.5 * (cycle.features[k * 5 + 1] + cycle.features[(k - 1) * 5 + 1])
                * TaskDataLoader.gridStepS / 3600
        }
        return q
    }

    /// The features of `cycle` in this set, row-major `[n × width]`, physical units.
    public func features(of cycle: GridCycle) -> [Double] {
        if self == .task { return cycle.features }
        var out = [Double](repeating: 0, count: cycle.count * 6)
        let q = Self.dischargedAh(of: cycle)
        for k in 0..<cycle.count {
            for f in 0..<5 { out[k * 6 + f] = cycle.features[k * 5 + f] }
            out[k * 6 + 5] = q[k]
        }
        return out
    }
}
