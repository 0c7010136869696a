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

    /// A palette that stays readable for up to 8 lines.
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

    /// The SVG document.
    public func render() -> String {
        let left = 70.0, right = 170.0, top = 36.0, bottom = 48.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xs = series.flatMap(\.x).filter(\.isFinite)
        let ys = series.flatMap(\.y).filter(\.isFinite)
        let xMin = xs.min() ?? 0, xMax = max((xs.max() ?? 1), xMin + 1e-9)
        var yr = yRange ?? ((ys.min() ?? 0)...(ys.max() ?? 1))
        if yr.upperBound - yr.lowerBound < 1e-9 { yr = (yr.lowerBound - 1)...(yr.upperBound + 1) }
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (min(max(y, yr.lowerBound), yr.upperBound) - yr.lowerBound) / (yr.upperBound - yr.lowerBound)) * plotH }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="22" font-size="15" font-weight="bold">\(TextEscaping.html(title))</text>

        """
        for t in Self.ticks(xMin...xMax) {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Self.format(t))</text>\n"
        }
        for t in Self.ticks(yr) {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Self.format(t))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#444\"/>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(TextEscaping.html(xLabel))</text>\n"
        s += "<text transform=\"translate(16,\(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(TextEscaping.html(yLabel))</text>\n"
        for (i, line) in series.enumerated() {
            var d = ""
            var penDown = false
            for j in 0..<min(line.x.count, line.y.count) {
                guard line.x[j].isFinite, line.y[j].isFinite else { penDown = false; continue }
                d += (penDown ? "L" : "M") + f(px(line.x[j])) + "," + f(py(line.y[j]))
                penDown = true
            }
            s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(TextEscaping.html(line.color))\" stroke-width=\"\(line.width)\" stroke-linejoin=\"round\"/>\n"
            let ly = top + 14 + Double(i) * 18
            s += "<line x1=\"\(f(left + plotW + 12))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + plotW + 36))\" y2=\"\(f(ly - 4))\" stroke=\"\(TextEscaping.html(line.color))\" stroke-width=\"3\"/>"
            s += "<text x=\"\(f(left + plotW + 42))\" y=\"\(f(ly))\">\(TextEscaping.html(line.label))</text>\n"
        }
        return s + "</svg>\n"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
