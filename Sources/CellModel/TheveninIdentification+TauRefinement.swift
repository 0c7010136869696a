import RealModule

extension TheveninIdentification {
    /// Golden-section search on log τ for the 1RC time constant between the neighbours of the
    /// best candidate (× or ÷ 1.5 at the ends of the candidate list), keeping the best of all
    /// evaluations: the residual is smooth and, on simulated data, unimodal in τ there.
    static func refineTau1RC(_ segments: [IdentificationSegment], best: (Double, [Double], [Double]),
                             _ options: IdentificationOptions, ocv: OCVCurve) -> (Double, [Double], [Double]) {
        let candidates = options.tau1RCCandidatesS.sorted()
        guard let k = candidates.firstIndex(of: best.2[0]) else { return best }
        var lo = Double.log(k > 0 ? candidates[k - 1] : candidates[k] / 1.5)
        var hi = Double.log(k + 1 < candidates.count ? candidates[k + 1] : candidates[k] * 1.5)
        var winner = best
        func evaluate(_ logTau: Double) -> Double {
            let tau = Double.exp(logTau)
            guard let (x, rss) = solve(segments, taus: [tau], options, ocv: ocv) else { return .infinity }
            if rss < winner.0 { winner = (rss, x, [tau]) }
            return rss
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
        var fa = evaluate(a), fb = evaluate(b)
        for _ in 2..<max(2, options.tau1RCRefinementSteps) {
            if fa < fb {
                hi = b; b = a; fb = fa
                a = hi - ratio * (hi - lo); fa = evaluate(a)
            } else {
                lo = a; a = b; fa = fb
                b = lo + ratio * (hi - lo); fb = evaluate(b)
            }
        }
        return winner
    }
}
