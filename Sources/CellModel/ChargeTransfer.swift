import RealModule

/// A current-dependent (Butler–Volmer) overpotential: the charge-transfer voltage of a cell
/// whose instantaneous resistance falls with the current's magnitude (cold NMC cells).
///
/// Butler–Volmer with equal transfer coefficients gives η = (2RT/αF) · asinh(I / 2I₀); with
/// BMSim's **charge-positive** current (I > 0 = charge) the terminal voltage is
///
///     V = OCV(SOC, T) + R0 I + η(I, T) + Σ v_j          (+ M h + M0 s with hysteresis)
///     η_g(I) = a_g · asinh(I / I_ref,g)                  one (a, I_ref) per temperature group g
///     η(I, T) = (1 − f) η_g(I) + f η_g+1(I)              between groups g and g+1 (f linear in T),
///                                                        held beyond the first and last group
///
/// a (V, ≥ 0) and I_ref (A, > 0) are the Butler–Volmer 2RT/αF and 2I₀. The **voltage** is
/// interpolated between groups (not a and I_ref), so that η is linear in every a_g with the
/// same hat functions over temperature as the R0 table's: the fit solves the a_g jointly with
/// the resistances. η is odd in I, so it adds a/I_ref to the small-signal resistance R0 and
/// less per ampere at |I| ≫ I_ref. It depends on I and T only (not on the state), so the
/// filters' Jacobians with respect to SOC and the branch voltages do not change. Absent from a
/// model (`CellModelParameters.chargeTransfer == nil`) every estimator runs exactly as before.
///
/// ```swift
/// let term = ChargeTransfer(groups: [.init(temperatureC: 0, coefficientV: 0.02, referenceCurrentA: 2)])
/// term.voltageV(currentA: -10, temperatureC: 0)     // 0.02 · asinh(−5) = −0.0462 V
/// ```
public struct ChargeTransfer: Sendable, Equatable, Codable {
    /// One temperature group's parameters.
    public struct Group: Sendable, Equatable, Codable {
        /// Cell temperature the parameters stand for, °C.
        public var temperatureC: Double
        /// a: the coefficient of the asinh, V (≥ 0; 2RT/αF in Butler–Volmer).
        public var coefficientV: Double
        /// I_ref: the reference current, A (> 0; 2I₀ in Butler–Volmer).
        public var referenceCurrentA: Double

        /// Creates a group.
        public init(temperatureC: Double, coefficientV: Double, referenceCurrentA: Double) {
            self.temperatureC = temperatureC
            self.coefficientV = coefficientV
            self.referenceCurrentA = referenceCurrentA
        }
    }

    /// Groups by strictly increasing temperature (at least one; checked by `CellModelFile`).
    public var groups: [Group]

    /// Creates the term from its groups.
    public init(groups: [Group]) {
        self.groups = groups
    }

    /// The lower group and the weight f of the upper one at a temperature (f = 0 below the
    /// first group and at or above the last: held). Does not allocate.
    @inlinable
    public func position(temperatureC: Double) -> (group: Int, fraction: Double) {
        let last = groups.count - 1
        if last == 0 || !(temperatureC > groups[0].temperatureC) { return (0, 0) }
        if temperatureC >= groups[last].temperatureC { return (last, 0) }
        var i = 0
        while temperatureC > groups[i + 1].temperatureC { i += 1 }
        return (i, (temperatureC - groups[i].temperatureC) / (groups[i + 1].temperatureC - groups[i].temperatureC))
    }

    /// η(I, T), V. Does not allocate.
    @inlinable
    public func voltageV(currentA: Double, temperatureC: Double) -> Double {
        let (g, f) = position(temperatureC: temperatureC)
        let low = groups[g].coefficientV * Double.asinh(currentA / groups[g].referenceCurrentA)
        guard f > 0 else { return low }
        let high = groups[g + 1].coefficientV * Double.asinh(currentA / groups[g + 1].referenceCurrentA)
        return low + f * (high - low)
    }

    /// dη/dI at (I, T), Ω: a / (I_ref √(1 + (I/I_ref)²)) per group, interpolated as η.
    @inlinable
    public func slopeOhm(currentA: Double, temperatureC: Double) -> Double {
        func slope(_ g: Group) -> Double {
            let x = currentA / g.referenceCurrentA
            return g.coefficientV / (g.referenceCurrentA * (1 + x * x).squareRoot())
        }
        let (g, f) = position(temperatureC: temperatureC)
        let low = slope(groups[g])
        guard f > 0 else { return low }
        return low + f * (slope(groups[g + 1]) - low)
    }

    /// η at every sample of a recorded segment (each sample's own current and temperature).
    public func voltages(_ segment: IdentificationSegment) -> [Double] {
        segment.currentA.indices.map { voltageV(currentA: segment.currentA[$0], temperatureC: segment.temperatureC[$0]) }
    }
}
