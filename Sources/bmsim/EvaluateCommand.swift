import ArgumentParser
import FloatModel
import Foundation
import BMSCore
import CellData
import Trainer

/// `bmsim evaluate`: scores a float model on cells (NASA) or a generic dataset's labelled
/// recordings, window by window and streaming.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a float model (model.json): MAE, RMSE, max error (SOC %) and R².")

    @Argument(help: "Model file written by `bmsim train`.") var model: String
    @Option(parsing: .upToNextOption,
            help: "NASA PCoE data folder (nasa_pcoe_battery or the folder holding it), a generic dataset (folder or dataset.json), or recording CSVs.")
    var data: [String]
    @Option(help: "Cells: names and split names (train, validation, test), comma-separated (default: test); a generic dataset's split is its manifest's (none: every recording).",
            transform: CellSelection.parse)
    var cells = CellSelection(.test)
    @Option(help: "window (as the benchmark task in Docs/Benchmark.md: every 50-step window from zero state), streaming (whole cycles, carried state) or both.")
    var style: String = "both"
    @Option(help: "Window stride.") var stride: Int = 1
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @Option(help: "Multiply every discharge's prior capacity by this factor (robustness check: 0.9 = the BMS's capacity 10 % low).")
    var priorScale: Double = 1
    @Option(help: "Partial starts: cut every discharge at this fraction of its length (0.5 = half-way) and stream it from there with zero state, scoring every step after the cut; the start SOC is the reference there plus --start-soc-error for a model with a prior-SOC input, 1 (a full start, as the firmware assumes) for any other.")
    var startAt: Double?
    @Option(name: .customLong("start-soc-error"), help: "With --start-at: error added to the start SOC, a fraction (0.05 = the BMS believes 5 points too many).")
    var startSOCError: Double = 0
    @Flag(help: "Also print the metrics of each cell.") var perCell = false
    @Option(help: "Write the streaming predictions as CSV (cell, cycle, step, reference and predicted SOC).")
    var predictions: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var plausibility: AcceptImplausibleOption
    @OptionGroup var format: FormatOption

    func validate() throws {
        guard ["window", "streaming", "both"].contains(style) else { throw ValidationError("--style must be window, streaming or both") }
        try OptionCheck.require(stride, in: 1...1_000_000, "--stride")
        try OptionCheck.require(threads, in: 1...OptionCheck.maximumThreads, "--threads")
        try OptionCheck.require(priorScale, in: 0.1...10, "--prior-scale")
        if let startAt {
            try OptionCheck.require(startAt, in: 0...0.99, "--start-at")
            guard style == "streaming" else { throw ValidationError("--start-at scores streaming only (--style streaming)") }
        }
        try OptionCheck.require(startSOCError, in: -0.5...0.5, "--start-soc-error")
    }

    func run() throws {
        BLAS.setThreadCount(threads)
        let file = try FloatModelFile.read(from: URL(fileURLWithPath: model))
        let network = try file.makeNetwork()
        let dataset = try Dataset.open(paths: data, policy: plausibility.policy)
        var streamed = try StreamedCycles(file, dataset: dataset, cells: cells)
        let list = streamed.cells
        if let startAt {
            let readsStart = file.scalers.resolvedFeatureSet.hasPriorSOC
            streamed.grid = streamed.grid.map { cycle in
                let step = Int((startAt * Double(cycle.count)).rounded(.down))
                return cycle.partialStart(at: step, startSOC: readsStart ? cycle.soc[step] + startSOCError : 1)
            }
        }
        let scaled = streamed.scaled(for: file, priorScale: priorScale)
        var report = EvaluateReport(model: model, architecture: file.architecture.name,
                                    mode: file.training.config.mode.rawValue, keptEpoch: file.training.bestEpoch,
                                    trainCells: file.training.trainCells, correctionScale: file.training.correctionScale, cells: list, discharges: scaled.count, stride: stride)
        func add(_ scope: String, _ o: Evaluation.Outcome) {
            report.figures.append(.init(scope: scope, o.metrics, r2: true))
            if perCell {
                report.figures += o.metricsByCell(scaled).map { .init(scope: scope, cell: $0.0, $0.1, r2: false) }
            }
        }
        if style != "streaming" {
            add("window", Evaluation.windows(network, cycles: scaled, stride: stride, scalers: file.scalers))
        }
        if style != "window" || predictions != nil {
            let outcome = Evaluation.streaming(network, cycles: scaled, scalers: file.scalers,
                                               firstTarget: startAt == nil ? TaskSplit.lookback : 1)
            add(startAt == nil ? "streaming" : "partial-start", outcome)
            if let predictions {
                var csv = "cell,cycle,step,soc_reference,soc_predicted\n"
                var previous = -1, step = 0
                for k in outcome.predictedSOC.indices {
                    let c = outcome.cycleIndex[k]
                    step = c == previous ? step + 1 : (startAt == nil ? TaskSplit.lookback : 1)
                    previous = c
                    csv += CSVField.line([scaled[c].cell, "\(scaled[c].cycle)", "\(step)", "\(outcome.referenceSOC[k])",
                                          "\(outcome.predictedSOC[k])"])
                }
                try output.write(csv, to: predictions)
                report.predictions = predictions
            }
        }
        try format.print(report)
    }
}
