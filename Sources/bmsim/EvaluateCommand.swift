import ArgumentParser
import Foundation
import BMSCore
import CellData
import Trainer

/// `bmsim evaluate`: scores a float model on cells, window by window and streaming.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a float model (model.json): MAE, RMSE, max error (SOC %) and R².")

    @Argument(help: "Model file written by `bmsim train`.") var model: String
    @Option(help: "NASA data folder (nasa_pcoe_battery or its parent).") var data: String
    @Option(help: "Cells: test, validation, train or a comma list like B0039,B0043.") var cells: String = "test"
    @Option(help: "window (as the benchmark task in Docs/Benchmark.md: every 50-step window from zero state), streaming (whole cycles, carried state) or both.")
    var style: String = "both"
    @Option(help: "Window stride.") var stride: Int = 1
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @Flag(help: "Also print the metrics of each cell.") var perCell = false
    @Option(help: "Write the streaming predictions as CSV (cell, cycle, step, reference and predicted SOC).")
    var predictions: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard ["window", "streaming", "both"].contains(style) else { throw ValidationError("--style must be window, streaming or both") }
        guard stride > 0, threads > 0 else { throw ValidationError("--stride and --threads must be positive") }
    }

    func run() throws {
        BLAS.setThreadCount(threads)
        let file = try FloatModelFile.read(from: URL(fileURLWithPath: model))
        let network = try file.makeNetwork()
        let root = try resolveNASAFolder(data)
        let list: [String]
        switch cells {
        case "test": list = TaskSplit.test
        case "validation": list = TaskSplit.validation
        case "train": list = TaskSplit.train
        default: list = cells.split(separator: ",").map { String($0) }
        }
        let grid = try GridCycle.load(root: root, cells: list)
        guard !grid.isEmpty else { throw SOCDatasetError.emptySplit(cells: list) }
        let scaled = grid.map { ScaledCycle($0, scalers: file.scalers) }
        say("model \(model): \(file.architecture.name), trained in \(file.training.config.mode.rawValue) mode, kept epoch \(file.training.bestEpoch)")
        say("cells \(list.joined(separator: " ")): \(scaled.count) discharges")
        func show(_ label: String, _ o: Evaluation.Outcome) {
            let m = o.metrics
            say(String(format: "%@  n %d  MAE %.2f %%  RMSE %.2f %%  max %.2f %%  R² %.4f",
                         label, m.count, m.mae, m.rmse, m.maxAbs, m.r2))
            if perCell {
                for (cell, c) in o.metricsByCell(scaled) {
                    say(String(format: "    %@  n %6d  MAE %6.2f %%  RMSE %6.2f %%  max %6.2f %%", cell, c.count,
                               c.mae, c.rmse, c.maxAbs))
                }
            }
        }
        if style != "streaming" {
            show("window    (stride \(stride))", Evaluation.windows(network, cycles: scaled, stride: stride, scalers: file.scalers))
        }
        if style != "window" || predictions != nil {
            let outcome = Evaluation.streaming(network, cycles: scaled, scalers: file.scalers)
            show("streaming (n ≥ 50)      ", outcome)
            if let predictions {
                var csv = "cell,cycle,step,soc_reference,soc_predicted\n"
                var previous = -1, step = 0
                for k in outcome.predictedSOC.indices {
                    let c = outcome.cycleIndex[k]
                    step = c == previous ? step + 1 : 50
                    previous = c
                    csv += CSVField.line([scaled[c].cell, "\(scaled[c].cycle)", "\(step)", "\(outcome.referenceSOC[k])",
                                          "\(outcome.predictedSOC[k])"])
                }
                try output.write(csv, to: predictions)
                say("wrote \(predictions)")
            }
        }
    }
}
