import CellData
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Replay

/// Run names, file names and escaping of what `ReplayOutput` writes: two runs never share a
/// file, and a cell name is always text (HTML, SVG, CSV, Markdown).
@Suite("Replay output names and escaping")
struct ReplayOutputNamingTests {
    func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-naming-\(UUID().uuidString)")
    }

    /// The synthetic recording declaring `cell`, read from `source`.
    func run(cell: String, source: String = "syn.csv", scenario: ReplayScenario = .nominal) throws -> ReplayResult {
        var recording = syntheticRecording(cell: cell)
        recording.source = source
        return try ReplayRunner(factory: testFactory, options: ReplayOptions(telemetryEveryTicks: 60))
            .run(recording: recording, scenario: scenario, estimators: ["count"])
    }

    @Test("runs sharing a cell name get the recording's file name, then #2; stems are distinct in any letter case")
    func runNames() throws {
        let results = [try run(cell: "X", source: "/a/one.csv"), try run(cell: "X", source: "/b/two.csv"),
                       try run(cell: "X", source: "/b/two.csv"), try run(cell: "Y"),
                       try run(cell: "X", source: "/a/one.csv", scenario: .currentBias)]
        #expect(ReplayResult.runNames(results) == ["X (one.csv)", "X (two.csv)", "X (two.csv) #2", "Y", "X"])
        // Two files of one name: as many folders as tell them apart (a clean and a noisy copy).
        let copies = [try run(cell: "C", source: "/p/0C/hwfet.csv"), try run(cell: "C", source: "/p/0C/noisy/hwfet.csv")]
        #expect(ReplayResult.runNames(copies) == ["C (0C/hwfet.csv)", "C (noisy/hwfet.csv)"])
        let stems = ReplayOutput.stems(results)
        #expect(stems == ["X__one_csv__nominal", "X__two_csv__nominal", "X__two_csv___2_nominal", "Y_nominal", "X_current-bias"])
        let cased = [try run(cell: "a b"), try run(cell: "a_b"), try run(cell: "A_B")]
        #expect(ReplayOutput.stems(cased) == ["a_b_nominal", "a_b_nominal-2", "A_B_nominal-3"])
        #expect(DistinctNames.make(["n", "n-2", "n"], separator: "-") == ["n", "n-2", "n-3"])
    }

    @Test("two runs of one cell: every file written once, the count is the files on disk, rows and digests apart")
    func sameCellTwice() throws {
        let results = [try run(cell: "SAME", source: "first.csv"), try run(cell: "SAME", source: "second.csv")]
        let report = ComparisonReport(results: results)
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try ReplayOutput(directory: dir).writeAll(results: results, report: report)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(written.count == files.count && Set(written.map(\.lastPathComponent)).count == written.count)
        #expect(files.filter { $0.hasPrefix("telemetry_") }.count == 2)
        #expect(report.rows.map(\.cell) == ["SAME (first.csv)", "SAME (second.csv)"])
        #expect(report.digests.count == 2)
    }

    @Test("HTML, SVG, CSV and Markdown keep hostile cell names as text")
    func escaping() throws {
        let names = ["A&B<script>alert(1)</script>", "a,b", "q\"uote|bar\\"]
        let results = try names.map { try run(cell: $0) }
        let report = ComparisonReport(results: results)
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ReplayOutput(directory: dir).writeAll(results: results, report: report)
        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!html.contains("<script>") && html.contains("A&amp;B&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<td>q&quot;uote|bar\\</td>"))
        for svg in try FileManager.default.contentsOfDirectory(atPath: dir.path) where svg.hasSuffix(".svg") {
            let parser = XMLParser(contentsOf: dir.appendingPathComponent(svg))!
            #expect(parser.parse(), "\(svg)")
        }
        // CSV: one quoted field per name, doubled quotes, 15 columns in every line.
        let lines = report.csv().split(separator: "\n")
        #expect(lines[1].hasPrefix("A&B<script>alert(1)</script>,nominal,"))
        #expect(lines[2].hasPrefix("\"a,b\",nominal,"))
        #expect(lines[3].hasPrefix("\"q\"\"uote|bar\\\",nominal,"))
        #expect(lines.allSatisfy { $0.replacingOccurrences(of: "\"a,b\"", with: "").filter { $0 == "," }.count == 14 })
        // Markdown: `|` and `\` escaped, 13 columns.
        let md = report.markdown().split(separator: "\n").first { $0.contains("uote") }!
        #expect(md.hasPrefix("| q\"uote\\|bar\\\\ | nominal |"))
        #expect(md.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 14)
        #expect(TextEscaping.markdownCell("a\nb") == "a b")
        #expect(TextEscaping.html("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
    }

    @Test("the telemetry CSV header quotes an estimator name that needs it")
    func telemetryHeader() throws {
        let factory = ClosureEstimatorFactory([(name: "count,fast", make: { CountingEstimator(name: "count,fast", setup: $0) })])
        let result = try ReplayRunner(factory: factory, options: ReplayOptions(telemetryEveryTicks: 600))
            .run(recording: syntheticRecording(), scenario: .nominal, estimators: ["count,fast"])
        let header = ReplayOutput.telemetryCSV(result).split(separator: "\n")[1]   // [0]: the current-sign line
        #expect(header.hasSuffix(",\"soc_count,fast\",\"sigma_count,fast\""))
    }

    @Test("a symbolic link inside the output folder is a typed error, and the link is kept")
    func linkInsideFolder() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: dir.appendingPathComponent("target"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("a.txt").path, withDestinationPath: "target")
        #expect(throws: ReplayError.self) { try ReplayOutput(directory: dir).write(Data("x".utf8), to: "a.txt") }
        #expect(try String(contentsOf: dir.appendingPathComponent("target"), encoding: .utf8) == "keep")
        try ReplayOutput(directory: dir, followSymlinks: true).write(Data("x".utf8), to: "a.txt")
        #expect(try String(contentsOf: dir.appendingPathComponent("target"), encoding: .utf8) == "x")
    }
}
