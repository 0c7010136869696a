import BMSCore
import CellData
import CellModel
import Estimators

/// One discharge's float-network outputs on its model grid (`bmsim fusion-float`): the SOC mean
/// and σ (fractions) the network gives at grid time `k · stepSeconds` from the discharge's first
/// sample (index 0 unused: the first output comes after one step).
public struct NetworkSOCSequence: Sendable, Equatable {
    /// Cell name.
    public var cell: String
    /// Cycle number (the key, with `cell`, into the discharges).
    public var cycle: Int
    /// Grid step, s.
    public var stepSeconds: Double
    /// SOC mean at grid index k, fraction (NaN where there is none).
    public var soc: [Double]
    /// σ of the SOC at grid index k, fraction (nil: a one-output network).
    public var sigma: [Double]?

    /// Creates a sequence.
    public init(cell: String, cycle: Int, stepSeconds: Double, soc: [Double], sigma: [Double]?) {
        self.cell = cell
        self.cycle = cycle
        self.stepSeconds = stepSeconds
        self.soc = soc
        self.sigma = sigma
    }
}

/// The float comparison of the two fusion designs of issue 16 part 4: the 1RC EKF of `ekf`
/// (`TheveninEKF`, one per cell, capacity learning carried from cycle to cycle) run over each
/// discharge on a 1 s grid from its rested start (the discharge-only protocol of
/// `DischargeEvaluation`), fused with a float network's SOC exactly where `ekf+lstm` fuses:
/// once per model step, under discharge current, once the run has had
/// `minimumDischargeSeconds` of discharge current (pauses shorter than
/// `restBeforeDischargeSeconds` belong to the run, as in `LSTMEstimator`), with
///
///     bands:    R = σ(band of z)² · max(1, τ/Δt) · ρ_P          (`LSTMFusionNoise`, the shipped design)
///     network:  R = σ_net² · max(1, τ/Δt) · ρ_P · scale         (the uncertainty head's σ)
///
/// The network output for grid time k·Δt is the one after step k − 1 (the trainer's
/// convention), fused at the 1 s tick of that time. Scored as `DischargeEvaluation` scores:
/// the reported (clamped) estimate against the reference clamped to [0, 1], every tick.
public struct NetworkSOCFusion: Sendable {
    /// Where R comes from.
    public enum NoiseSource: Sendable, Equatable {
        /// The shipped per-band σ (`LSTMFusionNoise.socBandSigma`).
        case bands
        /// The network's own σ times `scale` (needs `NetworkSOCSequence.sigma`).
        case network(scale: Double)
    }

    /// Per cell (and all discharges pooled): RMSE of the EKF alone, the network alone and the
    /// fused estimate, SOC points; σ calibration of the fused steps.
    public struct Result: Sendable {
        /// Cell name, or "all".
        public var cell: String
        /// EKF alone.
        public var ekf = ErrorStatistics()
        /// The network alone (at the fused steps' grid, held between: scored every tick of a
        /// discharge once it has an output).
        public var network = ErrorStatistics()
        /// Fused.
        public var fused = ErrorStatistics()
        /// Fusion steps.
        public var fusions = 0
        /// Fusion steps whose |network error| ≤ σ_net, ≤ 2σ_net (network noise only).
        public var withinOneSigma = 0, withinTwoSigma = 0
        /// |error| and σ at the fusion steps (for the correlation).
        public var absoluteErrors: [Double] = [], sigmas: [Double] = []

        /// Pearson correlation of |error| with σ at the fusion steps (NaN without σ).
        public var errorSigmaCorrelation: Double {
            let n = Double(sigmas.count)
            guard sigmas.count > 2, sigmas.count == absoluteErrors.count else { return .nan }
            let me = absoluteErrors.reduce(0, +) / n, ms = sigmas.reduce(0, +) / n
            var cov = 0.0, ve = 0.0, vs = 0.0
            for (e, s) in zip(absoluteErrors, sigmas) { cov += (e - me) * (s - ms); ve += (e - me) * (e - me); vs += (s - ms) * (s - ms) }
            return cov / (ve * vs).squareRoot()
        }
    }

    /// The cell model.
    public let model: CellModelParameters
    /// Estimator settings (the EKF's; `fusionNoise` gives σ per band, τ and ρ_P).
    public var config = EstimatorConfig()
    /// Where R comes from.
    public var noise: NoiseSource = .bands
    /// A run's first seconds are not fused (`LSTMEstimatorSettings.minimumDischargeSeconds`).
    public var minimumDischargeSeconds = LSTMEstimatorSettings().minimumDischargeSeconds
    /// A pause at least this long (or a charging current) ends a run, s.
    public var restBeforeDischargeSeconds = LSTMEstimatorSettings().restBeforeDischargeSeconds
    /// Discharge current threshold, A.
    public var dischargeThresholdA = LSTMEstimatorSettings().dischargeThresholdA

