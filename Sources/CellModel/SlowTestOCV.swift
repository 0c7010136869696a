import BMSCore

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

    /// As `row`, for a cell with hysteresis. Where both branches have settled (h = ±1) their
    /// half gap g is the same hysteresis plus ohmic drop everywhere, and their mean is the OCV.
    /// But each branch begins with h still turning (from the other branch's end, over the first
    /// few per cent of SOC), so at the top, where the discharge begins, and at the bottom, where
    /// the charge begins, the mean is off by up to M (the NMC ends were fine; an LFP-like plant
    /// with M = 20 mV read 20 mV high at SOC 0.98). There the settled branch alone is used,
    /// shifted by the half gap of the settled nodes next to it:
    ///
    ///     OCV = V_charge − G_top      above the highest settled node
    ///     OCV = V_discharge + G_bottom  below the lowest settled node
    ///
    /// A node is settled when its half gap is at least 0.9 of the median half gap over the
    /// nodes in SOC 0.1–0.9; G_top / G_bottom are the median half gaps of the four settled nodes
    /// nearest each end. Nil as for `row`.
    public static func rowWithHysteresis(charge: [IdentificationSegment], discharge: [IdentificationSegment],
                                         socPoints: [Double], minimumWeight: Double = 1) -> [Double]? {
        let up = branchAt(charge, socPoints), down = branchAt(discharge, socPoints)
        let both = socPoints.indices.filter { up[$0].weight >= minimumWeight && down[$0].weight >= minimumWeight }
        guard both.count >= 2 else { return nil }
        let gap = both.map { 0.5 * (up[$0].mean - down[$0].mean) }
        let middle = both.indices.filter { (0.1...0.9).contains(socPoints[both[$0]]) }.map { gap[$0] }
        let typical = OrderStatistics.median(middle.isEmpty ? gap : middle)
        let settled = both.indices.filter { gap[$0] >= 0.9 * typical }
        guard let low = settled.first, let high = settled.last, typical > 0 else {
            return row(charge: charge, discharge: discharge, socPoints: socPoints, minimumWeight: minimumWeight)
        }
        let gTop = OrderStatistics.median(settled.suffix(4).map { gap[$0] })
        let gBottom = OrderStatistics.median(settled.prefix(4).map { gap[$0] })
        var out = [Double](repeating: .nan, count: socPoints.count)
        var known: [Int] = []
        for i in socPoints.indices {
            if i > both[high], up[i].weight >= minimumWeight {
                out[i] = up[i].mean - gTop
            } else if i < both[low], down[i].weight >= minimumWeight {
                out[i] = down[i].mean + gBottom
            } else if up[i].weight >= minimumWeight && down[i].weight >= minimumWeight {
                out[i] = 0.5 * (up[i].mean + down[i].mean)
            } else {
                continue
            }
            known.append(i)
        }
        guard known.count >= 2 else { return nil }
        OCVIdentification.fillGaps(&out, known: known, socPoints: socPoints)
        TheveninIdentification.makeStrictlyIncreasing(&out, minimumStepV: 1e-4)
        return out
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
