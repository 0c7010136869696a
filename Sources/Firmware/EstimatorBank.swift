import BMSCore

/// Every configured SOC estimator, fed the same validated measurements. Each estimator
/// has its own period in base ticks (model-rate methods such as the EKF or the LSTM may
/// run every 10 s while the Ah counter runs every tick). Between its updates, the bank
/// integrates the current for it, so a slow estimator receives the *mean* current over
/// its period (charge is conserved) together with the latest voltage and temperature and
/// `dtSeconds` = the time elapsed since its previous update.
///
/// **Flagged samples** (a measurement the plausibility checks replaced or distrust: dropout,
/// NaN, stuck-at, spike) never reach an estimator: on such a tick the bank only integrates the
/// substituted current (the last good value, the best guess of the charge moved) and holds
/// every estimator; the next clean due tick hands over the mean current of the whole span, so
/// the estimators predict through the fault and update on a clean voltage.
///
/// **Reported estimates** are clamped to `SOCEstimate.reportedRange` (empty to full, what a
/// BMS displays); the estimator's own state is not touched, and `clampedUpdates` and
/// `nonFiniteUpdates` count how often the report had to differ from it.
///
/// **Training envelope**: `outsideEnvelopeUpdates` counts the updates whose estimate says its
/// inputs were outside what a learned estimator was trained on (`SOCEstimate.envelope`).
///
/// **Sleep**: `wake(sleptSeconds:)` tells every estimator that the BMS slept (no measurement,
/// current unknown); the accumulators restart at the wake-up.
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
    /// Updates whose estimate left the reported range (reported clamped), per estimator.
    public private(set) var clampedUpdates: [Int]
    /// Updates whose estimate was not finite (reported as the range's lower end), per estimator.
    public private(set) var nonFiniteUpdates: [Int]
    /// Due updates withheld because the tick's measurement was flagged, per estimator.
    public private(set) var heldUpdates: [Int]
    /// Updates whose estimate was outside the estimator's training envelope
    /// (`SOCEstimate.envelope` not empty), per estimator.
    public private(set) var outsideEnvelopeUpdates: [Int]
    /// Every envelope flag an estimator's updates have carried, per estimator.
    public private(set) var envelopeFlagsSeen: [EnvelopeFlags]
    /// The flags that withhold a measurement from the estimators.
    public static let withholdingFlags: FaultFlags = [.dropout, .notFinite, .stuck, .spike, .unconfirmed]
    /// Withholding flags that are faults (counted in `heldUpdates`); `unconfirmed` is the
    /// ordinary wait for a confirmed reading after a sleep.
    public static let faultFlags: FaultFlags = [.dropout, .notFinite, .stuck, .spike]
    private var chargeAs: [Double]
    private var elapsedS: [Double]
    /// An update fell due on a flagged tick and is owed at the next clean tick.
    private var pendingDue: [Bool]
    /// The wake-up reading held until the next reading confirms it (`update`).
    private var heldWakeReading: (measurement: CellMeasurement, tick: Int, flags: FaultFlags)?
    /// Since the last sleep no real current has been read (`process`).
    private var awaitingWakeCurrent = false
    /// Time since the sleep without a real current, s (counted at the first real one).
    private var wakeCurrentGapSeconds = 0.0

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
        estimates = estimators.map { $0.estimate.reported.estimate }
        updateCounts = Array(repeating: 0, count: estimators.count)
        timedUpdates = Array(repeating: 0, count: estimators.count)
        timedNanoseconds = Array(repeating: 0, count: estimators.count)
        chargeAs = Array(repeating: 0, count: estimators.count)
        elapsedS = Array(repeating: 0, count: estimators.count)
        clampedUpdates = Array(repeating: 0, count: estimators.count)
        nonFiniteUpdates = Array(repeating: 0, count: estimators.count)
        heldUpdates = Array(repeating: 0, count: estimators.count)
        outsideEnvelopeUpdates = Array(repeating: 0, count: estimators.count)
        envelopeFlagsSeen = Array(repeating: [], count: estimators.count)
        pendingDue = Array(repeating: false, count: estimators.count)
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
    /// are updated, unless `flags` contains one of `withholdingFlags` (then the update is
    /// owed to the next clean tick).
    ///
    /// A reading flagged `unconfirmed` (the first after a sleep) is held back whole, not
    /// integrated: the next tick without `unconfirmed` confirms it, and the estimators then get
    /// the held reading as its own tick (the wake-up reading, at rest if the cell rested),
    /// followed by the confirming one. A newer unconfirmed reading, or a `resync`, means the
    /// held one was not confirmed: it is then integrated as a withheld tick (its current
    /// counted, its voltage never used).
    public mutating func update(_ measurement: CellMeasurement, tick: Int, flags: FaultFlags = []) {
        if flags.contains(.unconfirmed) {
            if let held = heldWakeReading { process(held.measurement, tick: held.tick, flags: held.flags.union(.unconfirmed)) }
            heldWakeReading = (measurement, tick, flags.subtracting(.unconfirmed))
            return
        }
        if let held = heldWakeReading {
            heldWakeReading = nil
            process(held.measurement, tick: held.tick, flags: flags.contains(.resync) ? held.flags.union(.unconfirmed) : held.flags)
        }
        process(measurement, tick: tick, flags: flags)
    }

    /// `update` for one reading that is not held back.
    private mutating func process(_ measurement: CellMeasurement, tick: Int, flags: FaultFlags) {
        let withheld = !flags.isDisjoint(with: Self.withholdingFlags)
        let faulty = !flags.isDisjoint(with: Self.faultFlags)
        // After a sleep the substitute for a missing current is the reading from before the
        // sleep, hours old: until the first real current arrives, such ticks add their time
        // only, and that time is counted at the first real current (hold-next), so the
        // wake-up's mean current is a measured one.
        // (A stuck channel hands on its own reading; the flags do not say which channel a kind
        // belongs to, so a current flagged beside another channel's dropout counts as substituted.)
        let currentSubstituted = flags.contains(.channel(.current)) && !flags.isDisjoint(with: [.dropout, .notFinite, .spike])
        var stepChargeAs = measurement.currentA * measurement.dtSeconds
        var stepSeconds = measurement.dtSeconds
        if awaitingWakeCurrent {
            if currentSubstituted {
                wakeCurrentGapSeconds += measurement.dtSeconds
                stepChargeAs = 0
                stepSeconds = 0
            } else {
                stepChargeAs += measurement.currentA * wakeCurrentGapSeconds
                stepSeconds += wakeCurrentGapSeconds
                wakeCurrentGapSeconds = 0
                awaitingWakeCurrent = false
            }
        }
        for k in 0..<estimators.count {
            chargeAs[k] += stepChargeAs
            elapsedS[k] += stepSeconds
            let period = periodTicks[k]
            let due = pendingDue[k] || tick % period == 0
            guard due else { continue }
            guard !withheld else {
                if faulty && (!pendingDue[k] || tick % period == 0) { heldUpdates[k] += 1 }
                pendingDue[k] = true
                continue
            }
            pendingDue[k] = false
            let dt = elapsedS[k]
            let meanCurrentA = dt > 0 ? chargeAs[k] / dt : measurement.currentA
            let input = CellMeasurement(voltageV: measurement.voltageV, currentA: meanCurrentA,
                                        temperatureC: measurement.temperatureC, dtSeconds: dt)
            chargeAs[k] = 0
            elapsedS[k] = 0
            updateCounts[k] += 1
            let raw: SOCEstimate
            if timingSampleEvery > 0 && updateCounts[k] % timingSampleEvery == 0 {
                let clock = ContinuousClock()
                let start = clock.now
                raw = estimators[k].update(input)
                let elapsed = clock.now - start
                timedUpdates[k] += 1
                timedNanoseconds[k] += elapsed.components.seconds * 1_000_000_000
                    + elapsed.components.attoseconds / 1_000_000_000
            } else {
                raw = estimators[k].update(input)
            }
            report(raw, k)
        }
    }

    /// Stores the reported (clamped) estimate of estimator `k` and counts what clamping did.
    private mutating func report(_ raw: SOCEstimate, _ k: Int) {
        let (reported, clamped) = raw.reported
        if clamped {
            if raw.soc.isFinite { clampedUpdates[k] += 1 } else { nonFiniteUpdates[k] += 1 }
        }
        if !raw.envelope.isEmpty {
            outsideEnvelopeUpdates[k] += 1
            envelopeFlagsSeen[k].formUnion(raw.envelope)
        }
        estimates[k] = reported
    }

    /// The BMS slept `seconds` without measuring: every estimator is told (`wake`), and the
    /// accumulators restart, so the first update after waking covers only the ticks since.
    public mutating func wake(sleptSeconds seconds: Double) {
        heldWakeReading = nil
        awaitingWakeCurrent = true
        wakeCurrentGapSeconds = 0
        for k in 0..<estimators.count {
            estimators[k].wake(afterSleepSeconds: seconds)
            chargeAs[k] = 0
            elapsedS[k] = 0
            pendingDue[k] = false
        }
    }

    /// Restarts every estimator at `soc` and clears the accumulators.
    public mutating func reset(soc: Double) {
        heldWakeReading = nil
        awaitingWakeCurrent = false
        wakeCurrentGapSeconds = 0
        for k in 0..<estimators.count {
            estimators[k].reset(soc: soc)
            report(estimators[k].estimate, k)
            chargeAs[k] = 0
            elapsedS[k] = 0
            pendingDue[k] = false
        }
    }
}
