import BMSCore
import CellModel

/// Learns a cell's usable capacity over its life the way fuel gauges learn the full-charge
/// capacity: the charge counted from an OCV-anchored full rest (|I| ≤ rest current and a
/// rested voltage ≥ `fullRestVoltageV`) to the first loaded sample below the terminate
/// voltage is one capacity measurement. Usable capacity depends on rate and temperature
/// (a cold 4 A discharge ends far earlier), so measurements are kept per band of
/// (cell temperature, discharge current) at the start of the discharge. A band never seen
/// gets the model's default at that temperature, scaled by the cell's latest
/// learned/default ratio (its state of health). Within a band, a measurement taken at one
/// start temperature is carried to another by the model's capacity-vs-temperature table:
/// learned × default(T now) / default(T then) (`learnedCapacityFollowsTemperature`).
///
/// All storage is fixed at init; `observe` does not allocate.
public struct CapacityLearner: Sendable {
    /// Temperature band edges, °C (3 bands).
    public static let temperatureEdgesC: (Double, Double) = (14, 34)
    /// Current band edges, A (3 bands).
    public static let currentEdgesA: (Double, Double) = (1.5, 3.0)

    let model: CellModelParameters
    let config: EstimatorConfig
    var learnedAh: [Double]           // 9 bands, 0 = not learned
    var learnedAtC: [Double]          // start temperature of each band's measurement, °C
    var latestHealthRatio: Double?    // learned / default of the latest measurement
    var anchored = false              // a full rest has been seen and no terminate yet
    var anchorCounterAs = 0.0
    var startBand: Int?
    var startTemperatureC = 25.0
    /// Number of capacity measurements taken.
    public private(set) var measurementCount = 0
    /// The latest measurement, Ah.
    public private(set) var lastMeasuredAh: Double?

    /// A learner with nothing learned yet.
    public init(model: CellModelParameters, config: EstimatorConfig) {
        self.model = model
        self.config = config
        learnedAh = Array(repeating: 0, count: 9)
        learnedAtC = Array(repeating: 25, count: 9)
    }

    /// Band index of a (temperature, |current|) pair.
    @inlinable
    static func band(temperatureC: Double, currentA: Double) -> Int {
        let t = temperatureC < temperatureEdgesC.0 ? 0 : (temperatureC < temperatureEdgesC.1 ? 1 : 2)
        let a = abs(currentA)
        let i = a < currentEdgesA.0 ? 0 : (a < currentEdgesA.1 ? 1 : 2)
        return t * 3 + i
    }

    /// The capacity to use for a discharge starting now at this current and temperature, Ah.
    public func capacityAh(currentA: Double, temperatureC: Double) -> Double {
        let band = Self.band(temperatureC: temperatureC, currentA: currentA)
        let learned = learnedAh[band]
        let base = model.defaultCapacityAh(temperatureC: temperatureC)
        guard learned > 0 else { return base * (latestHealthRatio ?? 1) }
        guard config.learnedCapacityFollowsTemperature else { return learned }
        return learned * base / model.defaultCapacityAh(temperatureC: learnedAtC[band])
    }

    /// Feeds one accepted measurement with the charge counter's value *after* it (A·s).
    /// Returns the capacity to use from now on (Ah) when this sample starts a discharge
    /// from an anchored full rest, else `nil`.
    @discardableResult
    public mutating func observe(_ m: CellMeasurement, counterAs: Double) -> Double? {
        let resting = abs(m.currentA) <= config.restCurrentA
        if resting {
            if m.voltageV >= config.fullRestVoltageV {
                anchored = true
                anchorCounterAs = counterAs
                startBand = nil
            }
            return nil
        }
        guard anchored else { return nil }
        var started: Double?
        if m.currentA < 0 && startBand == nil {
            startBand = Self.band(temperatureC: m.temperatureC, currentA: m.currentA)
            startTemperatureC = m.temperatureC
            started = capacityAh(currentA: m.currentA, temperatureC: m.temperatureC)
        }
        if m.currentA > 0 {            // charging before reaching empty: no measurement
            anchored = false
            return nil
        }
        if m.voltageV < config.terminateVoltageV, let band = startBand {
            let measured = (anchorCounterAs - counterAs) / 3600
            let base = model.defaultCapacityAh(temperatureC: startTemperatureC)
            if measured > 0.2 * base && measured < 1.5 * base {
                learnedAh[band] = measured
                learnedAtC[band] = startTemperatureC
                latestHealthRatio = measured / base
                measurementCount += 1
                lastMeasuredAh = measured
            }
            anchored = false
        }
        return started
    }
}
