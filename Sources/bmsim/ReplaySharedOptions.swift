import ArgumentParser
import Estimators
import Foundation
import CellData
import Evaluation
import Replay

/// Options shared by `bmsim replay` and `bmsim compare`.
struct ReplaySharedOptions: ParsableArguments {
    @Argument(help: "Recordings: the NASA folder (nasa_pcoe_battery or its parent), a NASA .mat file or a generic CSV. None: the bundled synthetic recording.")
    var paths: [String] = []

    @Option(help: "Cells to replay: names and split names (train, validation, test), comma-separated (default: every cell found).",
            transform: CellSelection.parse)
    var cells: CellSelection?

    @Option(help: "Comma-separated estimators: ah, ah-pure, ocv, ekf (= ekf-1rc), ekf-2rc, ukf (= ukf-1rc), ukf-2rc, lstm, ekf+lstm (EKF with the LSTM as a second SOC measurement) (default: ah,ocv,ekf,ukf, plus lstm when a blob is available).",
            transform: EstimatorList.parse)
    var estimators: EstimatorList?

    @Option(name: .customLong("cell-model"), help: "Cell model JSON written by `bmsim fit` (default: the bundled model).")
    var cellModel: String?

    @Option(name: .customLong("lstm-model"), help: "Fixed-point LSTM blob (.bmsq) for the lstm and ekf+lstm estimators (default: Fixtures/models/lstm-soh-shrunk.bmsq for lstm and lstm-soh-nll.bmsq for ekf+lstm, when present).")
    var lstmModel: String?

    @Option(help: "Base tick in seconds (overrides the scenario; 0.01 … 3600).")
    var tick: Double?

    @Option(name: .customLong("model-rate"), help: "Comma-separated estimators run at the model rate (--model-period) instead of every tick, e.g. ekf,ukf (overrides the scenario).",
            transform: EstimatorList.parse)
    var modelRate: EstimatorList?

    @Option(name: .customLong("model-period"), help: "Model-rate period in seconds (overrides the scenario).")
    var modelPeriod: Double?

