import BMSCore
import CellModel
import RealModule

/// Coulomb counting with coulombic efficiency, optional OCV correction at rest, and
/// capacity learning.
///
///     SOC = SOC_base + η · q / (3600 · Q),   q = Σ Ī_k Δt_k  (compensated sum, A·s)
///     Ī_k = (I_k−1 + I_k) / 2  (trapezoid),  η = coulombic efficiency on charge, 1 on discharge
///
/// Rest: |I| ≤ `restCurrentA` for at least `restMinimumSeconds` and |dV/dt| below
/// `restVoltageSlopeVPerS`; no correction where the OCV curve is flatter than
/// `minimumOCVSlopeVPerSOC` (there OCV⁻¹ carries no SOC information). At rest the estimate is pulled towards SOC_ocv = OCV⁻¹(V, T)
/// by moving `SOC_base`, blended with time constant τ: each tick closes a fraction
/// 1 − exp(−Δt/τ) of the gap. The correction acts on the base, never replaces the estimate,
/// so the estimate is continuous whatever the sign of the counter (foxBMS-2 issue #82:
/// an OCV reset meeting a negative counter made the SOC jump).
public final class AhCounterEstimator: SOCEstimator {
    /// `"ah"` with OCV correction at rest, `"ah-pure"` without.
    public let name: String
    let model: CellModelParameters
    let config: EstimatorConfig
    var socBase: Double
    var counter = ChargeCounter()
    var capacityAh: Double
    var previousCurrentA: Double?
    var restSeconds = 0.0
    var previousVoltageV: Double?
    var voltageSlopeVPerS = 1.0
    var learner: CapacityLearner
    var lifeCounter = ChargeCounter()
    var last: SOCEstimate

    /// Creates a counter starting at `soc`.
    public init(model: CellModelParameters, config: EstimatorConfig, soc: Double = 1) {
        self.model = model
        self.config = config
        self.name = config.ocvCorrectionAtRest ? "ah" : "ah-pure"
        socBase = soc
        capacityAh = config.capacityAh ?? model.capacityAh
        learner = CapacityLearner(model: model, config: config)
        last = SOCEstimate(soc: soc)
    }

    /// The capacity currently counted against, Ah.
    public var currentCapacityAh: Double { capacityAh }

    /// The present SOC (fraction).
    var soc: Double { socBase + counter.ampereSeconds / (3600 * capacityAh) }

    /// Consumes one measurement.
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        guard config.accepts(m, wakingUp: previousCurrentA == nil) else {
            last.holding = true
            return last
        }
        let mean = 0.5 * ((previousCurrentA ?? m.currentA) + m.currentA)
        let eta = mean > 0 ? (config.coulombicEfficiency ?? model.coulombicEfficiency) : 1
        // A first sample after a sleep (Δt ≥ the rest time) counts nothing: the current during
        // the sleep is not known, and this sample's current held over hours would not be it.
        let counted = previousCurrentA == nil && m.dtSeconds >= config.restMinimumSeconds ? 0 : m.dtSeconds
        counter.add(eta * mean * counted)
        lifeCounter.add(eta * mean * counted)
        previousCurrentA = m.currentA

        if let learned = learner.observe(m, counterAs: lifeCounter.ampereSeconds), config.useLearnedCapacity {
            rebase(capacityAh: learned)
        }
        if config.ocvCorrectionAtRest { correctAtRest(m) }
        last = SOCEstimate(soc: soc, sigma: nil, holding: false)
        return last
    }

    func rebase(capacityAh newCapacity: Double) {
        socBase = soc
        counter.clear()
        capacityAh = newCapacity
    }

    func correctAtRest(_ m: CellMeasurement) {
        if let v0 = previousVoltageV, m.dtSeconds > 0 {
            let slope = abs(m.voltageV - v0) / m.dtSeconds
            let k = m.dtSeconds / (60 + m.dtSeconds)     // ≈ 60 s smoothing of |dV/dt| (no exp per tick)
            voltageSlopeVPerS += k * (slope - voltageSlopeVPerS)
        }
        previousVoltageV = m.voltageV
        if abs(m.currentA) <= config.restCurrentA {
            restSeconds += m.dtSeconds
        } else {
            restSeconds = 0
        }
        guard restSeconds >= config.restMinimumSeconds,
              voltageSlopeVPerS <= config.restVoltageSlopeVPerS else { return }
        let target = model.ocv.soc(voltageV: m.voltageV, temperatureC: m.temperatureC)
        // Where the OCV curve is flat the inverse says nothing about SOC: no correction.
        guard model.ocv.slope(soc: target, temperatureC: m.temperatureC) >= config.minimumOCVSlopeVPerSOC else { return }
        let gain = 1 - Double.exp(-m.dtSeconds / config.ocvBlendTimeConstantS)
        socBase += gain * (target - soc)
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Restarts at `soc`; the learned capacity is kept.
    public func reset(soc: Double) {
        socBase = soc
        counter.clear()
        previousCurrentA = nil
        previousVoltageV = nil
        restSeconds = 0
        voltageSlopeVPerS = 1
        last = SOCEstimate(soc: soc)
    }

    /// SOC base, counter (sum + compensation), capacity, previous I and V, rest timer and
    /// slope as 32-bit floats, plus the learner's 9 bands: 4·(7 + 9) bytes.
    public var stateBytes: Int { 4 * (7 + 9) }
}
