import BMSCore
import CellData
import Firmware
import Foundation

/// Writes the files of a replay: telemetry CSV and SVG plots per run, the comparison table
/// as JSON / CSV / Markdown, and an `index.html` that shows them. Every file goes through
/// `OutputPath.write` (temporary file + rename, never over a link, FIFO or device), so an
/// interrupted run never leaves a partial file under a final name. Runs get distinct file
/// names (`stems`) even when two recordings declare the same cell.
public struct ReplayOutput: Sendable {
    /// Output folder.
    public let directory: URL
    /// Write through a symbolic link (the folder, or a file in it) to a folder / regular file.
    public let followSymlinks: Bool

    /// Creates the writer (the folder is created on first write).
    public init(directory: URL, followSymlinks: Bool = false) {
        self.directory = directory
        self.followSymlinks = followSymlinks
    }

    /// Writes `data` to `name` inside the folder, atomically.
    @discardableResult
    public func write(_ data: Data, to name: String) throws(ReplayError) -> URL {
        let url = directory.appendingPathComponent(name)
        do {
            try OutputPath.makeFolder(directory.path, followSymlinks: followSymlinks)
            try OutputPath.write(data, to: url, followSymlinks: followSymlinks)
        } catch {
            throw .writeFailed(error)
        }
        return url
    }

    /// File-name stem for a run named `name` (see `ReplayResult.runNames`), e.g.
    /// `B0005_current-bias`: letters, digits, `-` and `_`.
    public static func stem(_ name: String, scenario: String) -> String {
        String("\(name)_\(scenario)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// One distinct stem per result, in order (names that map to the same stem, even in
    /// another letter case, get `-2`, `-3`…).
    public static func stems(_ results: [ReplayResult]) -> [String] {
        stems(keys: results.map { ReplayResult.RunKey(cell: $0.cell, source: $0.source, scenario: $0.scenario) })
    }

    /// `stems` from the runs' keys alone (`ReplayResult.runNames(keys:)`).
    public static func stems(keys: [ReplayResult.RunKey]) -> [String] {
        let stems = zip(ReplayResult.runNames(keys: keys), keys).map { stem($0, scenario: $1.scenario) }
        return DistinctNames.make(stems, separator: "-", key: { $0.lowercased() })
    }

    /// The figure of run `r` named `name` (`run_<stem>.svg`): from its `trace`, else from its
    /// telemetry over the whole run; `nil` when it has neither.
    public static func figure(_ r: ReplayResult, name: String) -> String? {
        guard let trace = r.trace ?? (r.telemetry.count > 0 ? RunTrace(telemetry: r.telemetry) : nil) else { return nil }
        return trace.chart(name: name, scenario: r.scenario).render()
    }

    /// The telemetry of a result as CSV text.
    public static func telemetryCSV(_ r: ReplayResult) -> String {
        let t = r.telemetry
        // The sign is stated as in a generic recording CSV (`Docs/DataFormats.md`): + = charge.
        var out = "# current_sign: charge_positive\n"
        out += CSVField.line(["tick", "time_s", "operation", "reference_soc", "voltage_v", "current_a", "temperature_c",
                                 "fault_flags", "protection_state"] + t.estimators.flatMap { ["soc_\($0)", "sigma_\($0)"] }
                              + zip(t.estimators, t.hasEnvelope).filter(\.1).map { "envelope_\($0.0)" })
        out.reserveCapacity(t.count * (80 + 24 * t.estimators.count))
        let k = t.estimators.count
        for i in 0..<t.count {
            out += "\(t.tick[i]),\(t.timeS[i]),\(t.operation[i]),\(t.referenceSOC[i]),\(t.voltageV[i]),\(t.currentA[i]),\(t.temperatureC[i]),\(t.faultFlags[i]),\(ProtectionState(rawValue: t.protectionState[i])?.description ?? "?")"
            for e in 0..<k {
                let sigma = t.sigma[i * k + e]
                out += ",\(t.soc[i * k + e])," + (sigma.isNaN ? "" : "\(sigma)")
            }
            for e in 0..<k where t.hasEnvelope[e] {
                out += "," + EnvelopeFlags(rawValue: t.envelope[i * k + e]).text
            }
            out += "\n"
        }
        return out
    }

    /// Writes the telemetry CSV (with `telemetryCSV`) and the figure (with `plots`) of every
    /// result, the report files, the summary figures (with `plots`: `ranking.svg`,
    /// `rmse_heatmap.svg`, `error_ecdf.svg`) and `index.html` titled `title`. A run's figure
    /// (`run_<stem>.svg`) is `figures[k]` when given (drawn by a shard, `ComparisonPart`), else
    /// drawn with `figure`. `draws` (several noise draws of `results`' runs) adds `draws.md`,
    /// `draws.csv`, `draws.json` and its table on the page. Returns the URLs written.
    @discardableResult
    public func writeAll(results: [ReplayResult], report: ComparisonReport, telemetryCSV: Bool = true,
                         plots: Bool = true, title: String = "BMSim replay",
                         figures: [String?]? = nil, draws: NoiseDrawSummary? = nil) throws(ReplayError) -> [URL] {
        var written: [URL] = []
        var runs: [ReportPage.Figure] = []
        for (k, (r, (name, stem))) in zip(results, zip(ReplayResult.runNames(results), Self.stems(results))).enumerated() {
            if telemetryCSV && r.telemetry.count > 0 {
                written.append(try write(Data(Self.telemetryCSV(r).utf8), to: "telemetry_\(stem).csv"))
            }
            guard plots, let svg = figures?[k] ?? Self.figure(r, name: name) else { continue }
            written.append(try write(Data(svg.utf8), to: "run_\(stem).svg"))
            runs.append(.init(title: "\(name) — \(r.scenario)", file: "run_\(stem).svg"))
        }
        written.append(try write(report.json(), to: "comparison.json"))
        written.append(try write(Data(report.csv().utf8), to: "comparison.csv"))
        written.append(try write(Data(report.markdown().utf8), to: "comparison.md"))
        if let draws {
            written.append(try write(Data(draws.markdown().utf8), to: "draws.md"))
            written.append(try write(Data(draws.csv().utf8), to: "draws.csv"))
            written.append(try write(draws.json(), to: "draws.json"))
        }
        var summary: [ReportPage.Figure] = []
        if plots && !report.rows.isEmpty {
            written.append(try write(Data(ReportCharts.ranking(report).utf8), to: "ranking.svg"))
            summary.append(.init(title: "Ranking", file: "ranking.svg"))
            written.append(try write(Data(RMSEHeatMap(report: report).svg().utf8), to: "rmse_heatmap.svg"))
            summary.append(.init(title: "RMSE per estimator and scenario", file: "rmse_heatmap.svg"))
            if let ecdf = ReportCharts.errorDistribution(results) {
                written.append(try write(Data(ecdf.render().utf8), to: "error_ecdf.svg"))
                summary.append(.init(title: "Error distribution", file: "error_ecdf.svg"))
            }
        }
        let html = ReportPage.html(title: title, report: report, summary: summary, runs: runs, draws: draws)
        written.append(try write(Data(html.utf8), to: "index.html"))
        return written
    }
}
