import ArgumentParser
import Foundation
import Replay

/// `bmsim compare`: cells × scenarios × estimators in one run → ranked Markdown table (stdout
/// and `--out/comparison.md`; `--format json|csv` prints the report so instead), JSON, CSV,
/// and `index.html` with the ranking, the heat map, the error distribution and a figure per run.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare SOC estimators over cells × scenarios; ranked table, JSON, CSV and an HTML report with plots.")

    @OptionGroup var shared: ReplaySharedOptions

    @Option(help: "Comma-separated scenario presets or JSON files.")
    var scenarios: String = ReplayScenario.presets.map(\.name).joined(separator: ",")

    @Option(help: "Output folder for comparison.md, comparison.json, comparison.csv, the SVG plots and index.html.")
    var out: String = "out/compare"

    @OptionGroup var output: OutputOptions

    @OptionGroup var format: FormatOption

    func validate() throws {
        guard !scenarioNames.isEmpty else { throw ValidationError("--scenarios is empty; give presets or JSON files") }
    }

    /// The scenario names and files asked for, blanks dropped.
    var scenarioNames: [String] {
        scenarios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let files = try output.replayOutput(out)
        let list = try scenarioNames.map {
            shared.adjusted(try ReplayScenario.resolve($0))
        }
        let outcome = try ReplayDriver(shared: shared, keepTelemetry: false).run(scenarios: list)
        let report = ComparisonReport(results: outcome.finished)
        // The files first: a failing stdout (full disk) must not cost them.
        let written = try files.writeAll(results: outcome.finished, report: report, telemetryCSV: false,
                                         title: "BMSim comparison")
        switch format.format {
        case .table: try StandardOutput.write(report.markdown())
        case .json: try StandardOutput.write(String(decoding: report.json(), as: UTF8.self) + "\n")
        case .csv: try StandardOutput.write(report.csv())
        }
        FileHandle.standardError.write(Data("wrote \(written.count) files to \(out) (open \(out)/index.html)\n".utf8))
        try outcome.finishOrExit()
    }
}
