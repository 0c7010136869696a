/// Accuracy figures of one estimator against the reference SOC, over the scored ticks
/// (ticks inside recorded operations; explicit gaps and the time between operations are
/// replayed but not scored, so months of storage do not swamp the figures).
///
/// Errors are in SOC percentage points (estimate − reference, × 100).
public struct SOCMetrics: Sendable, Equatable, Codable {
    /// Estimator name.
    public var estimator: String
    /// Scored ticks.
    public var scoredTicks: Int
    /// Root-mean-square error, %.
    public var rmsePercent: Double
    /// Mean absolute error, %.
    public var maePercent: Double
    /// Largest |error|, %.
    public var maxAbsErrorPercent: Double
    /// Mean |error| at the last tick of each discharge, %; `nil` when no discharge was scored.
    public var endOfDischargeErrorPercent: Double?
    /// Seconds from the start until |error| ≤ `convergenceBandPercent` and stays so for
    /// `convergenceHoldSeconds` of scored time; `nil` if that never happens.
    public var convergenceSeconds: Double?
    /// Share of scored ticks with |error| > 2 %, %.
    public var outside2PercentShare: Double
    /// Share of scored ticks with |error| > 5 %, %.
    public var outside5PercentShare: Double
    /// Mean wall-clock nanoseconds per update (sampled), release builds only meaningful.
    public var nanosecondsPerUpdate: Double
    /// Bytes of estimator state (its own figure).
    public var stateBytes: Int
    /// Ticks on which the estimate was not finite (should be 0).
    public var nonFiniteTicks: Int
}

/// Accumulates `SOCMetrics` tick by tick, without allocating.
///
/// Worked example (used in the tests): errors of +1, −3, +2, 0 % at four scored ticks give
/// RMSE = √((1 + 9 + 4 + 0)/4) = 1.8708 %, MAE = 6/4 = 1.5 %, max = 3 %, share > 2 % = 25 %.
public struct SOCMetricsAccumulator: Sendable {
    /// |error| band for convergence, %.
    public let convergenceBandPercent: Double
    /// Scored seconds the error must stay inside the band to count as converged.
    public let convergenceHoldSeconds: Double
    private var count = 0
    private var sumSquares = 0.0
    private var sumAbs = 0.0
    private var maxAbs = 0.0
    private var outside2 = 0
    private var outside5 = 0
    private var nonFinite = 0
    private var candidateStartS: Double?
    private var heldS = 0.0
    private var convergedAtS: Double?
    private var endOfDischargeSum = 0.0
    private var endOfDischargeCount = 0
    private var lastError = 0.0
    private var lastOperation = -1
    private var lastOperationIsDischarge = false

    /// Creates an accumulator (defaults: ±5 % band held for 10 minutes).
    public init(convergenceBandPercent: Double = 5, convergenceHoldSeconds: Double = 600) {
        self.convergenceBandPercent = convergenceBandPercent
        self.convergenceHoldSeconds = convergenceHoldSeconds
    }

    /// Adds one tick at run time `timeS` lasting `dtSeconds`. `operation` is the index of
    /// the recorded operation the tick falls in (−1 = not scored); `isDischarge` says
    /// whether it is a discharge (its last scored tick gives the end-of-discharge error).
    public mutating func add(estimatePercent: Double, referencePercent: Double, timeS: Double, dtSeconds: Double,
                             operation: Int, isDischarge: Bool) {
        if operation != lastOperation {
            closeOperation()
            lastOperation = operation
            lastOperationIsDischarge = isDischarge
        }
        guard operation >= 0 else { return }
        let error = estimatePercent - referencePercent
        guard error.isFinite else {
            nonFinite += 1
            candidateStartS = nil
            heldS = 0
            return
        }
        let absError = abs(error)
        count += 1
        sumSquares += error * error
        sumAbs += absError
        maxAbs = max(maxAbs, absError)
        if absError > 2 { outside2 += 1 }
        if absError > 5 { outside5 += 1 }
        lastError = error
        if convergedAtS == nil {
            if absError <= convergenceBandPercent {
                if candidateStartS == nil { candidateStartS = timeS; heldS = 0 }
                heldS += dtSeconds
                if heldS >= convergenceHoldSeconds { convergedAtS = candidateStartS }
            } else {
                candidateStartS = nil
                heldS = 0
            }
        }
    }

    private mutating func closeOperation() {
        if lastOperation >= 0 && lastOperationIsDischarge {
            endOfDischargeSum += abs(lastError)
            endOfDischargeCount += 1
        }
    }

    /// The figures so far (closes the operation in progress).
    public func result(estimator: String, nanosecondsPerUpdate: Double, stateBytes: Int) -> SOCMetrics {
        var copy = self
        copy.closeOperation()
        copy.lastOperation = -1
        let n = Double(max(1, copy.count))
        return SOCMetrics(
            estimator: estimator, scoredTicks: copy.count,
            rmsePercent: (copy.sumSquares / n).squareRoot(), maePercent: copy.sumAbs / n,
            maxAbsErrorPercent: copy.maxAbs,
            endOfDischargeErrorPercent: copy.endOfDischargeCount > 0
                ? copy.endOfDischargeSum / Double(copy.endOfDischargeCount) : nil,
            convergenceSeconds: copy.convergedAtS ?? (copy.candidateStartS != nil && copy.count > 0 ? copy.candidateStartS : nil),
            outside2PercentShare: 100 * Double(copy.outside2) / n,
            outside5PercentShare: 100 * Double(copy.outside5) / n,
            nanosecondsPerUpdate: nanosecondsPerUpdate, stateBytes: stateBytes, nonFiniteTicks: copy.nonFinite)
    }
}
