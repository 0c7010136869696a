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
        let stems = zip(ReplayResult.runNames(results), results).map { stem($0, scenario: $1.scenario) }
        return DistinctNames.make(stems, separator: "-", key: { $0.lowercased() })
    }

    /// The telemetry of a result as CSV text.
    public static func telemetryCSV(_ r: ReplayResult) -> String {
        let t = r.telemetry
        // The sign is stated as in a generic recording CSV (`Docs/DataFormats.md`): + = charge.
        var out = "# current_sign: charge_positive\n"
        out += CSVField.line(["tick", "time_s", "operation", "reference_soc", "voltage_v", "current_a", "temperature_c",
                                 "fault_flags", "protection_state"] + t.estimators.flatMap { ["soc_\($0)", "sigma_\($0)"] })
        out.reserveCapacity(t.count * (80 + 24 * t.estimators.count))
        let k = t.estimators.count
        for i in 0..<t.count {
            out += "\(t.tick[i]),\(t.timeS[i]),\(t.operation[i]),\(t.referenceSOC[i]),\(t.voltageV[i]),\(t.currentA[i]),\(t.temperatureC[i]),\(t.faultFlags[i]),\(ProtectionState(rawValue: t.protectionState[i])?.description ?? "?")"
            for e in 0..<k {
                let sigma = t.sigma[i * k + e]
                out += ",\(t.soc[i * k + e])," + (sigma.isNaN ? "" : "\(sigma)")
            }
            out += "\n"
        }
        return out
    }

    /// SOC-vs-time and error-vs-time charts of a result, on operating hours (gaps and the
    /// time between operations are left out of the x axis so that a whole life stays readable).
    /// `name` is the run's name in the titles (default: the cell).
    public static func charts(_ r: ReplayResult, name: String? = nil, maxPoints: Int = 3000) -> (soc: SVGLineChart, error: SVGLineChart) {
        let t = r.telemetry
        let k = t.estimators.count
        let scored = (0..<t.count).filter { t.operation[$0] >= 0 }
        let stride = max(1, scored.count / maxPoints)
        let picked = Swift.stride(from: 0, to: scored.count, by: stride).map { scored[$0] }
        // Operating time: time between consecutive scored frames, a jump across a gap or an
        // unscored stretch counted as one frame spacing (the smallest spacing seen).
        var frameS = Double.infinity
        for j in scored.indices.dropFirst() where t.timeS[scored[j]] > t.timeS[scored[j - 1]] {
            frameS = min(frameS, t.timeS[scored[j]] - t.timeS[scored[j - 1]])
        }
        if !frameS.isFinite { frameS = 1 }
        var operatingS = [Double](repeating: 0, count: scored.count)
        for j in scored.indices.dropFirst() {
            let delta = t.timeS[scored[j]] - t.timeS[scored[j - 1]]
            operatingS[j] = operatingS[j - 1] + (delta > 10 * frameS ? frameS : delta)
        }
        let hours = Swift.stride(from: 0, to: scored.count, by: stride).map { operatingS[$0] / 3600 }
        var socSeries = [SVGLineChart.Series(label: "reference", x: hours, y: picked.map { t.referenceSOC[$0] * 100 },
                                             color: "#000", width: 2.2)]
        var errorSeries: [SVGLineChart.Series] = []
        for e in 0..<k {
            let color = SVGLineChart.palette[e % SVGLineChart.palette.count]
            socSeries.append(.init(label: t.estimators[e], x: hours, y: picked.map { t.soc[$0 * k + e] * 100 }, color: color))
            errorSeries.append(.init(label: t.estimators[e], x: hours,
                                     y: picked.map { (t.soc[$0 * k + e] - t.referenceSOC[$0]) * 100 }, color: color))
        }
        let maxError = errorSeries.flatMap(\.y).filter(\.isFinite).map(abs).max() ?? 5
        let bound = min(100, max(5, maxError * 1.05))
        let run = name ?? r.cell
        return (SVGLineChart(title: "\(run) — \(r.scenario): SOC", xLabel: "operating time, h (gaps removed)",
                             yLabel: "SOC, %", series: socSeries, yRange: -10...110),
                SVGLineChart(title: "\(run) — \(r.scenario): SOC error (estimate − reference)",
                             xLabel: "operating time, h (gaps removed)", yLabel: "error, % points",
                             series: errorSeries, yRange: -bound...bound))
    }

    /// Writes telemetry CSV and both charts of every result, then the report files and
    /// `index.html`. Returns the URLs written.
    @discardableResult
    public func writeAll(results: [ReplayResult], report: ComparisonReport, telemetryCSV: Bool = true,
                         plots: Bool = true) throws(ReplayError) -> [URL] {
        var written: [URL] = []
        var figures: [(String, String, String)] = []
        for (r, (name, stem)) in zip(results, zip(ReplayResult.runNames(results), Self.stems(results))) {
            if telemetryCSV && r.telemetry.count > 0 {
                written.append(try write(Data(Self.telemetryCSV(r).utf8), to: "telemetry_\(stem).csv"))
            }
            if plots && r.telemetry.count > 0 {
                let (soc, error) = Self.charts(r, name: name)
                written.append(try write(Data(soc.render().utf8), to: "soc_\(stem).svg"))
                written.append(try write(Data(error.render().utf8), to: "error_\(stem).svg"))
                figures.append(("\(name) — \(r.scenario)", "soc_\(stem).svg", "error_\(stem).svg"))
            }
        }
        written.append(try write(report.json(), to: "comparison.json"))
        written.append(try write(Data(report.csv().utf8), to: "comparison.csv"))
        written.append(try write(Data(report.markdown().utf8), to: "comparison.md"))
        written.append(try write(Data(Self.indexHTML(report: report, figures: figures).utf8), to: "index.html"))
        return written
    }

    /// A self-contained page: the table, then the figures (title, SOC file, error file); every
    /// name is escaped.
    static func indexHTML(report: ComparisonReport, figures: [(String, String, String)]) -> String {
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>BMSim replay</title>
        <style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:13px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}
        img{max-width:100%;display:block;margin:8px 0 24px}</style></head><body>
        <h1>BMSim replay</h1><p>Errors in SOC percentage points against the reference SOC; ranked by RMSE within each cell and scenario.</p>
        <table><tr>
        """
        let e = TextEscaping.html
        html += ComparisonReport.headers.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
        for row in report.rows { html += "<tr>" + ComparisonReport.cells(row).map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
        html += "</table>\n"
        for (title, soc, error) in figures {
            html += "<h2>\(e(title))</h2><img src=\"\(e(soc))\" alt=\"SOC \(e(title))\"><img src=\"\(e(error))\" alt=\"error \(e(title))\">\n"
        }
        return html + "</body></html>\n"
    }
}
