import BMSCore

/// Every configured SOC estimator, fed the same validated measurements. Each estimator
/// has its own period in base ticks (model-rate methods such as the EKF or the LSTM may
/// run every 10 s while the Ah counter runs every tick). Between its updates, the bank
/// integrates the current for it, so a slow estimator receives the *mean* current over
/// its period (charge is conserved) together with the latest voltage and temperature and
/// `dtSeconds` = the time elapsed since its previous update.
///
/// A value type held by the firmware loop, so per-tick access needs no dynamic
/// exclusivity checks. Per-update cost is sampled (every `timingSampleEvery`-th update of each estimator is
/// timed with `ContinuousClock`), so timing does not dominate the loop.
public struct EstimatorBank {
    /// The estimators, in configured order.
    public let estimators: [any SOCEstimator]
    /// Period of each estimator, base ticks.
    public let periodTicks: [Int]
    /// The latest estimate of each estimator.
    public private(set) var estimates: [SOCEstimate]
    /// Number of updates each estimator has received.
    public private(set) var updateCounts: [Int]
    /// Timed updates and their total duration, nanoseconds, per estimator.
    public private(set) var timedUpdates: [Int]
    /// Total nanoseconds of the timed updates, per estimator.
    public private(set) var timedNanoseconds: [Int64]
    /// Every n-th update is timed (0 = never).
    public let timingSampleEvery: Int
    private var chargeAs: [Double]
    private var elapsedS: [Double]

    /// Creates a bank; `periodTicks[k]` is estimator k's period (≥ 1).
    public init(estimators: [any SOCEstimator], periodTicks: [Int], timingSampleEvery: Int = 64) throws(FirmwareConfigError) {
        guard !estimators.isEmpty else { throw .estimatorCount(found: 0, allowed: ">= 1") }
        guard periodTicks.count == estimators.count else {
            throw .inconsistent(field: "estimation.periodTicks",
                                detail: "\(periodTicks.count) periods for \(estimators.count) estimators")
        }
        if let bad = periodTicks.first(where: { $0 < 1 }) {
            throw .outOfRange(field: "estimation.periodTicks", value: Double(bad), allowed: ">= 1")
        }
        guard timingSampleEvery >= 0 else {
            throw .outOfRange(field: "estimation.timingSampleEvery", value: Double(timingSampleEvery), allowed: ">= 0")
        }
        self.estimators = estimators
        self.periodTicks = periodTicks
        self.timingSampleEvery = timingSampleEvery
        estimates = estimators.map(\.estimate)
        updateCounts = Array(repeating: 0, count: estimators.count)
        timedUpdates = Array(repeating: 0, count: estimators.count)
        timedNanoseconds = Array(repeating: 0, count: estimators.count)
        chargeAs = Array(repeating: 0, count: estimators.count)
        elapsedS = Array(repeating: 0, count: estimators.count)
    }

    /// Number of estimators.
    @inlinable public var count: Int { estimators.count }

    /// Names of the estimators, in order.
    public var names: [String] { estimators.map(\.name) }

    /// Mean nanoseconds per update of estimator `index` over the timed updates (0 if none).
    public func nanosecondsPerUpdate(_ index: Int) -> Double {
        timedUpdates[index] == 0 ? 0 : Double(timedNanoseconds[index]) / Double(timedUpdates[index])
    }

    /// Feeds one validated measurement on base tick `tick`; estimators whose period is due
    /// are updated.
    /// `spanTicks` > 1 in sleep mode: the measurement stands for ticks `tick ..< tick + spanTicks`,
    /// and an estimator is updated if one of its period boundaries falls in that span.
    public mutating func update(_ measurement: CellMeasurement, tick: Int, spanTicks: Int = 1) {
        for k in 0..<estimators.count {
            chargeAs[k] += measurement.currentA * measurement.dtSeconds
            elapsedS[k] += measurement.dtSeconds
            let period = periodTicks[k]
            let due = spanTicks == 1 ? tick % period == 0
                : (tick + spanTicks - 1) / period > (tick - 1 < 0 ? -1 : (tick - 1) / period)
            guard due else { continue }
            let dt = elapsedS[k]
            let meanCurrentA = dt > 0 ? chargeAs[k] / dt : measurement.currentA
            let input = CellMeasurement(voltageV: measurement.voltageV, currentA: meanCurrentA,
                                        temperatureC: measurement.temperatureC, dtSeconds: dt)
            chargeAs[k] = 0
            elapsedS[k] = 0
            updateCounts[k] += 1
            if timingSampleEvery > 0 && updateCounts[k] % timingSampleEvery == 0 {
                let clock = ContinuousClock()
                let start = clock.now
                estimates[k] = estimators[k].update(input)
                let elapsed = clock.now - start
                timedUpdates[k] += 1
                timedNanoseconds[k] += elapsed.components.seconds * 1_000_000_000
                    + elapsed.components.attoseconds / 1_000_000_000
            } else {
                estimates[k] = estimators[k].update(input)
            }
        }
    }

    /// Restarts every estimator at `soc` and clears the accumulators.
    public mutating func reset(soc: Double) {
        for k in 0..<estimators.count {
            estimators[k].reset(soc: soc)
            estimates[k] = estimators[k].estimate
            chargeAs[k] = 0
            elapsedS[k] = 0
        }
    }
}
