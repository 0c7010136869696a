import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Replay

@Suite("Replay output files")
struct ReplayOutputTests {
    @Test("writes CSV, well-formed SVG, report files and index.html; no temporary files left")
    func writeAll() throws {
        let runner = ReplayRunner(factory: testFactory, options: ReplayOptions(telemetryEveryTicks: 10))
        let results = [try runner.run(recording: syntheticRecording(), scenario: .nominal, estimators: ["count", "volt"])]
        let report = ComparisonReport(results: results)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-replay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try ReplayOutput(directory: dir).writeAll(results: results, report: report)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["comparison.csv", "comparison.json", "comparison.md", "error_ecdf.svg", "index.html",
                          "ranking.svg", "rmse_heatmap.svg", "run_SYN1_nominal.svg", "telemetry_SYN1_nominal.csv"])
        #expect(written.count == names.count)
        // The SVGs parse as XML.
        for svg in names where svg.hasSuffix(".svg") {
            let parser = XMLParser(contentsOf: dir.appendingPathComponent(svg))!
            #expect(parser.parse(), "\(svg): \(parser.parserError.map { "\($0)" } ?? "")")
        }
        // The CSV has one row per frame plus the header, and the columns it announces.
        let csv = try String(contentsOf: dir.appendingPathComponent("telemetry_SYN1_nominal.csv"), encoding: .utf8)
        var lines = csv.split(separator: "\n")
        // The first line states the current sign, as a generic recording CSV does.
        #expect(lines.first == "# current_sign: charge_positive")
        lines.removeFirst()
        #expect(lines.count == results[0].telemetry.count + 1)
        #expect(lines[0].split(separator: ",").count == lines[1].split(separator: ",", omittingEmptySubsequences: false).count)
        // The JSON report decodes back.
        let decoded = try ComparisonReport.read(json: Data(contentsOf: dir.appendingPathComponent("comparison.json")))
        #expect(decoded.rows.count == 2)
        #expect(decoded.ranking.first?.estimator == "count")
    }

    @Test("an unwritable folder is a typed error")
    func unwritable() {
        #expect(throws: ReplayError.self) {
            try ReplayOutput(directory: URL(fileURLWithPath: "/proc/bmsim-cannot-write")).write(Data("x".utf8), to: "a.txt")
        }
    }

    @Test("markdown ranks estimators by mean RMSE")
    func markdownRanking() throws {
        let runner = ReplayRunner(factory: testFactory)
        let results = try [ReplayScenario.nominal, .currentBias].map {
            try runner.run(recording: syntheticRecording(), scenario: $0, estimators: ["volt", "count"])
        }
        let md = ComparisonReport(results: results).markdown()
        #expect(md.contains("| 1 | count |"))
        #expect(md.contains("| 2 | volt |"))
        #expect(md.split(separator: "\n").filter { $0.hasPrefix("| SYN1 |") }.count == 4)
    }
}
