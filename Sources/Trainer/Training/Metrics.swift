/// SOC error metrics in SOC percentage points (TASK.md §7), computed in Float64.
public struct SOCMetrics: Codable, Equatable, Sendable {
    /// Mean absolute error, %.
    public var maePercent: Double
    /// Root-mean-square error, %.
    public var rmsePercent: Double
    /// Largest absolute error, %.
    public var maxAbsErrorPercent: Double
    /// Coefficient of determination `1 − SS_res / SS_tot` on SOC.
    public var r2: Double
    /// Number of predictions scored.
    public var count: Int

    /// Metrics of `predicted` against `reference` (SOC fractions, equal lengths, non-empty).
    public init(reference: [Double], predicted: [Double]) {
        precondition(reference.count == predicted.count && !reference.isEmpty, "metrics need equal, non-empty arrays")
        let n = Double(reference.count)
        var absSum = 0.0, sqSum = 0.0, maxAbs = 0.0, refSum = 0.0
        for k in reference.indices {
            let e = predicted[k] - reference[k]
            absSum += abs(e); sqSum += e * e; maxAbs = max(maxAbs, abs(e)); refSum += reference[k]
        }
        let mean = refSum / n
        var tot = 0.0
        for r in reference { tot += (r - mean) * (r - mean) }
        maePercent = absSum / n * 100
        rmsePercent = (sqSum / n).squareRoot() * 100
        maxAbsErrorPercent = maxAbs * 100
        r2 = 1 - sqSum / tot
        count = reference.count
    }
}
