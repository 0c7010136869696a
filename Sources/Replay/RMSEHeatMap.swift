import Foundation

/// The estimator × scenario table of a comparison: each estimator's RMSE in each scenario,
/// averaged over the cells (the rows of `ComparisonReport` with that estimator and scenario
/// and at least one scored tick, in row order), drawn as an SVG heat map with the number in
/// every cell. Rows follow the overall ranking, columns the scenarios' first appearance.
public struct RMSEHeatMap: Sendable {
    /// Row names, in ranking order.
    public var estimators: [String]
    /// Column names, in job order.
    public var scenarios: [String]
    /// Mean RMSE, %, at `[row][column]`; nil when no cell of that scenario scored that estimator.
    public var meanRMSEPercent: [[Double?]]

    /// The map of `report`.
    public init(report: ComparisonReport) {
        var scenarios: [String] = []
        for row in report.rows where !scenarios.contains(row.scenario) { scenarios.append(row.scenario) }
        var estimators = report.ranking.map(\.estimator)
        for row in report.rows where !estimators.contains(row.metrics.estimator) { estimators.append(row.metrics.estimator) }
        self.estimators = estimators
        self.scenarios = scenarios
        meanRMSEPercent = estimators.map { estimator in
            scenarios.map { scenario in
                let values = report.rows.filter {
                    $0.metrics.estimator == estimator && $0.scenario == scenario && $0.metrics.scoredTicks > 0
                }.map(\.metrics.rmsePercent)
                return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
        }
    }

    /// The number shown in a cell (`2.64`), or `–`.
    public static func text(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "–" }

    /// The SVG: one coloured cell per (estimator, scenario), light for a small RMSE and dark
    /// for a large one (linear between the smallest and the largest value), holding its number;
    /// each cell's `<text>` has class `cell` and `data-estimator`, `data-scenario` and
    /// `data-rmse` (the unrounded mean) attributes.
    public func svg() -> String {
        let labelW = max(90, 7.5 * Double(estimators.map(\.count).max() ?? 0) + 20)
        let cellW = min(200, max(80, 7.5 * Double(scenarios.map(\.count).max() ?? 0) + 16)), cellH = 28.0
        let top = 64.0
        let width = max(480, labelW + cellW * Double(scenarios.count) + 20)
        let height = top + cellH * Double(estimators.count) + 36
        let values = meanRMSEPercent.flatMap { $0 }.compactMap { $0 }
        let low = values.min() ?? 0, high = values.max() ?? 1
        let f = SVGDocument.number, e = TextEscaping.html
        var s = SVGDocument.open(width: width, height: height, title: "RMSE, % points (mean over cells; rows by rank)", titleX: 10)
        for (c, scenario) in scenarios.enumerated() {
            s += SVGDocument.text(scenario, x: labelW + cellW * (Double(c) + 0.5), y: top - 10,
                                  attributes: "text-anchor=\"middle\" font-weight=\"bold\"") + "\n"
        }
        for (r, estimator) in estimators.enumerated() {
            let y = top + cellH * Double(r)
            s += SVGDocument.text(estimator, x: labelW - 10, y: y + cellH / 2 + 4, attributes: "text-anchor=\"end\"") + "\n"
            for (c, scenario) in scenarios.enumerated() {
                let value = meanRMSEPercent[r][c]
                let share = value.map { high > low ? ($0 - low) / (high - low) : 0 } ?? 0
                let x = labelW + cellW * Double(c)
                let fill = value == nil ? "#f0f0f0" : Self.color(share)
                s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cellW))\" height=\"\(f(cellH))\" fill=\"\(fill)\" stroke=\"white\"/>"
                let data = "class=\"cell\" data-estimator=\"\(e(estimator))\" data-scenario=\"\(e(scenario))\""
                    + (value.map { " data-rmse=\"\($0)\"" } ?? "")
                s += SVGDocument.text(Self.text(value), x: x + cellW / 2, y: y + cellH / 2 + 4,
                                      attributes: "text-anchor=\"middle\" fill=\"\(share > 0.6 ? "white" : "black")\" \(data)") + "\n"
            }
        }
        s += SVGDocument.text("light = small RMSE, dark = large (\(Self.text(low))–\(Self.text(high)))",
                              x: 10, y: height - 12, attributes: "fill=\"#555\"") + "\n"
        return s + SVGDocument.close
    }

    /// The fill for a share in [0, 1]: linear from #fee8c8 (0) to #b30000 (1).
    static func color(_ share: Double) -> String {
        let from = (0xfe, 0xe8, 0xc8), to = (0xb3, 0x00, 0x00)
        func channel(_ a: Int, _ b: Int) -> String {
            SVGDocument.hexByte(Int((Double(a) + (Double(b) - Double(a)) * min(1, max(0, share))).rounded()))
        }
        return "#" + channel(from.0, to.0) + channel(from.1, to.1) + channel(from.2, to.2)
    }
}
