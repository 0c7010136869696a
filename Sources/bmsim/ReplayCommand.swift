import ArgumentParser
import Foundation
import Replay

/// `bmsim replay`: one scenario, every estimator, the table on stdout and telemetry CSV,
/// SVG plots and index.html in `--out`.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay recorded cells through the BMS firmware loop and compare SOC estimators.",
        discussion: """
        Runs each cell's whole recorded life (charges, rests, discharges in time order) tick by tick
        through the sensor front-end, plausibility checks, protection and every estimator. With no
        PATH it replays the bundled synthetic recording. Scenario presets: \
        \(ReplayScenario.presets.map(\.name).joined(separator: ", ")); or a JSON file (Docs/BMSLoop.md).
        """)

    @OptionGroup var shared: ReplaySharedOptions

    @Option(help: "Scenario preset name or JSON file.")
    var scenario: String = "nominal"

    @Option(help: "Output folder for telemetry CSV, plots, tables and index.html.")
    var out: String = "out/replay"

    @OptionGroup var noiseDraws: NoiseDrawsOption

    @OptionGroup var output: OutputOptions

    @OptionGroup var format: FormatOption

    func validate() throws {
        _ = try noiseDraws.draws(from: shared.noiseDraw)
    }

    func run() throws {
        let files = try output.replayOutput(out)
        let scenario = shared.adjusted(try ReplayScenario.resolve(scenario))
        let draws = try noiseDraws.draws(from: shared.noiseDraw)
        let outcome = try ReplayDriver(shared: shared, keepTelemetry: true).run(scenarios: [scenario], draws: draws)
        let (firstDraw, drawn) = NoiseDrawSummary.split(outcome.finished, drawOfRun: outcome.finishedDraws, draws: draws)
        let results = firstDraw.map { outcome.finished[$0] }
        let report = ComparisonReport(results: results)
        let summary = CompareCommand.summary(drawn)
        // The files first: a failing stdout (full disk) must not cost them.
        let written = try files.writeAll(results: results, report: report, draws: summary)
        switch format.format {
        case .table: try StandardOutput.write(report.textTable())
        case .json: try StandardOutput.write(String(decoding: report.json(), as: UTF8.self) + "\n")
        case .csv: try StandardOutput.write(report.csv())
        }
        if let summary, format.format == .table {
            try StandardOutput.write("\n" + summary.markdown())
        }
        FileHandle.standardError.write(Data("wrote \(written.count) files to \(out) (open \(out)/index.html)\n".utf8))
        try outcome.finishOrExit()
    }
}
