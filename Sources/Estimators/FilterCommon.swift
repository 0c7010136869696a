import BMSCore
import CellModel

/// What the EKF and the UKF share: measurement gating, the trapezoid current, the capacity
/// in use and its learning, and the noise settings resolved from the config and the model.
struct FilterCommon {
    let model: CellModelParameters
    let config: EstimatorConfig
    var capacityAh: Double
    let efficiency: Double
    /// Loaded-voltage noise σ² over cell temperature.
    let voltageNoise: VoltageNoiseTable
    /// Variance used on a settled rest (only the OCV error remains).
    let restVoltageVariance: Double
    var previousCurrentA: Double?
    var learner: CapacityLearner
    var lifeCounter = ChargeCounter()
    var emptyAnchor = EmptyAnchor()
    /// The first accepted sample sets the starting capacity at its temperature (no capacity configured).
    var capacityFromFirstSample: Bool
    /// Index of the hysteresis state h (1 + pairs) when the filters carry it: the model has
    /// `hysteresis` and `useModelHysteresis` is on; nil otherwise.
    let hysteresisIndex: Int?
    /// M h + M0 s of the state before this sample (set by the filter before `observeRest`):
    /// subtracted from a rested reading before it is read on the OCV curve. 0 without hysteresis.
    var hysteresisOffsetV = 0.0

    init(model: CellModelParameters, config: EstimatorConfig, pairs: Int) {
        self.model = model
        self.config = config
        hysteresisIndex = model.hysteresis != nil && config.useModelHysteresis ? 1 + pairs : nil
        capacityAh = config.capacityAh ?? model.initialCapacityAh(temperatureC: 25)
        capacityFromFirstSample = config.capacityAh == nil
        efficiency = config.coulombicEfficiency ?? model.coulombicEfficiency
        // Default voltage noise: the model's fit residual (per temperature group when the model
        // has them) times `voltageNoisePerResidual` (it is model error, correlated over hundreds
        // of samples, far more than sensor noise), at least 10 mV.
        voltageNoise = VoltageNoiseTable(model: model, config: config, pairs: pairs)
        restVoltageVariance = config.restVoltageNoiseV * config.restVoltageNoiseV
        learner = CapacityLearner(model: model, config: config)
    }

    var restSeconds = 0.0
    /// |dV/dt| for rest detection (`RestVoltageSlope`).
    var slope = RestVoltageSlope()
    /// The rest detector's slope, V/s.
    var voltageSlopeVPerS: Double { slope.vPerS }
    /// Sleep announced by `wake(afterSleepSeconds:)`, consumed by the next accepted sample.
    var pendingSleepSeconds: Double?
    /// The present rest has been anchored (by a wake-up or by its length); cleared under load.
    var anchoredThisRest = false

    /// True when the last `observeRest` call was a wake-up after an unknown or long time: the
    /// first sample after a reset with Δt = 0 (history unknown) or Δt ≥ `restMinimumSeconds`
    /// (a long sleep). A start given to `reset` may be stale then; after a short interruption
    /// (0 < Δt < `restMinimumSeconds`, e.g. the restart at a full-charge event) it is not.
    var wokeUpUninformed = false

    /// Volts added to this sample's voltage before it is compared with the model: on an
    /// anchoring rested reading, the model's rest-relaxation correction for the rest so far when
    /// the reading is a full cell's (`CellModelParameters.restCorrectedFullVoltage`), else 0.
    var voltageCorrectionV = 0.0

    /// Seconds this tick predicts over: Δt, except 0 on the first sample after a reset that
    /// comes after a long sleep (its Δt is the sleep, whose current and dynamics are unknown: a
    /// rested cell moved no charge and its R–C voltages have decayed; counting the wake-up
    /// sample's current over hours would not). After `wake`, Δt is a tick and is predicted.
    var stepSeconds = 0.0

