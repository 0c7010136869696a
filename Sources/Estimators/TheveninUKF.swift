import BMSCore
import CellModel

/// Unscented Kalman filter on the same Thevenin state model as `TheveninEKF` (additive
/// noise, 2n + 1 sigma points, scaled transform with α = `EstimatorConfig.ukfAlpha` (1),
/// β = 2, κ = 0 ⇒ λ = α² n − n):
///
///     χ_0 = x,  χ_±i = x ± α √n · L_i     (L = chol P, column i)
///     W_m = (1 − 1/α², 1/(2α²n), …),  W_c = (1 − 1/α² + 3 − α², 1/(2α²n), …)
///     predict:  χ_i ← f(χ_i),  x⁻ = Σ W_m χ_i,  P⁻ = Σ W_c (χ_i − x⁻)(χ_i − x⁻)ᵀ + Q Δt
///     update:   Z_i = h(χ_i),  z = Σ W_m Z_i,  S = Σ W_c (Z_i − z)² + R,
///               C = Σ W_c (χ_i − x⁻)(Z_i − z),  K = C / S,  x = x⁻ + K (V − Z_0),  P = P⁻ − K S Kᵀ
///
/// The innovation is taken at the mean, V − Z_0 with Z_0 = h(x⁻)
/// (`EstimatorConfig.ukfInnovationAtMeanPoint`; off: V − z, the textbook transform): on a flat
/// OCV plateau with steep ends the weighted mean z is biased where the sigma points reach an end.
/// The predicted sigma points are reused for the measurement (no redraw); the R–C
/// parameters are held at the mean's SOC for every sigma point. P is symmetrised after each
/// update and reset to its initial value if it ever fails Cholesky. One buffer, allocated
/// at init, holds every number.
public final class TheveninUKF: SOCEstimator {
    /// `"ukf-1rc"`, `"ukf-2rc"` (+ `"-bias"`).
    public let name: String
    var common: FilterCommon
    let stateModel: TheveninStateModel
    let n: Int
    let storage: UnsafeMutablePointer<Double>
    let x, p, initialP, processNoise, sigmaPoints, z, lower, gain: UnsafeMutablePointer<Double>
    var last: SOCEstimate
    /// Times the covariance had to be reset (should stay 0).
    public private(set) var covarianceResets = 0

    /// Creates the filter for `pairs` R–C pairs, starting at `soc`.
    public init(model: CellModelParameters, pairs: Int, config: EstimatorConfig, soc: Double = 1) {
        precondition(config.ukfAlpha > 0 && config.ukfAlpha.isFinite, "ukfAlpha must be positive and finite")
        let template = TheveninEKF(model: model, pairs: pairs, config: config, soc: soc)
        common = template.common
        stateModel = template.stateModel
        let n = template.n
        self.n = n
        name = "ukf-\(pairs)rc" + (config.estimateCurrentBias ? "-bias" : "")
        let nn = n * n, count = 2 * n + 1
        let size = 3 * nn + 3 * n + count * n + count
        storage = .allocate(capacity: size)
        storage.initialize(repeating: 0, count: size)
        x = storage
        processNoise = x + n
        gain = processNoise + n
        p = gain + n
        initialP = p + nn
        lower = initialP + nn
        sigmaPoints = lower + nn
        z = sigmaPoints + count * n
        x.update(from: template.x, count: n)
        processNoise.update(from: template.processNoise, count: n)
        initialP.update(from: template.initialP, count: nn)
        // The template's SOC σ is the EKF's (`ekfInitialSOCSigma`); the UKF spreads its
        // sigma points with `initialSOCSigma` (σ = 1 would put them far outside the tables).
        initialP[0] = config.initialSOCSigma * config.initialSOCSigma
        p.update(from: initialP, count: nn)
        last = SOCEstimate(soc: soc, sigma: config.initialSOCSigma)
    }

    deinit { storage.deallocate() }

