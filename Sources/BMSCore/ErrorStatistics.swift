/// Running statistics of estimation errors (estimate − reference), the one error type shared
/// by the replay, the discharge-only evaluation and the trainer. Adds one error at a time,
/// without allocating; two accumulators merge exactly (sums), so per-cell statistics add up
/// to the total.
///
/// Units are the caller's (SOC fractions or percentage points); the figures come out in the
/// same unit. Worked example (a test): errors +1, −3, +2, 0 give RMSE √(14/4) = 1.8708,
/// MAE 6/4 = 1.5, mean 0, max |e| 3.
///
/// ```swift
/// var stats = ErrorStatistics()
/// for (e, r) in zip(estimates, references) { stats.add(estimate: e, reference: r) }
/// stats.rmse          // √(Σe²/n)
/// ```
///
/// Non-finite errors are not added; they are counted in `nonFiniteCount`.
public struct ErrorStatistics: Sendable, Equatable, Codable {
    /// Errors added.
    public private(set) var count = 0
    /// Σ e.
    public private(set) var sum = 0.0
    /// Σ e².
    public private(set) var sumSquares = 0.0
    /// Σ |e|.
    public private(set) var sumAbs = 0.0
    /// max |e| (0 when empty).
    public private(set) var maxAbs = 0.0
    /// Σ r and Σ r² of the references (for R²; 0 when errors were added without them).
    public private(set) var referenceSum = 0.0
    /// Σ r².
    public private(set) var referenceSumSquares = 0.0
    /// Errors that were not finite (not added).
    public private(set) var nonFiniteCount = 0

    /// An empty accumulator.
    public init() {}

    /// Adds one error `e`.
    public mutating func add(_ e: Double) {
        guard e.isFinite else { nonFiniteCount += 1; return }
        count += 1
        sum += e
        sumSquares += e * e
        let a = Swift.abs(e)
        sumAbs += a
        if a > maxAbs { maxAbs = a }
    }

    /// Adds the error `estimate − reference` and the reference's moments (for `r2`).
    public mutating func add(estimate: Double, reference: Double) {
        let e = estimate - reference
        guard e.isFinite else { nonFiniteCount += 1; return }
        add(e)
        referenceSum += reference
        referenceSumSquares += reference * reference
    }

    /// Adds every error of `other`.
    public mutating func merge(_ other: ErrorStatistics) {
        count += other.count
        sum += other.sum
        sumSquares += other.sumSquares
        sumAbs += other.sumAbs
        maxAbs = Swift.max(maxAbs, other.maxAbs)
        referenceSum += other.referenceSum
        referenceSumSquares += other.referenceSumSquares
        nonFiniteCount += other.nonFiniteCount
    }

    /// √(Σe²/n); NaN when empty.
    public var rmse: Double { count == 0 ? .nan : (sumSquares / Double(count)).squareRoot() }
    /// Σ|e|/n; NaN when empty.
    public var mae: Double { count == 0 ? .nan : sumAbs / Double(count) }
    /// Σe/n (the bias); NaN when empty.
    public var mean: Double { count == 0 ? .nan : sum / Double(count) }
    /// Coefficient of determination 1 − Σe² / Σ(r − r̄)², from the references added with
    /// `add(estimate:reference:)`; NaN when empty or when the references do not vary.
    public var r2: Double {
        guard count > 0 else { return .nan }
        let n = Double(count)
        let total = referenceSumSquares - referenceSum * referenceSum / n
        return total > 0 ? 1 - sumSquares / total : .nan
    }
}

/// Order statistics used by every report (one definition of the median).
public enum OrderStatistics {
    /// The median of `values`: the middle element of the sorted values, the mean of the two
    /// middle ones for an even count; NaN for an empty array. NaNs are not allowed.
    ///
    /// `median([3, 1, 2]) == 2`, `median([4, 1, 3, 2]) == 2.5`.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        precondition(!values.contains { $0.isNaN }, "median of NaN")
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m])
    }

    /// The `q`-quantile of `values` (0 ≤ q ≤ 1) by linear interpolation between order
    /// statistics (type 7 of Hyndman & Fan, NumPy's default); NaN for an empty array.
    ///
    /// `quantile([1, 2, 3, 4], 0.5) == 2.5`, `quantile([1, 2, 3, 4], 0.9) == 3.7`.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        precondition(!values.contains { $0.isNaN } && (0...1).contains(q), "quantile of NaN or q outside [0, 1]")
        let s = values.sorted()
        let h = q * Double(s.count - 1)
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }
}

/// Convergence in one meaning, for every report: the time from which the error stays inside
/// ±`band` until the last point added (the end of the scored span), or `nil` ("never") when
/// the last point is outside or nothing was added.
///
/// Example: errors (in the band's unit) 5, 3, 1, 0.5, 3, 1 at t = 0…5 with band 2 converge at
/// t = 5; adding another point at 0.4 keeps t = 5; a last point at 2.5 makes it "never".
public struct ConvergenceTracker: Sendable, Equatable {
    /// Half-width of the band, in the errors' unit.
    public let band: Double
    private var insideSinceS: Double?
    private var added = false

    /// A tracker for ±`band`.
    public init(band: Double) { self.band = band }

    /// Adds the error at time `timeS` (times must not decrease). A non-finite error is outside.
    public mutating func add(error: Double, timeS: Double) {
        added = true
        if Swift.abs(error) <= band {
            if insideSinceS == nil { insideSinceS = timeS }
        } else {
            insideSinceS = nil
        }
    }

    /// Time from which every point added is inside the band; nil = never.
    public var convergedAtS: Double? { added ? insideSinceS : nil }
}
