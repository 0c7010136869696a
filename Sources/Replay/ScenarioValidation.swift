import Firmware

extension ReplayScenario {
    /// The longest estimator period and start offset accepted, seconds (one day).
    public static let maximumPeriodSeconds = 86_400.0

    /// Checks every value a replay turns into tick counts, probabilities or a starting state,
    /// so that a scenario (from a file or built in code) gives a typed error instead of
    /// trapping in a tick-count conversion: the firmware's own checks (tick schedule,
    /// sensors, faults, plausibility, protection) plus the replay's estimator period, start
    /// offset, initial SOC and assumed capacity.
    public func validate() throws(ReplayError) {
        func require(_ ok: Bool, _ field: String, _ value: Double, _ allowed: String) throws(FirmwareConfigError) {
            guard ok else { throw .outOfRange(field: field, value: value, allowed: allowed) }
        }
        do {
            _ = try TickSchedule(baseTickSeconds: baseTickSeconds)
            try sensor.validate()
            try faults.validate()
            try plausibility.validate()
            try protection.validate()
            try currentOffset?.validate()
            let maxPeriod = Self.maximumPeriodSeconds
            try require(slowEstimatorPeriodSeconds > 0 && slowEstimatorPeriodSeconds <= maxPeriod,
                        "slowEstimatorPeriodSeconds", slowEstimatorPeriodSeconds, "(0, \(Int(maxPeriod))]")
            if let startUnderLoadSeconds {
                try require(startUnderLoadSeconds >= 0 && startUnderLoadSeconds <= maxPeriod, "startUnderLoadSeconds",
                            startUnderLoadSeconds, "[0, \(Int(maxPeriod))]")
            }
            if let initialSOC { try require(initialSOC >= 0 && initialSOC <= 1, "initialSOC", initialSOC, "[0, 1]") }
            if let assumedCapacityAh {
                try require(assumedCapacityAh > 0 && assumedCapacityAh <= 1000, "assumedCapacityAh", assumedCapacityAh, "(0, 1000]")
            }
        } catch {
            throw .firmwareConfig(scenario: name, error)
        }
    }
}
