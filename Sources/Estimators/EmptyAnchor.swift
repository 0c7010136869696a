import BMSCore

/// The end-of-discharge anchor (what fuel gauges call end-of-discharge-voltage calibration):
/// empty is *defined* as the loaded voltage reaching the BMS terminate voltage
/// (`EstimatorConfig.terminateVoltageV`; the NASA label's SOC 0 is the same point), so the
/// first loaded sample below it in a discharge sets the SOC to 0, whatever the count says.
/// A capacity error of the discharge then ends there instead of being carried into the
/// rest and the charge that follow.
///
/// Guards against a voltage dip that is not the end: the discharge must have lasted
/// `settleSeconds` and the estimate must already be low (`EstimatorConfig.emptyAnchorBelowSOC`).
/// Once per discharge: a rest or a charge re-arms it. No allocation.
struct EmptyAnchor: Sendable {
    /// Discharge time before a dip counts, s (a load step interpolated over a tick is not the end).
    static let settleSeconds = 30.0
    var dischargeSeconds = 0.0
    var fired = false

    /// True when this sample is the empty point of the present discharge and `soc` (the
    /// estimate before it) is low enough to accept it.
    mutating func observe(_ m: CellMeasurement, soc: Double, config: EstimatorConfig) -> Bool {
        guard let below = config.emptyAnchorBelowSOC, m.currentA < -config.restCurrentA else {
            dischargeSeconds = 0
            fired = false
            return false
        }
        dischargeSeconds += m.dtSeconds
        guard !fired, dischargeSeconds >= Self.settleSeconds, m.voltageV < config.terminateVoltageV,
              soc <= below else { return false }
        fired = true
        return true
    }

    /// Re-arms (after a reset or a sleep).
    mutating func reset() {
        dischargeSeconds = 0
        fired = false
    }
}
