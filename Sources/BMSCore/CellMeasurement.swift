/// One sensor reading of a cell, in SI units, as the firmware sees it on a tick.
///
/// Sign convention (used everywhere in BMSim, the same as NASA's `Current_measured`):
/// `currentA > 0` while **charging**, `currentA < 0` while **discharging**.
///
/// ```swift
/// let m = CellMeasurement(voltageV: 3.91, currentA: -2.0, temperatureC: 24.5, dtSeconds: 1)
/// ```
/// `dtSeconds` is the time since the previous measurement handed to the same consumer
/// (the first one of a run carries the tick length).
public struct CellMeasurement: Sendable, Equatable, Hashable {
    /// Terminal voltage, volts.
    public var voltageV: Double
    /// Cell current, amperes; positive = charge, negative = discharge.
    public var currentA: Double
    /// Cell surface temperature, degrees Celsius.
    public var temperatureC: Double
    /// Seconds since the previous measurement.
    public var dtSeconds: Double

    /// Creates a measurement; values are stored as given (validation is the caller's job).
    @inlinable
    public init(voltageV: Double, currentA: Double, temperatureC: Double, dtSeconds: Double) {
        self.voltageV = voltageV
        self.currentA = currentA
        self.temperatureC = temperatureC
        self.dtSeconds = dtSeconds
    }

    /// True when every field is a finite number and `dtSeconds >= 0`.
    @inlinable
    public var isFinite: Bool {
        voltageV.isFinite && currentA.isFinite && temperatureC.isFinite && dtSeconds.isFinite
            && dtSeconds >= 0
    }
}
