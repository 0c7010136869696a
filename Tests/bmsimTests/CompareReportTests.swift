import ArgumentParser
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport
@testable import bmsim
@testable import Replay

/// `bmsim compare`'s HTML report and the plot zoom (`--from-cycle` / `--to-cycle`) of
/// `replay` and `compare`.
@Suite("bmsim compare report and plot zoom", .serialized)
struct CompareReportTests {
    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-compare-report-\(UUID().uuidString)")
    }

    /// The `src` of every `<img>` in `html`.
    static func imageSources(_ html: String) -> [String] {
        html.components(separatedBy: "<img src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test("compare writes index.html listing every SVG (each parses as XML); the heat map's numbers are comparison.json's; zoomed run figures")
    func compareReport() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try CompareCommand.parseAsRoot(["--out", out.path, "--quiet", "--estimators", "ah,ocv", "--format", "csv",
                                                      "--scenarios", "nominal,current-bias", "--from-cycle", "1", "--to-cycle", "2"])
        let compare = try #require(command as? CompareCommand)
        try compare.run()
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(!files.contains { $0.hasPrefix("telemetry_") }, "compare writes no telemetry CSV")
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        let sources = Self.imageSources(html)
        #expect(Set(sources) == Set(files.filter { $0.hasSuffix(".svg") }) && sources.count == 5, "\(sources) vs \(files)")
        for source in sources {
            let parser = try #require(XMLParser(contentsOf: out.appendingPathComponent(source)))
            #expect(parser.parse(), "\(source): \(parser.parserError.map { "\($0)" } ?? "")")
        }
        let report = try ComparisonReport.read(json: Data(contentsOf: out.appendingPathComponent("comparison.json")))
        let heatMap = RMSEHeatMap(report: report)
        #expect(heatMap.scenarios == ["nominal", "current-bias"] && heatMap.estimators == report.ranking.map(\.estimator))
        let svg = try String(contentsOf: out.appendingPathComponent("rmse_heatmap.svg"), encoding: .utf8)
        for row in report.rows {
            let cell = "data-estimator=\"\(row.metrics.estimator)\" data-scenario=\"\(row.scenario)\" data-rmse=\"\(row.metrics.rmsePercent)\">"
            #expect(svg.contains(cell + String(format: "%.2f", row.metrics.rmsePercent) + "</text>"), "\(cell)")
        }
        for run in sources where run.hasPrefix("run_") {
            let text = try String(contentsOf: out.appendingPathComponent(run), encoding: .utf8)
            #expect(text.contains("operations 1–2"), "\(run)")
        }
    }

    @Test("--from-cycle / --to-cycle out of order or negative: a `bmsim: error:` naming the option, usage status", arguments: [
        (["compare", "--from-cycle", "5", "--to-cycle", "3"], "--to-cycle (3) must not be before --from-cycle (5)"),
        (["replay", "--to-cycle", "0", "--from-cycle", "1"], "--to-cycle (0) must not be before --from-cycle (1)"),
        (["replay", "--from-cycle=-1"], "--from-cycle must be an operation index >= 0 (got -1)"),
        (["compare", "--to-cycle=-2"], "--to-cycle must be an operation index >= 0 (got -2)"),
        (["compare", "--from-cycle", "x"], "--from-cycle"),
    ])
    func cycleWindowErrors(_ arguments: [String], _ message: String) throws {
        let outcome = try BMSimProcess.run(arguments + ["--quiet", "--out", temporaryFolder().path])
        #expect(!outcome.signalled && outcome.status == 64, "stderr: \(outcome.stderr)")
        let first = outcome.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("bmsim: error: ") && first.contains(message), "stderr: \(outcome.stderr)")
    }

    @Test("replay --help says what --from-cycle zooms and that scoring covers the whole run")
    func helpText() {
        let help = ReplayCommand.helpMessage(columns: 200)
        #expect(help.contains("--from-cycle <N>") && help.contains("--to-cycle <M>"))
        #expect(help.contains("scoring, tables and the error distribution still cover the whole run"))
        #expect(CompareCommand.helpMessage(columns: 200).contains("--from-cycle <N>"))
    }

    @Test("a NASA cell: compare's run figure stays small (decimated) and zooms to the chosen operations",
          .enabled(if: SharedData.available))
    func nasaCell() throws {
        let nasa = try #require(SharedData.nasa)
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try CompareCommand.parseAsRoot([nasa.path, "--cells", "B0039", "--estimators", "ah,ekf", "--scenarios",
                                                      "nominal", "--quiet", "--out", out.path, "--format", "csv"])
        let compare = try #require(command as? CompareCommand)
        try compare.run()
        let run = out.appendingPathComponent("run_B0039_nominal.svg")
        let text = try String(contentsOf: run, encoding: .utf8)
        #expect(try #require(XMLParser(contentsOf: run)).parse())
        // 8 series (reference, 2 SOC, 2 errors, V, I, T), at most 2 points per pixel column each.
        let points = text.components(separatedBy: "<path d=\"").dropFirst().map { path in
            path.prefix { $0 != "\"" }.filter { $0 == "M" || $0 == "L" }.count
        }
        #expect(points.count == 8 && points.allSatisfy { $0 <= 2 * Int(SVGPanelChart.plotWidth) }, "\(points)")
        #expect(points.allSatisfy { $0 > 100 }, "\(points)")
        let attributes = try FileManager.default.attributesOfItem(atPath: run.path)
        #expect((attributes[.size] as? Int ?? .max) < 400_000)
    }
}
