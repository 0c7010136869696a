import BMSCore
import RealModule

/// Drives a Thevenin cell model with a current and returns the terminal voltage, keeping
/// the exact SOC (coulomb count of the current it was given). Used to make synthetic
/// recordings with known truth and to test the estimators.
///
///     SOC ← SOC + η(I) · I · Δt / (3600 · Q),   η = coulombicEfficiency on charge, 1 on discharge
///     v_j ← a_j v_j + R_j (1 − a_j) I,          a_j = exp(−Δt / (R_j C_j))
///     V   = OCV(SOC, T) + R0 · I + Σ_j v_j  (+ M h + M0 s with the model's `Hysteresis`:
///           h ← A h + (1 − A) sgn(I), A = exp(−|η I Δt γ / (3600 Q)|), s = sgn(I) of the last I ≠ 0)
///           (+ a · asinh(I / I_ref) with the model's `ChargeTransfer`)
///
/// Parameters are looked up at the SOC at the start of the tick.
public struct CellSimulator: Sendable {
    /// The model being simulated.
    public let model: CellModelParameters
    /// The Thevenin variant (1 or 2 R–C pairs).
    public let circuit: TheveninParameters
    /// True capacity of the simulated cell, Ah.
    public var capacityAh: Double
    /// Exact state of charge (fraction).
    public private(set) var soc: Double
    /// R–C branch voltages, V (count = pairs).
    public private(set) var branchVoltagesV: [Double]
    /// Hysteresis state h and the sign s of the last non-zero current (unused without the
    /// model's hysteresis).
    public var hysteresisH: Double, hysteresisSign: Double

    /// A simulator starting at `soc`, relaxed (branch voltages 0), with hysteresis state
    /// `hysteresisH` and last current sign `hysteresisSign` (used only when the model has hysteresis).
    public init(model: CellModelParameters, pairCount: Int = 2, capacityAh: Double? = nil, soc: Double,
                hysteresisH: Double = 0, hysteresisSign: Double = 0) {
        self.model = model
        self.circuit = model.thevenin(pairCount: pairCount)
        self.capacityAh = capacityAh ?? model.capacityAh
        self.soc = soc
        self.branchVoltagesV = Array(repeating: 0, count: pairCount)
        self.hysteresisH = hysteresisH
        self.hysteresisSign = hysteresisSign
    }

    /// Terminal voltage for the present state if `currentA` flowed now (no state change).
    public func terminalVoltage(currentA: Double, temperatureC: Double) -> Double {
        var v = model.ocv.voltage(soc: soc, temperatureC: temperatureC)
            + circuit.r0Ohm.value(soc: soc, temperatureC: temperatureC) * currentA
        for b in branchVoltagesV { v += b }
        if let law = model.hysteresis { v += law.voltageV(h: hysteresisH, sign: hysteresisSign, temperatureC: temperatureC) }
        if let term = model.chargeTransfer { v += term.voltageV(currentA: currentA, temperatureC: temperatureC) }
        return v
    }

    /// Advances one tick with `currentA` held for `dtSeconds`; returns the terminal voltage
    /// at the end of the tick.
    public mutating func step(currentA: Double, dtSeconds: Double, temperatureC: Double) -> Double {
        let eta = currentA > 0 ? model.coulombicEfficiency : 1
        let socBefore = soc
        soc += eta * currentA * dtSeconds / (3600 * capacityAh)
        for j in 0..<circuit.pairs.count {
            let r = circuit.pairs[j].resistanceOhm.value(soc: socBefore, temperatureC: temperatureC)
            let tau = circuit.pairs[j].timeConstantS.value(soc: socBefore, temperatureC: temperatureC)
            let a = Double.exp(-dtSeconds / tau)
            branchVoltagesV[j] = a * branchVoltagesV[j] + r * (1 - a) * currentA
        }
        if let law = model.hysteresis {
            let a = Hysteresis.decay(meanCurrentA: currentA, dtSeconds: dtSeconds, capacityAh: capacityAh,
                                     efficiency: model.coulombicEfficiency,
                                     rateConstant: law.parameters(temperatureC: temperatureC).rateConstant)
            hysteresisH = Hysteresis.step(hysteresisH, decay: a, meanCurrentA: currentA)
            hysteresisSign = Hysteresis.nextSign(hysteresisSign, currentA: currentA, thresholdA: 0)
        }
        return terminalVoltage(currentA: currentA, temperatureC: temperatureC)
    }

    /// The current that holds the terminal voltage at `voltageV` at the end of a tick of
    /// `dtSeconds` (constant-voltage charging), before any limit is applied.
    public func currentHolding(voltageV: Double, dtSeconds: Double, temperatureC: Double) -> Double {
        var fixed = model.ocv.voltage(soc: soc, temperatureC: temperatureC)
        var gain = circuit.r0Ohm.value(soc: soc, temperatureC: temperatureC)
        for j in 0..<circuit.pairs.count {
            let r = circuit.pairs[j].resistanceOhm.value(soc: soc, temperatureC: temperatureC)
            let tau = circuit.pairs[j].timeConstantS.value(soc: soc, temperatureC: temperatureC)
            let a = Double.exp(-dtSeconds / tau)
            fixed += a * branchVoltagesV[j]
            gain += r * (1 - a)
        }
        // Charging at constant voltage: h is held over the tick here (it moves little in one tick)
        // and s is +1.
        if let law = model.hysteresis { fixed += law.voltageV(h: hysteresisH, sign: 1, temperatureC: temperatureC) }
        guard let term = model.chargeTransfer else { return (voltageV - fixed) / gain }
        // With the charge-transfer term V(I) = fixed + gain I + η(I) is increasing and concave
        // for I > 0: Newton from the linear solution, a few steps.
        var current = (voltageV - fixed) / gain
        for _ in 0..<20 {
            let residual = fixed + gain * current + term.voltageV(currentA: current, temperatureC: temperatureC) - voltageV
            let step = residual / (gain + term.slopeOhm(currentA: current, temperatureC: temperatureC))
            current -= step
            if abs(step) <= 1e-12 * max(1, abs(current)) { break }
        }
        return current
    }
}
