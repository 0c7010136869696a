import BMSCore
import RealModule

/// Identifies `Hysteresis` (Plett's one-state model) from a slow OCV test and dynamic data.
///
/// 1. **M + M0 from the slow test's gap.** A C/20 charge and discharge at the same SOC read
///    V_c = OCV + (M + M0) + R_dc I_c and V_d = OCV − (M + M0) − R_dc |I_d| (h and s are ±1 after a
///    few per cent of either branch; R_dc = R0 + Σ R_j, the steady-state resistance), so
///
///        M + M0 = median over the nodes in SOC 0.1–0.9 of  (V_c − V_d)/2 − R_dc(SOC, T) · (|I_c| + |I_d|)/2
///
///    (the steep ends, where a C/20 branch is far from the OCV, are left out).
/// 2. **γ and the split into M and M0 by least squares on the dynamic data** (every fitted
///    segment, the slow test's own reversals included), **jointly with the 1RC resistances**:
///    for a given γ the hysteresis terms are linear (`Columns`: M0 per temperature group and the
///    unknown start h0 of each segment), so they join the resistance nodes in
///    `TheveninIdentification.solve`. γ (one for all temperatures) and τ are searched on grids,
///    γ then refined by a golden-section search (`fitJoint`). (Fitting γ on the residual of a
///    model fitted without hysteresis failed: its R–C branch had taken τ ≈ 1500 s to mimic the
///    hysteresis, and γ went to the bottom of its range.)
public enum HysteresisFit {
    /// A slow test's branch gap at one temperature.
    public struct SlowTestGap: Sendable, Equatable {
        /// Median cell temperature of the slow test, °C.
        public var temperatureC: Double
        /// SOC nodes both branches reach.
        public var socPoints: [Double]
        /// (V_charge − V_discharge) / 2 at those nodes, V.
        public var halfGapV: [Double]
        /// Mean |I| of the charge branch and of the discharge branch, A.
        public var chargeCurrentA: Double, dischargeCurrentA: Double

        /// Creates a gap.
        public init(temperatureC: Double, socPoints: [Double], halfGapV: [Double], chargeCurrentA: Double,
                    dischargeCurrentA: Double) {
            self.temperatureC = temperatureC
            self.socPoints = socPoints
            self.halfGapV = halfGapV
            self.chargeCurrentA = chargeCurrentA
            self.dischargeCurrentA = dischargeCurrentA
        }
    }

    /// The half gap between a slow charge and a slow discharge at each node of `socPoints` both
    /// reach (`SlowTestOCV`'s branch reading); nil when fewer than two nodes are shared.
    public static func gap(charge: [IdentificationSegment], discharge: [IdentificationSegment], socPoints: [Double],
                           temperatureC: Double) -> SlowTestGap? {
        let up = SlowTestOCV.branchAt(charge, socPoints), down = SlowTestOCV.branchAt(discharge, socPoints)
        var nodes: [Double] = [], half: [Double] = []
        for i in socPoints.indices where up[i].weight >= 1 && down[i].weight >= 1 {
            nodes.append(socPoints[i])
            half.append(0.5 * (up[i].mean - down[i].mean))
        }
        guard nodes.count >= 2 else { return nil }
        func meanCurrent(_ segments: [IdentificationSegment]) -> Double {
            let all = segments.flatMap(\.currentA).filter(\.isFinite)
            return all.isEmpty ? 0 : all.reduce(0) { $0 + abs($1) } / Double(all.count)
        }
        return SlowTestGap(temperatureC: temperatureC, socPoints: nodes, halfGapV: half,
                           chargeCurrentA: meanCurrent(charge), dischargeCurrentA: meanCurrent(discharge))
    }

    /// What the gap says about the hysteresis at its temperature.
    public struct GapReading: Sendable, Equatable {
        /// Median half gap over the nodes used, V.
        public var halfGapV: Double
        /// Median R_dc · (|I_c| + |I_d|)/2 over those nodes, V.
        public var resistiveDropV: Double
        /// M + M0: median of the difference, V (may be ≤ 0: no hysteresis).
        public var hysteresisV: Double
        /// Nodes used.
        public var nodes: Int
    }

    /// M + M0 from `gap`, the ohmic part removed with the steady-state resistance of `circuit`
    /// (R0 + Σ R_j at each node and the gap's temperature); nil when no node lies in `socRange`.
    public static func reading(_ gap: SlowTestGap, circuit: TheveninParameters,
                               socRange: ClosedRange<Double> = 0.1...0.9) -> GapReading? {
        var half: [Double] = [], drop: [Double] = [], net: [Double] = []
        let current = 0.5 * (gap.chargeCurrentA + gap.dischargeCurrentA)
        for (k, soc) in gap.socPoints.enumerated() where socRange.contains(soc) {
            var r = circuit.r0Ohm.value(soc: soc, temperatureC: gap.temperatureC)
            for pair in circuit.pairs { r += pair.resistanceOhm.value(soc: soc, temperatureC: gap.temperatureC) }
            half.append(gap.halfGapV[k])
            drop.append(r * current)
            net.append(gap.halfGapV[k] - r * current)
        }
        guard !net.isEmpty else { return nil }
        return GapReading(halfGapV: OrderStatistics.median(half), resistiveDropV: OrderStatistics.median(drop),
                          hysteresisV: OrderStatistics.median(net), nodes: net.count)
    }

