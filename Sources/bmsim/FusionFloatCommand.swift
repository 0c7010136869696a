import ArgumentParser
import CellData
import CellModel
import Estimators
import Evaluation
import FloatModel
import Foundation
import Trainer

/// `bmsim fusion-float`: the float comparison of the two fusion designs of issue 16 part 4
/// (`Evaluation.NetworkSOCFusion`): a float model's streaming SOC — and, for a model with an
/// uncertainty head (`train --loss gaussian-nll`), its σ — fused into the 1RC EKF over the
/// discharge-only protocol (1 s grid, rested starts), with R from the shipped per-band σ
/// (`--sigma bands`) or from the network's σ (`--sigma network`). Prints per cell and for all
/// discharges the RMSE of the EKF, the network and the fused estimate, and the σ calibration.
struct FusionFloatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusion-float",
        abstract: "Fuse a float model's SOC (and its σ head) into the EKF on labelled discharges (validation cells by default).")

    @Argument(help: "Float model file written by `bmsim train`.") var model: String
    @Option(parsing: .upToNextOption, help: "NASA PCoE data folder (as evaluate).") var data: [String]
    @Option(name: .customLong("cell-model"), help: "Cell model file (default: the bundled one).") var cellModel: String?
    @Option(help: "Cells: names and split names (default: validation; never choose on test).", transform: CellSelection.parse)
    var cells = CellSelection(.validation)
    @Option(help: "bands (R from the shipped σ per band of the SOC, ekf+lstm) or network (R from the model's σ head).")
    var sigma: String = "bands"
    @Option(name: .customLong("r-scale"), help: "With --sigma network: multiply R by this factor.") var rScale: Double = 1
    @OptionGroup var plausibility: AcceptImplausibleOption

    func validate() throws {
        guard ["bands", "network"].contains(sigma) else { throw ValidationError("--sigma must be bands or network (got \(sigma))") }
        try OptionCheck.require(rScale, in: 1e-4...1e4, "--r-scale")
    }

    func run() throws {
        let file = try FloatModelFile.read(from: URL(fileURLWithPath: model))
        if sigma == "network" && file.architecture.outputCount != 2 {
            throw ValidationError("--sigma network needs a model with an uncertainty head (train --loss gaussian-nll); \(model) has one output")
        }
        let network = try file.makeNetwork()
        let factory = try ClassicalEstimatorFactory.load(cellModelPath: cellModel, lstmModelPath: nil)
        let dataset = try Dataset.open(paths: data, policy: plausibility.policy)
        var grid = try GridCycle.load(dataset, selecting: cells.items)
        if let rule = file.scalers.learnedPrior { GridCycle.assignLearnedPriors(&grid, rule: rule) }
        let scaled = grid.map { ScaledCycle($0, scalers: file.scalers, priorCapacityAh: file.scalers.priorCapacityAh(of: $0)) }
        let outcome = Evaluation.streaming(network, cycles: scaled, scalers: file.scalers, firstTarget: 1)
        var sequences = scaled.map {
            NetworkSOCSequence(cell: $0.cell, cycle: $0.cycle, stepSeconds: file.stepSeconds,
                               soc: [Double](repeating: .nan, count: $0.count),
                               sigma: file.architecture.outputCount == 2 ? [Double](repeating: .nan, count: $0.count) : nil)
        }
        var previous = -1, step = 0
        for k in outcome.predictedSOC.indices {
            let c = outcome.cycleIndex[k]
            step = c == previous ? step + 1 : 1
            previous = c
            sequences[c].soc[step] = outcome.predictedSOC[k]
            if !outcome.predictedSigmaSOC.isEmpty { sequences[c].sigma?[step] = outcome.predictedSigmaSOC[k] }
        }
        let (discharges, cellList, _) = try EvaluationDischarge.load(dataset, selecting: cells.items)
        var fusion = NetworkSOCFusion(model: factory.model)
        fusion.noise = sigma == "bands" ? .bands : .network(scale: rScale)
        let results = fusion.run(discharges, sequences: sequences, cells: cellList)
        print("model \(model), R from \(sigma)\(sigma == "network" ? String(format: " × %g", rScale) : ""); \(outcome.predictedSOC.count) network outputs")
        print("| cell | ekf | network | fused | fusions | within ±1σ | within ±2σ | corr(|e|, σ) | mean σ, points |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results {
            let n = Double(max(r.sigmas.count, 1))
            print(String(format: "| %@ | %.2f | %.2f | %.2f | %d | %.1f %% | %.1f %% | %.2f | %.2f |", r.cell, r.ekf.rmse, r.network.rmse,
                         r.fused.rmse, r.fusions, 100 * Double(r.withinOneSigma) / n, 100 * Double(r.withinTwoSigma) / n,
                         r.errorSigmaCorrelation, 100 * r.sigmas.reduce(0, +) / n))
        }
    }
}
