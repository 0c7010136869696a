/// OCV from a slow test: a charge and a discharge at C/20 or slower, whose voltages lie
/// above and below the OCV by about the same small polarisation (and hysteresis), so their
/// mean is the OCV. In each SOC node the interpolation-weighted mean voltage of each branch
/// is taken; nodes that both branches cover are averaged, the others interpolated or
/// extrapolated from them, and the row made strictly increasing.
public enum SlowTestOCV {
    /// The OCV row on `socPoints` from the slow charge and discharge samples (each segment
    /// with its reference SOC); nil when fewer than two nodes are covered by both branches.
    public static func row(charge: [IdentificationSegment], discharge: [IdentificationSegment],
                           socPoints: [Double], minimumWeight: Double = 3) -> [Double]? {
        let up = branchMeans(charge, socPoints), down = branchMeans(discharge, socPoints)
        var row = [Double](repeating: .nan, count: socPoints.count)
        var known: [Int] = []
        for i in socPoints.indices where up[i].weight >= minimumWeight && down[i].weight >= minimumWeight {
            row[i] = 0.5 * (up[i].mean + down[i].mean)
            known.append(i)
        }
        guard known.count >= 2 else { return nil }
        OCVIdentification.fillGaps(&row, known: known, socPoints: socPoints)
        TheveninIdentification.makeStrictlyIncreasing(&row, minimumStepV: 1e-4)
        return row
    }

    /// A curve from rows at several temperatures (`rows` sorted by temperature, each on `socPoints`).
    public static func curve(rows: [(temperatureC: Double, voltageV: [Double])], socPoints: [Double]) -> OCVCurve {
        OCVCurve(table: SOCTemperatureTable(socPoints: socPoints, temperaturesC: rows.map(\.temperatureC),
                                            values: rows.flatMap(\.voltageV), extrapolateSOC: true))
    }

    /// Interpolation-weighted mean voltage per SOC node, and the weight behind it.
    static func branchMeans(_ segments: [IdentificationSegment], _ points: [Double]) -> [(mean: Double, weight: Double)] {
        var sum = [Double](repeating: 0, count: points.count), weight = sum
        for seg in segments {
            for k in 0..<seg.count where seg.soc[k] >= points[0] && seg.soc[k] <= points[points.count - 1] {
                let (s, f) = SOCTemperatureTable.segment(points, seg.soc[k], clamp: true)
                sum[s] += (1 - f) * seg.voltageV[k]; weight[s] += 1 - f
                sum[s + 1] += f * seg.voltageV[k]; weight[s + 1] += f
            }
        }
        return points.indices.map { (weight[$0] > 0 ? sum[$0] / weight[$0] : .nan, weight[$0]) }
    }
}