    /// The hysteresis terms of `TheveninIdentification.solve` for one γ. With the total
    /// T = M + M0 of the segment's group, r = M h + M0 s and h = h_p + h0 Φ (h_p from h0 = 0,
    /// Φ = Π A the weight of the unknown start h0):
    ///
    ///     r = T h_p  +  M0 (s − h_p)  +  c Φ,     c = (T − M0) h0
    ///
    /// T h_p is known; M0 (one per group) and c (one per segment) are linear unknowns.
    struct Columns {
        /// T h_p per segment and sample, V.
        var knownV: [[Double]]
        /// s − h_p (the M0 column).
        var groupColumn: [[Double]]
        /// Φ (the c column).
        var segmentColumn: [[Double]]
        /// Group of each segment.
        var group: [Int]
        /// Number of groups.
        var groupCount: Int
    }

    /// The columns for γ = `rateConstant`.
    static func columns(_ segments: [IdentificationSegment], group: [Int], totalV: [Double], rateConstant: Double,
                        capacityAh: Double, efficiency: Double, signThresholdA: Double) -> Columns {
        let law = Hysteresis(groups: [.init(temperatureC: 25, maximumV: 1, instantaneousV: 0, rateConstant: rateConstant)])
        var c = Columns(knownV: [], groupColumn: [], segmentColumn: [], group: group, groupCount: totalV.count)
        for (j, seg) in segments.enumerated() {
            func states(_ h0: Double) -> (h: [Double], sign: [Double]) {
                law.states(timeS: seg.timeS, currentA: seg.currentA, temperatureC: seg.temperatureC, capacityAh: capacityAh,
                           efficiency: efficiency, initialH: h0, initialSign: 0, signThresholdA: signThresholdA)
            }
            let zero = states(0), one = states(1)
            c.knownV.append(zero.h.map { totalV[group[j]] * $0 })
            c.groupColumn.append(zip(zero.sign, zero.h).map { $0 - $1 })
            c.segmentColumn.append(zip(one.h, zero.h).map { $0 - $1 })
        }
        return c
    }

    /// γ, the 1RC τ, M + M0 and M0 per group and h0 per segment fitted jointly with the 1RC
    /// resistances.
    public struct JointFit: Sendable, Equatable {
        /// γ (one for every temperature).
        public var rateConstant: Double
        /// The 1RC time constant of the joint fit, s.
        public var tau1RCS: Double
        /// M + M0 per group: the gap read through the joint fit's own resistances, V (≥ 0).
        public var totalV: [Double]
        /// M0 per group, V (clamped to [0, M + M0]).
        public var instantaneousV: [Double]
        /// h at the first sample of each segment (clamped to [−1, 1]).
        public var initialH: [Double]
        /// Residual sum of squares of the joint fit, V².
        public var rss: Double

        /// The law: per group M = total − M0, M0, and the common γ.
        public func law(_ gaps: [SlowTestGap]) -> Hysteresis {
            Hysteresis(groups: gaps.indices.map { g in
                Hysteresis.Group(temperatureC: gaps[g].temperatureC, maximumV: totalV[g] - instantaneousV[g],
                                 instantaneousV: instantaneousV[g], rateConstant: rateConstant)
            }.sorted { $0.temperatureC < $1.temperatureC })
        }
    }

    /// What `solveJoint` needs besides γ, τ and the totals.
    public struct Problem: Sendable {
        /// The segments fitted.
        public var segments: [IdentificationSegment]
        /// Group (slow test) of each segment.
        public var group: [Int]
        /// The slow tests' gaps, one per group.
        public var gaps: [SlowTestGap]
        /// The OCV held.
        public var ocv: OCVCurve
        /// Grids and candidates of the identification.
        public var options: IdentificationOptions
        /// Capacity, coulombic efficiency and the rest current (s changes above it).
        public var capacityAh: Double, efficiency: Double, signThresholdA: Double

        /// Creates a problem.
        public init(segments: [IdentificationSegment], group: [Int], gaps: [SlowTestGap], ocv: OCVCurve,
                    options: IdentificationOptions, capacityAh: Double, efficiency: Double, signThresholdA: Double) {
            self.segments = segments
            self.group = group
            self.gaps = gaps
            self.ocv = ocv
            self.options = options
            self.capacityAh = capacityAh
            self.efficiency = efficiency
            self.signThresholdA = signThresholdA
        }

