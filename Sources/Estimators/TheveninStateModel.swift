import BMSCore
import CellModel
import RealModule

/// The state-space form of a Thevenin model used by the EKF and the UKF.
///
/// State x = [SOC, v_1 … v_n, (h), (b)] with n R–C pairs, an optional hysteresis state h
/// (when the model has `Hysteresis` and `EstimatorConfig.useModelHysteresis` is on) and an
/// optional current-sensor bias b (measured I = true I + b). With Ī the trapezoid mean of the
/// measured current over the tick and u = Ī − b:
///
///     SOC' = SOC + η · u · Δt / (3600 · Q)
///     v_j' = a_j v_j + R_j (1 − a_j) u,        a_j = exp(−Δt / (R_j C_j))
///     h'   = A h + (1 − A) sgn(u),             A = exp(−|η u Δt γ / (3600 Q)|)
///     b'   = b
///     V    = OCV(SOC', T) + M h' + M0 s + R0 · (I − b) + η(I − b, T) + Σ_j v_j'   (measurement)
///
/// η is the model's charge-transfer term a · asinh(I / I_ref) (`ChargeTransfer`, 0 without one):
/// a function of the current and the temperature only, so it adds to H only in the bias column.
/// s is the sign of the last measured current above the rest current (an input, not a state;
/// `observeCurrent`). A class, so that the filters call it without copying the tables on every
/// tick. R0, R_j, C_j, M, M0, γ are read before the tick and held for the tick, so the
/// Jacobians below are exact for these functions:
///
///     F = ∂x'/∂x: F_00 = 1, F_jj = a_j, F_hh = A, F_0b = −η Δt/(3600 Q), F_jb = −R_j (1 − a_j),
///                 F_hb = (h − sgn u) · κ sgn(u) · A  with κ = η γ Δt / (3600 Q),  F_bb = 1
///     H = ∂V/∂x = [dOCV/dSOC, 1 … 1, M, −R0 − dη/dI]
///
/// Without hysteresis the state, the arithmetic and every result are those of the model
/// before the hysteresis state existed (`NoHysteresisUnchangedTests`).
public final class TheveninStateModel {
    /// OCV curve of the cell model.
    public let ocvCurve: OCVCurve
    /// Thevenin variant.
    public let circuit: TheveninParameters
    /// Number of R–C pairs.
    public let pairs: Int
    /// Whether the state carries a current bias.
    public let hasBias: Bool
    /// The model's charge-transfer term, when it has one.
    public let chargeTransfer: ChargeTransfer?
    /// The hysteresis law when the state carries h (at `hysteresisIndex`).
    public let hysteresis: Hysteresis?
    /// Index of h in the state: 1 + pairs (before the bias), or nil without hysteresis.
    public let hysteresisIndex: Int?
    /// State dimension: 1 + pairs (+ 1 with hysteresis) (+ 1 with bias).
    public let dimension: Int
    /// All R, τ tables on R0's grid (then one lookup position serves them all).
    let sharedGrid: Bool
    /// Parameters held for the present tick.
    @usableFromInline var r0 = 0.0
    @usableFromInline var branchR = (0.0, 0.0)
    @usableFromInline var branchA = (1.0, 1.0)
    /// Hysteresis parameters held for the present tick (M, M0, γ).
    @usableFromInline var hysteresisM = 0.0, hysteresisM0 = 0.0, hysteresisRate = 0.0
    /// s: the sign of the last measured current above the rest current (0 before any).
    public private(set) var instantaneousSign = 0.0

    /// Creates the state model for `pairs` (1 or 2) R–C pairs; with `hysteresis` (the model's
    /// law must then exist) the state carries h.
    public init(model: CellModelParameters, pairs: Int, bias: Bool, hysteresis: Bool = false) {
        self.ocvCurve = model.ocv
        self.circuit = model.thevenin(pairCount: pairs)
        self.pairs = pairs
        self.hasBias = bias
        self.chargeTransfer = model.chargeTransfer
        self.hysteresis = hysteresis ? model.hysteresis : nil
        self.hysteresisIndex = self.hysteresis == nil ? nil : 1 + pairs
        self.dimension = 1 + pairs + (self.hysteresis == nil ? 0 : 1) + (bias ? 1 : 0)
        let circuit = model.thevenin(pairCount: pairs)
        sharedGrid = circuit.pairs.allSatisfy {
            $0.resistanceOhm.sharesGrid(with: circuit.r0Ohm) && $0.timeConstantS.sharesGrid(with: circuit.r0Ohm)
        }
    }

