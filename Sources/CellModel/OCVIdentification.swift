/// Pseudo-OCV from discharges at several rates (there is no slow OCV test in the NASA data).
///
/// At a given SOC and similar temperature, the terminal voltage under a steady current is
/// close to linear in the current: V ≈ OCV(SOC) − R_eff(SOC) · |I|, with R_eff the ohmic drop
/// plus the polarisation built up at that rate. Pooling samples at several rates (1 A, 2 A,
/// 4 A constant current, the square wave's 0 A / 4 A phases, the rested first sample at full
/// charge and the relaxations after cut-off) and regressing V on |I| in each SOC bin gives
/// the OCV as the intercept. Settled rests (the rested first sample; zero current for at
/// least `settledRestS` after a load) are direct OCV readings and weigh `settledRestWeight`
/// samples each, at any temperature or only inside `restTemperatureRangeC` when given (the
/// reference row of a temperature-dependent curve, `OCVTemperatureDependence`). Each sample enters the two neighbouring SOC nodes with its
/// linear-interpolation weight; only samples whose cell temperature is inside
/// `temperatureRangeC` are used (resistance changes with temperature, which would bias the
/// slope). The row is then made strictly increasing (pool-adjacent-violators).
public enum OCVIdentification {
    /// Per-node result: the intercept (OCV), slope (R_eff), and the weight of data behind it.
    public struct Node: Sendable {
        /// SOC of the node.
        public var soc: Double
        /// Fitted OCV, V (before monotone repair).
        public var ocvV: Double
        /// Fitted effective resistance, Ω.
        public var effectiveResistanceOhm: Double
        /// Sum of interpolation weights of the samples used.
        public var weight: Double
        /// Standard error of the intercept, V (from the residual scatter).
        public var interceptStandardErrorV: Double
    }

    /// Fits the OCV on `socPoints` from the segments; nodes with too little data or too little
    /// spread in current take the neighbouring nodes' values (linear interpolation), so the
    /// result always covers the grid. Returns the curve (one temperature row at `rowTemperatureC`)
    /// and the per-node fits; throws `IdentificationError.tooLittleOCVData` when fewer than two
    /// nodes have data.
    public static func rateExtrapolated(_ segments: [IdentificationSegment], socPoints: [Double],
                                        temperatureRangeC: ClosedRange<Double>,
                                        settledRestS: Double = 1200, settledRestWeight: Double = 20,
                                        restTemperatureRangeC: ClosedRange<Double>? = nil,
                                        rowTemperatureC: Double = 25,
                                        signedCurrent: Bool = false) throws(IdentificationError) -> (OCVCurve, [Node]) {
        let n = socPoints.count
        // Σw, Σw·x, Σw·x², Σw·y, Σw·x·y, Σw·y² per node (x = |I|, y = V).
        var sums = Array(repeating: [Double](repeating: 0, count: 6), count: n)
        var used = 0
        for seg in segments {
            var lastLoadS = -Double.infinity
            for k in 0..<seg.count {
                // A non-finite reading (a sensor dropout) would poison the node's sums.
                guard seg.voltageV[k].isFinite, seg.currentA[k].isFinite else { continue }
                let resting = abs(seg.currentA[k]) <= 0.05
                if !resting { lastLoadS = seg.timeS[k] }
                // A settled rest is a direct OCV reading: the first sample of a record that
                // starts rested, or a zero-current sample ≥ settledRestS after the load.
                let settled = resting && (k == 0 || seg.timeS[k] - lastLoadS >= settledRestS)
                let inRange = temperatureRangeC.contains(seg.temperatureC[k])
                guard settled ? (restTemperatureRangeC?.contains(seg.temperatureC[k]) ?? true) : inRange
                else { continue }
                let soc = seg.soc[k]
                guard soc >= socPoints[0] && soc <= socPoints[n - 1] else { continue }
                let (s, f) = SOCTemperatureTable.segment(socPoints, soc, clamp: true)
                // Discharges only (NASA): V over |I|. With charges too: V over the signed current
                // (V ≈ OCV + R_eff · I on both sides), so the intercept lies between the branches.
                let x = signedCurrent ? seg.currentA[k] : abs(seg.currentA[k]), y = seg.voltageV[k]
                let sampleWeight = settled ? settledRestWeight : 1
                used += 1
                for (node, w0) in [(s, 1 - f), (s + 1, f)] where w0 > 0 {
                    let w = w0 * sampleWeight
                    sums[node][0] += w
                    sums[node][1] += w * x
                    sums[node][2] += w * x * x
                    sums[node][3] += w * y
                    sums[node][4] += w * x * y
                    sums[node][5] += w * y * y
                }
            }
        }
        var nodes: [Node] = []
        var valid: [Bool] = []
        for i in 0..<n {
            let (w, sx, sxx, sy, sxy, syy) = (sums[i][0], sums[i][1], sums[i][2], sums[i][3], sums[i][4], sums[i][5])
            let det = w * sxx - sx * sx
            // Need data and a spread of currents (variance of |I| ≥ 0.1 A²); where there is
            // only rest data, its mean is the reading.
            guard w >= 5, det / (w * w) >= 0.1 else {
                let restOnly = w >= 5 && abs(sx / w) < 0.05
                nodes.append(Node(soc: socPoints[i], ocvV: restOnly ? sy / w : .nan, effectiveResistanceOhm: .nan,
                                  weight: w, interceptStandardErrorV: .nan))
                valid.append(restOnly)
                continue
            }
            let slope = (w * sxy - sx * sy) / det
            let intercept = (sy - slope * sx) / w
            let sse = max(syy - 2 * intercept * sy - 2 * slope * sxy + intercept * intercept * w
                          + 2 * intercept * slope * sx + slope * slope * sxx, 0)
            let sigma2 = sse / max(w - 2, 1)
            nodes.append(Node(soc: socPoints[i], ocvV: intercept, effectiveResistanceOhm: signedCurrent ? slope : -slope, weight: w,
                              interceptStandardErrorV: (sigma2 * sxx / det).squareRoot()))
            valid.append(true)
        }
        var row = nodes.map(\.ocvV)
        let known = (0..<n).filter { valid[$0] }
        guard known.count >= 2 else {
            throw .tooLittleOCVData(nodesWithData: known.count, nodes: n, samples: used, temperatureRangeC: temperatureRangeC)
        }
        fillGaps(&row, known: known, socPoints: socPoints)
        TheveninIdentification.makeStrictlyIncreasing(&row, minimumStepV: 1e-4)
        let curve = OCVCurve(table: SOCTemperatureTable(socPoints: socPoints, temperaturesC: [rowTemperatureC],
                                                        values: row, extrapolateSOC: true))
        return (curve, nodes)
    }

    /// Sets every node of `row` not in `known` (≥ 2 indices, increasing) by linear
    /// interpolation between, or extrapolation from, the nearest known nodes.
    static func fillGaps(_ row: inout [Double], known: [Int], socPoints: [Double]) {
        let isKnown = Set(known)
        for i in row.indices where !isKnown.contains(i) {
            let below = known.last { $0 < i }, above = known.first { $0 > i }
            let (a, b) = below != nil && above != nil ? (below!, above!)
                : (below == nil ? (known[0], known[1]) : (known[known.count - 2], known[known.count - 1]))
            row[i] = row[a] + (row[b] - row[a]) * (socPoints[i] - socPoints[a]) / (socPoints[b] - socPoints[a])
        }
    }
}
