import BMSCore

/// One analog channel of the sensor front-end: gain and offset error, Gaussian noise, then
/// an ADC with a given resolution over a given input range.
///
/// The reading of a true value `x` is
/// `q(x · (1 + gainError) + offset + bias + σ · z)`, `z ~ N(0, 1)`, where `q` clamps to
/// `[rangeMin, rangeMax]` and rounds to the nearest of the `2^bits` codes
/// (`lsb = (rangeMax − rangeMin) / (2^bits − 1)`). `bits == 0` means an ideal converter
/// (no clamping, no rounding).
///
/// Example: a 12-bit ADC over 0…5 V has `lsb = 5 / 4095 ≈ 1.221 mV`; 3.7000 V reads as
/// code 3030 → 3.69963 V.
public struct ADCChannel: Sendable, Equatable, Codable {
    /// ADC resolution in bits (0 = ideal, 1…24 otherwise).
    public var bits: Int
    /// Lowest representable input (code 0).
    public var rangeMin: Double
    /// Highest representable input (code 2^bits − 1).
    public var rangeMax: Double
    /// Standard deviation of additive Gaussian noise, in the channel's unit.
    public var noiseSigma: Double
    /// Additive offset error, in the channel's unit.
    public var offset: Double
    /// Relative gain error (0.001 = reads 0.1 % high).
    public var gainError: Double

    /// Creates a channel.
    public init(bits: Int = 0, rangeMin: Double, rangeMax: Double, noiseSigma: Double = 0,
                offset: Double = 0, gainError: Double = 0) {
        self.bits = bits
        self.rangeMin = rangeMin
        self.rangeMax = rangeMax
        self.noiseSigma = noiseSigma
        self.offset = offset
        self.gainError = gainError
    }

    /// Size of one ADC step, or 0 for an ideal converter.
    @inlinable
    public var lsb: Double {
        bits == 0 ? 0 : (rangeMax - rangeMin) / Double((1 << bits) - 1)
    }

    /// Checks the channel; `name` is used in the error.
    public func validate(name: String) throws(FirmwareConfigError) {
        guard (0...24).contains(bits) else {
            throw .outOfRange(field: "\(name).bits", value: Double(bits), allowed: "0...24")
        }
        guard rangeMin.isFinite, rangeMax.isFinite, rangeMax > rangeMin else {
            throw .inconsistent(field: "\(name).range", detail: "need finite rangeMin < rangeMax, found \(rangeMin)...\(rangeMax)")
        }
        guard noiseSigma.isFinite, noiseSigma >= 0 else {
            throw .outOfRange(field: "\(name).noiseSigma", value: noiseSigma, allowed: ">= 0")
        }
        guard offset.isFinite, gainError.isFinite, abs(gainError) < 0.5 else {
            throw .outOfRange(field: "\(name).gainError/offset", value: gainError, allowed: "finite, |gainError| < 0.5")
        }
    }

    /// Converts the (already disturbed) analog value to what the ADC reports.
    @inlinable
    public func quantize(_ analog: Double) -> Double {
        guard bits > 0, analog.isFinite else { return analog }
        let maxCode = Double((1 << bits) - 1)
        let step = (rangeMax - rangeMin) / maxCode
        var code = ((analog - rangeMin) / step).rounded()
        code = min(max(code, 0), maxCode)
        return rangeMin + code * step
    }

    /// The reading of a true value `trueValue` with extra additive `bias`, drawing noise from `rng`.
    @inlinable
    public func read(_ trueValue: Double, bias: Double = 0, rng: inout SeededGenerator) -> Double {
        var analog = trueValue * (1 + gainError) + offset + bias
        if noiseSigma > 0 { analog += noiseSigma * rng.nextGaussian() }
        return quantize(analog)
    }
}

/// The sensor front-end configuration: one channel each for cell voltage, current and
/// temperature, plus a current-sensor bias (the classic coulomb-counting error source).
public struct SensorConfig: Sendable, Equatable, Codable {
    /// Cell-voltage channel, V.
    public var voltage: ADCChannel
    /// Current channel, A (positive = charge).
    public var current: ADCChannel
    /// Temperature channel, °C.
    public var temperature: ADCChannel
    /// Constant current-sensor bias, A (added to every current reading; +0.05 = 50 mA).
    public var currentBiasA: Double

    /// Creates a configuration.
    public init(voltage: ADCChannel, current: ADCChannel, temperature: ADCChannel, currentBiasA: Double = 0) {
        self.voltage = voltage
        self.current = current
        self.temperature = temperature
        self.currentBiasA = currentBiasA
    }

    /// Ideal sensors: no noise, no error, no quantization (wide ranges for the NASA cells).
    public static let ideal = SensorConfig(
        voltage: ADCChannel(rangeMin: 0, rangeMax: 5),
        current: ADCChannel(rangeMin: -10, rangeMax: 10),
        temperature: ADCChannel(rangeMin: -40, rangeMax: 125))

    /// A realistic automotive-style front-end: 16-bit voltage ADC (0–5 V, 0.5 mV noise),
    /// 16-bit current ADC (±10 A, 5 mA noise), 12-bit temperature (−40…125 °C, 0.1 °C noise).
    public static let realistic = SensorConfig(
        voltage: ADCChannel(bits: 16, rangeMin: 0, rangeMax: 5, noiseSigma: 0.0005),
        current: ADCChannel(bits: 16, rangeMin: -10, rangeMax: 10, noiseSigma: 0.005),
        temperature: ADCChannel(bits: 12, rangeMin: -40, rangeMax: 125, noiseSigma: 0.1))

    /// Checks every channel.
    public func validate() throws(FirmwareConfigError) {
        try voltage.validate(name: "sensor.voltage")
        try current.validate(name: "sensor.current")
        try temperature.validate(name: "sensor.temperature")
        guard currentBiasA.isFinite else {
            throw .outOfRange(field: "sensor.currentBiasA", value: currentBiasA, allowed: "finite")
        }
    }
}

/// Samples the plant (the true cell) through the configured sensors; deterministic for a
/// given seed. No allocation.
public struct SensorFrontEnd: Sendable {
    /// The configuration.
    public let config: SensorConfig
    @usableFromInline var rng: SeededGenerator

    /// Creates the front-end; throws when the configuration is invalid.
    public init(config: SensorConfig, seed: UInt64) throws(FirmwareConfigError) {
        try config.validate()
        self.config = config
        self.rng = SeededGenerator(seed: seed)
    }

    /// Reads the plant. `dtSeconds` is passed through unchanged.
    @inlinable
    public mutating func read(_ plant: CellMeasurement) -> CellMeasurement {
        CellMeasurement(
            voltageV: config.voltage.read(plant.voltageV, rng: &rng),
            currentA: config.current.read(plant.currentA, bias: config.currentBiasA, rng: &rng),
            temperatureC: config.temperature.read(plant.temperatureC, rng: &rng),
            dtSeconds: plant.dtSeconds)
    }
}