    /// Reads R0, R_j and a_j at (soc, T) for a tick of `dtSeconds` (and M, M0, γ at T).
    public func holdParameters(soc: Double, temperatureC: Double, dtSeconds: Double) {
        if let law = hysteresis {
            (hysteresisM, hysteresisM0, hysteresisRate) = law.parameters(temperatureC: temperatureC)
        }
        if sharedGrid {
            // One grid search for every table (the identified models share one grid).
            let at = circuit.r0Ohm.position(soc: soc, temperatureC: temperatureC)
            r0 = circuit.r0Ohm.value(at: at)
            for j in 0..<pairs {
                let r = circuit.pairs[j].resistanceOhm.value(at: at)
                let a = Double.exp(-dtSeconds / circuit.pairs[j].timeConstantS.value(at: at))
                if j == 0 { branchR.0 = r; branchA.0 = a } else { branchR.1 = r; branchA.1 = a }
            }
            return
        }
        r0 = circuit.r0Ohm.value(soc: soc, temperatureC: temperatureC)
        for j in 0..<pairs {
            let r = circuit.pairs[j].resistanceOhm.value(soc: soc, temperatureC: temperatureC)
            let tau = circuit.pairs[j].timeConstantS.value(soc: soc, temperatureC: temperatureC)
            let a = Double.exp(-dtSeconds / tau)
            if j == 0 { branchR.0 = r; branchA.0 = a } else { branchR.1 = r; branchA.1 = a }
        }
    }

    /// Sets s from this tick's measured current (`Hysteresis.nextSign`); once per tick.
    public func observeCurrent(_ currentA: Double, restCurrentA: Double) {
        instantaneousSign = Hysteresis.nextSign(instantaneousSign, currentA: currentA, thresholdA: restCurrentA)
    }

    /// Forgets s (after `reset`: the history is unknown).
    public func resetSign() { instantaneousSign = 0 }

    /// M h + M0 s at `temperatureC` for the state x (0 without hysteresis): what a rested
    /// reading holds besides the OCV.
    public func hysteresisVoltage(_ x: UnsafeMutablePointer<Double>, temperatureC: Double) -> Double {
        guard let law = hysteresis, let index = hysteresisIndex else { return 0 }
        return law.voltageV(h: x[index], sign: instantaneousSign, temperatureC: temperatureC)
    }

    @inlinable func branch(_ j: Int) -> (r: Double, a: Double) {
        j == 0 ? (branchR.0, branchA.0) : (branchR.1, branchA.1)
    }

    /// x ← f(x) in place (parameters must be held first).
    @inlinable
    public func transition(_ x: UnsafeMutablePointer<Double>, meanCurrentA: Double, dtSeconds: Double,
                           capacityAh: Double, efficiency: Double) {
        let u = meanCurrentA - (hasBias ? x[dimension - 1] : 0)
        let eta = u > 0 ? efficiency : 1
        x[0] += eta * u * dtSeconds / (3600 * capacityAh)
        for j in 0..<pairs {
            let (r, a) = branch(j)
            x[1 + j] = a * x[1 + j] + r * (1 - a) * u
        }
        if let index = hysteresisIndex {
            let a = Hysteresis.decay(meanCurrentA: u, dtSeconds: dtSeconds, capacityAh: capacityAh, efficiency: efficiency,
                                     rateConstant: hysteresisRate)
            x[index] = Hysteresis.step(x[index], decay: a, meanCurrentA: u)
        }
    }

