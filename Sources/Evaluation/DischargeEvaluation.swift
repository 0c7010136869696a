import BMSCore
import CellData
import CellModel
import Dispatch
import Estimators
import WeightBlob

/// The discharge-only protocol (`bmsim classical-eval`): the classical estimators over a set
/// of NASA discharges, each cell's in cycle order with one estimator per method and cell (so
/// capacity learning carries from cycle to cycle), each discharge started at a wake-up.
///
/// Per discharge: the estimator is reset to the requested start (the rested OCV reading, or
/// the reference plus an offset), then fed the native samples; the first sample's Δt is the
/// rest before the discharge when the index knows one of at least the rest time (a sleep),
/// else 0 (history unknown). The same method is also run from the correct (rested) start, to
/// tell a forgotten initial error from model or label bias.
///
/// Scored as the replay scores (`SOCMetrics`): the estimate as a BMS reports it (clamped to
/// [0, 1]) against the reference clamped to [0, 1]. The benchmark scoring of the peers (Docs/Benchmark.md; raw
/// estimate against the raw label, which runs below 0) is reported beside it.
public struct DischargeEvaluation: Sendable {
    /// Where each discharge starts.
    public enum Start: Sendable, Equatable, Codable {
        /// The rested OCV reading of the first sample (corrected for the rest), capped at 1.
        case rested
        /// The reference SOC at the first sample plus this offset (fraction).
        case offset(Double)
    }

    /// Options that change what is run.
    public struct Options: Sendable, Equatable {
        /// Where each discharge starts.
        public var start: Start = .rested
        /// Estimator settings.
        public var config = EstimatorConfig()
        /// Experiment: withhold each discharge's leading rested samples (wake up under load).
        public var wakeUnderLoad = false
        /// Give the estimators the rest before each discharge as their first Δt.
        public var giveSleepTime = true
        /// Experiment (oracle): count each discharge against its own `capacity_Ah`.
        public var oracleCapacity = false
        /// Feed each discharge on this uniform grid (linear interpolation of the samples and
        /// the reference, `EvaluationDischarge.resampled(dtS:)`), s; `nil` = the native samples.
        /// The LSTM methods need it: their charge counter assumes the model's 10 s step, which
        /// NASA's native 10–19 s spacing breaks.
        public var gridSeconds: Double?
        /// Creates the defaults.
        public init() {}
    }

    /// The cell model.
    public let model: CellModelParameters
    /// The methods, in report order.
    public let methods: [EstimatorKind]
    /// Options.
    public let options: Options
    /// The fixed-point model of `lstm` and `ekf+lstm` (nil: those methods throw).
    public let lstmModel: BlobModel?
    /// The model of `ekf+lstm` when it differs from `lstmModel` (nil: `lstmModel`).
    public let fusionLSTMModel: BlobModel?

    /// Creates an evaluation.
    public init(model: CellModelParameters, methods: [EstimatorKind], options: Options = Options(),
                lstmModel: BlobModel? = nil, fusionLSTMModel: BlobModel? = nil) {
        self.model = model
        self.methods = methods
        self.options = options
        self.lstmModel = lstmModel
        self.fusionLSTMModel = fusionLSTMModel
    }

    /// The sleep a BMS knows at a discharge's wake-up: the index's rest before it when that is
    /// at least the rest time (a real sleep; shorter ones, and unknown ones, give 0: history
    /// unknown), or 0 when `given` is false.
    public static func wakeUpSleepSeconds(_ d: EvaluationDischarge, restMinimumSeconds: Double, given: Bool) -> Double {
        guard given, let rest = d.restBeforeS, rest >= restMinimumSeconds else { return 0 }
        return rest
    }

