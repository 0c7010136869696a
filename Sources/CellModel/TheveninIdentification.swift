import RealModule

/// Identifies the OCV table and the Thevenin R0, R_j, C_j tables from recorded segments by
/// linear least squares, with a grid search over the time constants.
///
/// For fixed time constants τ_j the model is linear in every table node:
///
///     V_k = Σ_n w_n(SOC_k, T_k) · OCV_n + Σ_n w_n · R0_n · I_k + Σ_j Σ_n w_n · R_j,n · u_j,k
///     u_j,k = a_j u_j,k−1 + (1 − a_j) Ī_k,   a_j = exp(−Δt_k / τ_j),   Ī_k = (I_k−1 + I_k)/2
///
/// (w_n: bilinear interpolation weights over SOC × temperature; u_j: the current low-pass
/// filtered by branch j, so that v_j = R_j u_j). The normal equations, with second-difference
/// smoothness rows on every table, are solved for each τ candidate; the τ with the smallest
/// residual wins. Afterwards resistances are floored at `minimumResistanceOhm`, each OCV row
/// is made strictly increasing (pool-adjacent-violators), and C_j = τ_j / R_j.
public enum TheveninIdentification {
    /// The identified pieces of a cell model.
    public struct Result: Sendable {
        /// Open-circuit voltage table.
        public var ocv: OCVCurve
        /// 1RC model.
        public var thevenin1RC: TheveninParameters
        /// 2RC model.
        public var thevenin2RC: TheveninParameters
        /// Report: residual per cell of each model (mV RMS, simulated with the reference SOC).
        public var report: FitReport
    }

    /// Fits the 1RC and 2RC models (and the OCV table of each; the 2RC one is kept, being the
    /// fuller model of the relaxation). `segments` must hold data; returns `nil` when the
    /// least-squares system is singular.
    public static func fit(_ segments: [IdentificationSegment],
                           options: IdentificationOptions = IdentificationOptions()) -> Result? {
        var best2: (Double, [Double], [Double])?
        for (fast, slow) in options.tau2RCCandidatesS {
            guard let (x, rss) = solve(segments, taus: [fast, slow], options) else { continue }
            if best2 == nil || rss < best2!.0 { best2 = (rss, x, [fast, slow]) }
        }
        guard let b2 = best2 else { return nil }
        let (ocv2, model2) = tables(b2.1, taus: b2.2, options)
        // One OCV table for both models: the 2RC fit separates OCV from slow polarisation
        // better; the 1RC resistances are then fitted with that OCV held fixed.
        var best1: (Double, [Double], [Double])?
        for tau in options.tau1RCCandidatesS {
            guard let (x, rss) = solve(segments, taus: [tau], options, fixedOCV: ocv2) else { continue }
            if best1 == nil || rss < best1!.0 { best1 = (rss, x, [tau]) }
        }
        guard let b1 = best1 else { return nil }
        let (_, model1) = tables(b1.1, taus: b1.2, options)
        var report = FitReport()
        report.tau1RCs = b1.2
        report.tau2RCs = b2.2
        var sum1 = 0.0, sum2 = 0.0, n = 0
        var perCell1: [String: (Double, Int)] = [:]
        var perCell2: [String: (Double, Int)] = [:]
        for seg in segments {
            let r1 = residualSquares(seg, ocv: ocv2, model: model1)
            let r2 = residualSquares(seg, ocv: ocv2, model: model2)
            sum1 += r1; sum2 += r2; n += seg.count
            perCell1[seg.cell, default: (0, 0)].0 += r1
            perCell1[seg.cell, default: (0, 0)].1 += seg.count
            perCell2[seg.cell, default: (0, 0)].0 += r2
            perCell2[seg.cell, default: (0, 0)].1 += seg.count
        }
        report.residual1RCmV = 1000 * (sum1 / Double(max(n, 1))).squareRoot()
        report.residual2RCmV = 1000 * (sum2 / Double(max(n, 1))).squareRoot()
        report.residual1RCmVByCell = perCell1.mapValues { 1000 * ($0.0 / Double(max($0.1, 1))).squareRoot() }
        report.residual2RCmVByCell = perCell2.mapValues { 1000 * ($0.0 / Double(max($0.1, 1))).squareRoot() }
        return Result(ocv: ocv2, thevenin1RC: model1, thevenin2RC: model2, report: report)
    }

