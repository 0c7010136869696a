import RealModule

extension TheveninIdentification {
    /// The OCV implied by a model: in each SOC bin, the interpolation-weighted mean of
    /// V − R0·I − Σ v_j along the segments (branch voltages simulated with the reference SOC).
    /// Nodes with little data keep their previous value; the row is made increasing again.
    static func refineOCV(_ segments: [IdentificationSegment], ocv: OCVCurve, model: TheveninParameters,
                          _ o: IdentificationOptions) -> OCVCurve {
        let points = ocv.table.socPoints
        var sum = Array(repeating: 0.0, count: points.count)
        var weight = Array(repeating: 0.0, count: points.count)
        for seg in segments {
            var branch = Array(repeating: 0.0, count: model.pairs.count)
            for k in 0..<seg.count {
                let soc = seg.soc[k], temp = seg.temperatureC[k]
                if k > 0 {
                    let current = 0.5 * (seg.currentA[k - 1] + seg.currentA[k])
                    let dt = seg.timeS[k] - seg.timeS[k - 1]
                    for j in 0..<model.pairs.count {
                        let r = model.pairs[j].resistanceOhm.value(soc: soc, temperatureC: temp)
                        let tau = model.pairs[j].timeConstantS.value(soc: soc, temperatureC: temp)
                        let a = Double.exp(-dt / tau)
                        branch[j] = a * branch[j] + r * (1 - a) * current
                    }
                }
                if abs(seg.currentA[k]) > 0.05 && seg.voltageV[k] < o.minimumLoadedVoltageV { continue }
                guard soc >= points[0] && soc <= points[points.count - 1] else { continue }
                var implied = seg.voltageV[k] - model.r0Ohm.value(soc: soc, temperatureC: temp) * seg.currentA[k]
                for b in branch { implied -= b }
                let (s, f) = SOCTemperatureTable.segment(points, soc, clamp: true)
                sum[s] += (1 - f) * implied; weight[s] += 1 - f
                sum[s + 1] += f * implied; weight[s + 1] += f
            }
        }
        var row = (0..<points.count).map { i in
            weight[i] >= 5 ? sum[i] / weight[i] : ocv.voltage(soc: points[i], temperatureC: 25)
        }
        makeStrictlyIncreasing(&row, minimumStepV: 1e-4)
        return OCVCurve(table: SOCTemperatureTable(socPoints: points, temperaturesC: ocv.table.temperaturesC,
                                                   values: row, extrapolateSOC: true))
    }

    /// Isotonic (non-decreasing) least-squares fit by pool-adjacent-violators, then a
    /// minimum step so the row is strictly increasing.
    public static func makeStrictlyIncreasing(_ row: inout [Double], minimumStepV: Double) {
        var means: [Double] = [], sizes: [Int] = []
        for v in row {
            means.append(v); sizes.append(1)
            while means.count > 1 && means[means.count - 2] > means[means.count - 1] {
                let m1 = means.removeLast(), s1 = sizes.removeLast()
                let m0 = means.removeLast(), s0 = sizes.removeLast()
                means.append((m0 * Double(s0) + m1 * Double(s1)) / Double(s0 + s1))
                sizes.append(s0 + s1)
            }
        }
        var k = 0
        for (m, s) in zip(means, sizes) { for _ in 0..<s { row[k] = m; k += 1 } }
        for i in 1..<row.count where row[i] < row[i - 1] + minimumStepV { row[i] = row[i - 1] + minimumStepV }
    }
}
