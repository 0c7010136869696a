import BMSCore

/// The OCV's temperature dependence, from the rested readings at full charge.
///
/// The NASA data have one kind of OCV reading at every chamber temperature: the first sample
/// of each discharge, taken after the CC–CV charge (to 20 mA) and a rest, at reference SOC 1.
/// Grouped by the cell temperature of that sample (split at `edgesC`; the default, 14 °C,
/// separates the 4 °C chamber from the 22–44 °C ones), each group's median of V − OCV_ref(1) is the offset
/// of that group's row from the reference row, placed at the group's mean cell temperature.
/// The data hold no rested reading at other SOCs per temperature, so the offset is applied
/// to the whole row (an SOC-independent entropic shift, the one assumption here); shifting a
/// strictly increasing row keeps it strictly increasing, and the curve interpolates linearly
/// between rows and holds the end rows beyond them.
public enum OCVTemperatureDependence {
    /// One temperature group's readings and the curve's error on them.
    public struct Group: Sendable, Equatable, Codable {
        /// Cell-temperature range of the group, °C (`lowerC ≤ T < upperC`; `nil` = unbounded).
        public var lowerC: Double?
        /// Upper end of the range, °C (`nil` for the last group).
        public var upperC: Double?
        /// Mean cell temperature of the readings: the row's place on the temperature axis, °C.
        public var temperatureC: Double
        /// True when `temperatureC` falls in the group's range.
        public func contains(_ temperatureC: Double) -> Bool {
            temperatureC >= (lowerC ?? -.infinity) && temperatureC < (upperC ?? .infinity)
        }
        /// Number of rested full-charge readings.
        public var readings: Int
        /// Row offset from the reference row (median of V − OCV_ref(1, T)), mV.
        public var offsetmV: Double
        /// RMS of V − OCV(1, T) with the reference row alone, mV.
        public var rmsErrorReferencemV: Double
        /// RMS of V − OCV(1, T) with the temperature-dependent curve, mV.
        public var rmsErrormV: Double
        /// RMS of OCV⁻¹(V, T) − 1 with the temperature-dependent curve, SOC points (the error
        /// a wake-up on a rested full cell would start with).
        public var rmsSOCErrorPoints: Double
        /// Terminal-voltage residual of the 1RC model on the fit's loaded samples whose cell
        /// temperature falls in the group, mV RMS (sets the filters' voltage noise at this
        /// temperature; `nil` in files written before it existed: the overall residual is used).
        public var residual1RCmV: Double? = nil
        /// The same for the 2RC model, mV RMS.
        public var residual2RCmV: Double? = nil
        /// Number of samples behind `residual1RCmV` / `residual2RCmV`.
        public var residualSamples: Int? = nil
    }

    /// A rested full-charge reading: the measurement (voltage, cell temperature; current ≈ 0).
    public typealias Reading = CellMeasurement

    /// The rested full-charge readings of `segments`: each segment's first sample when it is
    /// at rest current (|I| ≤ `restCurrentA`) and its reference SOC is 1.
    public static func fullChargeReadings(_ segments: [IdentificationSegment],
                                          restCurrentA: Double = 0.05) -> [Reading] {
        segments.compactMap { seg in
            guard seg.count > 0, abs(seg.currentA[0]) <= restCurrentA, seg.soc[0] >= 1 - 1e-9,
                  seg.voltageV[0].isFinite, seg.temperatureC[0].isFinite else { return nil }
            return Reading(voltageV: seg.voltageV[0], currentA: seg.currentA[0], temperatureC: seg.temperatureC[0],
                           dtSeconds: 0)
        }
    }

    /// Rows of `reference` shifted per temperature group. Groups are split at `edgesC`
    /// (increasing); a group with fewer than `minimumReadings` readings gets no row. With
    /// no group left the reference comes back unchanged (and no report).
    public static func fit(_ readings: [Reading], reference: OCVCurve, edgesC: [Double] = [14],
                           minimumReadings: Int = 5) -> (OCVCurve, [Group]) {
        let bounds = [-Double.infinity] + edgesC + [Double.infinity]
        var rows: [(temperatureC: Double, offsetV: Double, members: [Reading], lower: Double, upper: Double)] = []
        for g in 0..<(bounds.count - 1) {
            let members = readings.filter { $0.temperatureC >= bounds[g] && $0.temperatureC < bounds[g + 1] }
            guard members.count >= minimumReadings else { continue }
            let offsets = members.map { $0.voltageV - reference.voltage(soc: 1, temperatureC: $0.temperatureC) }
            let meanT = members.reduce(0) { $0 + $1.temperatureC } / Double(members.count)
            rows.append((meanT, median(offsets), members, bounds[g], bounds[g + 1]))
        }
        guard !rows.isEmpty else { return (reference, []) }
        let base = reference.table
        let n = base.socPoints.count
        var values: [Double] = []
        for row in rows {
            for s in 0..<n {
                values.append(base.value(soc: base.socPoints[s], temperatureC: row.temperatureC) + row.offsetV)
            }
        }
        let curve = OCVCurve(table: SOCTemperatureTable(socPoints: base.socPoints,
                                                        temperaturesC: rows.map(\.temperatureC),
                                                        values: values, extrapolateSOC: true))
        let groups = rows.map { row -> Group in
            func rms(_ f: (Reading) -> Double) -> Double {
                (row.members.reduce(0) { $0 + f($1) * f($1) } / Double(row.members.count)).squareRoot()
            }
            return Group(
                lowerC: row.lower.isFinite ? row.lower : nil, upperC: row.upper.isFinite ? row.upper : nil,
                temperatureC: row.temperatureC,
                readings: row.members.count, offsetmV: 1000 * row.offsetV,
                rmsErrorReferencemV: 1000 * rms { $0.voltageV - reference.voltage(soc: 1, temperatureC: $0.temperatureC) },
                rmsErrormV: 1000 * rms { $0.voltageV - curve.voltage(soc: 1, temperatureC: $0.temperatureC) },
                rmsSOCErrorPoints: 100 * rms { curve.soc(voltageV: $0.voltageV, temperatureC: $0.temperatureC) - 1 })
        }
        return (curve, groups)
    }

    static func median(_ a: [Double]) -> Double { OrderStatistics.median(a) }
}
