import ArgumentParser
import FloatModel
import Foundation
import CellData
import Trainer

/// `bmsim shrink`: scales a trained model's correction to its coulomb-count prior,
/// `SOC = prior + λ · correction`, with λ chosen on the given cells (streaming RMSE, the
/// firmware's way of running it) or given.
struct ShrinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Shrink a model's correction toward its coulomb-count prior (SOC = prior + λ·correction), λ chosen on cells you name.",
        discussion: """
            Every --cells group is streamed once with the model and once with λ = 0 (the prior \
            alone); the SOC is linear in λ, so every λ of the grid is scored from those two runs. \
            The score of a λ is the mean over the groups of their streaming RMSE (n ≥ 50, as \
            `evaluate`); the lowest wins. With --prior-scales every group is also streamed with \
            its prior capacities scaled (as `evaluate --prior-scale`) and the score averages the \
            scales, so the λ holds up when the capacity the BMS has learned is off. Choose the \
            groups from validation or development cells, never from the cells you report. \
            Docs/Trainer.md, "Shrinking the correction".
            """)

    @Argument(help: "Model file written by `bmsim train` (a model with a coulomb-count prior and one linear output).")
    var model: String
    @Option(parsing: .upToNextOption,
            help: "NASA PCoE data folder (nasa_pcoe_battery or the folder holding it), a generic dataset (folder or dataset.json), or recording CSVs.")
    var data: [String]
    @Option(help: "A group of cells (names and split names, comma-separated); repeat for more groups, each weighs the same in the score (default: validation).",
            transform: CellSelection.parse)
    var cells: [CellSelection] = []
    @Option(help: "Use this λ (0…1) instead of choosing one.")
    var lambda: Double?
    @Option(help: "Step of the λ grid 0, step, 2·step, …, 1.")
    var step: Double = 0.05
    @Option(help: "Prior-capacity scales (0.1…10, comma-separated, e.g. 0.9,1,1.1): every group is scored at each, and the score is their mean.",
            transform: ShrinkCommand.scales)
    var priorScales: [Double] = [1]
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @Option(help: "The shrunk model file to write.") var out: String
    @OptionGroup var output: OutputOptions
    @OptionGroup var plausibility: AcceptImplausibleOption

    func validate() throws {
        if let lambda { try OptionCheck.require(lambda, in: 0...1, "--lambda") }
        try OptionCheck.require(step, in: 0.001...1, "--step")
        try OptionCheck.require(threads, in: 1...OptionCheck.maximumThreads, "--threads")
    }

    /// The `--prior-scales` list: finite numbers in 0.1…10, at least one.
    static func scales(_ text: String) throws(OptionValueError) -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map { $0.isFinite && (0.1...10).contains($0) } ?? false }) else {
            throw OptionValueError(description: "--prior-scales \(text): expected numbers in 0.1…10, comma-separated (e.g. 0.9,1,1.1)")
        }
        return parts.map { $0! }
    }

    func run() throws {
        BLAS.setThreadCount(threads)
        let file = try FloatModelFile.read(from: URL(fileURLWithPath: model))
        let prior: FloatModelFile
        do { prior = try file.scalingCorrection(by: 0) } catch { throw CLIError.badInput(path: model, reason: "\(error)") }
        let chosen: Double
        if let lambda {
            chosen = lambda
        } else {
            let dataset = try Dataset.open(paths: data, policy: plausibility.policy)
            let groups = try (cells.isEmpty ? [CellSelection(.validation)] : cells).flatMap { selection in
                let streamed = try StreamedCycles(file, dataset: dataset, cells: selection)
                return priorScales.map { scale in
                    (priorScales == [1] ? selection.description : String(format: "%@ ×%g", selection.description, scale),
                     streamed.scaled(for: file, priorScale: scale))
                }
            }
            let scores = try CorrectionScaleSearch(model: file.makeNetwork(), prior: prior.makeNetwork(), scalers: file.scalers,
                                                   groups: groups.map(\.1), step: step)
            print(scores.table(groupNames: groups.map(\.0)))
            chosen = scores.best.lambda
        }
        let shrunk = try file.scalingCorrection(by: chosen)
        try output.write(try shrunk.encoded(), to: out)
        print(String(format: "wrote %@: SOC = prior + %.4g · correction", out, chosen)
              + (file.training.correctionScale.map { String(format: " (λ recorded: %.4g, the product with the input's %.4g)", chosen * $0, $0) } ?? ""))
    }
}
