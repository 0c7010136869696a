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

    @OptionGroup var output: OutputOptions

    @OptionGroup var format: FormatOption

    func run() throws {
        let files = try output.replayOutput(out)
        let scenario = shared.adjusted(try ReplayScenario.resolve(scenario))
        let outcome = try ReplayDriver(shared: shared, keepTelemetry: true).run(scenarios: [scenario])
        let report = ComparisonReport(results: outcome.finished)
        // The files first: a failing stdout (full disk) must not cost them.
        let written = try files.writeAll(results: outcome.finished, report: report)
        switch format.format {
        case .table: try StandardOutput.write(report.textTable())
        case .json: try StandardOutput.write(String(decoding: report.json(), as: UTF8.self) + "\n")
        case .csv: try StandardOutput.write(report.csv())
        }
        FileHandle.standardError.write(Data("wrote \(written.count) files to \(out) (open \(out)/index.html)\n".utf8))
        try outcome.finishOrExit()
    }
}
