import RealModule

/// Fits `RestRelaxation` from rested full-charge readings with known rest times.
///
/// Per temperature group (split at `edgesC`, like the OCV rows): the voltages are modelled as
/// V = V_cell + b · ln t (t clamped to the range of the data), with one level per cell
/// (`Reading.cell`, e.g. cell and chamber) and one slope b for the group, by least squares
/// (the levels are removed by centring each cell's readings, so cells that differ by tens of
/// mV do not pose as a relaxation). t_ref is the geometric mean of the group's clamped rests:
/// the rest at which the law's mean equals the readings' mean, i.e. the rest an OCV row fitted
/// on the same readings stands for.
public enum RestRelaxationFit {
    /// One rested full-charge reading.
    public struct Reading: Sendable, Equatable {
        /// Cell identity for the per-cell level (e.g. "B0042@4").
        public var cell: String
        /// Rest before the reading, s (> 0).
        public var restS: Double
        /// Cell temperature, °C.
        public var temperatureC: Double
        /// Rested voltage, V.
        public var voltageV: Double

        /// Creates a reading.
        public init(cell: String, restS: Double, temperatureC: Double, voltageV: Double) {
            self.cell = cell
            self.restS = restS
            self.temperatureC = temperatureC
            self.voltageV = voltageV
        }
    }

    /// The law from `readings` (those with a finite rest > 0 and finite voltage and
    /// temperature); groups with fewer than `minimumReadings` readings or no spread of rest
    /// within a cell are left out; nil when no group is left.
    public static func fit(_ readings: [Reading], edgesC: [Double] = [14], minimumReadings: Int = 5)
        -> RestRelaxation? {
        let usable = readings.filter {
            $0.restS > 0 && $0.restS.isFinite && $0.voltageV.isFinite && $0.temperatureC.isFinite
        }
        guard let shortest = usable.map(\.restS).min(), let longest = usable.map(\.restS).max(),
              longest > shortest else { return nil }
        let bounds = [-Double.infinity] + edgesC + [Double.infinity]
        var groups: [RestRelaxation.Group] = []
        for g in 0..<(bounds.count - 1) {
            let members = usable.filter { $0.temperatureC >= bounds[g] && $0.temperatureC < bounds[g + 1] }
            guard members.count >= minimumReadings, let group = fitGroup(members) else { continue }
            groups.append(group)
        }
        guard !groups.isEmpty else { return nil }
        return RestRelaxation(minimumRestS: shortest, maximumRestS: longest, groups: groups)
    }

    /// One group: slope by least squares with per-cell levels.
    static func fitGroup(_ members: [Reading]) -> RestRelaxation.Group? {
        var byCell: [String: [Reading]] = [:]
        for r in members { byCell[r.cell, default: []].append(r) }
        var sxy = 0.0, sxx = 0.0, sumLog = 0.0, sumT = 0.0
        var centred: [(x: Double, y: Double)] = []
        for cell in byCell.keys.sorted() {
            let rs = byCell[cell]!
            let xs = rs.map { Double.log($0.restS) }
            let xm = xs.reduce(0, +) / Double(rs.count)
            let ym = rs.reduce(0) { $0 + $1.voltageV } / Double(rs.count)
            for (r, x) in zip(rs, xs) {
                centred.append((x - xm, r.voltageV - ym))
                sxy += (x - xm) * (r.voltageV - ym)
                sxx += (x - xm) * (x - xm)
                sumLog += x
                sumT += r.temperatureC
            }
        }
        guard sxx > 0 else { return nil }
        let b = sxy / sxx
        let n = Double(members.count)
        let before = (centred.reduce(0) { $0 + $1.y * $1.y } / n).squareRoot()
        let after = (centred.reduce(0) { $0 + ($1.y - b * $1.x) * ($1.y - b * $1.x) } / n).squareRoot()
        return RestRelaxation.Group(temperatureC: sumT / n, slopeVPerLogS: b, referenceRestS: Double.exp(sumLog / n),
                                    readings: members.count, rmsWithoutModelmV: 1000 * before,
                                    rmsResidualmV: 1000 * after)
    }
}
