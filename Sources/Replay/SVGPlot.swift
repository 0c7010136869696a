import Foundation

/// A minimal line chart written as SVG: axes with ticks, labelled, one polyline per series,
/// a legend. Enough to read SOC traces; no dependency.
public struct SVGLineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        /// Legend label.
        public var label: String
        /// x values.
        public var x: [Double]
        /// y values (non-finite points break the line).
        public var y: [Double]
        /// CSS colour.
        public var color: String
        /// Stroke width, px.
        public var width: Double

        /// Creates a series.
        public init(label: String, x: [Double], y: [Double], color: String, width: Double = 1.2) {
            self.label = label
            self.x = x
            self.y = y
            self.color = color
            self.width = width
        }
    }

    /// Title above the plot.
    public var title: String
    /// x-axis label.
    public var xLabel: String
    /// y-axis label.
    public var yLabel: String
    /// Lines.
    public var series: [Series]
    /// Fixed y range, or nil to fit the data.
    public var yRange: ClosedRange<Double>?
    /// Size in px.
    public var width = 960.0, height = 380.0

    /// Creates a chart.
    public init(title: String, xLabel: String, yLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
    }

    /// A palette that stays readable for up to 8 lines (for series that are not estimators;
    /// estimators take `EstimatorColors`).
    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// "Nice" tick values covering `range`.
    static func ticks(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = ceil(range.lowerBound / step) * step
        var out: [Double] = []
        while t <= range.upperBound + step * 1e-9 { out.append(t); t += step }
        return out
    }

    static func format(_ v: Double) -> String {
        let v = abs(v) < 1e-9 ? 0 : v   // a tick at -1e-15 would print "-0"
        return abs(v) >= 100 || v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.3g", v)
    }

    /// The SVG document: one panel (`SVGPanelChart`) of the chart's size.
    public func render() -> String {
        let panel = SVGPanelChart.Panel(yLabel: yLabel, series: series, yRange: yRange,
                                        height: height - SVGPanelChart.top - SVGPanelChart.bottom)
        var chart = SVGPanelChart(title: title, xLabel: xLabel, panels: [panel])
        chart.width = width
        return chart.render()
    }
}
