import BMSCore

/// Accuracy figures of one estimator against the reference SOC over the scored ticks: ticks
/// inside recorded operations that have a reference (`ReferenceSOC`). Time the BMS slept
/// through (gaps) and operations without a reference are replayed but not scored; the report
/// lists them (`ReplayResult.excluded`).
///
/// What is compared is what a BMS displays: the estimate as the bank reports it (clamped to
/// [0, 1], `SOCEstimate.reportedRange`) against the reference clamped to [0, 1] (NASA's label
/// runs below 0 where a cell was discharged past the 2.7 V point; a BMS shows empty there).
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
    /// Run time (s from the start of the replay) from which |error| stays ≤ 2 % until the last
    /// scored tick (`ConvergenceTracker`); `nil` = never.
    public var convergenceSeconds: Double?
    /// Share of scored ticks with |error| > 2 %, %.
    public var outside2PercentShare: Double
    /// Share of scored ticks with |error| > 5 %, %.
    public var outside5PercentShare: Double
    /// Scored ticks that end a rest (slept or recorded) of at least `ReplayRunner.longRestSeconds`:
    /// ticks at rest once the rest has lasted that long, and the first tick after such a rest.
    public var afterLongRestTicks: Int
    /// Largest |error| over those ticks, %; `nil` when there were none.
    public var afterLongRestMaxErrorPercent: Double?
    /// Those ticks with |error| > 5 %.
    public var afterLongRestOver5Ticks: Int
    /// Share of the estimator's updates whose value left [0, 1] and was reported clamped, %.
    public var clampedUpdateShare: Double
    /// Due updates withheld because the tick's measurement was flagged (faults).
    public var heldUpdates: Int
    /// Mean wall-clock nanoseconds per update (sampled), release builds only meaningful.
    public var nanosecondsPerUpdate: Double
    /// Bytes of estimator state (its own figure).
    public var stateBytes: Int
    /// Updates on which the estimator's value was not finite (should be 0).
    public var nonFiniteTicks: Int
    /// Share of the estimator's updates made outside its training envelope, %; `nil` for an
    /// estimator without one (`SOCEstimator.trainingEnvelope`).
    public var outsideEnvelopeShare: Double?
    /// Which envelope bounds those updates crossed (`EnvelopeFlags.names`); `nil` without an envelope.
    public var envelopeReasons: [String]?
    /// Ticks with a reference that were not scored because the firmware was waiting for a
    /// second reading to confirm its wake-up reading (`FaultFlags.unconfirmed`; the display
    /// holds its pre-sleep value for that tick). `nil` in parts written before it was counted.
    public var unconfirmedTicks: Int? = nil
}

/// Accumulates `SOCMetrics` tick by tick, and the |error| histogram of the run
/// (`AbsErrorHistogram`, allocated once when the accumulator is made), without allocating.
///
/// Worked example (used in the tests): errors of +1, −3, +2, 0 % at four scored ticks give
/// RMSE = √((1 + 9 + 4 + 0)/4) = 1.8708 %, MAE = 6/4 = 1.5 %, max = 3 %, share > 2 % = 25 %.
public struct SOCMetricsAccumulator: Sendable {
    private var errors = ErrorStatistics()
    private var convergence = ConvergenceTracker(band: 2)
    private var afterLongRest = ErrorStatistics()
    private var afterLongRestOver5 = 0
    private var outside2 = 0
    private var outside5 = 0
    private var endOfDischargeSum = 0.0
    private var endOfDischargeCount = 0
    private var lastError = 0.0
    private var lastOperation = -1
    private var lastOperationIsDischarge = false
    private var unconfirmed = 0
    /// |error| of every scored tick, binned (for the report's error distribution).
    public private(set) var absErrorHistogram = AbsErrorHistogram()

    /// Creates an accumulator.
    public init() {}

