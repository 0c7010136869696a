/// The data of one run's figure, thinned for plotting: the reference and every estimate, each
/// estimator's error, and the validated voltage, current and temperature, all on one axis of
/// operating hours (the time between consecutive scored frames; a jump across a gap or an
/// unscored stretch counts as one frame spacing, so a whole life stays readable).
///
/// Only scored frames are drawn (frames inside an operation with a reference SOC), and of
/// those only the frames of the operations in `window` (the `operation` column of the
/// telemetry CSV); the hours stay those of the whole run, so a zoomed figure shows where in
/// the life it is. Every series is thinned by `PlotDecimation.minMax` to two points per pixel
/// column. Small enough to keep for every run of a large `compare` instead of its telemetry.
public struct RunTrace: Sendable {
    /// The operations a figure shows: indices as in the telemetry's `operation` column.
    public struct Window: Sendable, Equatable, CustomStringConvertible {
        /// First operation shown (≥ 0).
        public var fromOperation: Int
        /// Last operation shown, or nil for the last of the run.
        public var toOperation: Int?

        /// Creates a window; `toOperation` nil = to the end.
        public init(fromOperation: Int = 0, toOperation: Int? = nil) {
            self.fromOperation = fromOperation
            self.toOperation = toOperation
        }

        /// Every operation.
        public static let all = Window()

        /// True when the window shows the whole run.
        public var isAll: Bool { fromOperation <= 0 && toOperation == nil }

        /// True when operation `index` is shown.
        public func contains(_ index: Int) -> Bool { index >= fromOperation && index <= (toOperation ?? Int.max) }

        /// `operations 3–7`, `operations 3–end`.
        public var description: String { "operations \(fromOperation)–\(toOperation.map(String.init) ?? "end")" }
    }

    /// The operations shown.
    public var window: Window
    /// Scored frames of the run in the window (before thinning).
    public var frames: Int
    /// The operations the run's scored frames span (first, last), or nil when none were scored.
    public var operationRange: ClosedRange<Int>?
    /// SOC, %: the reference, then each estimator in run order.
    public var soc: [SVGLineChart.Series]
    /// Error (estimate − reference), % points, one per estimator.
    public var error: [SVGLineChart.Series]
    /// Validated voltage (V), current (A, + = charge) and temperature (°C).
    public var voltage: SVGLineChart.Series, current: SVGLineChart.Series, temperature: SVGLineChart.Series

    /// The trace of telemetry `t`, thinned to `columns` pixel columns.
    public init(telemetry t: TelemetrySeries, window: Window = .all, columns: Int = Int(SVGPanelChart.plotWidth)) {
        let k = t.estimators.count
        let scored = (0..<t.count).filter { t.operation[$0] >= 0 }
        var frameS = Double.infinity
        for j in scored.indices.dropFirst() where t.timeS[scored[j]] > t.timeS[scored[j - 1]] {
            frameS = min(frameS, t.timeS[scored[j]] - t.timeS[scored[j - 1]])
        }
        if !frameS.isFinite { frameS = 1 }
        var hoursAll = [Double](repeating: 0, count: scored.count)
        var operatingS = 0.0
        for j in scored.indices.dropFirst() {
            let delta = t.timeS[scored[j]] - t.timeS[scored[j - 1]]
            operatingS += delta > 10 * frameS ? frameS : delta
            hoursAll[j] = operatingS / 3600
        }
        let shown = scored.indices.filter { window.contains(Int(t.operation[scored[$0]])) }
        let frames = shown.map { scored[$0] }
        let hours = shown.map { hoursAll[$0] }
        func series(_ label: String, _ color: String, width: Double = 1.2, _ value: (Int) -> Double) -> SVGLineChart.Series {
            let thinned = PlotDecimation.minMax(x: hours, y: frames.map(value), columns: columns)
            return SVGLineChart.Series(label: label, x: thinned.x, y: thinned.y, color: color, width: width)
        }
        self.window = window
        self.frames = frames.count
        operationRange = scored.isEmpty ? nil : Int(t.operation[scored[0]])...Int(t.operation[scored[scored.count - 1]])
        soc = [series("reference", EstimatorColors.reference, width: 2.2) { t.referenceSOC[$0] * 100 }]
        error = []
        for (e, name) in t.estimators.enumerated() {
            let color = EstimatorColors.color(for: name)
            soc.append(series(name, color) { t.soc[$0 * k + e] * 100 })
            error.append(series(name, color) { (t.soc[$0 * k + e] - t.referenceSOC[$0]) * 100 })
        }
        voltage = series("voltage", "#1f77b4") { t.voltageV[$0] }
        current = series("current", "#8c564b") { t.currentA[$0] }
        temperature = series("temperature", "#e377c2") { t.temperatureC[$0] }
    }

    /// The figure: SOC, error, voltage, current and temperature panels on one axis; `name`
    /// names the run in the title.
    public func chart(name: String, scenario: String) -> SVGPanelChart {
        let maxError = error.flatMap(\.y).filter(\.isFinite).map(abs).max() ?? 5
        let bound = min(100, max(5, maxError * 1.05))
        let zoom = window.isAll ? "" : ", \(window)"
        var note: String?
        if frames == 0 {
            note = "no scored frames in \(window)"
                + (operationRange.map { "; the run's scored operations are \($0.lowerBound)–\($0.upperBound)" } ?? "")
        }
        return SVGPanelChart(
            title: "\(name) — \(scenario)\(zoom): SOC, error (estimate − reference), V / I / T",
            xLabel: "operating time, h (gaps removed)",
            panels: [.init(yLabel: "SOC, %", series: soc, yRange: -10...110, height: 220),
                     .init(yLabel: "error, % points", series: error, yRange: -bound...bound, height: 160),
                     .init(yLabel: "voltage, V", series: [voltage], height: 90),
                     .init(yLabel: "current, A", series: [current], height: 90),
                     .init(yLabel: "temperature, °C", series: [temperature], height: 90)],
            note: note)
    }
}
