import BMSCore
import CellData
import CellModel
import Estimators
import WeightBlob

/// Learns `LSTMFusionNoise` (the measurement noise of `ekf+lstm`) from the LSTM's residuals
/// on labelled discharges (`bmsim fusion-noise`; the shipped values come from the NASA
/// validation cells).
///
/// Each cell's discharges run in cycle order through one `LSTMEstimator` (its capacity learner
/// carries from cycle to cycle, as in the discharge-only protocol; the blob's training envelope
/// as in the firmware), each on a uniform grid of `gridSeconds`, started (LSTM and EKF) at its
/// reference SOC: 1 for a NASA discharge, the first label for a drive log that starts lower. A
/// residual is taken exactly where `ekf+lstm` would fuse: at a model step under discharge
/// current in a confirmed run; r = clamp(z, 0, 1) − clamp(reference, 0, 1).
///
/// - σ of band k = the RMS of the residuals whose clamped z falls in band k (bias included:
///   a bias is an error the filter must allow for). A band with fewer than
///   `minimumBandCount` residuals takes the RMS of all residuals.
/// - The correlation time τ = Δ · (1 + 2 Σₖ ρₖ), Δ the model step, ρₖ the residuals'
///   autocorrelation at lag k steps (uncentred, pooled over pairs inside one discharge), the
///   sum running while ρₖ > 0 and k < `maximumLagSteps`.
/// - The filter's variance ratio ρ_P = Σ P₀₀ / Σ (EKF − reference)² over the same steps, from
///   a plain 1RC EKF (`ekf`'s configuration) run beside the LSTM on the same samples.
public struct LSTMFusionNoiseLearning: Sendable {
    /// The cell model (the LSTM's capacity learner and count).
    public let model: CellModelParameters
    /// The fixed-point model.
    public let lstmModel: BlobModel
    /// Estimator settings.
    public var config = EstimatorConfig()
    /// Number of equal SOC bands over [0, 1].
    public var bands = 5
    /// The grid each discharge is fed on, s.
    public var gridSeconds = 1.0
    /// Bands with fewer residuals take the overall RMS.
    public var minimumBandCount = 30
    /// Longest lag of the autocorrelation sum, model steps.
    public var maximumLagSteps = 720

    /// What was learned, and from how much.
    public struct Result: Sendable, Equatable, Codable {
        /// The noise to put in `EstimatorConfig.fusionNoise`.
        public var noise: LSTMFusionNoise
        /// Residuals per band.
        public var bandCounts: [Int]
        /// Mean residual per band (the bias part of σ), fraction.
        public var bandMeans: [Double]
        /// RMS over every residual, fraction.
        public var overallSigma: Double
        /// Discharges that gave at least one residual.
        public var discharges: Int
    }

    /// Creates a learner.
    public init(model: CellModelParameters, lstmModel: BlobModel) {
        self.model = model
        self.lstmModel = lstmModel
    }

