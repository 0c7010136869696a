import RealModule

/// Identifies the OCV table (by `OCVIdentification`) and then the Thevenin R0, R_j, C_j
/// tables from recorded segments by linear least squares, with a grid search over the time
/// constants.
///
/// For a fixed OCV and fixed time constants τ_j the model is linear in every table node:
///
///     V_k − OCV(SOC_k) = Σ_n w_n(SOC_k, T_k) · R0_n · I_k + Σ_j Σ_n w_n · R_j,n · u_j,k
///     u_j,k = a_j u_j,k−1 + (1 − a_j) Ī_k,   a_j = exp(−Δt_k / τ_j),   Ī_k = (I_k−1 + I_k)/2
///
/// (w_n: bilinear interpolation weights over SOC × temperature; u_j: the current low-pass
/// filtered by branch j, so that v_j = R_j u_j). The normal equations, with second-difference
/// smoothness rows on every table, are solved for each τ candidate; the τ with the smallest
/// residual wins. Resistances are kept ≥ `minimumResistanceOhm` by pinning offending nodes and
/// solving again (active set), and C_j = τ_j / R_j.
public enum TheveninIdentification {
    /// Print one line per least-squares solve (set by `bmsim fit --verbose`).
    nonisolated(unsafe) public static var debugLog = false

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