    /// State vector.
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
        // Re-anchor (or bound) on a rested reading, as the EKF.
        let settledRest = common.applyRestedReading(reading, m, x: x, p: p, initialP: initialP, n: n)
        let loaded = common.loadedVoltageVariance(temperatureC: m.temperatureC, dtSeconds: m.dtSeconds)
        let measurementVariance = settledRest ? min(common.restVoltageVariance, loaded) : loaded
        let mean = common.begin(m)
        let dt = common.stepSeconds
        let count = 2 * n + 1
        // Scaled transform (β = 2, κ = 0): λ = α² n − n, spread α √n, W0m = 1 − 1/α²,
        // W0c = W0m + 3 − α², Wi = 1 / (2 α² n); α = 1 is λ = 0 (W0m = 0, W0c = 2).
        let alpha = common.config.ukfAlpha
        let wOuter = 1 / (2 * alpha * alpha * Double(n))
        let w0m = 1 - 1 / (alpha * alpha)
        let w0c = w0m + 3 - alpha * alpha
        if !SmallMatrix.cholesky(p, into: lower, n: n) {
            p.update(from: initialP, count: n * n)
            covarianceResets += 1
            _ = SmallMatrix.cholesky(p, into: lower, n: n)
        }
        let spread = alpha * Double(n).squareRoot()
        for i in 0..<n { sigmaPoints[i] = x[i] }
        for c in 0..<n {
            for i in 0..<n {
                let d = spread * lower[i * n + c]
                sigmaPoints[(1 + c) * n + i] = x[i] + d
                sigmaPoints[(1 + n + c) * n + i] = x[i] - d
            }
        }
        // Predict.
        stateModel.holdParameters(soc: x[0], temperatureC: m.temperatureC, dtSeconds: dt)
        if stateModel.hysteresisIndex != nil { stateModel.observeCurrent(m.currentA, restCurrentA: common.config.restCurrentA) }
        for s in 0..<count {
            stateModel.transition(sigmaPoints + s * n, meanCurrentA: mean, dtSeconds: dt,
                                  capacityAh: common.capacityAh, efficiency: common.efficiency)
        }
        for i in 0..<n {
            var acc = 0.0
            for s in 1..<count { acc += sigmaPoints[s * n + i] }
            x[i] = w0m * sigmaPoints[i] + wOuter * acc
        }
        for i in 0..<n {
            for j in i..<n {
                var acc = w0c * (sigmaPoints[i] - x[i]) * (sigmaPoints[j] - x[j])
                for s in 1..<count {
                    acc += wOuter * (sigmaPoints[s * n + i] - x[i]) * (sigmaPoints[s * n + j] - x[j])
                }
                p[i * n + j] = acc
                p[j * n + i] = acc
            }
            p[i * n + i] += processNoise[i] * dt
        }
        if common.predictsOnly(m) { return finish() }
        // Update.
        var zMean = 0.0
        for s in 0..<count {
            z[s] = stateModel.voltage(sigmaPoints + s * n, currentA: m.currentA, temperatureC: m.temperatureC)
            if s > 0 { zMean += wOuter * z[s] }
        }
        zMean += w0m * z[0]
        var sVar = measurementVariance + w0c * (z[0] - zMean) * (z[0] - zMean)
        for s in 1..<count { sVar += wOuter * (z[s] - zMean) * (z[s] - zMean) }
        for i in 0..<n {
            var acc = w0c * (sigmaPoints[i] - x[i]) * (z[0] - zMean)
            for s in 1..<count { acc += wOuter * (sigmaPoints[s * n + i] - x[i]) * (z[s] - zMean) }
            gain[i] = acc / sVar
        }
        // At the mean (z[0] = h(χ_0), χ_0 = x⁻) or against the weighted mean (textbook).
        let predictedV = common.config.ukfInnovationAtMeanPoint ? z[0] : zMean
        let innovation = m.voltageV + common.voltageCorrectionV - predictedV
        for i in 0..<n { x[i] += gain[i] * innovation }
        for i in 0..<n { for j in 0..<n { p[i * n + j] -= gain[i] * sVar * gain[j] } }
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

    /// State, covariance upper triangle and 2n+1 sigma points as 32-bit floats.
    public var stateBytes: Int {
        4 * (n + n * (n + 1) / 2 + (2 * n + 1) * (n + 1) + 2 + (stateModel.hysteresisIndex == nil ? 0 : 1))
    }
}
