import BMSCore
import CellModel

/// The naive method, for contrast: invert the OCV curve after removing the ohmic drop,
///
///     SOC = OCV⁻¹(V − R0(SOC_prev, T) · I − η(I, T), T)
///
/// (η: the model's charge-transfer term a · asinh(I / I_ref), 0 without one.)
///
/// No memory of the past beyond R0's SOC argument, so polarisation (the R–C voltages)
/// shows up directly as SOC error under load.
public final class OCVLookupEstimator: SOCEstimator {
    /// `"ocv"`.
    public let name = "ocv"
    let model: CellModelParameters
    let config: EstimatorConfig
    var last: SOCEstimate

    /// Creates the estimator.
    public init(model: CellModelParameters, config: EstimatorConfig, soc: Double = 1) {
        self.model = model
        self.config = config
        last = SOCEstimate(soc: soc)
    }

    /// Consumes one measurement.
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        guard config.accepts(m) else {
            last.holding = true
            return last
        }
        let r0 = model.thevenin1RC.r0Ohm.value(soc: last.soc, temperatureC: m.temperatureC)
        var ohmic = r0 * m.currentA
        if let term = model.chargeTransfer { ohmic += term.voltageV(currentA: m.currentA, temperatureC: m.temperatureC) }
        let soc = model.ocv.soc(voltageV: m.voltageV - ohmic, temperatureC: m.temperatureC)
        last = SOCEstimate(soc: soc)
        return last
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Sets the SOC used for the R0 lookup.
    public func reset(soc: Double) { last = SOCEstimate(soc: soc) }

    /// Nothing to do: the lookup has no memory beyond R0's SOC argument.
    public func wake(afterSleepSeconds seconds: Double) {}

    /// One float (the previous SOC).
    public var stateBytes: Int { 4 }
}
