import BMSCore
import CellModel

/// Learns a cell's usable capacity over its life the way fuel gauges learn the full-charge
/// capacity: the charge counted from an OCV-anchored full rest (|I| ≤ rest current and a
/// rested voltage ≥ `fullRestVoltageV`) to the first loaded sample below the terminate
/// voltage is one capacity measurement. Usable capacity depends on rate and temperature
/// (a cold 4 A discharge ends far earlier), so measurements are kept per band of
/// (cell temperature, discharge current) at the start of the discharge. A band never seen
/// gets the model's default at that temperature, scaled by the latest learned/default ratio
/// measured in the same *current* band (its state of health at that rate; a 4 A capacity to
/// 2.7 V says little about the 1 A one), or by 1 when no band of that current has been
/// measured. Within a band, a measurement taken at one start temperature is carried to
/// another by the model's capacity-vs-temperature table: learned × default(T now) /
/// default(T then) (`learnedCapacityFollowsTemperature`).
///
/// A measurement further than `EstimatorConfig.capacityMeasurementRange` from the capacity the
/// band expected (a cold or aged cell that dips below the terminate voltage at the load step
/// and "measures" 0.4 Ah, e.g. NASA B0033 cycle 360) is held back (`rejectedCount` counts them)
/// until the band's next measurement confirms it (lies within that range of it): one outlier
/// is ignored, a real change of condition is learned one discharge late.
///
/// All storage is fixed at init; `observe` does not allocate.
public struct CapacityLearner: Sendable {
    /// Temperature band edges, °C (3 bands; `CapacityBand`, shared with the trainer's prior).
    public static let temperatureEdgesC = CapacityBand.temperatureEdgesC
    /// Current band edges, A (3 bands).
    public static let currentEdgesA = CapacityBand.currentEdgesA
    /// Discharge time after which the band is read, s.
    public static let bandSettleSeconds = CapacityBand.settleSeconds
    /// A measurement above this multiple of the starting (design) capacity is not a capacity the
    /// cell can have (a fuel gauge caps its learned capacity near the design value); NASA's only
    /// such measurements are logger glitches (B0036 cycle 278: 2.44 Ah, 1.36 × the design 1.80 Ah).
    public static let plausibleAboveBase = 1.2

    let model: CellModelParameters
    let config: EstimatorConfig
    var learnedAh: [Double]           // 9 bands, 0 = not learned
    var learnedAtC: [Double]          // start temperature of each band's measurement, °C
    var healthRatio: [Double]         // per current band: learned / default of its latest measurement, 0 = none
    var anchored = false              // a full rest has been seen and no terminate yet
    var anchorCounterAs = 0.0
    var startBand: Int?
    var startTemperatureC = 25.0
    var expectedAh = 0.0              // the capacity the band expected when the discharge started
    var loadedSeconds = 0.0           // discharge time since the anchor, until the band is read
    var heldBackAh: [Double]          // per band: the last measurement held back as an outlier, 0 = none
    /// Number of capacity measurements taken.
    public private(set) var measurementCount = 0
    /// The latest measurement, Ah.
    public private(set) var lastMeasuredAh: Double?
    /// Measurements not learned (outside `capacityMeasurementRange` of the expected capacity).
    public private(set) var rejectedCount = 0

    /// A learner with nothing learned yet.
    public init(model: CellModelParameters, config: EstimatorConfig) {
        self.model = model
        self.config = config
        learnedAh = Array(repeating: 0, count: 9)
        healthRatio = Array(repeating: 0, count: 3)
        heldBackAh = Array(repeating: 0, count: 9)
        learnedAtC = Array(repeating: 25, count: 9)
    }

    /// Band index of a (temperature, |current|) pair.
    @inlinable
    static func band(temperatureC: Double, currentA: Double) -> Int {
        CapacityBand.index(temperatureC: temperatureC, currentA: currentA)
    }

