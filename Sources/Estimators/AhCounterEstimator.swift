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
/// `restVoltageSlopeVPerS`. At rest the estimate is pulled towards the SOC the rested voltage
/// supports, SOC_ocv = `OCVCurve.restedSOC(V, T, nearest: SOC)` (OCV⁻¹ where the curve is
/// informative; on a stretch flatter than `minimumOCVSlopeVPerSOC` the estimate clamped into
/// that stretch, so a consistent estimate is kept and an inconsistent one is moved to the
/// nearest consistent SOC), by moving `SOC_base`, blended with time constant τ: each tick
/// closes a fraction 1 − exp(−Δt/τ) of the gap. The correction acts on the base, never
/// replaces the estimate, so the estimate is continuous whatever the sign of the counter
/// (foxBMS-2 issue #82: an OCV reset meeting a negative counter made the SOC jump).
///
/// Wake-up (`wake(afterSleepSeconds:)`, or the first sample after `reset` with Δt ≥ the rest
/// time): the sleep counts as rest, so a rested wake-up reading after a sleep of at least
/// `restMinimumSeconds` closes 1 − exp(−sleep/τ) of the gap at once (the reading corrected
/// for the rest length by the model's relaxation law when it is a full cell's), and the
/// current during the sleep is not counted.
///
/// Hysteresis (a model with `Hysteresis`, `useModelHysteresis` on, `ah` only): the counter
/// also runs h' = A h + (1 − A) sgn(Ī) with the counted current and keeps s, the sign of the
/// last current above the rest current; a rested reading is then read on the OCV curve as
/// V − M h − M0 s.
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
    var slope = RestVoltageSlope()
    var learner: CapacityLearner
    var lifeCounter = ChargeCounter()
    var last: SOCEstimate
    /// Sleep announced by `wake(afterSleepSeconds:)`, consumed by the next accepted update.
    var pendingSleepSeconds: Double?
    var emptyAnchor = EmptyAnchor()
    /// The first accepted sample sets the starting capacity at its temperature (no capacity configured).
    var capacityFromFirstSample: Bool
    /// The model's hysteresis when the OCV correction uses it (`ah` with `useModelHysteresis`).
    let hysteresis: Hysteresis?
    /// The hysteresis state h and the sign s of the last current above the rest current.
    var hysteresisH = 0.0, hysteresisSign = 0.0

    /// Creates a counter starting at `soc`.
    public init(model: CellModelParameters, config: EstimatorConfig, soc: Double = 1) {
        self.model = model
        self.config = config
        self.name = config.ocvCorrectionAtRest ? "ah" : "ah-pure"
        socBase = soc
        capacityAh = config.capacityAh ?? model.initialCapacityAh(temperatureC: 25)
        capacityFromFirstSample = config.capacityAh == nil
        learner = CapacityLearner(model: model, config: config)
        hysteresis = config.ocvCorrectionAtRest && config.useModelHysteresis ? model.hysteresis : nil
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
        // The wake-up: after `wake`, the sleep it announced (this sample's own Δt is a tick);
        // after `reset`, a first Δt of at least the rest time is itself the sleep. The current
        // during a sleep is unknown and not counted.
        // A first Δt of 0 after `reset` means the history is unknown: the rested reading then
        // decides at once, as it does for the filters (an infinite sleep).
        let firstAfterReset = previousCurrentA == nil && pendingSleepSeconds == nil
        let resetSleepS = firstAfterReset && (m.dtSeconds == 0 || m.dtSeconds >= config.restMinimumSeconds)
            ? (m.dtSeconds == 0 ? Double.infinity : m.dtSeconds) : nil
        let sleptS = pendingSleepSeconds ?? resetSleepS
        pendingSleepSeconds = nil
        if capacityFromFirstSample {
            capacityFromFirstSample = false
            rebase(capacityAh: model.initialCapacityAh(temperatureC: m.temperatureC))
        }
        let mean = 0.5 * ((previousCurrentA ?? m.currentA) + m.currentA)
        let eta = mean > 0 ? (config.coulombicEfficiency ?? model.coulombicEfficiency) : 1
        let counted = resetSleepS == nil ? m.dtSeconds : 0
        counter.add(eta * mean * counted)
        lifeCounter.add(eta * mean * counted)
        previousCurrentA = m.currentA
        if let law = hysteresis {
            let a = Hysteresis.decay(meanCurrentA: mean, dtSeconds: counted, capacityAh: capacityAh,
                                     efficiency: config.coulombicEfficiency ?? model.coulombicEfficiency,
                                     rateConstant: law.parameters(temperatureC: m.temperatureC).rateConstant)
            hysteresisH = Hysteresis.step(hysteresisH, decay: a, meanCurrentA: mean)
            hysteresisSign = Hysteresis.nextSign(hysteresisSign, currentA: m.currentA, thresholdA: config.restCurrentA)
        }

        if let learned = learner.observe(m, counterAs: lifeCounter.ampereSeconds), config.useLearnedCapacity {
            rebase(capacityAh: learned)
        }
        if config.ocvCorrectionAtRest && emptyAnchor.observe(m, soc: soc, emptyVoltageV: model.socZeroLoadedVoltageV, config: config) {
            socBase = 0
            counter.clear()
        }
        if config.ocvCorrectionAtRest { correctAtRest(m, sleptSeconds: sleptS) }
        last = SOCEstimate(soc: soc, sigma: nil, holding: false)
        return last
    }

    func rebase(capacityAh newCapacity: Double) {
        socBase = soc
        counter.clear()
        capacityAh = newCapacity
    }

    /// Rest tracking and the OCV correction; `sleptSeconds` is the sleep before this sample
    /// when it is a wake-up (a sleep counts as settled rest).
    func correctAtRest(_ m: CellMeasurement, sleptSeconds: Double?) {
        let resting = abs(m.currentA) <= config.restCurrentA
        if let sleptSeconds {
            // Woken: the voltage history is stale; a sleep at rest is a settled rest.
            slope.restart(at: m.voltageV, settled: true)
            let known = sleptSeconds.isFinite
            restSeconds = resting ? (known ? restSeconds + sleptSeconds : 0) : 0
            guard resting, sleptSeconds >= config.restMinimumSeconds else { return }
            let reading = known ? model.restCorrectedFullVoltage(m.voltageV, restSeconds: restSeconds, temperatureC: m.temperatureC,
                                                                 fullRestVoltageV: config.fullRestVoltageV) : m.voltageV
            blend(towards: reading, temperatureC: m.temperatureC, seconds: sleptSeconds)
            return
        }
        slope.add(m.voltageV, dtSeconds: m.dtSeconds)
        restSeconds = resting ? restSeconds + m.dtSeconds : 0
        guard restSeconds >= config.restMinimumSeconds,
              slope.vPerS <= config.restVoltageSlopeVPerS else { return }
        blend(towards: m.voltageV, temperatureC: m.temperatureC, seconds: m.dtSeconds)
    }

    /// Closes 1 − exp(−seconds/τ) of the gap to the SOC a rested reading supports.
    func blend(towards voltageV: Double, temperatureC: Double, seconds: Double) {
        let now = soc
        // With hysteresis the rested voltage is OCV + M h + M0 s.
        let ocvV = hysteresis.map { voltageV - $0.voltageV(h: hysteresisH, sign: hysteresisSign, temperatureC: temperatureC) }
            ?? voltageV
        let target = model.restedSOC(voltageV: ocvV, temperatureC: temperatureC, nearest: now,
                                     minimumSlopeVPerSOC: config.minimumOCVSlopeVPerSOC)
        let gain = 1 - Double.exp(-seconds / config.ocvBlendTimeConstantS)
        socBase += gain * (target - now)
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Restarts at `soc` (hysteresis h = 0, s unknown); the learned capacity is kept.
    public func reset(soc: Double) {
        socBase = soc
        counter.clear()
        hysteresisH = 0
        hysteresisSign = 0
        previousCurrentA = nil
        slope.clear()
        restSeconds = 0
        pendingSleepSeconds = nil
        emptyAnchor.reset()
        last = SOCEstimate(soc: soc)
    }

    /// Moves the estimate to `soc` and counts on from there, keeping everything else (learned
    /// capacity, rest timer and voltage slope, hysteresis state, empty anchor): how
    /// `LSTMEstimator` hands a model run's last output to the counter that covers the time
    /// between runs.
    public func continueCounting(from soc: Double) {
        socBase = soc
        counter.clear()
        last = SOCEstimate(soc: soc)
    }

    /// Keeps the count; the next sample is a wake-up after `seconds` of sleep.
    public func wake(afterSleepSeconds seconds: Double) {
        pendingSleepSeconds = max(0, seconds)
        previousCurrentA = nil
        emptyAnchor.reset()
    }

    /// SOC base, counter (sum + compensation), capacity, previous I and V, rest timer and
    /// slope and the empty anchor's discharge timer as 32-bit floats, plus the learner's 9 bands:
    /// 4·(8 + 9) bytes.
    public var stateBytes: Int { 4 * (8 + 9) }
}
