import Firmware

extension ReplayScenario {
    /// This scenario with every current quantity multiplied by `factor`: the current channel's
    /// range and noise, the sensor bias, the plausibility current range and step, the protection
    /// current thresholds and standby current, the fault injection's current spike, and the
    /// assumed capacity. Voltages, temperatures, times and rates are unchanged; `factor` 1 (or
    /// not finite and positive) returns the scenario as it is.
    public func scaledCurrents(by factor: Double) -> ReplayScenario {
        guard factor.isFinite, factor > 0, factor != 1 else { return self }
        var s = self
        s.sensor.current.rangeMin *= factor
        s.sensor.current.rangeMax *= factor
        s.sensor.current.noiseSigma *= factor
        s.sensor.current.offset *= factor
        s.sensor.currentBiasA *= factor
        s.plausibility.currentRangeA = (plausibility.currentRangeA.lowerBound * factor)...(plausibility.currentRangeA.upperBound * factor)
        s.plausibility.maxCurrentStepA *= factor
        s.protection.overCurrentChargeA *= factor
        s.protection.overCurrentChargeReleaseA *= factor
        s.protection.overCurrentDischargeA *= factor
        s.protection.overCurrentDischargeReleaseA *= factor
        s.protection.standbyCurrentA *= factor
        s.faults.spikeCurrentA *= factor
        s.assumedCapacityAh = assumedCapacityAh.map { $0 * factor }
        return s
    }

    /// The factor `ReplayRunner` scales this scenario's currents by on a cell of
    /// `cellCapacityAh` (`CurrentSizing.factor`).
    public func currentScale(cellCapacityAh: Double?, referenceCapacityAh: Double?) -> Double {
        currentSizing.factor(cellCapacityAh: cellCapacityAh, referenceCapacityAh: referenceCapacityAh)
    }
}