    /// What a sample's voltage is worth at rest.
    enum RestReading {
        /// A loaded (or not yet settled) reading: the loaded-voltage noise applies.
        case none
        /// A settled OCV reading: the rest noise applies.
        case settled
        /// Re-anchor, then update as a settled reading: the state is moved to the SOC the rested
        /// reading supports nearest to it (`OCVCurve.restedSOC`), the R–C voltages are zeroed and
        /// the covariance restarts. On a rested wake-up after a sleep (or a start after a reset),
        /// and once per rest when it has lasted `restAnchorSeconds` with the voltage settled.
        case anchor
        /// A rested reading where the model does not trust its OCV at rest
        /// (`CellModelParameters.restedOCVTrustedFromSOC`): the state is only bounded (clamped to
        /// at most that SOC), and the loaded-voltage noise applies.
        case bound
    }

    /// Tracks rest like the Ah counter (|I| ≤ rest current for `restMinimumSeconds`, |dV/dt|
    /// settled; a sleep at rest counts as settled rest) and says what this sample's voltage is
    /// worth (`RestReading`). Call before `begin`.
    mutating func observeRest(_ m: CellMeasurement) -> RestReading {
        let resting = abs(m.currentA) <= config.restCurrentA
        let woken = pendingSleepSeconds != nil
        let firstAfterReset = previousCurrentA == nil && !woken
        wokeUpUninformed = firstAfterReset && (m.dtSeconds == 0 || m.dtSeconds >= config.restMinimumSeconds)
        let slept = firstAfterReset && m.dtSeconds >= config.restMinimumSeconds
        stepSeconds = slept ? 0 : m.dtSeconds
        let sleptS = pendingSleepSeconds ?? 0
        pendingSleepSeconds = nil
        if woken || firstAfterReset {
            // The voltage history is stale: start the slope anew, settled if the cell rested.
            slope.restart(at: m.voltageV, settled: resting && (woken || slept))
        } else {
            slope.add(m.voltageV, dtSeconds: m.dtSeconds)
        }
        restSeconds = resting ? restSeconds + sleptS + m.dtSeconds : 0
        if !resting { anchoredThisRest = false }
        voltageCorrectionV = 0
        let reading: RestReading
        if resting && firstAfterReset {
            // After a short interruption (0 < Δt < the rest time, e.g. the restart at a
            // full-charge event) the start is current and the cell has not rested: no OCV reading.
            reading = wokeUpUninformed ? .anchor : .none
        } else if resting && woken && restSeconds >= config.restMinimumSeconds {
            reading = .anchor
        } else if resting && !anchoredThisRest, let anchorS = config.restAnchorSeconds, restSeconds >= anchorS,
                  voltageSlopeVPerS <= config.restVoltageSlopeVPerS {
            // With hysteresis a rested reading cannot tell SOC from h (on a flat OCV, M h moves
            // the SOC it reads by (M + M0) / slope): one settled update instead of a re-anchor,
            // so the filter splits the reading between SOC and h by their covariances.
            anchoredThisRest = true
            reading = hysteresisIndex == nil ? .anchor : .settled
        } else if config.filterUpdatesAtLaterRests && resting && restSeconds >= config.restMinimumSeconds
                    && voltageSlopeVPerS <= config.restVoltageSlopeVPerS {
            reading = .settled
        } else {
            reading = .none
        }
        guard reading == .anchor || reading == .settled else { return reading }
        if reading == .anchor {
            anchoredThisRest = true
            if config.correctWakeUpForRest && restSeconds >= config.restMinimumSeconds {
                voltageCorrectionV = model.restCorrectedFullVoltage(
                    m.voltageV, restSeconds: restSeconds, temperatureC: m.temperatureC,
                    fullRestVoltageV: config.fullRestVoltageV) - m.voltageV
            }
        }
        if let floor = model.restedOCVTrustedFromSOC,
           model.ocv.soc(voltageV: restedOCVReading(m), temperatureC: m.temperatureC) < floor {
            return .bound
        }
        return reading
    }

    /// The loaded-voltage variance R for an update over `dtSeconds` at `temperatureC`, V²
    /// (`EstimatorConfig.voltageNoiseReferenceSeconds`): σ² · t_ref / Δt for Δt between 1 % of
    /// t_ref and t_ref; a longer Δt earns no bonus (one reading is one reading), and Δt = 0 (a
    /// wake-up with unknown history) reads as t_ref.
    func loadedVoltageVariance(temperatureC: Double, dtSeconds: Double) -> Double {
        let v = voltageNoise.variance(at: temperatureC)
        guard let reference = config.voltageNoiseReferenceSeconds, reference > 0, dtSeconds > 0 else { return v }
        return v * reference / min(max(dtSeconds, 0.01 * reference), reference)
    }

