import ArgumentParser
import Foundation
import CellData
import Replay

/// Options shared by `bmsim replay` and `bmsim compare`.
struct ReplaySharedOptions: ParsableArguments {
    @Argument(help: "Recordings: the NASA folder (nasa_pcoe_battery or its parent), a NASA .mat file or a generic CSV. None: the bundled synthetic recording.")
    var paths: [String] = []

    @Option(help: "Comma-separated cells to replay (default: every cell found).")
    var cells: String?

    @Option(help: "Comma-separated estimators: ah, ah-pure, ocv, ekf (= ekf-1rc), ekf-2rc, ukf (= ukf-1rc), ukf-2rc, lstm (default: ah,ocv,ekf,ukf, plus lstm when a blob is available).")
    var estimators: String?

    @Option(name: .customLong("cell-model"), help: "Cell model JSON written by `bmsim fit` (default: the bundled model).")
    var cellModel: String?

    @Option(name: .customLong("lstm-model"), help: "Fixed-point LSTM blob (.bmsq) for the lstm estimator (default: Fixtures/models/lstm-f.bmsq when present).")
    var lstmModel: String?

    @Option(help: "Base tick in seconds (overrides the scenario; 0.01 … 3600).")
    var tick: Double?

    @Option(name: .customLong("model-rate"), help: "Comma-separated estimators run at the model rate (--model-period) instead of every tick, e.g. ekf,ukf (overrides the scenario).")
    var modelRate: String?

    @Option(name: .customLong("model-period"), help: "Model-rate period in seconds (overrides the scenario).")
    var modelPeriod: Double?

    @Option(help: "Worker threads (default: the number of cores). Results do not depend on it.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("telemetry-every"), help: "Record telemetry every N ticks (0 = automatic, at most ~200 000 frames per run).")
    var telemetryEvery: Int = 0

    @Option(name: .customLong("current-sign"), help: "Current sign of a generic CSV without a '# current_sign:' line: charge_positive or discharge_positive.")
    var currentSign: String?

    @Flag(help: "No progress bar.")
    var quiet = false

    func validate() throws {
        if let tick, !(tick >= 0.01 && tick <= 3600) {
            throw ValidationError("--tick must be between 0.01 and 3600 s, found \(tick)")
        }
        if let modelPeriod, !(modelPeriod > 0 && modelPeriod <= 3600) {
            throw ValidationError("--model-period must be in (0, 3600] s, found \(modelPeriod)")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, found \(threads)") }
        guard telemetryEvery >= 0 else { throw ValidationError("--telemetry-every must be >= 0") }
        if estimatorNames.isEmpty { throw ValidationError("--estimators is empty") }
        if let currentSign, GenericRecordingCSV.CurrentSign(rawValue: currentSign) == nil {
            throw ValidationError("--current-sign must be charge_positive or discharge_positive, found '\(currentSign)'")
        }
    }

    /// Estimator names as given (aliases resolved by the factory).
    var estimatorNames: [String] {
        guard let estimators else {
            return ["ah", "ocv", "ekf", "ukf"] + (lstmModel != nil || BundledData.lstmModelURL != nil ? ["lstm"] : [])
        }
        return estimators.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Cell names asked for, or nil for all.
    var cellNames: [String]? {
        cells.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// Applies `--tick` to a scenario.
    func adjusted(_ scenario: ReplayScenario) -> ReplayScenario {
        var s = scenario
        if let tick { s.baseTickSeconds = tick }
        if let modelRate {
            s.slowEstimators = modelRate.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let modelPeriod { s.slowEstimatorPeriodSeconds = modelPeriod }
        return s
    }
}
