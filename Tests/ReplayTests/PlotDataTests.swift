import Foundation
import Testing
@testable import Replay

/// The data behind the report's figures: min/max decimation, the |error| histogram and its
/// ECDF, and the estimator colours.
@Suite("Plot data: decimation, ECDF, colours")
struct PlotDataTests {
    @Test("decimation: the worked example of PlotDecimation")
    func workedExample() {
        let kept = PlotDecimation.minMax(x: (0..<10).map(Double.init), y: [5, 1, 9, 2, 2, 7, 3, 0, 4, 4], columns: 2)
        #expect(kept.x == [1, 2, 5, 7])
        #expect(kept.y == [1, 9, 7, 0])
    }

    @Test("decimation keeps the min and max of every bucket, in order, and at most 2 points per column")
    func decimationKeepsExtremes() {
        var generator = SystemRandomNumberGenerator()
        let n = 200_000, columns = 720
        let x = (0..<n).map { Double($0) * 0.5 }
        let y = (0..<n).map { i in sin(Double(i) / 900) + (i % 9973 == 0 ? 40 : 0) + Double.random(in: -0.1...0.1, using: &generator) }
        let kept = PlotDecimation.minMax(x: x, y: y, columns: columns)
        #expect(kept.x.count <= 2 * columns && kept.x.count == kept.y.count)
        #expect(zip(kept.x, kept.x.dropFirst()).allSatisfy { $0 <= $1 }, "x stays in order")
        // Every bucket's extremes are among the kept points.
        let scale = Double(columns) / (x[n - 1] - x[0])
        var low = [Double](repeating: .infinity, count: columns), high = [Double](repeating: -.infinity, count: columns)
        for i in 0..<n {
            let b = min(columns - 1, Int((x[i] - x[0]) * scale))
            low[b] = min(low[b], y[i]); high[b] = max(high[b], y[i])
        }
        var keptLow = [Double](repeating: .infinity, count: columns), keptHigh = [Double](repeating: -.infinity, count: columns)
        for (px, py) in zip(kept.x, kept.y) {
            let b = min(columns - 1, Int((px - x[0]) * scale))
            keptLow[b] = min(keptLow[b], py); keptHigh[b] = max(keptHigh[b], py)
        }
        #expect(keptLow == low && keptHigh == high)
        // Every spike (40 above the curve) survives.
        #expect(kept.y.filter { $0 > 30 }.count == (0..<n).filter { $0 % 9973 == 0 }.count)
        // A short series comes back as it is; an all-NaN bucket keeps one NaN (a break).
        #expect(PlotDecimation.minMax(x: [0, 1, 2], y: [3, 1, 2], columns: 4).y == [3, 1, 2])
        let broken = PlotDecimation.minMax(x: (0..<8).map(Double.init), y: [1, 2, .nan, .nan, .nan, .nan, 3, 4], columns: 3)
        #expect(broken.y.count == 5 && broken.y.filter(\.isNaN).count == 1)
    }

    @Test("histogram: the worked example, bins and the quantile")
    func histogramWorkedExample() {
        var h = AbsErrorHistogram()
        for e in [0.005, -0.015, 0.015, 12, .nan] { h.add(errorPercent: e) }
        #expect(h.total == 4)
        let ecdf = h.ecdf()
        let edges = ecdf.map(\.absErrorPercent)
        #expect(edges.count == 4 && zip(edges, [0, 0.01, 0.02, 12.1]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(edges)")
        #expect(ecdf.map(\.share) == [0, 0.25, 0.75, 1])
        #expect(h.quantile(0.5) == 0.02)
        #expect(abs(h.quantile(1) - 12.1) < 1e-12)
        var full = AbsErrorHistogram()
        full.add(errorPercent: 100)
        #expect(full.counts.last == 1)
    }

    @Test("ECDF of a replay is non-decreasing in |error| and share and ends at 1; merging adds the counts")
    func ecdfMonotone() throws {
        let result = try ReplayRunner(factory: testFactory).run(recording: syntheticRecording(), scenario: .currentBias,
                                                                estimators: ["count", "volt"])
        #expect(result.errorHistograms.count == 2)
        for (metrics, histogram) in zip(result.metrics, result.errorHistograms) {
            #expect(histogram.total == metrics.scoredTicks - metrics.nonFiniteTicks)
            let ecdf = histogram.ecdf()
            #expect(ecdf.first!.absErrorPercent == 0 && ecdf.first!.share == 0)
            #expect(zip(ecdf, ecdf.dropFirst()).allSatisfy { $0.absErrorPercent < $1.absErrorPercent && $0.share <= $1.share })
            #expect(ecdf.last!.share == 1)
            // The largest bin edge is within a bin width of the largest error.
            #expect(ecdf.last!.absErrorPercent >= metrics.maxAbsErrorPercent)
            #expect(ecdf.last!.absErrorPercent - metrics.maxAbsErrorPercent <= 0.1 + 1e-9)
        }
        var merged = result.errorHistograms[0]
        merged.merge(result.errorHistograms[1])
        #expect(merged.total == result.errorHistograms.reduce(0) { $0 + $1.total })
        let pooled = ReportCharts.pooledHistograms([result, result])
        #expect(pooled.map(\.estimator) == ["count", "volt"] && pooled[0].histogram.total == 2 * result.errorHistograms[0].total)
    }

    @Test("colours: fixed for the known names and their aliases, distinct, deterministic for others")
    func colours() {
        let known = ["ah", "ah-pure", "ocv", "ekf", "ekf-2rc", "ukf", "ukf-2rc", "lstm"]
        #expect(Set(known.map(EstimatorColors.color(for:))).count == known.count)
        #expect(EstimatorColors.color(for: "ekf-1rc") == EstimatorColors.color(for: "ekf"))
        #expect(EstimatorColors.color(for: "ukf-1rc") == EstimatorColors.color(for: "ukf"))
        let other = EstimatorColors.color(for: "my-filter")
        #expect(other == EstimatorColors.color(for: "my-filter") && other.count == 7 && other.hasPrefix("#"))
        #expect(EstimatorColors.color(for: "count") != EstimatorColors.color(for: "volt"))
        #expect(EstimatorColors.hex(hue: 0, saturation: 1, lightness: 0.5) == "#ff0000")
        #expect(EstimatorColors.hex(hue: 240, saturation: 1, lightness: 0.5) == "#0000ff")
    }
}
