import Foundation

/// Line-chart panels stacked on one shared x axis, written as SVG: each panel has its own y
/// axis, grid, lines and legend; the x ticks are drawn under the last panel and the x grid
/// runs through all of them. A replay's per-run figure (SOC, error, voltage, current,
/// temperature over operating hours) is one of these; `SVGLineChart` is the one-panel case.
public struct SVGPanelChart: Sendable {
    /// One panel: a y axis and its lines.
    public struct Panel: Sendable {
        /// y-axis label.
        public var yLabel: String
        /// Lines (non-finite points break a line).
        public var series: [SVGLineChart.Series]
        /// Fixed y range, or nil to fit the data.
        public var yRange: ClosedRange<Double>?
        /// Height of the plot area, px.
        public var height: Double

        /// Creates a panel.
        public init(yLabel: String, series: [SVGLineChart.Series], yRange: ClosedRange<Double>? = nil, height: Double) {
            self.yLabel = yLabel
            self.series = series
            self.yRange = yRange
            self.height = height
        }
    }

    /// Title above the panels.
    public var title: String
    /// x-axis label (under the last panel).
    public var xLabel: String
    /// The panels, top to bottom.
    public var panels: [Panel]
    /// Fixed x range, or nil to fit every panel's data.
    public var xRange: ClosedRange<Double>?
    /// A line of text shown in the first panel (e.g. why it is empty), or nil.
    public var note: String?
    /// Width in px.
    public var width = 960.0
    /// Width right of the plots, for the legend, px.
    public var legendWidth = right

    /// Margins, px: left of the plots, right (legend), above the first panel, below the last,
    /// and between panels.
    static let left = 70.0, right = 170.0, top = 36.0, bottom = 48.0, gap = 14.0

    /// Width of the plot area, px: `PlotDecimation` keeps two points per pixel column of it.
    public static let plotWidth = 960.0 - left - right

    /// Creates a chart.
    public init(title: String, xLabel: String, panels: [Panel], xRange: ClosedRange<Double>? = nil, note: String? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.panels = panels
        self.xRange = xRange
        self.note = note
    }

    /// Total height, px.
    public var height: Double {
        Self.top + panels.reduce(0) { $0 + $1.height } + Double(max(0, panels.count - 1)) * Self.gap + Self.bottom
    }

    /// The SVG document.
    public func render() -> String {
        let left = Self.left, plotW = width - left - legendWidth
        let xs = panels.flatMap { $0.series.flatMap(\.x) }.filter(\.isFinite)
        let xMin = xRange?.lowerBound ?? xs.min() ?? 0
        let xMax = max(xRange?.upperBound ?? xs.max() ?? 1, xMin + 1e-9)
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        let f = SVGDocument.number
        var s = SVGDocument.open(width: width, height: height, title: title, titleX: left)
        var top = Self.top
        for (p, panel) in panels.enumerated() {
            let plotH = panel.height
            let ys = panel.series.flatMap(\.y).filter(\.isFinite)
            var yr = panel.yRange ?? ((ys.min() ?? 0)...(ys.max() ?? 1))
            if yr.upperBound - yr.lowerBound < 1e-9 { yr = (yr.lowerBound - 1)...(yr.upperBound + 1) }
            func py(_ y: Double) -> Double {
                top + (1 - (min(max(y, yr.lowerBound), yr.upperBound) - yr.lowerBound) / (yr.upperBound - yr.lowerBound)) * plotH
            }
            let isLast = p == panels.count - 1
            for t in SVGLineChart.ticks(xMin...xMax) {
                s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\" stroke=\"#eee\"/>"
                s += isLast ? SVGDocument.text(SVGLineChart.format(t), x: px(t), y: top + plotH + 16,
                                               attributes: "text-anchor=\"middle\"") + "\n" : "\n"
            }
            for t in SVGLineChart.ticks(yr, count: max(3, Int(plotH / 40))) {
                s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#eee\"/>"
                s += SVGDocument.text(SVGLineChart.format(t), x: left - 6, y: py(t) + 4, attributes: "text-anchor=\"end\"") + "\n"
            }
            s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#444\"/>\n"
            s += "<text transform=\"translate(16,\(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(TextEscaping.html(panel.yLabel))</text>\n"
            if p == 0, let note {
                s += SVGDocument.text(note, x: left + plotW / 2, y: top + plotH / 2, attributes: "text-anchor=\"middle\" fill=\"#888\"") + "\n"
            }
            for (i, line) in panel.series.enumerated() {
                var d = ""
                d.reserveCapacity(14 * line.x.count)
                var penDown = false
                for j in 0..<min(line.x.count, line.y.count) {
                    guard line.x[j].isFinite, line.y[j].isFinite, line.x[j] >= xMin, line.x[j] <= xMax else {
                        penDown = false
                        continue
                    }
                    d += (penDown ? "L" : "M") + f(px(line.x[j])) + "," + f(py(line.y[j]))
                    penDown = true
                }
                let color = TextEscaping.html(line.color)
                s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(line.width)\" stroke-linejoin=\"round\"/>\n"
                let ly = top + 14 + Double(i) * 18
                s += "<line x1=\"\(f(left + plotW + 12))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + plotW + 36))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
                s += SVGDocument.text(line.label, x: left + plotW + 42, y: ly) + "\n"
            }
            top += plotH + Self.gap
        }
        top -= Self.gap
        s += SVGDocument.text(xLabel, x: left + plotW / 2, y: top + Self.bottom - 10, attributes: "text-anchor=\"middle\"") + "\n"
        return s + SVGDocument.close
    }
}
