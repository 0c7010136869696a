import BMSCore
import CellModel

/// Extended Kalman filter on the 1RC or 2RC Thevenin model (`TheveninStateModel`), with an
/// optional current-bias state.
///
///     predict:  x⁻ = f(x),  P⁻ = F P Fᵀ + Q Δt,   Q = diag(q_soc, q_v …, q_b)
///     update:   S = H P⁻ Hᵀ + R,  K = P⁻ Hᵀ / S,  x = x⁻ + K (V − h(x⁻))
///               P = (I − K H) P⁻ (I − K H)ᵀ + K R Kᵀ      (Joseph form), then symmetrised
///
/// If P ever stops being positive-definite (it should not), it is reset to its initial
/// diagonal; `covarianceResets` counts such events. All numbers live in one buffer
/// allocated at init: no allocation and no reference counting per update.
public final class TheveninEKF: SOCEstimator {
    /// `"ekf-1rc"`, `"ekf-2rc"` (+ `"-bias"` with the bias state).
    public let name: String
    var common: FilterCommon
    let stateModel: TheveninStateModel
    let n: Int
    let storage: UnsafeMutablePointer<Double>
    let x, p, initialP, processNoise, f, h, scratch, gain, lower, prior: UnsafeMutablePointer<Double>
    var last: SOCEstimate
    /// Times the covariance had to be reset (should stay 0).
    public internal(set) var covarianceResets = 0
    /// SOC variance of the start when the filter wakes up after an unknown or long time.
    let wakeUpSOCVariance: Double

    /// Creates the filter for `pairs` R–C pairs, starting at `soc`.
    public init(model: CellModelParameters, pairs: Int, config: EstimatorConfig, soc: Double = 1) {
        common = FilterCommon(model: model, config: config, pairs: pairs)
        stateModel = TheveninStateModel(model: model, pairs: pairs, bias: config.estimateCurrentBias,
                                        hysteresis: common.hysteresisIndex != nil)
        let n = stateModel.dimension
        self.n = n
        name = "ekf-\(pairs)rc" + (config.estimateCurrentBias ? "-bias" : "")
        let nn = n * n
        storage = .allocate(capacity: 5 * nn + 5 * n)
        storage.initialize(repeating: 0, count: 5 * nn + 5 * n)
        x = storage
        processNoise = storage + n
        h = storage + 2 * n
        gain = storage + 3 * n
        p = storage + 4 * n
        initialP = p + nn
        f = initialP + nn
        scratch = f + nn
        lower = scratch + nn
        prior = lower + nn
        x[0] = soc
        // The start's σ depends on the wake-up: `initialSOCSigma` for the start as given, widened
        // to `ekfInitialSOCSigma` when the first sample comes after an unknown or long time
        // (see `update`).
        let socSigma = config.initialSOCSigma
        let wakeSigma = config.ekfInitialSOCSigma ?? config.initialSOCSigma
        wakeUpSOCVariance = wakeSigma * wakeSigma
        initialP[0] = socSigma * socSigma
        processNoise[0] = config.socProcessNoisePerS
        for j in 0..<pairs {
            initialP[(1 + j) * n + 1 + j] = 0.01 * 0.01
            processNoise[1 + j] = config.branchProcessNoiseV2PerS
        }
        if let index = stateModel.hysteresisIndex {
            initialP[index * n + index] = config.initialHysteresisSigma * config.initialHysteresisSigma
            processNoise[index] = config.hysteresisProcessNoisePerS
        }
        if config.estimateCurrentBias {
            initialP[nn - 1] = config.initialBiasSigmaA * config.initialBiasSigmaA
            processNoise[n - 1] = config.biasProcessNoiseA2PerS
        }
        p.update(from: initialP, count: nn)
        last = SOCEstimate(soc: soc, sigma: socSigma)
    }

    deinit { storage.deallocate() }

    /// State vector [SOC, v_1…, (h), (bias)] (for tests and telemetry).
    public var state: [Double] { Array(UnsafeBufferPointer(start: x, count: n)) }
    /// Covariance, row-major.
    public var covariance: [Double] { Array(UnsafeBufferPointer(start: p, count: n * n)) }
    /// Capacity in use, Ah.
    public var currentCapacityAh: Double { common.capacityAh }

