import RealModule

/// The one-state hysteresis of Plett's enhanced self-correcting (ESC) cell model, for cells
/// whose OCV is flat (LFP): the rested voltage after a charge lies above the one after a
/// discharge at the same SOC, by more than the OCV changes over many SOC points.
///
/// BMSim's current is **charge-positive** (I > 0 = charge), so with Plett's discharge-positive
/// i = −I his recursion reads, for a tick of Δt with mean current Ī:
///
///     A    = exp(−|η Ī Δt γ / (3600 Q)|)          η = coulombic efficiency on charge, 1 on discharge
///     h'   = A h + (1 − A) sgn(Ī)                 h ∈ [−1, 1]: +1 after a charge, −1 after a discharge
///     s    = sgn(I) when |I| > the rest current, else unchanged (the sign of the last current)
///     V    = OCV(SOC, T) + M(T) h + M0(T) s + R0 I + Σ v_j        (the Thevenin terms as before)
///
/// M (V) is the hysteresis that builds with charge throughput (h moves 1 − 1/e of the way to
/// ±1 after Q/γ of charge), M0 (V) the part that flips at once with the current's sign. M, M0
/// and γ are per temperature group (linear between the groups' temperatures, held beyond),
/// constant in SOC. Absent from a model (`CellModelParameters.hysteresis == nil`) there is no
/// hysteresis and every estimator runs exactly as without this type.
///
/// ```swift
/// let law = Hysteresis(groups: [.init(temperatureC: 25, maximumV: 0.02, instantaneousV: 0.005, rateConstant: 30)])
/// let a = Hysteresis.decay(meanCurrentA: -5, dtSeconds: 1, capacityAh: 5, efficiency: 1, rateConstant: 30)
/// let h = Hysteresis.step(0, decay: a, meanCurrentA: -5)       // −0.0083: moving towards −1
/// law.voltageV(h: -1, sign: -1, temperatureC: 25)                // −0.025 V below the OCV
/// ```
public struct Hysteresis: Sendable, Equatable, Codable {
    /// One temperature group's parameters.
    public struct Group: Sendable, Equatable, Codable {
        /// Cell temperature the parameters stand for, °C.
        public var temperatureC: Double
        /// M: the hysteresis voltage at h = ±1, V (≥ 0).
        public var maximumV: Double
        /// M0: the instantaneous hysteresis, V (≥ 0), times the sign of the last current.
        public var instantaneousV: Double
        /// γ: how fast h moves with charge throughput (dimensionless, > 0): h covers 1 − 1/e of
        /// its way to ±1 after Q/γ of charge.
        public var rateConstant: Double

        /// Creates a group.
        public init(temperatureC: Double, maximumV: Double, instantaneousV: Double, rateConstant: Double) {
            self.temperatureC = temperatureC
            self.maximumV = maximumV
            self.instantaneousV = instantaneousV
            self.rateConstant = rateConstant
        }
    }

    /// Groups by strictly increasing temperature (at least one; checked by `CellModelFile`).
    public var groups: [Group]

    /// Creates the law from its groups.
    public init(groups: [Group]) {
        self.groups = groups
    }

    /// (M, M0, γ) at a cell temperature: linear between the groups, held beyond. Does not allocate.
    @inlinable
    public func parameters(temperatureC: Double) -> (maximumV: Double, instantaneousV: Double, rateConstant: Double) {
        let first = groups[0], last = groups[groups.count - 1]
        if groups.count == 1 || !(temperatureC > first.temperatureC) {
            return (first.maximumV, first.instantaneousV, first.rateConstant)
        }
        if temperatureC >= last.temperatureC { return (last.maximumV, last.instantaneousV, last.rateConstant) }
        var i = 0
        while temperatureC > groups[i + 1].temperatureC { i += 1 }
        let a = groups[i], b = groups[i + 1]
        let f = (temperatureC - a.temperatureC) / (b.temperatureC - a.temperatureC)
        return (a.maximumV + f * (b.maximumV - a.maximumV), a.instantaneousV + f * (b.instantaneousV - a.instantaneousV),
                a.rateConstant + f * (b.rateConstant - a.rateConstant))
    }