    /// Writes F = ∂f/∂x (row-major, dimension²) evaluated at x.
    @inlinable
    public func transitionJacobian(_ f: UnsafeMutablePointer<Double>, at x: UnsafeMutablePointer<Double>,
                                   meanCurrentA: Double, dtSeconds: Double, capacityAh: Double,
                                   efficiency: Double) {
        let n = dimension
        for i in 0..<(n * n) { f[i] = 0 }
        f[0] = 1
        for j in 0..<pairs { f[(1 + j) * n + 1 + j] = branch(j).a }
        if let index = hysteresisIndex {
            let u = meanCurrentA - (hasBias ? x[n - 1] : 0)
            let eta = u > 0 ? efficiency : 1
            let a = Hysteresis.decay(meanCurrentA: u, dtSeconds: dtSeconds, capacityAh: capacityAh, efficiency: efficiency,
                                     rateConstant: hysteresisRate)
            f[index * n + index] = a
            if hasBias {
                let sign = Hysteresis.currentSign(u)
                let kappa = eta * hysteresisRate * dtSeconds / (3600 * capacityAh)
                f[index * n + n - 1] = (x[index] - sign) * kappa * sign * a
            }
        }
        if hasBias {
            let u = meanCurrentA - x[n - 1]
            let eta = u > 0 ? efficiency : 1
            f[n - 1] = -eta * dtSeconds / (3600 * capacityAh)
            for j in 0..<pairs {
                let (r, a) = branch(j)
                f[(1 + j) * n + n - 1] = -r * (1 - a)
            }
            f[n * n - 1] = 1
        }
    }

    /// Predicted terminal voltage h(x) for the measured current, and writes H = ∂h/∂x.
    @inlinable
    public func measurement(_ x: UnsafeMutablePointer<Double>, currentA: Double, temperatureC: Double,
                            jacobian h: UnsafeMutablePointer<Double>) -> Double {
        let (ocv, slope) = ocvCurve.voltageAndSlope(soc: x[0], temperatureC: temperatureC)
        let bias = hasBias ? x[dimension - 1] : 0
        var v = ocv + r0 * (currentA - bias)
        h[0] = slope
        for j in 0..<pairs {
            v += x[1 + j]
            h[1 + j] = 1
        }
        if let index = hysteresisIndex {
            v += hysteresisM * x[index] + hysteresisM0 * instantaneousSign
            h[index] = hysteresisM
        }
        if hasBias { h[dimension - 1] = -r0 }
        if let term = chargeTransfer {
            v += term.voltageV(currentA: currentA - bias, temperatureC: temperatureC)
            if hasBias { h[dimension - 1] -= term.slopeOhm(currentA: currentA - bias, temperatureC: temperatureC) }
        }
        return v
    }

    /// h(x) without the Jacobian.
    @inlinable
    public func voltage(_ x: UnsafeMutablePointer<Double>, currentA: Double, temperatureC: Double) -> Double {
        let ocv = ocvCurve.voltage(soc: x[0], temperatureC: temperatureC)
        let bias = hasBias ? x[dimension - 1] : 0
        var v = ocv + r0 * (currentA - bias)
        for j in 0..<pairs { v += x[1 + j] }
        if let index = hysteresisIndex { v += hysteresisM * x[index] + hysteresisM0 * instantaneousSign }
        if let term = chargeTransfer { v += term.voltageV(currentA: currentA - bias, temperatureC: temperatureC) }
        return v
    }

    // Array forms, for tests and tools (the filters use the pointer forms above).

    /// x ← f(x) on an array.
    public func transition(_ x: inout [Double], meanCurrentA: Double, dtSeconds: Double,
                           capacityAh: Double, efficiency: Double) {
        x.withUnsafeMutableBufferPointer {
            transition($0.baseAddress!, meanCurrentA: meanCurrentA, dtSeconds: dtSeconds,
                       capacityAh: capacityAh, efficiency: efficiency)
        }
    }

    /// F on arrays.
    public func transitionJacobian(_ f: inout [Double], at x: [Double], meanCurrentA: Double,
                                   dtSeconds: Double, capacityAh: Double, efficiency: Double) {
        var state = x
        state.withUnsafeMutableBufferPointer { xp in
            f.withUnsafeMutableBufferPointer { fp in
                transitionJacobian(fp.baseAddress!, at: xp.baseAddress!, meanCurrentA: meanCurrentA,
                                   dtSeconds: dtSeconds, capacityAh: capacityAh, efficiency: efficiency)
            }
        }
    }

    /// h(x) and H on arrays.
    public func measurement(_ x: [Double], currentA: Double, temperatureC: Double,
                            jacobian h: inout [Double]) -> Double {
        var state = x
        return state.withUnsafeMutableBufferPointer { xp in
            h.withUnsafeMutableBufferPointer { hp in
                measurement(xp.baseAddress!, currentA: currentA, temperatureC: temperatureC, jacobian: hp.baseAddress!)
            }
        }
    }
}
