import BMSCore

/// The end-of-discharge anchor (what fuel gauges call end-of-discharge-voltage calibration):
/// where the cell model's SOC scale *defines* empty as a loaded voltage
/// (`CellModelParameters.socZeroLoadedVoltageV`; NASA's label: the first loaded sample below
/// 2.7 V), the first loaded sample below it in a discharge sets the SOC to 0, whatever the
/// count says. A model with a thermodynamic SOC scale (a physics model, a `soc` column) has
/// no such voltage, and the anchor stays off: there a loaded 2.7 V is not empty.
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
    mutating func observe(_ m: CellMeasurement, soc: Double, emptyVoltageV: Double?, config: EstimatorConfig) -> Bool {
        guard let below = config.emptyAnchorBelowSOC, let emptyVoltageV, m.currentA < -config.restCurrentA else {
            dischargeSeconds = 0
            fired = false
            return false
        }
        dischargeSeconds += m.dtSeconds
        guard !fired, dischargeSeconds >= Self.settleSeconds, m.voltageV < emptyVoltageV,
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