    /// The hysteresis voltage M h + M0 s at a cell temperature, V.
    @inlinable
    public func voltageV(h: Double, sign: Double, temperatureC: Double) -> Double {
        let p = parameters(temperatureC: temperatureC)
        return p.maximumV * h + p.instantaneousV * sign
    }

    /// A = exp(−|η Ī Δt γ / (3600 Q)|), the factor by which h keeps its value over a tick.
    @inlinable
    public static func decay(meanCurrentA: Double, dtSeconds: Double, capacityAh: Double, efficiency: Double,
                             rateConstant: Double) -> Double {
        let eta = meanCurrentA > 0 ? efficiency : 1
        return Double.exp(-abs(eta * meanCurrentA * dtSeconds * rateConstant / (3600 * capacityAh)))
    }

    /// h' = A h + (1 − A) sgn(Ī).
    @inlinable
    public static func step(_ h: Double, decay a: Double, meanCurrentA: Double) -> Double {
        a * h + (1 - a) * currentSign(meanCurrentA)
    }

    /// sgn(I): +1, −1, or 0 for no current.
    @inlinable
    public static func currentSign(_ currentA: Double) -> Double {
        currentA > 0 ? 1 : (currentA < 0 ? -1 : 0)
    }

    /// The instantaneous sign s after a sample of `currentA`: sgn(I) when |I| exceeds
    /// `thresholdA` (a load, not a rest), else the previous sign.
    @inlinable
    public static func nextSign(_ previous: Double, currentA: Double, thresholdA: Double) -> Double {
        abs(currentA) > thresholdA ? currentSign(currentA) : previous
    }

    /// h and s at every sample of a recorded current (trapezoid mean current over each interval,
    /// as the identification integrates the R–C branches), from `initialH` and `initialSign`
    /// at the first sample (whose own current sets s when above the threshold).
    public func states(timeS: [Double], currentA: [Double], temperatureC: [Double], capacityAh: Double,
                       efficiency: Double, initialH: Double, initialSign: Double,
                       signThresholdA: Double) -> (h: [Double], sign: [Double]) {
        var h = [Double](repeating: 0, count: timeS.count), s = h
        var hk = initialH, sk = initialSign
        for k in timeS.indices {
            if k > 0 {
                let mean = 0.5 * (currentA[k - 1] + currentA[k])
                let dt = timeS[k] - timeS[k - 1]
                let gamma = parameters(temperatureC: temperatureC[k]).rateConstant
                let a = Self.decay(meanCurrentA: mean, dtSeconds: dt, capacityAh: capacityAh, efficiency: efficiency,
                                   rateConstant: gamma)
                hk = Self.step(hk, decay: a, meanCurrentA: mean)
            }
            sk = Self.nextSign(sk, currentA: currentA[k], thresholdA: signThresholdA)
            h[k] = hk
            s[k] = sk
        }
        return (h, s)
    }

    /// M h + M0 s at every sample of a recorded segment (M, M0 at each sample's temperature),
    /// from `initialH` and an unknown sign (0) at its first sample: what the model adds to the
    /// Thevenin voltage (`RecordingFit`'s traces, the fit's corrected segments).
    public func voltages(_ segment: IdentificationSegment, capacityAh: Double, efficiency: Double, initialH: Double,
                         signThresholdA: Double) -> [Double] {
        let (h, s) = states(timeS: segment.timeS, currentA: segment.currentA, temperatureC: segment.temperatureC,
                            capacityAh: capacityAh, efficiency: efficiency, initialH: initialH, initialSign: 0,
                            signThresholdA: signThresholdA)
        return segment.temperatureC.indices.map { voltageV(h: h[$0], sign: s[$0], temperatureC: segment.temperatureC[$0]) }
    }
}
