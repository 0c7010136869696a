import RealModule

/// Identifies `ChargeTransfer` (a · asinh(I / I_ref) per temperature group) jointly with the
/// 1RC resistances.
///
/// For given reference currents the term is linear in the coefficients a_g: a column
/// hat_g(T) · asinh(I / I_ref,g) per group (the temperature hat functions of the R0 table,
/// held beyond the end groups), solved with R0 and R_1 in `TheveninIdentification.solve`
/// (a_g ≥ 0 by the same active set that keeps the resistances positive). The reference
/// currents are searched on a geometric grid of `candidatesA`: first one I_ref for every group,
/// then each group's own in turn (the others held), then each refined by a golden-section
/// search on log I_ref between its grid neighbours. τ of the 1RC branch is held at the value
/// the fit without the term chose.
///
/// I_ref is identifiable only where the data hold currents near and above it: at |I| ≪ I_ref
/// the term is linear, a/I_ref · I, and trades freely with R0.
public enum ChargeTransferFit {
    /// The joint fit's result.
    public struct Fit: Sendable, Equatable {
        /// The term with its fitted a_g and I_ref,g.
        public var term: ChargeTransfer
        /// Data RSS of the 1RC regression without the term and with it, V².
        public var squaresWithout: Double, squaresWith: Double
    }

    /// Writes the two columns of a sample (lower and upper group of its temperature; weight 0
    /// for the upper when the temperature is held) at `idx[start]`, `idx[start + 1]`. The
    /// coefficients of `term` are ignored (the unknowns).
    static func columns(_ term: ChargeTransfer, currentA: Double, temperatureC: Double, offset: Int,
                        into idx: inout [Int], _ w: inout [Double], at start: Int) {
        let (g, f) = term.position(temperatureC: temperatureC)
        idx[start] = offset + g
        w[start] = (1 - f) * Double.asinh(currentA / term.groups[g].referenceCurrentA)
        let upper = f > 0 ? g + 1 : g
        idx[start + 1] = offset + upper
        w[start + 1] = f > 0 ? f * Double.asinh(currentA / term.groups[upper].referenceCurrentA) : 0
    }

    /// A geometric grid of reference currents for a cell of `capacityAh`: `count` values from
    /// `lowestC` to 10 C (the golden-section step may go one grid ratio, 1.29, beyond). The
    /// default 0.3 C is about the smallest pulse of an HPPC test (C/3): below the smallest
    /// current in the data the term is in its Tafel regime, a sign step plus a log, and on the
    /// development cells such fits (Ecker2015 at 0 °C: I_ref 0.002 A = 0.013 C) validated worse on
    /// unseen drives (US06 24.3 mV against 19.0 mV with the 0.3 C floor; Mohtat2020 9.7 against
    /// 9.0 mV).
    public static func candidates(capacityAh: Double, lowestC: Double = 0.3, count: Int = 15) -> [Double] {
        let low = lowestC * capacityAh, high = 10 * capacityAh
        return (0..<count).map { low * Double.pow(high / low, Double($0) / Double(count - 1)) }
    }

