import Firmware

extension ReplayScenario {
    // Every preset is sized for the reference cell (NASA's 18650 as the bundled cell model has
    // it): on another cell its currents (ranges, noise, bias, limits, the aged nameplate) scale
    // with the cell model's capacity (`CurrentSizing.referenceCell`, `scaledCurrents(by:)`).

    /// Ideal sensors, true initial SOC, the cell model's capacity (then learned), no faults.
    public static let nominal = ReplayScenario(
        name: "nominal", summary: "ideal sensors, true initial SOC, model capacity then learned",
        currentSizing: .referenceCell)

    /// Estimators start at 50 % SOC whatever the truth (a BMS that lost its state), 10 minutes
    /// into the first labelled discharge, under load: the voltage cannot tell the SOC at once,
    /// so the figure shows how fast each method recovers (and which never does until a rest).
    public static let initialSOCError = ReplayScenario(
        name: "initial-soc-error", summary: "estimators start at 50 % SOC under load, 10 min into a discharge",
        initialSOC: 0.5, startUnderLoadSeconds: 600,
        currentSizing: .referenceCell)

    /// +50 mA current-sensor bias and 10 mA current noise.
    public static let currentBias = ReplayScenario(
        name: "current-bias", summary: "current sensor +50 mA bias, 10 mA noise",
        sensor: SensorConfig(voltage: SensorConfig.ideal.voltage,
                             current: ADCChannel(rangeMin: -10, rangeMax: 10, noiseSigma: 0.010),
                             temperature: SensorConfig.ideal.temperature, currentBiasA: 0.050),
        currentSizing: .referenceCell)

    /// 12-bit ADCs on every channel (0–5 V, ±10 A, −40…125 °C) with half-LSB noise.
    public static let adc12bit = ReplayScenario(
        name: "adc-12bit", summary: "12-bit ADCs: 1.22 mV, 4.9 mA, 0.04 °C steps",
        sensor: SensorConfig(voltage: ADCChannel(bits: 12, rangeMin: 0, rangeMax: 5, noiseSigma: 0.0006),
                             current: ADCChannel(bits: 12, rangeMin: -10, rangeMax: 10, noiseSigma: 0.0025),
                             temperature: ADCChannel(bits: 12, rangeMin: -40, rangeMax: 125, noiseSigma: 0.02)),
        currentSizing: .referenceCell)

    /// Estimators told the 2.0 Ah nameplate capacity while the cell has faded: they count
    /// against it (temperature-scaled) until they have learned the cell's capacity.
    public static let agedCapacity = ReplayScenario(
        name: "aged-capacity", summary: "estimators assume the 2.0 Ah nameplate; the cell has faded",
        assumedCapacityAh: 2.0,
        currentSizing: .referenceCell)

    /// Realistic sensors and random dropouts, NaNs, stuck values, spikes and timestamp jumps.
    public static let sensorFaults = ReplayScenario(
        name: "sensor-faults", summary: "realistic sensors + random dropout, NaN, stuck-at, spike, timestamp jump",
        sensor: .realistic,
        faults: FaultConfig(dropoutRate: 2e-4, nanRate: 2e-4, stuckRate: 5e-5, spikeRate: 2e-4,
                            timestampJumpRate: 1e-4),
        plausibility: PlausibilityLimits(stuckTicks: 10),
        currentSizing: .referenceCell)

    /// Every disturbance at once.
    public static let all = ReplayScenario(
        name: "all", summary: "50 % start under load, +50 mA bias, 12-bit ADC, nameplate capacity, sensor faults",
        sensor: SensorConfig(voltage: adc12bit.sensor.voltage,
                             current: ADCChannel(bits: 12, rangeMin: -10, rangeMax: 10, noiseSigma: 0.010),
                             temperature: adc12bit.sensor.temperature, currentBiasA: 0.050),
        faults: sensorFaults.faults, plausibility: PlausibilityLimits(stuckTicks: 30),
        initialSOC: 0.5, startUnderLoadSeconds: 600, assumedCapacityAh: 2.0,
        currentSizing: .referenceCell)

    /// The built-in presets, in table order.
    public static let presets: [ReplayScenario] = [
        .nominal, .initialSOCError, .currentBias, .adc12bit, .agedCapacity, .sensorFaults, .all,
    ]

    /// The preset called `name`, if any.
    public static func preset(named name: String) -> ReplayScenario? {
        presets.first { $0.name == name }
    }
}
