import ArgumentParser
import BMSCore
import Evaluation

/// The old spellings of `classical-eval`'s options, hidden from `--help` and accepted for
/// one release: the data folder as a positional argument (now `--data`), `--model` (now
/// `--cell-model`), `--methods` (now `--estimators`) and `--initial` (now `--initial-soc`).
struct ClassicalEvalLegacyOptions: ParsableArguments {
    @Argument(help: .hidden) var path: String?
    @Option(name: .customLong("model"), help: .hidden) var model: String?
    @Option(name: .customLong("methods"), help: .hidden, transform: EstimatorList.parse) var methods: EstimatorList?
    @Option(name: .customLong("initial"), help: .hidden, transform: InitialSOC.parse) var initial: InitialSOC?

    /// `--methods` when given, else `estimators`.
    func estimators(_ estimators: EstimatorList) throws -> EstimatorList { methods ?? estimators }
}

extension ClassicalEvalCommand {
    /// The data paths and the cell model file, from the new or the old spellings; each is required.
    func inputs() throws -> (data: [String], cellModel: String) {
        guard let data = try OptionAlias.merge(data.isEmpty ? nil : data, legacy.path.map { [$0] },
                                               new: "--data", old: "a positional data folder") else {
            throw ValidationError("Missing expected argument '--data <data>' (the NASA PCoE folder, a dataset or recording CSVs)")
        }
        guard let model = try OptionAlias.merge(cellModel, legacy.model, new: "--cell-model", old: "--model") else {
            throw ValidationError("Missing expected argument '--cell-model <cell-model>' (cell.json)")
        }
        return (data, model)
    }
}

extension DischargeEvaluationReport: TabularReport {
    /// The wake-up line and the Markdown table of the methods.
    var table: String { wakeUpReadings.line + "\n" + markdownTable() }

    var csvHeader: [String] {
        ["estimator", "discharges", "rmse_percent", "mae_percent", "max_abs_error_percent", "task_rmse_percent",
         "warm_rmse_percent", "cold_rmse_percent", "within_2pct_at_600s", "within_2pct_after_600s", "ns_per_update"]
    }

    var csvRows: [[String]] {
        methods.map { m in
            [m.method, "\(m.dischargeCount)", "\(m.all.rmse)", "\(m.all.mae)", "\(m.all.maxAbs)", "\(m.taskScoring.rmse)",
             "\(m.warm.rmse)", "\(m.cold.rmse)", "\(m.withinAtTenMinutes)", "\(m.withinAfterTenMinutes)",
             "\(m.nanosecondsPerUpdate)"]
        }
    }
}