    @Option(help: "Worker threads. Results do not depend on it.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("telemetry-every"), help: "Record telemetry every N ticks (0 = automatic, at most ~200 000 frames per run).")
    var telemetryEvery: Int = 0

    @Option(name: .customLong("noise-draw"), help: "Which draw of the scenarios' noise and faults (0 … 1000000): each run's seed is a hash of its cell, its scenario and this number, so runs with several draws show how much a figure owes to one draw.")
    var noiseDraw: Int = 0

    @Option(name: .customLong("current-sign"), help: "Current sign of a generic CSV without a '# current_sign:' line: charge_positive or discharge_positive.")
    var currentSign: String?

    @Option(name: .customLong("from-cycle"), help: ArgumentHelp(
        "First operation drawn in the per-run plots (an index of the telemetry's 'operation' column); scoring, tables and the error distribution still cover the whole run.",
        valueName: "N"))
    var fromCycle: Int?

    @Option(name: .customLong("to-cycle"), help: ArgumentHelp(
        "Last operation drawn in the per-run plots (default: the last); see --from-cycle.", valueName: "M"))
    var toCycle: Int?

    @Flag(help: "No progress bar (there is none either when stderr is not a terminal).")
    var quiet = false

    @Flag(name: .customLong("accept-implausible"), help: "Replay recordings whose units or current sign look wrong (mA, kelvin, a sign against the operation or the voltage, an index that disagrees with its files) instead of refusing them; the findings are reported.")
    var acceptImplausible = false

    @Flag(name: .customLong("filter-charge-updates"), help: "Experiment: let the EKF/UKF correct with the loaded voltage while charging (off by default: the model is fitted on discharges).")
    var filterChargeUpdates = false

    @Option(name: .customLong("rest-anchor"), help: "Experiment: seconds of settled rest after which the EKF/UKF re-anchor to the rested reading, or 'off' (default 1800).")
    var restAnchor: String?

    @Option(name: .customLong("voltage-noise-reference"), help: "Experiment: seconds of data the filters' loaded-voltage σ stands for, or 'off' for the same σ at every tick (default 10).")
    var voltageNoiseReference: String?

    @Option(name: .customLong("voltage-noise-per-residual"), help: "Experiment: the filters' loaded-voltage σ as a multiple of the model's fit residual (default 10).")
    var voltageNoisePerResidual: Double?

    @Option(name: .customLong("fusion-noise"), help: "ekf+lstm's noise learned on your own validation data (`bmsim fusion-noise --out FILE`; default: the one learned on NASA's validation cells).")
    var fusionNoiseFile: String?

    @Option(name: .customLong("fusion-decorrelation"), help: "Experiment: ekf+lstm's decorrelation time τ of the LSTM's errors, s (default: LSTMFusionNoise.default).")
    var fusionDecorrelation: Double?

    @Option(name: .customLong("fusion-sigma-scale"), help: "Experiment: multiply ekf+lstm's learned σ of the LSTM's SOC by this (default 1).")
    var fusionSigmaScale: Double?

    @Flag(name: .customLong("lstm-plain-count"), help: "Experiment: between its model runs let lstm coulomb-count from the last run's output, without the OCV correction at rest (the behaviour before).")
    var lstmPlainCount = false

    @Option(name: .customLong("ukf-alpha"), help: "Experiment: the UKF's sigma-point spread α (default 1).")
    var ukfAlpha: Double?

    @Flag(name: .customLong("ukf-weighted-innovation"), help: "Experiment: the UKF's innovation against the sigma points' weighted mean (the textbook transform, the behaviour before) instead of at the mean.")
    var ukfWeightedInnovation = false

    @Flag(name: .customLong("no-current-auto-zero"), help: "Experiment: the firmware passes the measured current on as read, without learning the current sensor's zero offset at rest (overrides the scenario).")
    var noCurrentAutoZero = false

    /// `--fusion-noise`'s file, nil without the option.
    func fusionNoiseDocument() throws(LSTMFusionNoiseFileError) -> LSTMFusionNoiseFile.Document? {
        try fusionNoiseFile.map { path throws(LSTMFusionNoiseFileError) in try LSTMFusionNoiseFile.load(path: path) }
    }

    /// The estimator settings with the experiment options applied; `fusionNoise` (from
    /// `--fusion-noise`) replaces the compiled-in noise before the `--fusion-*` experiments.
    func estimatorConfig(fusionNoise: LSTMFusionNoise? = nil) -> EstimatorConfig {
        var config = EstimatorConfig()
        if let fusionNoise { config.fusionNoise = fusionNoise }
        config.filterVoltageUpdatesWhileCharging = filterChargeUpdates
        config.lstmOCVCorrectionBetweenRuns = !lstmPlainCount
        config.ukfInnovationAtMeanPoint = !ukfWeightedInnovation
        if let ukfAlpha { config.ukfAlpha = ukfAlpha }
        if let voltageNoisePerResidual { config.voltageNoisePerResidual = voltageNoisePerResidual }
        if let restAnchor { config.restAnchorSeconds = restAnchor == "off" ? nil : Double(restAnchor) }
        if let voltageNoiseReference {
            config.voltageNoiseReferenceSeconds = voltageNoiseReference == "off" ? nil : Double(voltageNoiseReference)
        }
        config.fusionNoise = config.fusionNoise.adjusted(decorrelationSeconds: fusionDecorrelation, sigmaScale: fusionSigmaScale)
        return config
    }

    func validate() throws {
        if let tick, !(tick >= 0.01 && tick <= 3600) {
            throw ValidationError("--tick must be between 0.01 and 3600 s, found \(tick)")
        }
        if let modelPeriod, !(modelPeriod > 0 && modelPeriod <= 3600) {
            throw ValidationError("--model-period must be in (0, 3600] s, found \(modelPeriod)")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, found \(threads)") }
        try OptionCheck.require(threads, in: 1...OptionCheck.maximumThreads, "--threads")
        guard telemetryEvery >= 0 else { throw ValidationError("--telemetry-every must be >= 0") }
        try OptionCheck.require(noiseDraw, in: 0...1_000_000, "--noise-draw")
        if let modelRate, let unknown = modelRate.names.first(where: { !estimatorNames.contains($0) }) {
            throw ValidationError("--model-rate: unknown estimator '\(unknown)'; the run's estimators are \(estimatorNames.joined(separator: ", "))")
        }
        for (name, value) in [("--rest-anchor", restAnchor), ("--voltage-noise-reference", voltageNoiseReference)] {
            guard let value, value != "off" else { continue }
            guard let seconds = Double(value), seconds.isFinite, seconds > 0 else {
                throw ValidationError("\(name) must be a positive number of seconds or 'off', found '\(value)'")
            }
        }
        if let v = voltageNoisePerResidual, !(v.isFinite && v > 0) {
            throw ValidationError("--voltage-noise-per-residual must be a positive number, found \(v)")
        }
        if let fusionDecorrelation { try OptionCheck.require(fusionDecorrelation, in: 0...1e6, "--fusion-decorrelation", unit: "s") }
        if let fusionSigmaScale { try OptionCheck.require(fusionSigmaScale, in: 1e-3...1e3, "--fusion-sigma-scale") }
        if let ukfAlpha { try OptionCheck.require(ukfAlpha, in: 0.1...3, "--ukf-alpha") }
        try validateCycleWindow()
        if let currentSign, GenericRecordingCSV.CurrentSign(rawValue: currentSign) == nil {
            throw ValidationError("--current-sign must be charge_positive or discharge_positive, found '\(currentSign)'")
        }
    }

    /// `--from-cycle` and `--to-cycle`: operation indices ≥ 0, the last not before the first.
    func validateCycleWindow() throws {
        if let fromCycle, fromCycle < 0 {
            throw ValidationError("--from-cycle must be an operation index >= 0 (got \(fromCycle))")
        }
        if let toCycle, toCycle < 0 {
            throw ValidationError("--to-cycle must be an operation index >= 0 (got \(toCycle))")
        }
        if let toCycle, toCycle < (fromCycle ?? 0) {
            throw ValidationError("--to-cycle (\(toCycle)) must not be before --from-cycle (\(fromCycle ?? 0))")
        }
    }

    /// The operations the per-run plots show.
    var plotWindow: RunTrace.Window { RunTrace.Window(fromOperation: fromCycle ?? 0, toOperation: toCycle) }

    /// Estimator names as given (aliases resolved by the factory).
    var estimatorNames: [String] {
        guard let estimators else {
            return ["ah", "ocv", "ekf", "ukf"] + (lstmModel != nil || BundledData.lstmModelURL != nil ? ["lstm"] : [])
        }
        return estimators.names
    }

    /// Cell names asked for (split names expanded), or nil for all.
    var cellNames: [String]? { cells?.cells }

    /// Applies `--tick`, `--model-rate`, `--model-period` and `--no-current-auto-zero` to a scenario.
    func adjusted(_ scenario: ReplayScenario) -> ReplayScenario {
        var s = scenario
        if let tick { s.baseTickSeconds = tick }
        if let modelRate { s.slowEstimators = modelRate.names }
        if let modelPeriod { s.slowEstimatorPeriodSeconds = modelPeriod }
        if noCurrentAutoZero { s.currentOffset = .off }
        return s
    }
}
