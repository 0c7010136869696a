import Foundation

/// The summary figures of a replay or comparison report, besides the heat map
/// (`RMSEHeatMap`): the ranking as bars and the distribution of |error| per estimator. Every
/// estimator is drawn in its `EstimatorColors` colour.
public enum ReportCharts {
    /// Horizontal bars of each estimator's mean RMSE over every cell × scenario, in ranking
    /// order (the ranking of `ComparisonReport`), with the value at the end of each bar; each
    /// bar's `<rect>` carries `data-estimator` and `data-rmse`.
    public static func ranking(_ report: ComparisonReport) -> String {
        let labelW = max(90, 7.5 * Double(report.ranking.map(\.estimator.count).max() ?? 0) + 20)
        let barMaxW = 520.0, rowH = 26.0, top = 40.0
        let width = labelW + barMaxW + 90, height = top + rowH * Double(report.ranking.count) + 30
        let largest = max(report.ranking.map(\.meanRMSEPercent).filter(\.isFinite).max() ?? 1, 1e-9)
        let f = SVGDocument.number, e = TextEscaping.html
        var s = SVGDocument.open(width: width, height: height, title: "Ranking: mean RMSE over every cell × scenario",
                                 titleX: 10)
        for (i, ranked) in report.ranking.enumerated() {
            let y = top + rowH * Double(i)
            let value = ranked.meanRMSEPercent
            let barW = value.isFinite ? max(1, value / largest * barMaxW) : 0
            s += SVGDocument.text("\(i + 1). \(ranked.estimator)", x: labelW - 10, y: y + rowH / 2 + 4,
                                  attributes: "text-anchor=\"end\"") + "\n"
            s += "<rect x=\"\(f(labelW))\" y=\"\(f(y + 4))\" width=\"\(f(barW))\" height=\"\(f(rowH - 8))\" "
                + "fill=\"\(EstimatorColors.color(for: ranked.estimator))\" data-estimator=\"\(e(ranked.estimator))\" data-rmse=\"\(value)\"/>"
            s += SVGDocument.text(String(format: "%.2f", value), x: labelW + barW + 6, y: y + rowH / 2 + 4) + "\n"
        }
        s += SVGDocument.text("% points; shorter is better", x: labelW, y: height - 10, attributes: "fill=\"#555\"") + "\n"
        return s + SVGDocument.close
    }

    /// Each estimator's |error| histograms summed over `results` (first appearance order).
    public static func pooledHistograms(_ results: [ReplayResult]) -> [(estimator: String, histogram: AbsErrorHistogram)] {
        var order: [String] = []
        var pooled: [String: AbsErrorHistogram] = [:]
        for r in results {
            for (metrics, histogram) in zip(r.metrics, r.errorHistograms) {
                if pooled[metrics.estimator] == nil { order.append(metrics.estimator); pooled[metrics.estimator] = histogram }
                else { pooled[metrics.estimator]!.merge(histogram) }
            }
        }
        return order.map { ($0, pooled[$0]!) }
    }

    /// The ECDF of |error| per estimator over every scored tick of `results` (histograms of
    /// `AbsErrorHistogram`); the x axis ends at the largest 99th percentile (at least 1 point),
    /// lines cut there. Nil when nothing was scored.
    public static func errorDistribution(_ results: [ReplayResult]) -> SVGPanelChart? {
        let pooled = pooledHistograms(results).filter { $0.histogram.total > 0 }
        guard !pooled.isEmpty else { return nil }
        let xMax = max(1, pooled.map { $0.histogram.quantile(0.99) }.max() ?? 1)
        let series = pooled.map { estimator, histogram in
            let points = histogram.ecdf()
            var x: [Double] = [], y: [Double] = []
            for (j, point) in points.enumerated() {
                if point.absErrorPercent <= xMax {
                    x.append(point.absErrorPercent); y.append(100 * point.share)
                } else {
                    // Cut at the edge: the line between the last point inside and this one.
                    let before = points[j - 1]
                    let w = (xMax - before.absErrorPercent) / (point.absErrorPercent - before.absErrorPercent)
                    x.append(xMax); y.append(100 * (before.share + w * (point.share - before.share)))
                    break
                }
            }
            let label = String(format: "%@ (p50 %.2f, p95 %.2f)", estimator, histogram.quantile(0.5), histogram.quantile(0.95))
            return SVGLineChart.Series(label: label, x: x, y: y, color: EstimatorColors.color(for: estimator), width: 1.6)
        }
        var chart = SVGPanelChart(title: "Distribution of |SOC error| over every scored tick (ECDF)",
                                  xLabel: "|error|, % points (axis ends at the largest 99th percentile)",
                                  panels: [.init(yLabel: "share of scored ticks, %", series: series, yRange: 0...100, height: 300)],
                                  xRange: 0...xMax)
        chart.width = 1040
        chart.legendWidth = 250
        return chart
    }
}
