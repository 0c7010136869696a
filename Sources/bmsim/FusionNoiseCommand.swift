import ArgumentParser
import CellData
import CellModel
import Estimators
import Evaluation
import Foundation

/// `bmsim fusion-noise`: learns the LSTM's measurement noise for `ekf+lstm`
/// (`Evaluation.LSTMFusionNoiseLearning`) from labelled discharges — by default the NASA
/// validation cells — and prints it with the Swift literal of `LSTMFusionNoise.default`.
struct FusionNoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusion-noise",
        abstract: "Learn the LSTM's SOC noise per band and its correlation time for ekf+lstm (validation cells by default).")

    @Option(parsing: .upToNextOption, help: "NASA PCoE data folder or a generic dataset (as classical-eval).")
    var data: [String] = []

    @Option(name: .customLong("cell-model"), help: "Cell model file (default: the bundled one).")
    var cellModel: String?

    @Option(name: .customLong("lstm-model"), help: "Fixed-point LSTM blob (default: Fixtures/models/lstm-soh.bmsq, the blob the shipped band noise was learned from).")
    var lstmModel: String?

    @Option(help: "Cells: names and split names (default: validation; never choose on test).", transform: CellSelection.parse)
    var cells = CellSelection(.validation)

    @Option(help: "Equal SOC bands over [0, 1].")
    var bands = 5

    @Option(help: "Grid each discharge is fed on, s.")
    var grid = 1.0

    @Option(help: "Also write the noise to this file, for `replay`, `compare` and `classical-eval --fusion-noise`.")
    var out: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var plausibility: AcceptImplausibleOption
    @OptionGroup var format: FormatOption

    func validate() throws {
        guard !data.isEmpty else { throw ValidationError("Missing expected argument '--data <data>'") }
        try OptionCheck.require(bands, in: 1...100, "--bands")
        try OptionCheck.require(grid, in: 0.1...10, "--grid", unit: "s")
    }

    func run() throws {
        if let out { try output.check(out) }
        let blobPath = lstmModel ?? BundledData.bandNoiseLSTMModelURL?.path
        let factory = try ClassicalEstimatorFactory.load(cellModelPath: cellModel, lstmModelPath: blobPath)
        guard let blob = factory.lstmModel else {
            throw ValidationError(EstimatorFactoryError.blobModelMissing(kind: .ekfLSTM).description)
        }
        let dataset = try Dataset.open(paths: data, policy: plausibility.policy)
        let (discharges, _, _) = try EvaluationDischarge.load(dataset, selecting: cells.items)
        var learning = LSTMFusionNoiseLearning(model: factory.model, lstmModel: blob)
        learning.bands = bands
        learning.gridSeconds = grid
        guard let result = learning.learn(discharges) else {
            throw ValidationError("no confirmed LSTM output in the selected discharges: nothing to learn from")
        }
        try format.print(result)
        if let out {
            let name = URL(fileURLWithPath: blobPath ?? "?").lastPathComponent
            let document = LSTMFusionNoiseFile.Document(
                noise: result.noise,
                lstmModel: .init(file: name, fingerprint: LSTMFusionNoiseFile.fingerprint(of: blob)),
                learnedOn: "\(cells) of \(data.joined(separator: " ")) (\(result.discharges) sequences)")
            try output.write(try LSTMFusionNoiseFile.encode(document), to: out)
        }
    }
}

extension LSTMFusionNoiseLearning.Result: TabularReport {
    /// Per band: residuals, mean, σ; then τ and the literal.
    var table: String {
        let n = noise.socBandSigma.count
        var lines = ["| LSTM SOC band | residuals | mean, points | σ, points |", "|---|---:|---:|---:|"]
        for b in 0..<n {
            lines.append(String(format: "| %.2f–%.2f | %d | %.2f | %.2f |", Double(b) / Double(n), Double(b + 1) / Double(n),
                                bandCounts[b], 100 * bandMeans[b], 100 * noise.socBandSigma[b]))
        }
        lines.append(String(format: "all: σ %.2f points over %d discharges; correlation time τ = %.0f s; EKF variance ratio ρ_P = %.1f",
                            100 * overallSigma, discharges, noise.decorrelationSeconds, noise.filterVarianceRatio))
        let sigmas = noise.socBandSigma.map { String(format: "%.4f", $0) }.joined(separator: ", ")
        lines.append(String(format: "LSTMFusionNoise(socBandSigma: [%@], decorrelationSeconds: %.0f, filterVarianceRatio: %.1f)",
                            sigmas, noise.decorrelationSeconds, noise.filterVarianceRatio))
        return lines.joined(separator: "\n")
    }

    var csvHeader: [String] { ["band", "residuals", "mean", "sigma", "decorrelation_seconds", "filter_variance_ratio"] }

    var csvRows: [[String]] {
        noise.socBandSigma.indices.map { b in
            ["\(b)", "\(bandCounts[b])", "\(bandMeans[b])", "\(noise.socBandSigma[b])", "\(noise.decorrelationSeconds)",
             "\(noise.filterVarianceRatio)"]
        }
    }
}