    /// Bilinear weights of (soc, T) on a grid, SOC and T clamped to the grid.
    static func weights(_ socPoints: [Double], _ temps: [Double], soc: Double, temperatureC: Double,
                        into idx: inout [Int], _ w: inout [Double], at start: Int, offset: Int, scale: Double) {
        let (s, f) = SOCTemperatureTable.segment(socPoints, soc, clamp: true)
        let nS = socPoints.count
        if temps.count == 1 {
            idx[start] = offset + s; w[start] = (1 - f) * scale
            idx[start + 1] = offset + s + 1; w[start + 1] = f * scale
            idx[start + 2] = offset + s; w[start + 2] = 0
            idx[start + 3] = offset + s + 1; w[start + 3] = 0
            return
        }
        let (t, g) = SOCTemperatureTable.segment(temps, temperatureC, clamp: true)
        idx[start] = offset + t * nS + s; w[start] = (1 - g) * (1 - f) * scale
        idx[start + 1] = offset + t * nS + s + 1; w[start + 1] = (1 - g) * f * scale
        idx[start + 2] = offset + (t + 1) * nS + s; w[start + 2] = g * (1 - f) * scale
        idx[start + 3] = offset + (t + 1) * nS + s + 1; w[start + 3] = g * f * scale
    }

    /// Solves the linear problem for fixed time constants; returns (x, data RSS).
    static func solve(_ segments: [IdentificationSegment], taus: [Double],
                      _ o: IdentificationOptions, fixedOCV: OCVCurve? = nil) -> ([Double], Double)? {
        let nOCV = o.ocvSOCPoints.count * o.ocvTemperaturesC.count
        let nR = o.resistanceSOCPoints.count * o.resistanceTemperaturesC.count
        let unknowns = nOCV + nR * (1 + taus.count)
        var ne = NormalEquations(unknowns: unknowns)
        let width = 4 * (2 + taus.count)
        var idx = Array(repeating: 0, count: width)
        var w = Array(repeating: 0.0, count: width)
        var filtered = Array(repeating: 0.0, count: taus.count)
        var total = 0
        for seg in segments {
            for j in 0..<taus.count { filtered[j] = 0 }
            for k in 0..<seg.count {
                let current = k == 0 ? seg.currentA[0] : 0.5 * (seg.currentA[k - 1] + seg.currentA[k])
                if k > 0 {
                    let dt = seg.timeS[k] - seg.timeS[k - 1]
                    for j in 0..<taus.count {
                        let a = Double.exp(-dt / taus[j])
                        filtered[j] = a * filtered[j] + (1 - a) * current
                    }
                }
                let soc = seg.soc[k], temp = seg.temperatureC[k]
                weights(o.ocvSOCPoints, o.ocvTemperaturesC, soc: soc, temperatureC: temp,
                        into: &idx, &w, at: 0, offset: 0, scale: fixedOCV == nil ? 1 : 0)
                let target = seg.voltageV[k] - (fixedOCV?.voltage(soc: soc, temperatureC: temp) ?? 0)
                weights(o.resistanceSOCPoints, o.resistanceTemperaturesC, soc: soc, temperatureC: temp,
                        into: &idx, &w, at: 4, offset: nOCV, scale: seg.currentA[k])
                for j in 0..<taus.count {
                    weights(o.resistanceSOCPoints, o.resistanceTemperaturesC, soc: soc, temperatureC: temp,
                            into: &idx, &w, at: 8 + 4 * j, offset: nOCV + nR * (1 + j), scale: filtered[j])
                }
                ne.addRow(indices: idx, coefficients: w, count: width, target: target)
                total += 1
            }
        }
        let dataGram = ne.gram, dataRHS = ne.rhs, dataSquares = ne.targetSquares
        let root = Double(max(total, 1)).squareRoot()
        if fixedOCV != nil {
            for i in 0..<nOCV { ne.addRow(indices: [i], coefficients: [1], count: 1, target: 0, weight: root) }
        }
        addSmoothness(&ne, socCount: o.ocvSOCPoints.count, tempCount: o.ocvTemperaturesC.count,
                      offset: 0, weight: o.ocvSmoothness * root)
        for block in 0...taus.count {
            addSmoothness(&ne, socCount: o.resistanceSOCPoints.count,
                          tempCount: o.resistanceTemperaturesC.count, offset: nOCV + nR * block,
                          weight: o.resistanceSmoothness * root)
        }
        guard let x = ne.solve(jitter: 1e-9 * Double(total)) else { return nil }
        // Data RSS = b'b − 2 x'A'b + x'A'A x (from the data part only).
        var quad = 0.0, lin = 0.0
        for i in 0..<unknowns {
            lin += x[i] * dataRHS[i]
            var row = dataGram[i * unknowns + i] * x[i]
            for j in (i + 1)..<unknowns { row += 2 * dataGram[i * unknowns + j] * x[j] }
            quad += x[i] * row
        }
        return (x, dataSquares - 2 * lin + quad)
    }

