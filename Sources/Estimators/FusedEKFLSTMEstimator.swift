import BMSCore
import WeightBlob

/// `ekf+lstm`: the 1RC EKF (`TheveninEKF`, the configuration of `ekf`) with the fixed-point
/// LSTM's SOC (`LSTMEstimator`) as a second, direct measurement of the SOC.
///
/// Both see every tick. After the EKF's own update, when the LSTM has just taken a model step
/// under discharge current in a *confirmed* run (`LSTMEstimator.runConfirmed`), the EKF gets
/// one scalar Kalman update (`TheveninEKF.applySOCMeasurement`)
///
///     z = clamp(LSTM SOC, 0, 1),   H = [1, 0, …],   R = σ² · max(1, τ / Δt) · ρ_P
///
/// with σ per band of z, or — when the blob has an uncertainty head (format version 6) — the
/// network's own σ of this step (`BlobUncertaintyHead.sigmaSOC` of the engine's
/// `logVarianceQ11`), the decorrelation time τ and ρ_P from `EstimatorConfig.fusionNoise`
/// (`LSTMFusionNoise`) and Δt the time since the last fusion (one model step, 10 s). So:
/// - at most one fusion per model step, never on ticks between steps;
/// - never on the LSTM's coulomb count (between discharges, and in a run's first
///   `minimumDischargeSeconds`): the EKF counts the same current itself, and fusing a count
///   with the filter's own count would double its weight;
/// - never on a run that began under load (`LSTMEstimator.runStartedAtRest` false: the BMS
///   woke up mid-discharge): the models were trained on discharges from a rested full cell,
///   and their prior 1 − q/C assumes one;
/// - never on an output the LSTM flags outside its training envelope (`SOCEstimate.envelope`):
///   a network that extrapolates is not a measurement;
/// - the weight K₀ = P₀₀ / (P₀₀ + R) is large where the filter is unsure (after a wrong start,
///   a long time since its last rested reading) and small after a rest has anchored it.
///
/// The reported estimate is the EKF's (SOC and σ). No allocation and no throwing per update.
public final class FusedEKFLSTMEstimator: SOCEstimator {
    /// `"ekf+lstm"`.
    public let name = "ekf+lstm"
    /// The filter that carries the estimate.
    public let filter: TheveninEKF
    /// The LSTM whose confirmed outputs are fused.
    public let lstm: LSTMEstimator
    /// The LSTM's measurement noise (its bands are not used when `networkSigma` is set).
    public let noise: LSTMFusionNoise
    /// The blob's uncertainty head: when set, R takes the network's σ of each step.
    public let networkSigma: BlobUncertaintyHead?
    /// Fusions since `init` (for tests and diagnostics).
    public private(set) var fusions = 0
    /// The LSTM's model steps at the last tick.
    var lastModelSteps: Int
    /// Measurement time since the last fusion (or since the run started), s.
    var secondsSinceFusion = 0.0
    var last: SOCEstimate

    /// Fuses `filter` and `lstm` with `noise` (`noise.isValid` must hold).
    public init(filter: TheveninEKF, lstm: LSTMEstimator, noise: LSTMFusionNoise) {
        precondition(noise.isValid, "LSTMFusionNoise needs σ > 0 per band and a decorrelation time ≥ 0")
        self.filter = filter
        self.lstm = lstm
        self.noise = noise
        networkSigma = lstm.engine.model.uncertaintyHead
        lastModelSteps = lstm.modelSteps
        last = filter.estimate
    }

    /// Feeds both; fuses the LSTM's new confirmed output (see the type's comment).
    public func update(_ m: CellMeasurement) -> SOCEstimate {
        let filtered = filter.update(m)
        _ = lstm.update(m)
        guard !filtered.holding else {
            last = filtered
            return last
        }
        if m.dtSeconds > 0 { secondsSinceFusion += m.dtSeconds }
        let stepped = lstm.modelSteps != lastModelSteps
        lastModelSteps = lstm.modelSteps
        if !lstm.inDischarge { secondsSinceFusion = 0 }
        if stepped && lstm.runConfirmed && lstm.runStartedAtRest && lstm.estimate.envelope.isEmpty
            && m.currentA < -lstm.settings.dischargeThresholdA {
            let z = min(max(lstm.estimate.soc, 0), 1)
            let dt = max(secondsSinceFusion, lstm.stepSeconds)
            let variance = networkSigma.map {
                noise.variance(networkSigma: $0.sigmaSOC(logVarianceQ11: lstm.engine.logVarianceQ11), stepSeconds: dt)
            } ?? noise.variance(lstmSOC: z, stepSeconds: dt)
            if filter.applySOCMeasurement(z, variance: variance) { fusions += 1 }
            secondsSinceFusion = 0
        }
        last = filter.estimate
        return last
    }

    /// The last estimate (the filter's).
    public var estimate: SOCEstimate { last }

    /// Restarts both at `soc`.
    public func reset(soc: Double) {
        filter.reset(soc: soc)
        lstm.reset(soc: soc)
        lastModelSteps = lstm.modelSteps
        secondsSinceFusion = 0
        last = filter.estimate
    }

    /// Both sleep.
    public func wake(afterSleepSeconds seconds: Double) {
        filter.wake(afterSleepSeconds: seconds)
        lstm.wake(afterSleepSeconds: seconds)
    }

    /// Both states, the step counter and the time since the last fusion (2 · 4).
    public var stateBytes: Int { filter.stateBytes + lstm.stateBytes + 2 * 4 }
}
