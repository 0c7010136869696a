/// OCV from a slow test: a charge and a discharge at C/20 or slower, whose voltages lie
/// above and below the OCV by about the same small polarisation (and hysteresis), so their
/// mean is the OCV. Each branch's voltage is read *at* each SOC node, interpolated between
/// the two samples whose SOC brackets it (the mean over every such crossing); nodes that both
/// branches reach are averaged, the others interpolated or extrapolated from them, and the
/// row made strictly increasing. (A mean over the samples of a node's neighbourhood, as before,
/// was biased by tens of mV where the curve is steep: 3.19 V instead of 2.86 V at SOC 0 of a
/// PyBaMM NMC cell.)
public enum SlowTestOCV {
    /// The OCV row on `socPoints` from the slow charge and discharge samples (each segment
    /// with its reference SOC); nil when fewer than two nodes are covered by both branches.
    public static func row(charge: [IdentificationSegment], discharge: [IdentificationSegment],
                           socPoints: [Double], minimumWeight: Double = 1) -> [Double]? {
        let up = branchAt(charge, socPoints), down = branchAt(discharge, socPoints)
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

    /// `points` (sorted) with nodes every `step` added inside the first and the last interval
    /// wider than `step`, where an OCV curve is steepest.
    public static func refinedAtEnds(_ points: [Double], step: Double = 0.01) -> [Double] {
        guard points.count >= 2 else { return points }
        var out = Set(points)
        for (a, b) in [(points[0], points[1]), (points[points.count - 2], points[points.count - 1])] where b - a > step * 1.5 {
            var x = a + step
            while x < b - step / 2 {
                out.insert((x * 1e6).rounded() / 1e6)
                x += step
            }
        }
        return out.sorted()
    }

    /// A curve from rows at several temperatures (`rows` sorted by temperature, each on `socPoints`).
    public static func curve(rows: [(temperatureC: Double, voltageV: [Double])], socPoints: [Double]) -> OCVCurve {
        OCVCurve(table: SOCTemperatureTable(socPoints: socPoints, temperaturesC: rows.map(\.temperatureC),
                                            values: rows.flatMap(\.voltageV), extrapolateSOC: true))
    }

    /// Each node's branch voltage: the mean over the branch's crossings of the node (consecutive
    /// samples whose SOC brackets it, voltage interpolated linearly in SOC), and their count.
    static func branchAt(_ segments: [IdentificationSegment], _ points: [Double]) -> [(mean: Double, weight: Double)] {
        var sum = [Double](repeating: 0, count: points.count), weight = sum
        for seg in segments where seg.count >= 2 {
            for k in 1..<seg.count {
                let a = seg.soc[k - 1], b = seg.soc[k], va = seg.voltageV[k - 1], vb = seg.voltageV[k]
                guard a.isFinite, b.isFinite, va.isFinite, vb.isFinite, a != b else { continue }
                let lo = min(a, b), hi = max(a, b)
                guard hi >= points[0], lo <= points[points.count - 1] else { continue }
                var i = SOCTemperatureTable.segment(points, lo, clamp: true).0
                while i < points.count && points[i] <= hi {
                    if points[i] >= lo {
                        sum[i] += va + (points[i] - a) / (b - a) * (vb - va)
                        weight[i] += 1
                    }
                    i += 1
                }
            }
        }
        // A node just beyond a branch's SOC range (a test that stops at SOC 0.0016, or 0.998)
        // takes the branch's voltage at its end sample: extrapolating the row there misses the
        // steep end of the curve by hundreds of mV.
        for seg in segments {
            guard let kMin = seg.soc.indices.filter({ seg.soc[$0].isFinite && seg.voltageV[$0].isFinite })
                    .min(by: { seg.soc[$0] < seg.soc[$1] }),
                  let kMax = seg.soc.indices.filter({ seg.soc[$0].isFinite && seg.voltageV[$0].isFinite })
                    .max(by: { seg.soc[$0] < seg.soc[$1] }) else { continue }
            for i in points.indices where weight[i] == 0 {
                if points[i] < seg.soc[kMin] && seg.soc[kMin] - points[i] <= endToleranceSOC {
                    sum[i] += seg.voltageV[kMin]; weight[i] += 1
                } else if points[i] > seg.soc[kMax] && points[i] - seg.soc[kMax] <= endToleranceSOC {
                    sum[i] += seg.voltageV[kMax]; weight[i] += 1
                }
            }
        }
        return points.indices.map { (weight[$0] > 0 ? sum[$0] / weight[$0] : .nan, weight[$0]) }
    }

    /// How far beyond a branch's SOC range a node still takes the branch's end voltage.
    static let endToleranceSOC = 0.01
}