    /// Consumes one measurement.
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        guard common.config.accepts(m, wakingUp: common.previousCurrentA == nil) else {
            last.holding = true
            return last
        }
        if stateModel.hysteresisIndex != nil {
            common.hysteresisOffsetV = stateModel.hysteresisVoltage(x, temperatureC: m.temperatureC)
        }
        let reading = common.observeRest(m)
        if common.wokeUpUninformed {
            // Woken after an unknown or long time: the start given to `reset` may be stale, so
            // the OCV reading (on a settled rest) or the loaded voltage decides. The start's
            // cross-covariances are zero.
            p[0] = wakeUpSOCVariance
        }
        // Re-anchor (or bound) on a rested reading; the (iterated) rest update below runs from there.
        let settledRest = common.applyRestedReading(reading, m, x: x, p: p, initialP: initialP, n: n)
        let mean = common.begin(m)
        let dt = common.stepSeconds
        let capacity = common.capacityAh, efficiency = common.efficiency
        stateModel.holdParameters(soc: x[0], temperatureC: m.temperatureC, dtSeconds: dt)
        if stateModel.hysteresisIndex != nil { stateModel.observeCurrent(m.currentA, restCurrentA: common.config.restCurrentA) }
        // Predict.
        stateModel.transitionJacobian(f, at: x, meanCurrentA: mean, dtSeconds: dt,
                                      capacityAh: capacity, efficiency: efficiency)
        stateModel.transition(x, meanCurrentA: mean, dtSeconds: dt, capacityAh: capacity, efficiency: efficiency)
        SmallMatrix.multiply(f, p, into: scratch, n: n)
        SmallMatrix.multiplyTransposed(scratch, f, into: p, n: n)
        for i in 0..<n { p[i * n + i] += processNoise[i] * dt }
        if common.predictsOnly(m) { return finish() }
        // Update; on a settled rest (strong, nonlinear information) iterated
        // `restUpdateIterations` times: the Jacobian is
        // re-taken at the updated state, x_i+1 = x⁻ + K_i (V − h(x_i) − H_i (x⁻ − x_i)).
        let loaded = common.loadedVoltageVariance(temperatureC: m.temperatureC, dtSeconds: m.dtSeconds)
        let r = settledRest ? min(common.restVoltageVariance, loaded) : loaded
        for i in 0..<n { prior[i] = x[i] }
        for _ in 0..<(settledRest ? max(1, common.config.restUpdateIterations) : 1) {
            let predicted = stateModel.measurement(x, currentA: m.currentA, temperatureC: m.temperatureC, jacobian: h)
            var s = r
            for i in 0..<n {
                var ph = 0.0
                for k in 0..<n { ph += p[i * n + k] * h[k] }
                gain[i] = ph
                s += h[i] * ph
            }
            for i in 0..<n { gain[i] /= s }
            var innovation = m.voltageV + common.voltageCorrectionV - predicted
            for k in 0..<n { innovation -= h[k] * (prior[k] - x[k]) }
            for i in 0..<n { x[i] = prior[i] + gain[i] * innovation }
        }
        // Joseph form: P = A P Aᵀ + K R Kᵀ with A = I − K H (A kept in f).
        for i in 0..<n {
            for j in 0..<n { f[i * n + j] = (i == j ? 1 : 0) - gain[i] * h[j] }
        }
        SmallMatrix.multiply(f, p, into: scratch, n: n)
        SmallMatrix.multiplyTransposed(scratch, f, into: p, n: n)
        for i in 0..<n { for j in 0..<n { p[i * n + j] += gain[i] * r * gain[j] } }
        common.applyEmptyAnchor(m, x: x, p: p, n: n)
        return finish()
    }

    /// Symmetrises P, guards the state and returns the estimate.
    private func finish() -> SOCEstimate {
        SmallMatrix.symmetrize(p, n: n)
        if SmallMatrix.guardState(x: x, p: p, lower: lower, initialP: initialP, lastSOC: last.soc, n: n) {
            covarianceResets += 1
        }
        if let index = stateModel.hysteresisIndex { x[index] = min(max(x[index], -1), 1) }
        last = SOCEstimate(soc: x[0], sigma: p[0].squareRoot(), holding: false)
        return last
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Restarts at `soc` with the initial covariance (h = 0, s unknown); learned capacity is kept.
    public func reset(soc: Double) {
        SmallMatrix.restart(x: x, p: p, initialP: initialP, soc: soc, n: n)
        stateModel.resetSign()
        common.resetRest()
        last = SOCEstimate(soc: soc, sigma: p[0].squareRoot())
    }

    /// Keeps the state; the next sample is a wake-up after `seconds` of sleep (a rested one
    /// after at least the rest time re-anchors the filter).
    public func wake(afterSleepSeconds seconds: Double) { common.wake(afterSleepSeconds: seconds) }

    /// State and covariance upper triangle as 32-bit floats, plus capacity and previous I (and
    /// the hysteresis sign s).
    public var stateBytes: Int { 4 * (n + n * (n + 1) / 2 + 2 + (stateModel.hysteresisIndex == nil ? 0 : 1)) }
}