    /// Learns from `discharges` (each cell's in cycle order); nil when no residual was found.
    public func learn(_ discharges: [EvaluationDischarge]) -> Result? {
        var perDischarge: [[(z: Double, r: Double)]] = []
        var lstms: [String: LSTMEstimator] = [:]
        var filters: [String: TheveninEKF] = [:]
        var filterVariance = 0.0, filterSquaredError = 0.0
        var config = config.scaledToCell(capacityAh: model.initialCapacityAh(temperatureC: 25))
        config.capacityAh = nil
        for native in discharges {
            let d = native.resampled(dtS: gridSeconds)
            guard d.samples.count > 1 else { continue }
            let lstm = lstms[d.cell] ?? LSTMEstimator(
                model: lstmModel, envelope: try? TrainingEnvelope(metadata: lstmModel.metadataValue),
                config: config, capacityAh: model.capacityAh, chargeEfficiency: model.coulombicEfficiency,
                capacityLearner: config.useLearnedCapacity ? CapacityLearner(model: model, config: config) : nil)
            lstms[d.cell] = lstm
            let filter = filters[d.cell] ?? TheveninEKF(model: model, pairs: 1, config: config)
            filters[d.cell] = filter
            // Both from the reference start: 1 for a NASA discharge, 0.6 for a drive log from 60 %.
            let start = min(1, max(0, d.soc[0]))
            lstm.reset(soc: start)
            filter.reset(soc: start)
            var residuals: [(z: Double, r: Double)] = []
            var steps = lstm.modelSteps
            let s = d.samples
            for k in 0..<s.count {
                let dt = k == 0 ? 0 : s.timeS[k] - s.timeS[k - 1]
                let m = CellMeasurement(voltageV: s.voltageV[k], currentA: s.currentA[k], temperatureC: s.temperatureC[k], dtSeconds: dt)
                let soc = lstm.update(m).soc
                let filtered = filter.update(m)
                defer { steps = lstm.modelSteps }
                guard lstm.modelSteps != steps, lstm.runConfirmed, lstm.runStartedAtRest, m.currentA < -lstm.settings.dischargeThresholdA else { continue }
                let z = min(max(soc, 0), 1)
                let reference = min(max(d.soc[k], 0), 1)
                residuals.append((z, z - reference))
                filterVariance += filter.socVariance
                filterSquaredError += (min(max(filtered.soc, 0), 1) - reference) * (min(max(filtered.soc, 0), 1) - reference)
            }
            if !residuals.isEmpty { perDischarge.append(residuals) }
        }
        var result = Self.summarise(perDischarge, bands: bands, minimumBandCount: minimumBandCount,
                                    maximumLagSteps: maximumLagSteps, stepSeconds: LSTMEstimatorSettings().resolvedStepSeconds(for: lstmModel))
        if filterSquaredError > 0 && filterVariance > 0 { result?.noise.filterVarianceRatio = filterVariance / filterSquaredError }
        return result
    }

    /// σ per band and τ from residual sequences (one per discharge, one entry per model step of
    /// `stepSeconds`): the statistics of `learn`, apart so that tests can check them by hand.
    public static func summarise(_ sequences: [[(z: Double, r: Double)]], bands: Int, minimumBandCount: Int,
                                 maximumLagSteps: Int, stepSeconds: Double) -> Result? {
        let all = sequences.flatMap { $0 }
        guard !all.isEmpty, bands > 0 else { return nil }
        let overall = (all.reduce(0) { $0 + $1.r * $1.r } / Double(all.count)).squareRoot()
        let banding = LSTMFusionNoise(socBandSigma: Array(repeating: 1, count: bands), decorrelationSeconds: 0)
        var sums = Array(repeating: 0.0, count: bands), squares = sums, counts = Array(repeating: 0, count: bands)
        for (z, r) in all {
            let b = banding.band(of: z)
            sums[b] += r
            squares[b] += r * r
            counts[b] += 1
        }
        let sigma = (0..<bands).map { b in
            counts[b] >= max(1, minimumBandCount) ? (squares[b] / Double(counts[b])).squareRoot() : overall
        }
        let means = (0..<bands).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : 0 }
        let zeroLag = all.reduce(0) { $0 + $1.r * $1.r } / Double(all.count)
        var correlationSum = 0.0
        if zeroLag > 0 {
            for lag in 1...max(1, maximumLagSteps) {
                var product = 0.0, pairs = 0
                for seq in sequences where seq.count > lag {
                    for t in 0..<(seq.count - lag) { product += seq[t].r * seq[t + lag].r }
                    pairs += seq.count - lag
                }
                guard pairs > 0 else { break }
                let rho = product / Double(pairs) / zeroLag
                guard rho > 0 else { break }
                correlationSum += rho
            }
        }
        let noise = LSTMFusionNoise(socBandSigma: sigma.map { max($0, 1e-4) },
                                    decorrelationSeconds: stepSeconds * (1 + 2 * correlationSum))
        return Result(noise: noise, bandCounts: counts, bandMeans: means, overallSigma: overall, discharges: sequences.count)
    }
}