    /// The capacity the estimators start from at a temperature before anything is learned, Ah:
    /// the model's design capacity there (`CellModelParameters.designCapacityAh`; its default
    /// capacity when it has none), or, when a capacity is configured (`EstimatorConfig.capacityAh`,
    /// e.g. a nameplate), the model's default scaled to it: default(T) × configured / model capacity.
    func baseCapacityAh(temperatureC: Double) -> Double {
        guard let configured = config.capacityAh else { return model.designCapacityAh(temperatureC: temperatureC) }
        return model.defaultCapacityAh(temperatureC: temperatureC) * configured / model.capacityAh
    }

    /// The capacity to use for a discharge starting now at this current and temperature, Ah.
    public func capacityAh(currentA: Double, temperatureC: Double) -> Double {
        let band = Self.band(temperatureC: temperatureC, currentA: currentA)
        let learned = learnedAh[band]
        let base = baseCapacityAh(temperatureC: temperatureC)
        guard learned > 0 else {
            let ratio = healthRatio[band % 3]
            return base * (ratio > 0 ? ratio : 1)
        }
        guard config.learnedCapacityFollowsTemperature else { return learned }
        return learned * base / baseCapacityAh(temperatureC: learnedAtC[band])
    }

    /// Feeds one accepted measurement with the charge counter's value *after* it (A·s).
    /// Returns the capacity to use from now on (Ah) once a discharge from an anchored full
    /// rest has settled into its band (`bandSettleSeconds`), else `nil`.
    @discardableResult
    public mutating func observe(_ m: CellMeasurement, counterAs: Double) -> Double? {
        let resting = abs(m.currentA) <= config.restCurrentA
        if resting {
            if m.voltageV >= config.fullRestVoltageV {
                anchored = true
                anchorCounterAs = counterAs
                startBand = nil
                loadedSeconds = 0
            }
            return nil
        }
        guard anchored else { return nil }
        if m.currentA > 0 {            // charging before reaching empty: no measurement
            anchored = false
            return nil
        }
        var started: Double?
        if startBand == nil {
            // The band is read once the load has settled (`bandSettleSeconds` of discharge, or
            // the terminate voltage if that comes first): at a fine tick the first loaded
            // samples interpolate the current's step and would put a 4 A discharge in the 1 A band.
            // The first loaded update may span the rest before the load (the bank's withheld
            // ticks, a coarse grid): its mean current is no band's, so the band is read from a
            // later update.
            let firstLoaded = loadedSeconds == 0
            if firstLoaded { startTemperatureC = m.temperatureC }
            loadedSeconds += m.dtSeconds
            if (loadedSeconds >= Self.bandSettleSeconds && !firstLoaded) || m.voltageV < config.terminateVoltageV {
                startBand = Self.band(temperatureC: startTemperatureC, currentA: m.currentA)
                started = capacityAh(currentA: m.currentA, temperatureC: startTemperatureC)
                expectedAh = started ?? 0
            }
        }
        if m.voltageV < config.terminateVoltageV, let band = startBand {
            let measured = (anchorCounterAs - counterAs) / 3600
            let base = baseCapacityAh(temperatureC: startTemperatureC)
            let range = config.capacityMeasurementRange
            if measured > 0.2 * base && measured < Self.plausibleAboveBase * base {
                let held = heldBackAh[band]
                if (measured >= range.lowerBound * expectedAh && measured <= range.upperBound * expectedAh)
                    || (held > 0 && measured >= range.lowerBound * held && measured <= range.upperBound * held) {
                    heldBackAh[band] = 0
                    learnedAh[band] = measured
                    learnedAtC[band] = startTemperatureC
                    healthRatio[band % 3] = measured / base
                    measurementCount += 1
                    lastMeasuredAh = measured
                } else {
                    heldBackAh[band] = measured
                    rejectedCount += 1
                }
            }
            anchored = false
        }
        return started
    }
}
