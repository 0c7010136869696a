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

    @Option(help: "Table format on stdout: table, json or csv.")
    var format: OutputFormat = .table

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    func run() throws {
        let scenario = shared.adjusted(try ReplayScenario.resolve(scenario))
        let outcome = try ReplayDriver(shared: shared, keepTelemetry: true).run(scenarios: [scenario])
        let report = ComparisonReport(results: outcome.finished)
        switch format {
        case .table: print(report.textTable(), terminator: "")
        case .json: print(String(decoding: report.json(), as: UTF8.self))
        case .csv: print(report.csv(), terminator: "")
        }
        let written = try ReplayOutput(directory: URL(fileURLWithPath: out)).writeAll(results: outcome.finished, report: report)
        FileHandle.standardError.write(Data("wrote \(written.count) files to \(out) (open \(out)/index.html)\n".utf8))
        try outcome.finishOrExit()
    }
}