    /// Adds one tick at run time `timeS`: the reported estimate and the reference (fractions;
    /// the reference is clamped to [0, 1] here). `operation` is the index of the recorded
    /// operation the tick falls in (−1 = not scored); `isDischarge` says whether it is a
    /// discharge (its last scored tick gives the end-of-discharge error); `afterLongRest`
    /// marks a tick that ends a long rest.
    public mutating func add(estimate: Double, reference: Double, timeS: Double, operation: Int, isDischarge: Bool,
                             afterLongRest endsLongRest: Bool = false) {
        if operation != lastOperation {
            closeOperation()
            lastOperation = operation
            lastOperationIsDischarge = isDischarge
        }
        guard operation >= 0, reference.isFinite else { return }
        let shown = Swift.min(Swift.max(reference, SOCEstimate.reportedRange.lowerBound), SOCEstimate.reportedRange.upperBound)
        let error = (estimate - shown) * 100
        errors.add(error)
        absErrorHistogram.add(errorPercent: error)
        convergence.add(error: error, timeS: timeS)
        guard error.isFinite else { return }
        let absError = abs(error)
        if absError > 2 { outside2 += 1 }
        if absError > 5 { outside5 += 1 }
        if endsLongRest {
            afterLongRest.add(error)
            if absError > 5 { afterLongRestOver5 += 1 }
        }
        lastError = error
    }

    /// A tick with a reference that is not scored: the firmware is waiting to confirm its
    /// wake-up reading, and the estimators have not seen this tick (`SOCMetrics.unconfirmedTicks`).
    public mutating func skipUnconfirmed(reference: Double, operation: Int) {
        if operation >= 0 && reference.isFinite { unconfirmed += 1 }
    }

    private mutating func closeOperation() {
        if lastOperation >= 0 && lastOperationIsDischarge {
            endOfDischargeSum += abs(lastError)
            endOfDischargeCount += 1
        }
    }

    /// The errors so far (percentage points).
    public var statistics: ErrorStatistics { errors }

    /// The figures so far (closes the operation in progress). `updates`, `clamped`, `held`
    /// and `nonFinite` are the bank's counts for this estimator; `envelope` its updates outside
    /// its training envelope and the flags they carried (`nil`: the estimator has none).
    public func result(estimator: String, nanosecondsPerUpdate: Double, stateBytes: Int, updates: Int = 0,
                       clamped: Int = 0, held: Int = 0, nonFinite: Int = 0,
                       envelope: (outside: Int, flags: EnvelopeFlags)? = nil) -> SOCMetrics {
        var copy = self
        copy.closeOperation()
        copy.lastOperation = -1
        let n = Double(max(1, copy.errors.count))
        return SOCMetrics(
            estimator: estimator, scoredTicks: copy.errors.count,
            rmsePercent: copy.errors.count == 0 ? 0 : copy.errors.rmse, maePercent: copy.errors.count == 0 ? 0 : copy.errors.mae,
            maxAbsErrorPercent: copy.errors.maxAbs,
            endOfDischargeErrorPercent: copy.endOfDischargeCount > 0
                ? copy.endOfDischargeSum / Double(copy.endOfDischargeCount) : nil,
            convergenceSeconds: copy.convergence.convergedAtS,
            outside2PercentShare: 100 * Double(copy.outside2) / n,
            outside5PercentShare: 100 * Double(copy.outside5) / n,
            afterLongRestTicks: copy.afterLongRest.count,
            afterLongRestMaxErrorPercent: copy.afterLongRest.count > 0 ? copy.afterLongRest.maxAbs : nil,
            afterLongRestOver5Ticks: copy.afterLongRestOver5,
            clampedUpdateShare: updates > 0 ? 100 * Double(clamped) / Double(updates) : 0,
            heldUpdates: held,
            nanosecondsPerUpdate: nanosecondsPerUpdate, stateBytes: stateBytes,
            nonFiniteTicks: nonFinite + copy.errors.nonFiniteCount,
            outsideEnvelopeShare: envelope.map { updates > 0 ? 100 * Double($0.outside) / Double(updates) : 0 },
            envelopeReasons: envelope?.flags.names, unconfirmedTicks: copy.unconfirmed)
    }
}