    /// True when this sample only predicts: a charging sample (I > rest current) while
    /// `filterVoltageUpdatesWhileCharging` is off.
    func predictsOnly(_ m: CellMeasurement) -> Bool {
        !config.filterVoltageUpdatesWhileCharging && m.currentA > config.restCurrentA
    }

    /// Applies a rested reading to a filter's state x and covariance p (dimension n; the bias,
    /// when estimated, is the last state): on `.anchor` the state moves to the SOC the reading
    /// supports nearest to it, the R–C voltages to 0 (decayed; the bias is kept) and p to the
    /// initial covariance with the reading's own SOC variance; on `.bound` the SOC is only
    /// clamped to what the reading allows. Returns true when the update that follows is a rest
    /// update (anchor or settled reading).
    func applyRestedReading(_ reading: RestReading, _ m: CellMeasurement, x: UnsafeMutablePointer<Double>,
                            p: UnsafeMutablePointer<Double>, initialP: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        switch reading {
        case .anchor:
            let soc = anchorSOC(m, prior: x[0])
            let bias = config.estimateCurrentBias ? x[n - 1] : 0
            // The hysteresis state survives a rest (it moves only with charge): kept with its variance.
            let hysteresis = hysteresisIndex.map { (x[$0], p[$0 * n + $0]) }
            SmallMatrix.restart(x: x, p: p, initialP: initialP, soc: soc, n: n)
            if config.estimateCurrentBias { x[n - 1] = bias }
            if let index = hysteresisIndex, let (h, variance) = hysteresis {
                x[index] = h
                p[index * n + index] = variance
            }
            p[0] = anchorVariance(soc: soc, temperatureC: m.temperatureC)
            return true
        case .bound:
            x[0] = anchorSOC(m, prior: x[0])
            return false
        case .settled:
            return true
        case .none:
            return false
        }
    }

    /// The SOC variance after an anchor at `soc`: the rest noise seen through the OCV slope,
    /// (σ_rest / dOCV/dSOC)², between 10⁻⁴ and `initialSOCSigma`² (flat parts of the curve).
    func anchorVariance(soc: Double, temperatureC: Double) -> Double {
        let slope = model.ocv.slope(soc: soc, temperatureC: temperatureC)
        let sigma = config.initialSOCSigma
        guard slope > 0 else { return sigma * sigma }
        return min(max(restVoltageVariance / (slope * slope), 1e-4), sigma * sigma)
    }

    /// The SOC this sample's (corrected) rested voltage supports nearest to `prior`.
    func anchorSOC(_ m: CellMeasurement, prior: Double) -> Double {
        model.restedSOC(voltageV: restedOCVReading(m), temperatureC: m.temperatureC,
                        nearest: prior, minimumSlopeVPerSOC: config.minimumOCVSlopeVPerSOC)
    }

    /// The OCV a rested sample reads: V + the rest correction, − M h − M0 s with hysteresis.
    func restedOCVReading(_ m: CellMeasurement) -> Double {
        let reading = m.voltageV + voltageCorrectionV
        return hysteresisIndex == nil ? reading : reading - hysteresisOffsetV
    }

    /// The end-of-discharge anchor (`EmptyAnchor`) on a filter's state after its update: SOC
    /// 0, its cross-covariances 0 and its variance `emptyAnchorVariance`; the R–C voltages
    /// (still loaded) are kept.
    mutating func applyEmptyAnchor(_ m: CellMeasurement, x: UnsafeMutablePointer<Double>,
                                   p: UnsafeMutablePointer<Double>, n: Int) {
        guard emptyAnchor.observe(m, soc: x[0], emptyVoltageV: model.socZeroLoadedVoltageV, config: config) else { return }
        x[0] = 0
        for i in 0..<n {
            p[i] = 0
            p[i * n] = 0
        }
        p[0] = Self.emptyAnchorVariance
    }

    /// SOC variance right after the end-of-discharge anchor (σ = 1 point).
    static let emptyAnchorVariance = 1e-4

    /// Restarts rest tracking (after `reset(soc:)`).
    mutating func resetRest() {
        emptyAnchor.reset()
        restSeconds = 0
        slope.clear()
        previousCurrentA = nil
        pendingSleepSeconds = nil
        anchoredThisRest = false
    }