    /// Runs every method over `discharges` (grouped by cell in `cells` order).
    public func run(_ nativeDischarges: [EvaluationDischarge], cells: [String]) throws(EstimatorFactoryError) -> DischargeEvaluationReport {
        let config = options.config
        let discharges = options.gridSeconds.map { dt in nativeDischarges.map { $0.resampled(dtS: dt) } } ?? nativeDischarges
        let makeEstimator = { (kind: EstimatorKind, config: EstimatorConfig) throws(EstimatorFactoryError) in
            try Estimators.makeEstimator(kind, model: model, lstmModel: kind == .ekfLSTM ? fusionLSTMModel ?? lstmModel : lstmModel,
                                         config: config, soc: 1)
        }
        let sleep: (EvaluationDischarge) -> Double = {
            Self.wakeUpSleepSeconds($0, restMinimumSeconds: config.restMinimumSeconds, given: options.giveSleepTime)
        }
        var reports: [MethodReport] = []
        for kind in methods {
            var report = MethodReport(method: kind.rawValue)
            var convergence: [DischargeConvergence] = []
            var updateNanoseconds: UInt64 = 0, updates = 0
            for cell in cells {
                var estimator = try makeEstimator(kind, config)
                var correctStartRun = options.start == .rested ? nil : try makeEstimator(kind, config)
                var cellStats = ErrorStatistics()
                for d in discharges where d.cell == cell {
                    if options.oracleCapacity {
                        var oracle = config
                        oracle.useLearnedCapacity = false
                        oracle.capacityAh = d.capacityAh
                        estimator = try makeEstimator(kind, oracle)
                        if correctStartRun != nil { correctStartRun = try makeEstimator(kind, oracle) }
                    }
                    let s = d.samples
                    let wakeDt = sleep(d)
                    let restedStart = min(1, model.ocv.soc(
                        voltageV: model.restCorrectedVoltage(s.voltageV[0], restSeconds: wakeDt, temperatureC: s.temperatureC[0]),
                        temperatureC: s.temperatureC[0]))
                    let start: Double
                    switch options.start {
                    case .rested: start = restedStart
                    case .offset(let offset): start = d.soc[0] + offset
                    }
                    let first = options.wakeUnderLoad ? (s.currentA.firstIndex { abs($0) > config.restCurrentA } ?? s.count) : 0
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let estimates = Self.feed(estimator, start: start, samples: s, from: first, wakeDt: wakeDt)
                    updateNanoseconds += DispatchTime.now().uptimeNanoseconds - t0
                    updates += s.count - first
                    var correctStartEstimates = estimates
                    if let other = correctStartRun {
                        correctStartEstimates = Self.feed(other, start: restedStart, samples: s, from: first, wakeDt: wakeDt)
                    }
                    var item = DischargeConvergence(
                        cell: cell, cycle: d.cycle, ambientC: d.ambientC, timeS: s.timeS,
                        reference: d.soc.map(Self.shown), estimates: estimates.map(Self.shown),
                        correctStartEstimates: correctStartEstimates.map(Self.shown))
                    item.restBeforeS = d.restBeforeS
                    item.wakeUpError = first < s.count ? correctStartEstimates[first] - d.soc[first] : nil
                    let capacityInUse = Self.capacityInUse(estimator)
                    item.capacityError = capacityInUse.map { ($0 - d.capacityAh) / d.capacityAh }
                    convergence.append(item)
                    report.add(d, estimates: estimates, into: &cellStats)
                    if let used = capacityInUse {
                        report.capacityPerDischarge.append(CapacityInUse(cell: cell, cycle: d.cycle, capacityInUseAh: used,
                                                                         capacityAh: d.capacityAh))
                    }
                }
                report.perCell.append(CellStatistics(cell: cell, statistics: cellStats))
            }
            report.nanosecondsPerUpdate = Double(updateNanoseconds) / Double(max(updates, 1))
            report.convergence = ConvergenceSummary(convergence)
            report.discharges = convergence
            reports.append(report)
        }
        let wakeUp = WakeUpReadingErrors(discharges, model: model, restCurrentA: config.restCurrentA, sleepSeconds: sleep)
        return DischargeEvaluationReport(cells: cells, start: options.start, fixedCapacity: !config.useLearnedCapacity,
                                         oracleCapacity: options.oracleCapacity,
                                         capacityFollowsTemperature: config.learnedCapacityFollowsTemperature,
                                         wakeUnderLoad: options.wakeUnderLoad, wakeUpReadings: wakeUp, methods: reports)
    }

    /// Resets `estimator` to `start` and feeds samples `first…` (the first with Δt = `wakeDt`
    /// when it is the discharge's first sample, else 0); the estimate before `first` is the start.
    static func feed(_ estimator: any SOCEstimator, start: Double, samples s: OperationSamples, from first: Int,
                     wakeDt: Double) -> [Double] {
        estimator.reset(soc: start)
        var estimates = [Double](repeating: start, count: s.count)
        for k in first..<s.count {
            let dt = k == first ? (first == 0 ? wakeDt : 0) : s.timeS[k] - s.timeS[k - 1]
            estimates[k] = estimator.update(CellMeasurement(voltageV: s.voltageV[k], currentA: s.currentA[k],
                                                            temperatureC: s.temperatureC[k], dtSeconds: dt)).soc
        }
        return estimates
    }

    /// A SOC as a BMS shows it: clamped to `SOCEstimate.reportedRange`.
    static func shown(_ soc: Double) -> Double {
        SOCEstimate(soc: soc).reported.estimate.soc
    }

    /// The capacity an estimator counts against, when it has one.
    static func capacityInUse(_ e: any SOCEstimator) -> Double? {
        if let a = e as? AhCounterEstimator { return a.currentCapacityAh }
        if let a = e as? TheveninEKF { return a.currentCapacityAh }
        if let a = e as? TheveninUKF { return a.currentCapacityAh }
        if let a = e as? FusedEKFLSTMEstimator { return a.filter.currentCapacityAh }
        return nil
    }
}
