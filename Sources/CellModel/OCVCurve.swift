/// Open-circuit voltage as a function of SOC and temperature: a table that is strictly
/// increasing in SOC at every temperature, read by linear interpolation (extrapolated
/// linearly beyond the SOC grid), with its slope dOCV/dSOC and its inverse.
///
/// Because every row is strictly increasing, any temperature blend of two rows is too, so
/// `soc(voltageV:temperatureC:)` is well defined everywhere.
///
/// ```swift
/// let ocv = OCVCurve(table: SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [25],
///                                               values: [3.4, 4.2], extrapolateSOC: true))
/// ocv.voltage(soc: 0.5, temperatureC: 25)        // 3.8
/// ocv.soc(voltageV: 3.8, temperatureC: 25)        // 0.5
/// ```
public struct OCVCurve: Sendable, Equatable {
    /// The underlying table (volts), extrapolating in SOC.
    public let table: SOCTemperatureTable

    /// Wraps a table; each row must be strictly increasing (checked).
    public init(table: SOCTemperatureTable) {
        let n = table.socPoints.count
        for row in 0..<table.temperaturesC.count {
            for s in 1..<n {
                precondition(table.values[row * n + s] > table.values[row * n + s - 1],
                             "OCV table must be strictly increasing in SOC")
            }
        }
        self.table = SOCTemperatureTable(socPoints: table.socPoints,
                                         temperaturesC: table.temperaturesC,
                                         values: table.values, extrapolateSOC: true)
    }

    /// OCV in volts at the given SOC (fraction) and temperature.
    @inlinable
    public func voltage(soc: Double, temperatureC: Double) -> Double {
        table.value(soc: soc, temperatureC: temperatureC)
    }

    /// dOCV/dSOC in volts per unit SOC (always > 0).
    @inlinable
    public func slope(soc: Double, temperatureC: Double) -> Double {
        table.valueAndSlope(soc: soc, temperatureC: temperatureC).slope
    }

    /// OCV and its slope together (one lookup).
    @inlinable
    public func voltageAndSlope(soc: Double, temperatureC: Double) -> (value: Double, slope: Double) {
        table.valueAndSlope(soc: soc, temperatureC: temperatureC)
    }

    /// How far beyond its SOC grid the inverse extrapolates before it clamps (fraction).
    public static let inverseExtrapolationLimit = 0.2

    /// The SOC whose OCV equals `voltageV` at this temperature (inverse of `voltage`),
    /// extrapolated linearly beyond the table but clamped to the grid ± 0.2 (an end segment
    /// can be nearly flat, and a voltage outside the table would otherwise map to any SOC).
    /// Does not allocate.
    @inlinable
    public func soc(voltageV: Double, temperatureC: Double) -> Double {
        let points = table.socPoints
        let temps = table.temperaturesC
        let n = points.count
        let (t, g) = SOCTemperatureTable.segment(temps, temperatureC, clamp: true)
        let row1 = temps.count == 1 ? 0 : t + 1
        @inline(__always) func v(_ s: Int) -> Double {
            let a = table.values[t * n + s]
            let b = table.values[row1 * n + s]
            return a + g * (b - a)
        }
        var seg = n - 2
        for s in 1..<n where voltageV < v(s) {
            seg = s - 1
            break
        }
        let v0 = v(seg)
        let v1 = v(seg + 1)
        let soc = points[seg] + (voltageV - v0) / (v1 - v0) * (points[seg + 1] - points[seg])
        return Swift.min(Swift.max(soc, points[0] - Self.inverseExtrapolationLimit),
                         points[n - 1] + Self.inverseExtrapolationLimit)
    }
}