    /// The next sample comes after `seconds` of sleep: its current is not averaged with the
    /// one before the sleep.
    mutating func wake(afterSleepSeconds seconds: Double) {
        pendingSleepSeconds = max(0, seconds)
        previousCurrentA = nil
        emptyAnchor.reset()
    }

    /// Trapezoid mean current of this tick; also runs capacity learning.
    mutating func begin(_ m: CellMeasurement) -> Double {
        if capacityFromFirstSample {
            capacityFromFirstSample = false
            capacityAh = model.initialCapacityAh(temperatureC: m.temperatureC)
        }
        let mean = 0.5 * ((previousCurrentA ?? m.currentA) + m.currentA)
        previousCurrentA = m.currentA
        lifeCounter.add(mean * stepSeconds)
        if let learned = learner.observe(m, counterAs: lifeCounter.ampereSeconds),
           config.useLearnedCapacity {
            capacityAh = learned
        }
        return mean
    }
}

/// Small dense-matrix helpers on row-major buffers (dimension ≤ 4), in place. The filters
/// keep all their numbers in one buffer allocated at init, so a tick touches no reference
/// counts and allocates nothing.
enum SmallMatrix {
    typealias Buffer = UnsafeMutablePointer<Double>

    /// c = a · b (n×n), c must not alias a or b.
    @inline(__always)
    static func multiply(_ a: Buffer, _ b: Buffer, into c: Buffer, n: Int) {
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += a[i * n + k] * b[k * n + j] }
                c[i * n + j] = s
            }
        }
    }

    /// c = a · bᵀ (n×n).
    @inline(__always)
    static func multiplyTransposed(_ a: Buffer, _ b: Buffer, into c: Buffer, n: Int) {
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += a[i * n + k] * b[j * n + k] }
                c[i * n + j] = s
            }
        }
    }

    /// p ← (p + pᵀ)/2.
    @inline(__always)
    static func symmetrize(_ p: Buffer, n: Int) {
        for i in 0..<n {
            for j in (i + 1)..<n {
                let m = 0.5 * (p[i * n + j] + p[j * n + i])
                p[i * n + j] = m
                p[j * n + i] = m
            }
        }
    }

    /// Lower Cholesky factor of p into l; false when p is not positive-definite.
    @inline(__always)
    /// Ends a filter update: clamps SOC to [−1, 1], then, if the state is not finite or P is
    /// not positive-definite (a numerical breakdown, not seen in tests), restarts from
    /// `lastSOC` (only when the state broke) with the initial covariance. Returns true when
    /// it restarted.
    static func guardState(x: Buffer, p: Buffer, lower: Buffer, initialP: Buffer, lastSOC: Double, n: Int) -> Bool {
        x[0] = min(max(x[0], -1), 1)
        var finite = true
        for i in 0..<n where !x[i].isFinite { finite = false }
        if finite && cholesky(p, into: lower, n: n) { return false }
        if !finite {
            for i in 0..<n { x[i] = 0 }
            x[0] = lastSOC
        }
        p.update(from: initialP, count: n * n)
        return true
    }

    /// Restarts a filter at `soc`: branch voltages (and bias) zero, initial covariance.
    static func restart(x: Buffer, p: Buffer, initialP: Buffer, soc: Double, n: Int) {
        for i in 0..<n { x[i] = 0 }
        x[0] = soc
        p.update(from: initialP, count: n * n)
    }

    static func cholesky(_ p: Buffer, into l: Buffer, n: Int) -> Bool {
        for i in 0..<(n * n) { l[i] = 0 }
        for j in 0..<n {
            var d = p[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0, d.isFinite else { return false }
            let root = d.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<n {
                var s = p[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        return true
    }

    /// Cholesky test on an array (for tests).
    static func isPositiveDefinite(_ p: [Double]) -> Bool {
        let n = Int(Double(p.count).squareRoot())
        var a = p
        var l = Array(repeating: 0.0, count: n * n)
        return a.withUnsafeMutableBufferPointer { ap in
            l.withUnsafeMutableBufferPointer { cholesky(ap.baseAddress!, into: $0.baseAddress!, n: n) }
        }
    }
}
