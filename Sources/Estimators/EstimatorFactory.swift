import BMSCore
import CellModel

/// The classical SOC methods by their stable names (used on the command line and in tables).
public enum EstimatorKind: String, Sendable, CaseIterable, Codable {
    /// Coulomb counting with OCV correction at rest and capacity learning.
    case ah = "ah"
    /// Pure coulomb counting (no OCV correction).
    case ahPure = "ah-pure"
    /// OCV lookup after removing R0·I (naive).
    case ocv = "ocv"
    /// EKF on the 1RC Thevenin model.
    case ekf1RC = "ekf-1rc"
    /// EKF on the 2RC Thevenin model.
    case ekf2RC = "ekf-2rc"
    /// UKF on the 1RC Thevenin model.
    case ukf1RC = "ukf-1rc"
    /// UKF on the 2RC Thevenin model.
    case ukf2RC = "ukf-2rc"
}

/// Makes an estimator of the given kind for a cell model, starting at `soc` (fraction).
///
/// ```swift
/// let model = try CellModelFile.load(from: url)
/// let ekf = makeEstimator(.ekf2RC, model: model, config: EstimatorConfig())
/// let estimate = ekf.update(CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: 25, dtSeconds: 1))
/// ```
public func makeEstimator(_ kind: EstimatorKind, model: CellModelParameters,
                          config: EstimatorConfig = EstimatorConfig(), soc: Double = 1) -> any SOCEstimator {
    switch kind {
    case .ah:
        var c = config
        c.ocvCorrectionAtRest = true
        return AhCounterEstimator(model: model, config: c, soc: soc)
    case .ahPure:
        var c = config
        c.ocvCorrectionAtRest = false
        return AhCounterEstimator(model: model, config: c, soc: soc)
    case .ocv: return OCVLookupEstimator(model: model, config: config, soc: soc)
    case .ekf1RC: return TheveninEKF(model: model, pairs: 1, config: config, soc: soc)
    case .ekf2RC: return TheveninEKF(model: model, pairs: 2, config: config, soc: soc)
    case .ukf1RC: return TheveninUKF(model: model, pairs: 1, config: config, soc: soc)
    case .ukf2RC: return TheveninUKF(model: model, pairs: 2, config: config, soc: soc)
    }
}
