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
/// diagonal; `covarianceResets` counts such events. No allocation per update.
public final class TheveninEKF: SOCEstimator {
    /// `"ekf-1rc"`, `"ekf-2rc"` (+ `"-bias"` with the bias state).
    public let name: String
    var common: FilterCommon
    var stateModel: TheveninStateModel
    let n: Int
    var x: [Double]
    var p: [Double]
    let initialP: [Double]
    let processNoise: [Double]
    var f: [Double], h: [Double], scratch: [Double], scratch2: [Double], gain: [Double], lower: [Double]
    var last: SOCEstimate
    /// Times the covariance had to be reset (should stay 0).
    public private(set) var covarianceResets = 0

    /// Creates the filter for `pairs` R–C pairs, starting at `soc`.
    public init(model: CellModelParameters, pairs: Int, config: EstimatorConfig, soc: Double = 1) {
        common = FilterCommon(model: model, config: config, pairs: pairs)
        stateModel = TheveninStateModel(model: model, pairs: pairs, bias: config.estimateCurrentBias)
        n = stateModel.dimension
        name = "ekf-\(pairs)rc" + (config.estimateCurrentBias ? "-bias" : "")
        x = Array(repeating: 0, count: n)
        x[0] = soc
        var p0 = Array(repeating: 0.0, count: n * n)
        var q = Array(repeating: 0.0, count: n)
        p0[0] = config.initialSOCSigma * config.initialSOCSigma
        q[0] = config.socProcessNoisePerS
        for j in 0..<pairs {
            p0[(1 + j) * n + 1 + j] = 0.01 * 0.01
            q[1 + j] = config.branchProcessNoiseV2PerS
        }
        if config.estimateCurrentBias {
            p0[n * n - 1] = config.initialBiasSigmaA * config.initialBiasSigmaA
            q[n - 1] = config.biasProcessNoiseA2PerS
        }
        p = p0
        initialP = p0
        processNoise = q
        f = Array(repeating: 0, count: n * n)
        h = Array(repeating: 0, count: n)
        scratch = Array(repeating: 0, count: n * n)
        scratch2 = Array(repeating: 0, count: n * n)
        gain = Array(repeating: 0, count: n)
        lower = Array(repeating: 0, count: n * n)
        last = SOCEstimate(soc: soc, sigma: config.initialSOCSigma)
    }

    /// State vector [SOC, v_1…, (bias)] (for tests and telemetry).
    public var state: [Double] { x }
    /// Covariance, row-major.
    public var covariance: [Double] { p }
    /// Capacity in use, Ah.
    public var currentCapacityAh: Double { common.capacityAh }

    /// Consumes one measurement.
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        guard common.config.accepts(m) else {
            last.holding = true
            return last
        }
        let mean = common.begin(m)
        let dt = m.dtSeconds
        stateModel.holdParameters(soc: x[0], temperatureC: m.temperatureC, dtSeconds: dt)
        // Predict.
        stateModel.transitionJacobian(&f, at: x, meanCurrentA: mean, dtSeconds: dt,
                                      capacityAh: common.capacityAh, efficiency: common.efficiency)
        stateModel.transition(&x, meanCurrentA: mean, dtSeconds: dt,
                              capacityAh: common.capacityAh, efficiency: common.efficiency)
        SmallMatrix.multiply(f, p, into: &scratch, n: n)
        SmallMatrix.multiplyTransposed(scratch, f, into: &p, n: n)
        for i in 0..<n { p[i * n + i] += processNoise[i] * dt }
        // Update.
        let predicted = stateModel.measurement(x, currentA: m.currentA, temperatureC: m.temperatureC,
                                               jacobian: &h)
        let r = common.voltageVariance
        var s = r
        for i in 0..<n {
            var ph = 0.0
            for k in 0..<n { ph += p[i * n + k] * h[k] }
            gain[i] = ph
            s += h[i] * ph
        }
        for i in 0..<n { gain[i] /= s }
        let innovation = m.voltageV - predicted
        for i in 0..<n { x[i] += gain[i] * innovation }
        // Joseph form: P = A P Aᵀ + K R Kᵀ with A = I − K H.
        for i in 0..<n {
            for j in 0..<n { f[i * n + j] = (i == j ? 1 : 0) - gain[i] * h[j] }
        }
        SmallMatrix.multiply(f, p, into: &scratch, n: n)
        SmallMatrix.multiplyTransposed(scratch, f, into: &p, n: n)
        for i in 0..<n { for j in 0..<n { p[i * n + j] += gain[i] * r * gain[j] } }
        SmallMatrix.symmetrize(&p, n: n)
        x[0] = min(max(x[0], -1), 2)
        if !SmallMatrix.cholesky(p, into: &lower, n: n) || !x.allSatisfy({ $0.isFinite }) {
            precondition(x[0].isFinite, "EKF state became non-finite on a valid measurement")
            for i in 0..<(n * n) { p[i] = initialP[i] }
            covarianceResets += 1
        }
        last = SOCEstimate(soc: x[0], sigma: p[0].squareRoot(), holding: false)
        return last
    }

    /// The last estimate.
    public var estimate: SOCEstimate { last }

    /// Restarts at `soc` with the initial covariance; learned capacity is kept.
    public func reset(soc: Double) {
        for i in 0..<n { x[i] = 0 }
        x[0] = soc
        for i in 0..<(n * n) { p[i] = initialP[i] }
        common.previousCurrentA = nil
        last = SOCEstimate(soc: soc, sigma: p[0].squareRoot())
    }

    /// State and covariance upper triangle as 32-bit floats, plus capacity and previous I.
    public var stateBytes: Int { 4 * (n + n * (n + 1) / 2 + 2) }
}
