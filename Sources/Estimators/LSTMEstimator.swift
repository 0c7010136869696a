import BMSCore
import QuantizedLSTM
import WeightBlob

/// The fixed-point LSTM SOC model (`QuantizedLSTMEngine`, a `.bmsq` blob) as an estimator
/// of the firmware bank.
///
/// - **ADC boundary.** Each accepted measurement becomes a `RawSensorSample` (µV, mA,
///   0.1 °C, rounded, saturated); the engine itself sees only integers.
/// - **Model rate.** The engine steps once per `stepSeconds` of measurement time (10 s for
///   the demo models), whatever the tick: the `dtSeconds` of the measurements accumulate
///   and when at least one step length has gathered the engine steps once with the
///   *latest* sample (the models were trained on instantaneous values on a 10 s grid, not
///   on means) and one step length is taken off, so the phase does not drift. Between
///   model steps the last output is held. A tick longer than the step gives one step.
/// - **One model run per discharge.** The models were trained per discharge from a full
///   charge with zero state, so a discharge (current below −`dischargeThresholdA`, not in a
///   discharge yet) restarts the engine from zero state. The last sample before it (the
///   rested, open-circuit reading) is replayed first, as the discharge recordings the
///   model was trained on begin at rest. A discharge ends after the current has stayed at
///   or above −threshold for `restBeforeDischargeSeconds`; shorter pauses are part of it.
/// - **Outside discharges** (charge, rest, before the first discharge) the estimate is a
///   coulomb count (trapezoid, coulombic efficiency on charge) from the last model output
///   (or the SOC given to `init`/`reset`). `sigma` is always `nil`: the model gives none.
/// - A measurement that is not finite or outside `EstimatorConfig`'s ranges changes
///   nothing (its time is not counted) and returns the last estimate with `holding`.
/// - The model's output after a step estimates the SOC one step later (the training
///   convention); it is reported as the present SOC and held until the next step. It is not
///   clamped to [0, 1].
///
/// No allocation and no throwing per `update` (the engine preallocates its buffers).
public final class LSTMEstimator: SOCEstimator {
    /// `"lstm"`.
    public let name = "lstm"
    /// The integer engine it runs.
    public let engine: QuantizedLSTMEngine
    /// Ranges of accepted measurements.
    let config: EstimatorConfig
    /// Discharge rule and model rate.
    public let settings: LSTMEstimatorSettings
    /// Seconds of measurement time per model step.
    public let stepSeconds: Double
    /// Capacity of the coulomb count between discharges, Ah.
    public let capacityAh: Double
    /// Coulombic efficiency applied to charge (≤ 1).
    let chargeEfficiency: Double

    /// True while a discharge (a model run) is in progress.
    public private(set) var inDischarge = false
    /// Engine steps since `init` (for tests and diagnostics).
    public private(set) var modelSteps = 0
    /// Discharges (model runs) started since `init`.
    public private(set) var dischargesStarted = 0
    var secondsNotDischarging: Double
    var secondsSinceModelStep = 0.0
    var lastRestSample: RawSensorSample?
    var socBase: Double
    var counter = ChargeCounter()
    var previousCurrentA: Double?
    var last: SOCEstimate

    /// Creates the estimator for a validated blob model, believing `soc` until the first
    /// discharge starts the model.
    public init(model: BlobModel, settings: LSTMEstimatorSettings = LSTMEstimatorSettings(),
                config: EstimatorConfig = EstimatorConfig(), capacityAh: Double = 2.0,
                chargeEfficiency: Double = 1, soc: Double = 1) {
        precondition(capacityAh > 0 && capacityAh.isFinite, "capacityAh must be positive")
        engine = QuantizedLSTMEngine(model: model)
        self.settings = settings
        self.config = config
        self.capacityAh = capacityAh
        self.chargeEfficiency = chargeEfficiency
        stepSeconds = settings.resolvedStepSeconds(for: model)
        precondition(stepSeconds > 0 && stepSeconds.isFinite, "stepSeconds must be positive")
        secondsNotDischarging = settings.restBeforeDischargeSeconds
        socBase = soc
        last = SOCEstimate(soc: soc)
    }

    /// Consumes one measurement.
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        guard config.accepts(m) else {
            last.holding = true
            return last
        }
        let raw = RawSensorSample(m)
        countCharge(m)
        if m.currentA < -settings.dischargeThresholdA {
            secondsNotDischarging = 0
            if inDischarge {
                advanceModel(raw, dtSeconds: m.dtSeconds)
            } else {
                startDischarge(raw)
            }
        } else {
            secondsNotDischarging += m.dtSeconds
            if inDischarge {
                advanceModel(raw, dtSeconds: m.dtSeconds)
                if secondsNotDischarging >= settings.restBeforeDischargeSeconds { endDischarge() }
            }
            if !inDischarge { lastRestSample = raw }
        }
        last = SOCEstimate(soc: inDischarge ? last.soc : countedSOC, sigma: nil, holding: false)
        return last
    }

    /// The coulomb count since the last rebase.
    var countedSOC: Double { socBase + counter.ampereSeconds / (3600 * capacityAh) }

    func countCharge(_ m: CellMeasurement) {
        let mean = 0.5 * ((previousCurrentA ?? m.currentA) + m.currentA)
        counter.add((mean > 0 ? chargeEfficiency : 1) * mean * m.dtSeconds)
        previousCurrentA = m.currentA
    }

    func startDischarge(_ raw: RawSensorSample) {
        engine.reset()
        if let rested = lastRestSample {
            _ = engine.step(rested)
            modelSteps += 1
        }
        inDischarge = true
        dischargesStarted += 1
        secondsSinceModelStep = 0
        stepModel(raw)
    }

    func advanceModel(_ raw: RawSensorSample, dtSeconds: Double) {
        secondsSinceModelStep += dtSeconds
        guard secondsSinceModelStep >= stepSeconds * (1 - 1e-9) else { return }
        secondsSinceModelStep -= stepSeconds
        if secondsSinceModelStep >= stepSeconds { secondsSinceModelStep = 0 }   // a tick longer than a step
        if secondsSinceModelStep < 0 { secondsSinceModelStep = 0 }               // rounding of the tolerance
        stepModel(raw)
    }

    func stepModel(_ raw: RawSensorSample) {
        let socCentiPercent = engine.step(raw)
        modelSteps += 1
        last.soc = Double(socCentiPercent) / 10_000
    }

    func endDischarge() {
        inDischarge = false
        socBase = last.soc
        counter.clear()
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Restarts believing `soc`: the engine is cleared and the next discharge starts a new
    /// model run; until then the estimate is the coulomb count from `soc`.
    public func reset(soc: Double) {
        engine.reset()
        inDischarge = false
        secondsNotDischarging = settings.restBeforeDischargeSeconds
        secondsSinceModelStep = 0
        lastRestSample = nil
        socBase = soc
        counter.clear()
        previousCurrentA = nil
        last = SOCEstimate(soc: soc)
    }

    /// The engine's state plus this wrapper's: two timers, SOC base, counter (sum and
    /// compensation), previous current and the held output as 32-bit values (7·4), the
    /// held rest sample (3·4) and the discharge flag (1).
    public var stateBytes: Int { engine.stateBytes + 7 * 4 + 3 * 4 + 1 }
}
