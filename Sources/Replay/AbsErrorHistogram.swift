/// A fixed-size histogram of |SOC error| (percentage points) over the scored ticks of a run,
/// kept while scoring so that the report can draw the error distribution (ECDF) without
/// storing an error per tick. Its storage is allocated once, when it is created; `add` never
/// allocates.
///
/// Bins: 0.01 points wide from 0 to 10 (1000 bins), then 0.1 points wide from 10 to 100 (900
/// bins); bin i holds the errors in [lower edge, upper edge); 100 (an estimate of 1 against a
/// reference of 0) falls into the last bin. Non-finite errors are not counted (the metrics
/// count them as `nonFiniteTicks`).
///
/// The ECDF is given at the upper bin edges: F(edge) = (errors below the edge) / (all
/// errors), exact at the edges and ending at 1. Worked example: errors 0.005, 0.015, 0.015,
/// 12 give F(0.01) = 0.25, F(0.02) = 0.75, F(12.1) = 1.
public struct AbsErrorHistogram: Sendable, Equatable {
    /// Bins of 0.01 points below `fineLimitPercent`.
    public static let fineBins = 1000
    /// Bins of 0.1 points from `fineLimitPercent` to 100.
    public static let coarseBins = 900
    /// Where the fine bins end, percentage points.
    public static let fineLimitPercent = 10.0

    /// Count per bin.
    public private(set) var counts: [Int]
    /// Errors counted.
    public private(set) var total = 0

    /// An empty histogram.
    public init() { counts = Array(repeating: 0, count: Self.fineBins + Self.coarseBins) }

    /// A histogram with these bin counts (as `counts` gives them back); `nil` when the count of
    /// bins is not `fineBins + coarseBins` or a count is negative.
    public init?(counts: [Int]) {
        guard counts.count == Self.fineBins + Self.coarseBins, counts.allSatisfy({ $0 >= 0 }) else { return nil }
        self.counts = counts
        total = counts.reduce(0, +)
    }

    /// The bin of |error| `absErrorPercent` (finite, ≥ 0).
    @inline(__always)
    static func bin(_ absErrorPercent: Double) -> Int {
        let index = absErrorPercent < fineLimitPercent
            ? Int(absErrorPercent * 100)
            : fineBins + Int((absErrorPercent - fineLimitPercent) * 10)
        return min(index, fineBins + coarseBins - 1)
    }

    /// The upper edge of bin `index`, percentage points.
    public static func upperEdge(_ index: Int) -> Double {
        index < fineBins ? Double(index + 1) / 100 : fineLimitPercent + Double(index - fineBins + 1) / 10
    }

    /// Counts one error (percentage points, either sign); non-finite errors are skipped.
    @inline(__always)
    public mutating func add(errorPercent: Double) {
        guard errorPercent.isFinite else { return }
        counts[Self.bin(abs(errorPercent))] += 1
        total += 1
    }

    /// Adds the counts of `other` (the distribution over several runs).
    public mutating func merge(_ other: AbsErrorHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        total += other.total
    }

    /// The ECDF as (|error| %, share of errors below it): (0, 0), then the upper edge of
    /// every non-empty bin with the cumulative share; non-decreasing in both, ending at 1.
    /// Empty when nothing was counted.
    public func ecdf() -> [(absErrorPercent: Double, share: Double)] {
        guard total > 0 else { return [] }
        var points: [(absErrorPercent: Double, share: Double)] = [(0, 0)]
        var below = 0
        for (i, count) in counts.enumerated() where count > 0 {
            below += count
            points.append((Self.upperEdge(i), Double(below) / Double(total)))
        }
        return points
    }

    /// The smallest upper bin edge below which at least a share `p` of the errors lie
    /// (p in [0, 1]); 0 when nothing was counted.
    public func quantile(_ p: Double) -> Double {
        guard total > 0 else { return 0 }
        let needed = p * Double(total)
        var below = 0
        for (i, count) in counts.enumerated() where count > 0 {
            below += count
            if Double(below) >= needed { return Self.upperEdge(i) }
        }
        return 100
    }
}