        /// M + M0 per group read through `circuit` (negative readings count as 0).
        public func totals(_ circuit: TheveninParameters) -> [Double] {
            gaps.map { max(HysteresisFit.reading($0, circuit: circuit)?.hysteresisV ?? 0, 0) }
        }
    }

    /// The joint fit for a fixed γ, 1RC τ and totals: one linear least-squares solve; also the
    /// 1RC circuit it found (to read the gap through).
    public static func solveJoint(_ p: Problem, rateConstant: Double, tau1RCS: Double,
                                  totalV: [Double]) -> (fit: JointFit, circuit: TheveninParameters)? {
        let c = columns(p.segments, group: p.group, totalV: totalV, rateConstant: rateConstant, capacityAh: p.capacityAh,
                        efficiency: p.efficiency, signThresholdA: p.signThresholdA)
        guard let (x, rss) = TheveninIdentification.solve(p.segments, taus: [tau1RCS], p.options, ocv: p.ocv,
                                                           hysteresis: c) else { return nil }
        let offset = x.count - totalV.count - p.segments.count
        let m0 = totalV.indices.map { g in min(max(x[offset + g], 0), totalV[g]) }
        let h0 = p.segments.indices.map { j -> Double in
            let m = totalV[p.group[j]] - m0[p.group[j]]
            return m > 0 ? min(max(x[offset + totalV.count + j] / m, -1), 1) : 0
        }
        return (JointFit(rateConstant: rateConstant, tau1RCS: tau1RCS, totalV: totalV, instantaneousV: m0, initialH: h0, rss: rss),
                TheveninIdentification.tables(Array(x[..<offset]), taus: [tau1RCS], p.options))
    }

    /// Searches γ and the 1RC τ, the totals M + M0 read through the resistances found:
    ///
    /// 1. every γ of `rateCandidates` with every τ candidate of the options (or only `start`,
    ///    a previous fit's γ and τ), the totals read through `startCircuit` (a fit without
    ///    hysteresis, whose resistances hold some of it);
    /// 2. the totals read again through the best solve's own circuit and the grids searched once
    ///    more, γ at the best τ and τ at the best γ;
    /// 3. a golden-section search on log γ between the best γ's neighbours
    ///    (`rateRefinementSteps` evaluations), and the totals read a last time.
    ///
    /// Nil when every solve failed.
    public static func fitJoint(_ p: Problem, startCircuit: TheveninParameters, start: (rateConstant: Double, tau1RCS: Double)? = nil,
                                rateRefinementSteps: Int = 8) -> JointFit? {
        var totals = p.totals(startCircuit)
        var best: (fit: JointFit, circuit: TheveninParameters)?
        func consider(_ gamma: Double, _ tau: Double) -> Double {
            guard let r = solveJoint(p, rateConstant: gamma, tau1RCS: tau, totalV: totals) else { return .infinity }
            if best == nil || r.fit.rss < best!.fit.rss { best = r }
            return r.fit.rss
        }
        if let start {
            _ = consider(start.rateConstant, start.tau1RCS)
        } else {
            for gamma in rateCandidates { for tau in p.options.tau1RCCandidatesS { _ = consider(gamma, tau) } }
        }
        guard let first = best else { return nil }
        totals = p.totals(first.circuit)
        best = nil
        for gamma in rateCandidates { _ = consider(gamma, first.fit.tau1RCS) }
        guard let second = best else { return nil }
        for tau in p.options.tau1RCCandidatesS { _ = consider(second.fit.rateConstant, tau) }
        guard let third = best else { return nil }
        let tau = third.fit.tau1RCS
        let index = rateCandidates.indices.min {
            abs(Double.log(rateCandidates[$0] / third.fit.rateConstant)) < abs(Double.log(rateCandidates[$1] / third.fit.rateConstant))
        }!
        var lo = Double.log(rateCandidates[max(index - 1, 0)])
        var hi = Double.log(rateCandidates[min(index + 1, rateCandidates.count - 1)])
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
        var fa = consider(Double.exp(a), tau), fb = consider(Double.exp(b), tau)
        for _ in 2..<max(2, rateRefinementSteps) {
            if fa < fb {
                hi = b; b = a; fb = fa
                a = hi - ratio * (hi - lo); fa = consider(Double.exp(a), tau)
            } else {
                lo = a; a = b; fa = fb
                b = lo + ratio * (hi - lo); fb = consider(Double.exp(b), tau)
            }
        }
        guard let winner = best else { return nil }
        return solveJoint(p, rateConstant: winner.fit.rateConstant, tau1RCS: tau,
                          totalV: p.totals(winner.circuit))?.fit ?? winner.fit
    }

    /// The γ grid of `fitJoint`: 2 … 1000, a factor ≈ 2.4 apart.
    public static let rateCandidates: [Double] = (0..<8).map { 2 * Double.pow(500, Double($0) / 7) }
}