    /// Fits the term with groups at `temperaturesC` (increasing) jointly with the 1RC tables of
    /// τ = `tauS`. Nil when a solve fails (singular system).
    public static func fit(_ segments: [IdentificationSegment], options: IdentificationOptions, ocv: OCVCurve,
                           tauS: Double, temperaturesC: [Double], candidatesA: [Double],
                           refinementSteps: Int = 8) -> Fit? {
        guard !temperaturesC.isEmpty, !candidatesA.isEmpty,
              let without = TheveninIdentification.solve(segments, taus: [tauS], options, ocv: ocv) else { return nil }
        func term(_ references: [Double]) -> ChargeTransfer {
            ChargeTransfer(groups: zip(temperaturesC, references).map {
                .init(temperatureC: $0, coefficientV: 0, referenceCurrentA: $1)
            })
        }
        var evaluations: [[Double]: ([Double], Double)] = [:]
        func squares(_ references: [Double]) -> Double {
            if let known = evaluations[references] { return known.1 }
            guard let solved = TheveninIdentification.solve(segments, taus: [tauS], options, ocv: ocv,
                                                            chargeTransfer: term(references)) else { return .infinity }
            evaluations[references] = solved
            return solved.1
        }
        // One I_ref for every group.
        var references = Array(repeating: candidatesA[0], count: temperaturesC.count)
        var best = Double.infinity
        for c in candidatesA {
            let trial = Array(repeating: c, count: temperaturesC.count)
            let s = squares(trial)
            if s < best { best = s; references = trial }
        }
        guard best.isFinite else { return nil }
        // Each group's own, the others held.
        if temperaturesC.count > 1 {
            for g in temperaturesC.indices {
                for c in candidatesA {
                    var trial = references
                    trial[g] = c
                    let s = squares(trial)
                    if s < best { best = s; references = trial }
                }
            }
        }
        // Golden section on log I_ref between the grid neighbours of each group's choice.
        let ratio = candidatesA.count > 1 ? candidatesA[1] / candidatesA[0] : 2
        let phi = (5.0.squareRoot() - 1) / 2
        for g in temperaturesC.indices where refinementSteps > 0 {
            var lo = Double.log(references[g] / ratio), hi = Double.log(references[g] * ratio)
            func at(_ logI: Double) -> Double {
                var trial = references
                trial[g] = Double.exp(logI)
                return squares(trial)
            }
            var x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo)
            var f1 = at(x1), f2 = at(x2)
            for _ in 0..<refinementSteps {
                if f1 <= f2 { hi = x2; x2 = x1; f2 = f1; x1 = hi - phi * (hi - lo); f1 = at(x1) } else {
                    lo = x1; x1 = x2; f1 = f2; x2 = lo + phi * (hi - lo); f2 = at(x2)
                }
            }
            let (x, s) = f1 <= f2 ? (x1, f1) : (x2, f2)
            if s < best { best = s; references[g] = Double.exp(x) }
        }
        guard let (x, s) = evaluations[references] else { return nil }
        let start = x.count - temperaturesC.count
        var fitted = term(references)
        for g in fitted.groups.indices { fitted.groups[g].coefficientV = max(0, x[start + g]) }
        return Fit(term: fitted, squaresWithout: without.1, squaresWith: s)
    }

    /// The fit as `bmsim fit` runs it: τ from `first` (the fit without the term), the term
    /// jointly with the 1RC tables of that τ (`fit`), the resistances (1RC and 2RC, τ searched
    /// again) refitted on `segments` without the term's voltage, and `rounds` times over with
    /// the new τ (τ fitted without the term absorbs some of it: on the test plant 62 s for 60).
    /// Nil when a solve fails.
    public static func fitAlternating(_ segments: [IdentificationSegment], options: IdentificationOptions,
                                      first: TheveninIdentification.Result, temperaturesC: [Double],
                                      candidatesA: [Double], rounds: Int = 2)
        throws(IdentificationError) -> (fit: Fit, result: TheveninIdentification.Result)? {
        var result = first
        var out: (fit: Fit, result: TheveninIdentification.Result)?
        for _ in 0..<max(1, rounds) {
            guard let tau = result.report.tau1RCs.first,
                  var fit = fit(segments, options: options, ocv: result.ocv, tauS: tau, temperaturesC: temperaturesC,
                                candidatesA: candidatesA) else { return out }
            if let earlier = out { fit.squaresWithout = earlier.fit.squaresWithout }
            result = try TheveninIdentification.fit(corrected(segments, term: fit.term), options: options)
            out = (fit, result)
        }
        return out
    }

    /// `segments` with `term`'s voltage removed from every sample (the resistances are then
    /// refitted on them, as on a cell without the term).
    public static func corrected(_ segments: [IdentificationSegment], term: ChargeTransfer) -> [IdentificationSegment] {
        segments.map { seg in
            var out = seg
            let eta = term.voltages(seg)
            for k in out.voltageV.indices { out.voltageV[k] -= eta[k] }
            return out
        }
    }
}
