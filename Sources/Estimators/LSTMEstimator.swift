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
///   or above −threshold for `restBeforeDischargeSeconds` (shorter pauses are part of it)
///   or at once when a charging current above +threshold appears (the models never saw
///   charge).
/// - **Start SOC.** A blob with a prior-SOC input (format version 5, trained with partial
///   starts) starts each run's prior `s0 − q/C` at the best SOC this estimator has when the
///   run starts: the coulomb count it reports then (from the last confirmed run's output, or the
///   SOC given to `init`/`reset`), at the rested sample before the run (`setStartSOC`). Older
///   blobs start every run from full (`s0 = 1`), as before.
/// - **Confirmed runs only.** The coulomb count keeps running underneath every run. The
///   model's output becomes the estimate once the run has seen `minimumDischargeSeconds`
///   of discharge current (until then the estimate is the count), and becomes the base of
///   the count when the run ends. A shorter run (NASA's charges start with a few seconds
///   of negative current, which the models never saw) is dropped: the count carries on
///   as if it had not happened.
/// - **Outside discharges** (charge, rest, before the first discharge) the estimate is a
///   coulomb count (trapezoid, coulombic efficiency on charge) from the last model output
///   (or the SOC given to `init`/`reset`). `sigma` is always `nil`: the model gives none.
/// - **Between runs, the BMS's best SOC** (`betweenRuns`, what `makeEstimator(.lstm, …)`
///   builds): that count is the BMS's Ah counter with OCV correction at rest
///   (`AhCounterEstimator`, the `ah` method), continued from each confirmed run's last output
///   (`continueCounting(from:)`), so a rest or a wake-up pulls it to the rested-OCV reading and
///   a run that ended wrong does not stay wrong through the charge and rest after it; a blob
///   with a prior-SOC input starts its next run from it. Without one, the plain count above.
/// - A measurement that is not finite or outside `EstimatorConfig`'s ranges changes
///   nothing (its time is not counted) and returns the last estimate with `holding`.
/// - The model's output after a step estimates the SOC one step later (the training
///   convention); it is reported as the present SOC and held until the next step. It is not
///   clamped to [0, 1].
/// - **Learned prior capacity.** A blob trained with a learned prior (metadata
///   `prior_capacity=learned`, `BlobModel.expectsLearnedPrior`) counts its coulomb-count prior
///   (and reads its capacity input) against the capacity this estimator's own
///   `CapacityLearner` holds for the discharge's (temperature, current) band: set when a model
///   run starts (the band of its first sample) and again when the learner has read the settled
///   band (`CapacityBand.settleSeconds` into the discharge), in whole mAh through
///   `QuantizedLSTMEngine.setPriorCapacity`; from the settled band on, the count between
///   discharges runs against the same capacity (`countCapacityAh`). Other blobs keep their
///   own capacity, as before.
/// - **Training envelope.** With a `TrainingEnvelope` (the blob's `envelope_*` metadata,
///   written by `bmsim train`), every estimate of a confirmed model run says where its inputs
///   have left what the network was trained on (`SOCEstimate.envelope`, sticky for the run):
///   a current or temperature outside the training range, a start within
///   `restBeforeDischargeSeconds` of a current above +`dischargeThresholdA` (a charge or
///   regeneration) or from a rested voltage below the training starts' 1st percentile; and,
///   while it lasts, a model SOC outside the training labels' range. The count that continues
///   from a run's output carries that run's input flags until the next confirmed run.
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
    /// Capacity of the coulomb count between discharges as configured, Ah.
    public let capacityAh: Double
    /// The capacity the count between discharges runs against, Ah: `capacityAh`, or with a
    /// learner the capacity last passed to the model as its prior (the count is rebased then).
    public private(set) var countCapacityAh: Double
    /// The learner whose capacity is the model's prior (nil: the blob's capacity, unchanged).
    public private(set) var learner: CapacityLearner?
    /// Charge counted since `init` (A·s, charge efficiency applied), what the learner measures.
    var lifeCounter = ChargeCounter()
    /// Coulombic efficiency applied to charge (≤ 1).
    let chargeEfficiency: Double

    /// True while a discharge (a model run) is in progress.
    public private(set) var inDischarge = false
    /// Engine steps since `init` (for tests and diagnostics).
    public private(set) var modelSteps = 0
    /// Discharges (model runs) started since `init`.
    public private(set) var dischargesStarted = 0
    /// True when the current (or last) model run began with a rested sample before it, as
    /// every discharge the models were trained on did; false for a run that began under load
    /// (the first sample after `reset` already discharging): its prior assumes a full cell at
    /// a start the model never saw.
    public private(set) var runStartedAtRest = false
    var secondsNotDischarging: Double
    var dischargeSecondsInRun = 0.0
    var secondsSinceModelStep = 0.0
    var lastRestSample: RawSensorSample?
    var socBase: Double
    var counter = ChargeCounter()
    var previousCurrentA: Double?
    var last: SOCEstimate
    /// The model's last output (SOC fraction), whether or not it is the estimate yet.
    public private(set) var modelSOC: Double
    /// The model's last output after a step taken under discharge current.
    public private(set) var loadedModelSOC: Double
    /// The envelope the blob was trained in (nil: none recorded, estimates carry no flags).
    public let trainingEnvelope: TrainingEnvelope?
    /// Envelope flags the run in progress has collected so far (sticky for the run).
    var runEnvelope: EnvelopeFlags = []
    /// Envelope flags of the last confirmed run, carried by the count that continues from
    /// its output until the next confirmed run.
    var carriedEnvelope: EnvelopeFlags = []
    /// The present discharge was not given a model run (`declinesStart`); cleared when it ends.
    var declinedRun = false
    /// Discharges not given a model run since the start (telemetry, tests).
    public internal(set) var declinedRuns = 0
    /// Time since the current was last above +`dischargeThresholdA` (charge, regeneration), s.
    var secondsSinceCharge: Double
    /// A charging current leaves a run going (`LSTMEstimatorSettings.runThroughCharge`, resolved).
    public let runsThroughCharge: Bool
    /// The start SOC passed to the engine at the last run start (1 for a full-start blob).
    public private(set) var runStartSOC: Double = 1
    /// The counter that gives the estimate between confirmed runs (nil: the plain coulomb
    /// count from the last run's output). It sees every accepted sample.
    public let betweenRuns: AhCounterEstimator?

    /// Creates the estimator for a validated blob model, believing `soc` until the first
    /// discharge starts the model. `capacityLearner` gives the prior capacity of a blob
    /// trained with a learned prior (`BlobModel.expectsLearnedPrior`; ignored for other blobs).
    /// `envelope` is the blob's training envelope (`TrainingEnvelope(metadata:)`, which
    /// `makeEstimator` reads and checks). `betweenRuns` (started at `soc` by the caller) gives
    /// the estimate between confirmed runs instead of the plain count.
    public init(model: BlobModel, envelope: TrainingEnvelope? = nil, settings: LSTMEstimatorSettings = LSTMEstimatorSettings(),
                config: EstimatorConfig = EstimatorConfig(), capacityAh: Double = 2.0,
                chargeEfficiency: Double = 1, soc: Double = 1, capacityLearner: CapacityLearner? = nil,
                betweenRuns: AhCounterEstimator? = nil) {
        self.betweenRuns = betweenRuns
        precondition(capacityAh > 0 && capacityAh.isFinite, "capacityAh must be positive")
        engine = QuantizedLSTMEngine(model: model)
        trainingEnvelope = envelope
        learner = model.expectsLearnedPrior ? capacityLearner : nil
        self.settings = settings
        self.config = config
        self.capacityAh = capacityAh
        countCapacityAh = capacityAh
        self.chargeEfficiency = chargeEfficiency
        stepSeconds = settings.resolvedStepSeconds(for: model)
        precondition(stepSeconds > 0 && stepSeconds.isFinite, "stepSeconds must be positive")
        secondsNotDischarging = settings.restBeforeDischargeSeconds
        secondsSinceCharge = settings.restBeforeDischargeSeconds
        runsThroughCharge = settings.runThroughCharge ?? ((envelope?.currentMaxA ?? 0) > settings.dischargeThresholdA)
        socBase = soc
        modelSOC = soc
        loadedModelSOC = soc
        last = SOCEstimate(soc: soc)
    }

    /// Consumes one measurement.
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        guard config.accepts(m) else {
            last.holding = true
            return last
        }
        let raw = RawSensorSample(m)
        let tickAmpereSeconds = countCharge(m)
        secondsSinceCharge = m.currentA > settings.dischargeThresholdA ? 0 : secondsSinceCharge + m.dtSeconds
        lifeCounter.add(tickAmpereSeconds)
        if let settled = learner?.observe(m, counterAs: lifeCounter.ampereSeconds), inDischarge {
            setPriorCapacity(ampereHours: settled, countToo: true)
        }
        if m.currentA < -settings.dischargeThresholdA {
            secondsNotDischarging = 0
            if inDischarge {
                dischargeSecondsInRun += m.dtSeconds
                advanceModel(raw, dtSeconds: m.dtSeconds, loaded: true)
            } else if !declinedRun {
                if let learner {
                    setPriorCapacity(ampereHours: learner.capacityAh(currentA: m.currentA, temperatureC: m.temperatureC), countToo: false)
                }
                let startSOC = betweenRuns?.estimate.soc ?? countedSOC - tickAmpereSeconds / (3600 * countCapacityAh)
                if declinesStart(startSOC: startSOC) {
                    declinedRun = true
                    declinedRuns += 1
                } else {
                    startDischarge(raw, startSOC: startSOC)
                    dischargeSecondsInRun = m.dtSeconds
                }
            }
        } else {
            secondsNotDischarging += m.dtSeconds
            if declinedRun && (m.currentA > settings.dischargeThresholdA
                               || secondsNotDischarging >= settings.restBeforeDischargeSeconds) {
                endDeclinedRun()
            }
            if inDischarge {
                if m.currentA > settings.dischargeThresholdA && !runsThroughCharge {
                    // The model does not step on this tick, so its charge follows the new base.
                    if endDischarge() { counter.add(tickAmpereSeconds) }
                } else {
                    advanceModel(raw, dtSeconds: m.dtSeconds, loaded: false)
                    if secondsNotDischarging >= settings.restBeforeDischargeSeconds { endDischarge() }
                }
            }
            if !inDischarge { lastRestSample = raw }
        }
        var envelope = declinedRun && trainingEnvelope != nil ? carriedEnvelope.union(.start) : carriedEnvelope
        if inDischarge, let e = trainingEnvelope {
            let t = settings.envelopeTolerance
            runEnvelope.formUnion(e.flags(currentA: m.currentA, temperatureC: m.temperatureC, tolerance: t))
            if runConfirmed { envelope = runEnvelope.union(e.socFlags(runSOC, tolerance: t)) }
        }
        // After the run logic, so a run's output handed over on this tick is counted on by it.
        let between = betweenRuns.map { $0.update(m).soc }
        last = SOCEstimate(soc: runConfirmed ? runSOC : between ?? countedSOC, sigma: nil, holding: false, envelope: envelope)
        return last
    }

    /// What a confirmed run reports and leaves as the base of the count: the model's last
    /// output, or with a learned prior its last output under load (`loadedModelSOC`: the
    /// models were trained on discharges, and the rest steps that close a run — a voltage jump
    /// they never saw — moved a capacity-input model's output by tens of points on NASA's
    /// aborted cold discharges, B0041).
    var runSOC: Double { learner == nil ? modelSOC : loadedModelSOC }

    /// True while a model run has seen `minimumDischargeSeconds` of discharge: its output is
    /// the estimate, and becomes the base of the count when the run ends.
    public var runConfirmed: Bool {
        inDischarge && dischargeSecondsInRun >= settings.minimumDischargeSeconds * (1 - 1e-9)
    }

    /// The coulomb count since the last rebase.
    var countedSOC: Double { socBase + counter.ampereSeconds / (3600 * countCapacityAh) }

    /// Adds the tick's trapezoid to the count and returns it, A·s.
    func countCharge(_ m: CellMeasurement) -> Double {
        let mean = 0.5 * ((previousCurrentA ?? m.currentA) + m.currentA)
        let ampereSeconds = (mean > 0 ? chargeEfficiency : 1) * mean * m.dtSeconds
        counter.add(ampereSeconds)
        previousCurrentA = m.currentA
        return ampereSeconds
    }

    /// The prior capacity in whole mAh, clamped to the blob format's range (a learner's
    /// capacity is positive and finite; the clamp only guards the integer conversion). With
    /// `countToo` (the learner's settled band capacity, not the guess at a run's first tick,
    /// which a charge's brief negative start would set) the count between discharges is
    /// rebased onto the same capacity.
    func setPriorCapacity(ampereHours: Double, countToo: Bool) {
        let mAh = (ampereHours * 1000).rounded()
        let clamped = mAh.isFinite ? Int32(min(max(mAh, 1), 1_000_000)) : engine.defaultPriorCapacityMAh
        try? engine.setPriorCapacity(milliampHours: clamped)
        guard countToo else { return }
        socBase = countedSOC
        counter.clear()
        countCapacityAh = Double(clamped) / 1000
    }

    /// Starts a model run. `startSOC` is the count at the rested sample before the run (this
    /// tick's charge taken off): a blob with a prior-SOC input (`BlobModel.readsPriorSOC`) starts
    /// its prior there (`setStartSOC`, clamped to 0 … 1.2); other blobs start from full.
    func startDischarge(_ raw: RawSensorSample, startSOC: Double) {
        engine.reset()
        if engine.model.readsPriorSOC {
            let clamped = startSOC.isFinite ? min(max(startSOC, 0), 1.2) : 1
            try? engine.setStartSOC(centiPercent: StartSOC.centiPercent(fraction: clamped))
            runStartSOC = clamped
        }
        runStartedAtRest = lastRestSample != nil
        runEnvelope = []
        if let e = trainingEnvelope { runEnvelope = startFlags(e) }
        if let rested = lastRestSample {
            _ = engine.step(rested)
            modelSteps += 1
        }
        inDischarge = true
        dischargesStarted += 1
        dischargeSecondsInRun = 0
        secondsSinceModelStep = 0
        stepModel(raw, loaded: true)
    }

    /// Trained from a rested cell: a run within `restBeforeDischargeSeconds` of a charging
    /// current (a charge, regeneration), or from a low rested voltage, starts outside.
    func startFlags(_ e: TrainingEnvelope) -> EnvelopeFlags {
        restedSinceCharge ? e.startFlags(restedVoltageV: Double(lastRestSample?.voltageUV ?? 0) / 1e6,
                                     tolerance: settings.envelopeTolerance) : .start
    }

    /// No charging current for `restBeforeDischargeSeconds`.
    var restedSinceCharge: Bool { secondsSinceCharge >= settings.restBeforeDischargeSeconds * (1 - 1e-9) }

    /// True when a run starting at `startSOC` (the count's) is declined
    /// (`LSTMEstimatorSettings.declinePartialStarts`): a full-start blob, started below
    /// `fullStartMinimumSOC`.
    func declinesStart(startSOC: Double) -> Bool {
        guard settings.declinePartialStarts, !engine.model.readsPriorSOC, !(startSOC >= settings.fullStartMinimumSOC)
        else { return false }
        guard restedSinceCharge else { return true }
        // A rested voltage below the envelope's lowest start says the cell is not full; no rested
        // sample (a start under load after power-up) says nothing, and the run goes ahead.
        guard let e = trainingEnvelope, lastRestSample != nil else { return false }
        return startFlags(e).contains(.start)
    }

    /// Ends a declined discharge: its count stays flagged `.start` (with an envelope) until a confirmed run.
    func endDeclinedRun() {
        declinedRun = false
        if trainingEnvelope != nil { carriedEnvelope = .start }
    }

    func advanceModel(_ raw: RawSensorSample, dtSeconds: Double, loaded: Bool) {
        secondsSinceModelStep += dtSeconds
        guard secondsSinceModelStep >= stepSeconds * (1 - 1e-9) else { return }
        secondsSinceModelStep -= stepSeconds
        if secondsSinceModelStep >= stepSeconds { secondsSinceModelStep = 0 }   // a tick longer than a step
        if secondsSinceModelStep < 0 { secondsSinceModelStep = 0 }               // rounding of the tolerance
        stepModel(raw, loaded: loaded)
    }

    func stepModel(_ raw: RawSensorSample, loaded: Bool) {
        let socCentiPercent = engine.step(raw)
        modelSteps += 1
        modelSOC = Double(socCentiPercent) / 10_000
        if loaded { loadedModelSOC = modelSOC }
    }

    /// Ends the model run; a confirmed run's last output becomes the base of the count
    /// (returns true then).
    @discardableResult
    func endDischarge() -> Bool {
        let rebased = runConfirmed
        if rebased {
            socBase = runSOC
            counter.clear()
            betweenRuns?.continueCounting(from: runSOC)
            carriedEnvelope = runEnvelope
        }
        inDischarge = false
        dischargeSecondsInRun = 0
        return rebased
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Restarts believing `soc`: the engine is cleared and the next discharge starts a new
    /// model run; until then the estimate is the coulomb count from `soc`.
    public func reset(soc: Double) {
        engine.reset()
        betweenRuns?.reset(soc: soc)
        runEnvelope = []
        carriedEnvelope = []
        secondsSinceCharge = settings.restBeforeDischargeSeconds
        declinedRun = false
        inDischarge = false
        dischargeSecondsInRun = 0
        secondsNotDischarging = settings.restBeforeDischargeSeconds
        secondsSinceModelStep = 0
        lastRestSample = nil
        runStartedAtRest = false
        socBase = soc
        modelSOC = soc
        loadedModelSOC = soc
        counter.clear()
        previousCurrentA = nil
        last = SOCEstimate(soc: soc)
    }

    /// The sleep counts as time not discharging (a run in progress ends if the sleep reaches
    /// `restBeforeDischargeSeconds`); the current during it is not counted, and the next
    /// sample's current is not averaged with the one before the sleep. The LSTM does not read
    /// the OCV; `betweenRuns`, when set, wakes too and re-anchors on the rested wake-up reading.
    public func wake(afterSleepSeconds seconds: Double) {
        secondsNotDischarging += max(0, seconds)
        secondsSinceCharge += max(0, seconds)
        if inDischarge && secondsNotDischarging >= settings.restBeforeDischargeSeconds { endDischarge() }
        if declinedRun && secondsNotDischarging >= settings.restBeforeDischargeSeconds { endDeclinedRun() }
        betweenRuns?.wake(afterSleepSeconds: seconds)
        previousCurrentA = nil
    }

    /// The engine's state plus this wrapper's: three timers, SOC base, counter (sum and
    /// compensation), previous current, the model output and the held output as 32-bit
    /// values (9·4), the held rest sample (3·4) and the discharge and started-at-rest flags (2);
    /// with a learner also its 9 band capacities and the life counter (sum and compensation) as
    /// 32-bit values; with a training envelope the time since a charging current (4) and two
    /// flag bytes; with `betweenRuns` that counter's state.
    public var stateBytes: Int {
        engine.stateBytes + 9 * 4 + 3 * 4 + 2 + (learner == nil ? 0 : 4 * (9 + 2)) + (trainingEnvelope == nil ? 0 : 4 + 2)
            + (betweenRuns?.stateBytes ?? 0)
    }
}
