/// Where a cell model's OCV can be trusted at rest (`CellModelParameters.restedOCVTrustedFromSOC`),
/// from relaxed readings taken after discharges that ended at the label's zero (the cut-off):
/// their SOC is known to be ≤ 0, so any table SOC OCV⁻¹(V, T) such a reading maps to is one
/// the table cannot tell from empty at rest. The floor is the highest such SOC plus a margin.
///
///     floor = min(1, max_k OCV⁻¹(V_k, T_k) + margin)
///
/// Example (NASA train + validation cells, 899 end-of-discharge rests of at least 1 min): the
/// highest reading, 3.786 V after 36 min (B0033), maps to SOC 0.52, so the floor is 0.57.
public enum RestedOCVFloor {
    /// A relaxed reading after a discharge that ended at the cut-off.
    public struct Reading: Sendable, Equatable {
        /// Rested voltage, V.
        public var voltageV: Double
        /// Cell temperature, °C.
        public var temperatureC: Double
        /// Creates a reading.
        public init(voltageV: Double, temperatureC: Double) {
            self.voltageV = voltageV
            self.temperatureC = temperatureC
        }
    }

    /// Added to the highest reading's SOC (relaxation goes on beyond the rests observed).
    public static let defaultMargin = 0.05

    /// The floor, or nil without readings.
    public static func fit(_ readings: [Reading], ocv: OCVCurve, margin: Double = defaultMargin) -> Double? {
        let socs = readings.map { ocv.soc(voltageV: $0.voltageV, temperatureC: $0.temperatureC) }
        guard let highest = socs.max() else { return nil }
        return Swift.min(1, highest + margin)
    }
}