    /// Fits the OCV table, then the 1RC and 2RC models with it. Throws when the segments hold
    /// too little data for an OCV curve or the least-squares system is singular.
    /// `ocvReadings`: the rested full-charge readings for the OCV's temperature rows
    /// (default: those of `segments`).
    public static func fit(_ segments: [IdentificationSegment],
                           options: IdentificationOptions = IdentificationOptions(),
                           ocvReadings: [OCVTemperatureDependence.Reading]? = nil) throws(IdentificationError) -> Result {
        // Stage 1: OCV by rate extrapolation (`OCVIdentification`). A joint least-squares
        // fit of OCV and R tables is ill-posed on constant-current data: OCV(SOC) and
        // R(SOC, T)·I trade off freely, and the fit drifted to implausible curves.
        // With the temperature dependence on, the reference row takes rests from the same
        // temperature range as the loaded samples, and rows per temperature group are made
        // from it by `OCVTemperatureDependence` (rested full-charge readings).
        // A given OCV (`options.fixedOCV`: a table the user measured, or a slow test) is held
        // as it is: no rate extrapolation, no temperature rows from rests, no refinement.
        let dependence = options.ocvTemperatureDependence && options.fixedOCV == nil
        var ocvGroups: [OCVTemperatureDependence.Group]?
        var rateOCV: OCVCurve
        if let given = options.fixedOCV {
            rateOCV = given
        } else {
            (rateOCV, _) = try OCVIdentification.rateExtrapolated(
                segments, socPoints: options.ocvSOCPoints, temperatureRangeC: options.ocvTemperatureRangeC,
                restTemperatureRangeC: dependence ? options.ocvTemperatureRangeC : nil,
                signedCurrent: options.ocvSignedCurrent)
        }
        if dependence {
            let readings = ocvReadings ?? OCVTemperatureDependence.fullChargeReadings(segments)
            (rateOCV, ocvGroups) = OCVTemperatureDependence.fit(readings, reference: rateOCV,
                                                                edgesC: options.ocvTemperatureGroupEdgesC)
        }
        // Stage 2: with that OCV held, the 2RC tables; then alternate: OCV ← mean over each SOC
        // bin of V − R0·I − Σ v_j (the 2RC model's own estimate of the OCV), R tables refitted.
        var ocv = rateOCV
        var best2: (Double, [Double], [Double])?
        // (Refinement works on a one-row OCV only: it has no data to refine rows per temperature.)
        let refinements = options.fixedOCV == nil ? options.ocvRefinements : 0
        for round in 0...(ocv.table.temperaturesC.count == 1 ? refinements : 0) {
            if round > 0, let b = best2 {
                ocv = refineOCV(segments, ocv: ocv, model: tables(b.1, taus: b.2, options), options)
                best2 = nil
            }
            for (fast, slow) in options.tau2RCCandidatesS {
                guard let (x, rss) = solve(segments, taus: [fast, slow], options, ocv: ocv) else { continue }
                if best2 == nil || rss < best2!.0 { best2 = (rss, x, [fast, slow]) }
            }
        }
        var best1: (Double, [Double], [Double])?
        for tau in options.tau1RCCandidatesS {
            guard let (x, rss) = solve(segments, taus: [tau], options, ocv: ocv) else { continue }
            if best1 == nil || rss < best1!.0 { best1 = (rss, x, [tau]) }
        }
        if let b = best1, options.tau1RCRefinementSteps > 0 {
            best1 = refineTau1RC(segments, best: b, options, ocv: ocv)
        }
        guard let b2 = best2 else { throw .singular(model: "2RC") }
        guard let b1 = best1 else { throw .singular(model: "1RC") }
        let model1 = tables(b1.1, taus: b1.2, options)
        let model2 = tables(b2.1, taus: b2.2, options)
        let ocv2 = ocv
        var report = FitReport()
        report.tau1RCs = b1.2
        report.ocvTemperatureGroups = ocvGroups
        report.tau2RCs = b2.2
        var sum1 = 0.0, sum2 = 0.0, n = 0
        var perCell1: [String: (Double, Int)] = [:]
        var perCell2: [String: (Double, Int)] = [:]
        let groups = ocvGroups ?? []
        var byGroup1 = Array(repeating: 0.0, count: groups.count)
        var byGroup2 = Array(repeating: 0.0, count: groups.count)
        var groupCounts = Array(repeating: 0, count: groups.count)
        for seg in segments {
            let r1 = residualSquares(seg, ocv: ocv2, model: model1, groups: groups,
                                     byGroup: &byGroup1, counts: &groupCounts)
            var ignored = groupCounts
            let r2 = residualSquares(seg, ocv: ocv2, model: model2, groups: groups,
                                     byGroup: &byGroup2, counts: &ignored)
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
        for g in groups.indices where groupCounts[g] > 0 {
            let samples = Double(groupCounts[g])
            report.ocvTemperatureGroups?[g].residual1RCmV = 1000 * (byGroup1[g] / samples).squareRoot()
            report.ocvTemperatureGroups?[g].residual2RCmV = 1000 * (byGroup2[g] / samples).squareRoot()
            report.ocvTemperatureGroups?[g].residualSamples = groupCounts[g]
        }
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

    /// Solves the linear problem for fixed time constants; returns (x, data RSS). With
    /// `hysteresis` (`HysteresisFit`) its known voltage is taken from each target and its
    /// unknowns (one per group, then one per segment) follow the resistances in x. With
    /// `chargeTransfer` (its I_ref per group; `ChargeTransferFit`) the coefficients a_g (≥ 0)
    /// come last, one per group, with the columns hat_g(T) · asinh(I / I_ref,g).
    static func solve(_ segments: [IdentificationSegment], taus: [Double],
                      _ o: IdentificationOptions, ocv: OCVCurve,
                      hysteresis: HysteresisFit.Columns? = nil,
                      chargeTransfer: ChargeTransfer? = nil) -> ([Double], Double)? {
        let nOCV = 0
        let nR = o.resistanceSOCPoints.count * o.resistanceTemperaturesC.count
        let resistanceUnknowns = nOCV + nR * (1 + taus.count)
        let transferStart = resistanceUnknowns + (hysteresis.map { $0.groupCount + segments.count } ?? 0)
        let unknowns = transferStart + (chargeTransfer?.groups.count ?? 0)
        var ne = NormalEquations(unknowns: unknowns)
        let base = 4 * (1 + taus.count)
        let transferBase = base + (hysteresis == nil ? 0 : 2)
        let width = transferBase + (chargeTransfer == nil ? 0 : 2)
        var idx = Array(repeating: 0, count: width)
        var w = Array(repeating: 0.0, count: width)
        var filtered = Array(repeating: 0.0, count: taus.count)
        var total = 0
        for (segmentIndex, seg) in segments.enumerated() {
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
                var target = seg.voltageV[k] - ocv.voltage(soc: soc, temperatureC: temp)
                if let h = hysteresis {
                    target -= h.knownV[segmentIndex][k]
                    idx[base] = resistanceUnknowns + h.group[segmentIndex]
                    w[base] = h.groupColumn[segmentIndex][k]
                    idx[base + 1] = resistanceUnknowns + h.groupCount + segmentIndex
                    w[base + 1] = h.segmentColumn[segmentIndex][k]
                }
                if let term = chargeTransfer {
                    ChargeTransferFit.columns(term, currentA: seg.currentA[k], temperatureC: temp, offset: transferStart,
                                              into: &idx, &w, at: transferBase)
                }
                weights(o.resistanceSOCPoints, o.resistanceTemperaturesC, soc: soc, temperatureC: temp,
                        into: &idx, &w, at: 0, offset: nOCV, scale: seg.currentA[k])
                for j in 0..<taus.count {
                    weights(o.resistanceSOCPoints, o.resistanceTemperaturesC, soc: soc, temperatureC: temp,
                            into: &idx, &w, at: 4 + 4 * j, offset: nOCV + nR * (1 + j), scale: filtered[j])
                }
                // Loaded samples past the end-of-discharge knee are left out of the fit (the
                // model has no term for the knee's collapse; they would dominate the squares).
                if abs(seg.currentA[k]) > 0.05 && seg.voltageV[k] < o.minimumLoadedVoltageV { continue }
                let resting = abs(seg.currentA[k]) <= 0.05
                ne.addRow(indices: idx, coefficients: w, count: width, target: target,
                          weight: resting ? o.restSampleWeight : 1)
                total += 1
            }
        }
        let dataGram = ne.gram, dataRHS = ne.rhs, dataSquares = ne.targetSquares
        let root = Double(max(total, 1)).squareRoot()
        for block in 0...taus.count {
            addSmoothness(&ne, socCount: o.resistanceSOCPoints.count,
                          tempCount: o.resistanceTemperaturesC.count, offset: nOCV + nR * block,
                          weight: o.resistanceSmoothness * root,
                          temperatureWeight: o.resistanceSmoothness * o.resistanceTemperatureSmoothness * root)
        }
        // Resistances must stay positive: nodes that come out below the floor are pinned to it
        // by heavy penalty rows and the system is solved again (a simple active-set scheme).
        var pinned = Set<Int>()
        var solution: [Double]?
        for _ in 0..<20 {
            guard let trial = ne.solve(jitter: 1e-9 * Double(total)) else { return nil }
            solution = trial
            var added = false
            for i in nOCV..<resistanceUnknowns where trial[i] < o.minimumResistanceOhm && !pinned.contains(i) {
                pinned.insert(i)
                ne.addRow(indices: [i], coefficients: [1], count: 1, target: o.minimumResistanceOhm, weight: 1e3 * root)
                added = true
            }
            for i in transferStart..<unknowns where trial[i] < 0 && !pinned.contains(i) {
                pinned.insert(i)
                ne.addRow(indices: [i], coefficients: [1], count: 1, target: 0, weight: 1e3 * root)
                added = true
            }
            if !added { break }
        }
        guard let x = solution else { return nil }
        // Data RSS = b'b − 2 x'A'b + x'A'A x (from the data part only).
        var quad = 0.0, lin = 0.0
        for i in 0..<unknowns {
            lin += x[i] * dataRHS[i]
            var row = dataGram[i * unknowns + i] * x[i]
            for j in (i + 1)..<unknowns { row += 2 * dataGram[i * unknowns + j] * x[j] }
            quad += x[i] * row
        }
        let rss = dataSquares - 2 * lin + quad
        if debugLog {
            print("identification τ \(taus): \(total) samples, "
                  + "regression RMS \(1000 * (max(rss, 0) / Double(max(total, 1))).squareRoot()) mV, pinned \(pinned.count)")
        }
        return (x, rss)
    }

    /// Second-difference rows on one table: along SOC with `weight`, along temperature with
    /// `temperatureWeight` (none when it is 0).
    static func addSmoothness(_ ne: inout NormalEquations, socCount: Int, tempCount: Int,
                              offset: Int, weight: Double, temperatureWeight: Double) {
        let coefficients = [1.0, -2.0, 1.0]
        for t in 0..<tempCount where socCount >= 3 {
            for s in 1..<(socCount - 1) {
                let base = offset + t * socCount
                ne.addRow(indices: [base + s - 1, base + s, base + s + 1], coefficients: coefficients,
                          count: 3, target: 0, weight: weight)
            }
        }
        for s in 0..<socCount where tempCount >= 3 && temperatureWeight > 0 {
            for t in 1..<(tempCount - 1) {
                ne.addRow(indices: [offset + (t - 1) * socCount + s, offset + t * socCount + s,
                                    offset + (t + 1) * socCount + s],
                          coefficients: coefficients, count: 3, target: 0, weight: temperatureWeight)
            }
        }
    }

    /// Turns a solution vector into Thevenin tables.
    static func tables(_ x: [Double], taus: [Double], _ o: IdentificationOptions) -> TheveninParameters {
        let nOCV = 0
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
        return TheveninParameters(r0Ohm: table(block(0)), pairs: pairs)
    }

    /// Sum of squared terminal-voltage errors of the model run with the reference SOC.
    public static func residualSquares(_ seg: IdentificationSegment, ocv: OCVCurve,
                                       model: TheveninParameters) -> Double {
        var none: [Double] = [], noCounts: [Int] = []
        return residualSquares(seg, ocv: ocv, model: model, groups: [], byGroup: &none, counts: &noCounts)
    }

    /// As `residualSquares(_:ocv:model:)`, also adding each sample's squared error to
    /// `byGroup[g]` (and 1 to `counts[g]`) of the first group `g` whose range holds the
    /// sample's cell temperature.
    static func residualSquares(_ seg: IdentificationSegment, ocv: OCVCurve, model: TheveninParameters,
                                groups: [OCVTemperatureDependence.Group],
                                byGroup: inout [Double], counts: inout [Int]) -> Double {
        var sum = 0.0
        forEachModelVoltage(seg, ocv: ocv, model: model) { k, v in
            let e = v - seg.voltageV[k]
            sum += e * e
            if let g = groups.firstIndex(where: { $0.contains(seg.temperatureC[k]) }) {
                byGroup[g] += e * e
                counts[g] += 1
            }
        }
        return sum
    }

    /// The model's terminal voltage at every sample of `seg`, run with the segment's current
    /// and its reference SOC at every sample (branch voltages from 0 at the first sample), as
    /// the fit's residuals are computed.
    public static func modelVoltages(_ seg: IdentificationSegment, ocv: OCVCurve, model: TheveninParameters) -> [Double] {
        var out = [Double](repeating: 0, count: seg.count)
        forEachModelVoltage(seg, ocv: ocv, model: model) { k, v in out[k] = v }
        return out
    }

    /// Calls `body(k, V_model,k)` for every sample of `seg` in order.
    static func forEachModelVoltage(_ seg: IdentificationSegment, ocv: OCVCurve, model: TheveninParameters,
                                    _ body: (Int, Double) -> Void) {
        var branch = Array(repeating: 0.0, count: model.pairs.count)
        for k in 0..<seg.count {
            let current = k == 0 ? seg.currentA[0] : 0.5 * (seg.currentA[k - 1] + seg.currentA[k])
            let soc = seg.soc[k], temp = seg.temperatureC[k]
            if k > 0 {
                let dt = seg.timeS[k] - seg.timeS[k - 1]
                for j in 0..<model.pairs.count {
                    let r = model.pairs[j].resistanceOhm.value(soc: soc, temperatureC: temp)
                    let tau = model.pairs[j].timeConstantS.value(soc: soc, temperatureC: temp)
                    let a = Double.exp(-dt / tau)
                    branch[j] = a * branch[j] + r * (1 - a) * current
                }
            }
            var v = ocv.voltage(soc: soc, temperatureC: temp)
                + model.r0Ohm.value(soc: soc, temperatureC: temp) * seg.currentA[k]
            for b in branch { v += b }
            body(k, v)
        }
    }
}
