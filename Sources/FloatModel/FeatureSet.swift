/// Which inputs the network sees per 10 s step.
public enum FeatureSet: String, Codable, Sendable, CaseIterable {
    /// The benchmark task's five (Docs/Benchmark.md): voltage V, current A, temperature °C, ΔI A, ΔV V.
    case task
    /// The benchmark task's five plus the charge drawn since the discharge started, Ah
    /// (`q[n] = Σₖ₌₁ⁿ −½(I[k] + I[k−1])·10 s / 3600` on the grid: a coulomb counter reset at
    /// the start of each discharge, which every BMS keeps anyway).
    case taskPlusCharge = "task+charge"
    /// Voltage, temperature, ΔV and the discharged charge, without the current level and ΔI
    /// (in the training cells 1 A discharges are all cold, so the current level stands in for
    /// temperature; this set removes that shortcut).
    case chargeWithoutCurrent = "charge-no-current"
    /// `charge-no-current` plus the discharge's prior capacity, Ah (the capacity the BMS has
    /// learned, constant over a discharge; needs a learned prior, `LearnedPriorCapacity`).
    case chargeCapacityWithoutCurrent = "charge-no-current+capacity"
    /// `charge-no-current` plus the prior SOC `1 − q/C` of the step (the coulomb count against
    /// the discharge's prior capacity C, a fraction; needs a learned prior).
    case chargePriorWithoutCurrent = "charge-no-current+prior"
    /// `charge-no-current+capacity` plus the prior SOC `s0 − q/C`, with `s0` the SOC the BMS
    /// believes when the run starts (1 for a full start; issue 16, "any start"): the input a
    /// network needs to start from a partial SOC (blob format version 5).
    case chargeCapacityPriorWithoutCurrent = "charge-no-current+capacity+prior"

    /// Columns of `task` kept, in order (the charge counter, when present, comes last).
    package var taskColumns: [Int] {
        self == .task || self == .taskPlusCharge ? [0, 1, 2, 3, 4] : [0, 2, 4]
    }
    /// Whether the discharged-charge counter is appended.
    package var hasCharge: Bool { self != .task }
    /// Whether the prior capacity is appended (after the charge counter).
    public var hasPriorCapacity: Bool { self == .chargeCapacityWithoutCurrent || self == .chargeCapacityPriorWithoutCurrent }
    /// Whether the prior SOC is appended (last, after the charge counter and the capacity).
    public var hasPriorSOC: Bool { self == .chargePriorWithoutCurrent || self == .chargeCapacityPriorWithoutCurrent }
    /// Whether an input depends on the discharge's prior capacity (it needs a learned prior).
    public var readsPrior: Bool { hasPriorCapacity || hasPriorSOC }

    /// Inputs per step.
    public var width: Int { taskColumns.count + (hasCharge ? 1 : 0) + (hasPriorCapacity ? 1 : 0) + (hasPriorSOC ? 1 : 0) }

    /// Feature names in input order.
    public var names: [String] {
        let base = ["voltage_V", "current_A", "temperature_C", "d_current_A", "d_voltage_V"]
        return taskColumns.map { base[$0] } + (hasCharge ? ["discharged_Ah"] : [])
            + (hasPriorCapacity ? ["prior_capacity_Ah"] : []) + (hasPriorSOC ? ["prior_soc"] : [])
    }
}