    static func addSmoothness(_ ne: inout NormalEquations, socCount: Int, tempCount: Int,
                              offset: Int, weight: Double) {
        let coefficients = [1.0, -2.0, 1.0]
        for t in 0..<tempCount where socCount >= 3 {
            for s in 1..<(socCount - 1) {
                let base = offset + t * socCount
                ne.addRow(indices: [base + s - 1, base + s, base + s + 1], coefficients: coefficients,
                          count: 3, target: 0, weight: weight)
            }
        }
        for s in 0..<socCount where tempCount >= 3 {
            for t in 1..<(tempCount - 1) {
                ne.addRow(indices: [offset + (t - 1) * socCount + s, offset + t * socCount + s,
                                    offset + (t + 1) * socCount + s],
                          coefficients: coefficients, count: 3, target: 0, weight: weight)
            }
        }
    }

    /// Turns a solution vector into an OCV curve and Thevenin tables.
    static func tables(_ x: [Double], taus: [Double], _ o: IdentificationOptions)
        -> (OCVCurve, TheveninParameters) {
        let nOS = o.ocvSOCPoints.count
        let nOCV = nOS * o.ocvTemperaturesC.count
        var ocvValues = Array(x[0..<nOCV])
        for t in 0..<o.ocvTemperaturesC.count {
            var row = Array(ocvValues[(t * nOS)..<(t * nOS + nOS)])
            makeStrictlyIncreasing(&row, minimumStepV: 1e-4)
            for s in 0..<nOS { ocvValues[t * nOS + s] = row[s] }
        }
        let ocv = OCVCurve(table: SOCTemperatureTable(socPoints: o.ocvSOCPoints,
                                                      temperaturesC: o.ocvTemperaturesC,
                                                      values: ocvValues, extrapolateSOC: true))
        let nR = o.resistanceSOCPoints.count * o.resistanceTemperaturesC.count
        func block(_ b: Int) -> [Double] {
            x[(nOCV + nR * b)..<(nOCV + nR * (b + 1))].map { max($0, o.minimumResistanceOhm) }
        }
        func table(_ v: [Double]) -> SOCTemperatureTable {
            SOCTemperatureTable(socPoints: o.resistanceSOCPoints, temperaturesC: o.resistanceTemperaturesC,
                                values: v)
        }
        let pairs = taus.enumerated().map { j, tau in
            let r = block(1 + j)
            return RCPair(resistanceOhm: table(r), capacitanceF: table(r.map { tau / $0 }))
        }
        return (ocv, TheveninParameters(r0Ohm: table(block(0)), pairs: pairs))
    }

    /// Isotonic (non-decreasing) least-squares fit by pool-adjacent-violators, then a
    /// minimum step so the row is strictly increasing.
    static func makeStrictlyIncreasing(_ row: inout [Double], minimumStepV: Double) {
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

    /// Sum of squared terminal-voltage errors of the model run with the reference SOC.
    public static func residualSquares(_ seg: IdentificationSegment, ocv: OCVCurve,
                                       model: TheveninParameters) -> Double {
        var branch = Array(repeating: 0.0, count: model.pairs.count)
        var sum = 0.0
        for k in 0..<seg.count {
            let current = k == 0 ? seg.currentA[0] : 0.5 * (seg.currentA[k - 1] + seg.currentA[k])
            let soc = seg.soc[k], temp = seg.temperatureC[k]
            if k > 0 {
                let dt = seg.timeS[k] - seg.timeS[k - 1]
                for j in 0..<model.pairs.count {
                    let r = model.pairs[j].resistanceOhm.value(soc: soc, temperatureC: temp)
                    let c = model.pairs[j].capacitanceF.value(soc: soc, temperatureC: temp)
                    let a = Double.exp(-dt / (r * c))
                    branch[j] = a * branch[j] + r * (1 - a) * current
                }
            }
            var v = ocv.voltage(soc: soc, temperatureC: temp)
                + model.r0Ohm.value(soc: soc, temperatureC: temp) * seg.currentA[k]
            for b in branch { v += b }
            let e = v - seg.voltageV[k]
            sum += e * e
        }
        return sum
    }
}