    /// Creates a comparison.
    public init(model: CellModelParameters) { self.model = model }

    /// Runs every discharge of `cells` (cycle order) that has a sequence; per cell and "all".
    public func run(_ nativeDischarges: [EvaluationDischarge], sequences: [NetworkSOCSequence], cells: [String]) -> [Result] {
        var byKey: [String: NetworkSOCSequence] = [:]
        for s in sequences { byKey["\(s.cell)/\(s.cycle)"] = s }
        var results: [Result] = []
        var all = Result(cell: "all")
        for cell in cells {
            var result = Result(cell: cell)
            let filter = TheveninEKF(model: model, pairs: 1, config: config, soc: 1)
            let plain = TheveninEKF(model: model, pairs: 1, config: config, soc: 1)
            for native in nativeDischarges where native.cell == cell {
                guard let sequence = byKey["\(cell)/\(native.cycle)"] else { continue }
                run(native.resampled(dtS: 1), sequence, filter: filter, plain: plain, into: &result)
            }
            results.append(result)
            all.ekf.merge(result.ekf); all.network.merge(result.network); all.fused.merge(result.fused)
            all.fusions += result.fusions; all.withinOneSigma += result.withinOneSigma; all.withinTwoSigma += result.withinTwoSigma
            all.absoluteErrors += result.absoluteErrors; all.sigmas += result.sigmas
        }
        return results + [all]
    }

    private func run(_ d: EvaluationDischarge, _ sequence: NetworkSOCSequence, filter: TheveninEKF, plain: TheveninEKF,
                     into result: inout Result) {
        let s = d.samples
        guard s.count > 1 else { return }
        let wakeDt = DischargeEvaluation.wakeUpSleepSeconds(d, restMinimumSeconds: config.restMinimumSeconds, given: true)
        let start = min(1, model.ocv.soc(
            voltageV: model.restCorrectedVoltage(s.voltageV[0], restSeconds: wakeDt, temperatureC: s.temperatureC[0]),
            temperatureC: s.temperatureC[0]))
        filter.reset(soc: start)
        plain.reset(soc: start)
        let fusion = config.fusionNoise
        var network = Double.nan, runSeconds = 0.0, pauseSeconds = 0.0, sinceFusion = 0.0
        for k in 0..<s.count {
            let dt = k == 0 ? wakeDt : s.timeS[k] - s.timeS[k - 1]
            let m = CellMeasurement(voltageV: s.voltageV[k], currentA: s.currentA[k], temperatureC: s.temperatureC[k], dtSeconds: dt)
            let alone = plain.update(m)
            let filtered = filter.update(m)
            let discharging = m.currentA < -dischargeThresholdA
            if k > 0 {
                sinceFusion += dt
                if discharging { runSeconds += dt; pauseSeconds = 0 } else { pauseSeconds += dt }
                if pauseSeconds >= restBeforeDischargeSeconds || m.currentA > dischargeThresholdA { runSeconds = 0 }
            }
            let elapsed = s.timeS[k] - s.timeS[0]
            let index = Int((elapsed / sequence.stepSeconds).rounded())
            let onStep = index > 0 && abs(elapsed - Double(index) * sequence.stepSeconds) < 1e-6 && index < sequence.soc.count
            if onStep, sequence.soc[index].isFinite { network = sequence.soc[index] }
            if onStep, !filtered.holding, discharging, runSeconds >= minimumDischargeSeconds, network.isFinite {
                let z = min(max(network, 0), 1)
                let interval = max(sinceFusion, sequence.stepSeconds)
                let sigma = sequence.sigma?[index] ?? .nan
                if sigma.isFinite {
                    let error = abs(network - d.soc[k])
                    if error <= sigma { result.withinOneSigma += 1 }
                    if error <= 2 * sigma { result.withinTwoSigma += 1 }
                    result.absoluteErrors.append(error); result.sigmas.append(sigma)
                }
                let r: Double
                switch noise {
                case .bands: r = fusion.variance(lstmSOC: z, stepSeconds: interval)
                case .network(let scale):
                    r = sigma * sigma * max(1, fusion.decorrelationSeconds / interval) * fusion.filterVarianceRatio * scale
                }
                if filter.applySOCMeasurement(z, variance: r) { result.fusions += 1 }
                sinceFusion = 0
            }
            let reference = min(max(d.soc[k], 0), 1)
            result.ekf.add(100 * (SOCEstimate(soc: alone.soc).reported.estimate.soc - reference))
            result.fused.add(100 * (SOCEstimate(soc: filter.estimate.soc).reported.estimate.soc - reference))
            if network.isFinite { result.network.add(100 * (min(max(network, 0), 1) - reference)) }
        }
    }
}
