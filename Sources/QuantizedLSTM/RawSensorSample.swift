/// One sensor sample in the integer units of the fixed-point engine and the C runtime.
///
/// `voltageUV` microvolts, `currentMA` milliamperes (+ = charge), `temperatureDeciC`
/// tenths of a degree Celsius — what an ADC front-end delivers after its own calibration.
public struct RawSensorSample: Sendable, Equatable, Hashable {
    /// Terminal voltage, µV.
    public var voltageUV: Int32
    /// Current, mA (+ = charge).
    public var currentMA: Int32
    /// Temperature, 0.1 °C.
    public var temperatureDeciC: Int32

    /// Creates a sample.
    @inlinable
    public init(voltageUV: Int32, currentMA: Int32, temperatureDeciC: Int32) {
        self.voltageUV = voltageUV
        self.currentMA = currentMA
        self.temperatureDeciC = temperatureDeciC
    }
}
