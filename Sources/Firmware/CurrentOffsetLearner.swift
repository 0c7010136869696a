import BMSCore

/// Learns the current sensor's zero offset while no current flows and subtracts it, as BMS
/// firmware does with its current channel's auto-zero, in two ways:
///
/// * **At power-up and wake-up** (the first readings unless `calibrateAtPowerUp` is off,
///   and those after `wake()`: the pack was off or asleep, its contactors open): the mean of
///   the first `wakeSeconds` of readings, if every one of them is unflagged and at most twice
///   `maximumOffsetA` and their mean at most `maximumOffsetA`. A load that starts sooner
///   cancels it.
/// * **In a long rest**: a window of `windowSeconds` whose readings are all unflagged and at
///   most twice `maximumOffsetA`, whose mean current is at most `maximumOffsetA`, and whose two
///   halves agree — mean voltage within `voltageTrendV` (a settled rest, not a slow load) and
///   mean current within `currentTrendA` + `currentTrendFraction` · max|Ī| + 3 σ of the
///   difference of the halves' means (measured in the window): a constant reading, not a CV
///   charge's tapering tail.
///
///     I_out = I_measured − offset,   offset ← mean(I_measured over the quiet span)
///
/// A real steady load below `maximumOffsetA` on a voltage that does not move (a flat OCV, a
/// balancing or parasitic current), or a current flowing at wake-up, is taken for offset:
/// the limit bounds that error. No allocation.
public struct CurrentOffsetLearner: Sendable {
    /// The settings.
    public let settings: CurrentOffsetSettings
    /// The learned offset, A (0 until the first calibration).
    public private(set) var offsetA = 0.0
    /// Calibrations taken so far (wake-ups and rests).
    public private(set) var calibrations = 0
    private var elapsedS = 0.0
    private var first = Half(), second = Half()
    private var waking: Bool
    private var wakeSums = Half(), wakeElapsedS = 0.0

    /// Sums of one half-window: count, current, current², voltage.
    private struct Half {
        var count = 0.0, current = 0.0, currentSquared = 0.0, voltage = 0.0
        mutating func add(_ m: CellMeasurement) {
            count += 1; current += m.currentA; currentSquared += m.currentA * m.currentA; voltage += m.voltageV
        }
        var meanCurrent: Double { current / count }
        var meanVoltage: Double { voltage / count }
        /// Variance of the mean current.
        var meanCurrentVariance: Double { count > 1 ? max(0, currentSquared / count - meanCurrent * meanCurrent) / (count - 1) : 0 }
    }

    /// Creates a learner with no offset.
    public init(settings: CurrentOffsetSettings) {
        self.settings = settings
        waking = settings.calibrateAtPowerUp
    }

    /// Takes one validated reading with its fault flags and returns it with the offset
    /// removed from its current.
    public mutating func correct(_ m: CellMeasurement, flags: FaultFlags) -> CellMeasurement {
        guard settings.enabled else { return m }
        let quiet = flags.rawValue & 0x3F == 0 && m.isFinite && m.dtSeconds > 0
            && abs(m.currentA) <= 2 * settings.maximumOffsetA
        if waking { observeWake(m, quiet: quiet) }
        observeRest(m, quiet: quiet)
        var out = m
        out.currentA -= offsetA
        return out
    }

    /// A sleep ended: the next readings are taken with the contactors open.
    public mutating func wake() {
        restartWindow()
        waking = true
        wakeSums = Half()
        wakeElapsedS = 0
    }

    private mutating func observeWake(_ m: CellMeasurement, quiet: Bool) {
        guard quiet else {
            waking = false
            return
        }
        wakeSums.add(m)
        wakeElapsedS += m.dtSeconds
        guard wakeElapsedS >= settings.wakeSeconds else { return }
        waking = false
        if abs(wakeSums.meanCurrent) <= settings.maximumOffsetA { accept(wakeSums.meanCurrent) }
    }

    private mutating func observeRest(_ m: CellMeasurement, quiet: Bool) {
        guard quiet else {
            restartWindow()
            return
        }
        elapsedS += m.dtSeconds
        if elapsedS <= settings.windowSeconds / 2 { first.add(m) } else { second.add(m) }
        guard elapsedS >= settings.windowSeconds else { return }
        // A window whose first reading already spans half of it (a gap, or a tick longer than
        // half the window) has an empty half: it cannot be judged, so it starts anew.
        guard first.count > 0, second.count > 0 else {
            restartWindow()
            return
        }
        let i1 = first.meanCurrent, i2 = second.meanCurrent
        let mean = (first.current + second.current) / (first.count + second.count)
        let noise = 3 * (first.meanCurrentVariance + second.meanCurrentVariance).squareRoot()
        let currentLimit = settings.currentTrendA + settings.currentTrendFraction * max(abs(i1), abs(i2)) + noise
        if abs(second.meanVoltage - first.meanVoltage) <= settings.voltageTrendV && abs(i2 - i1) <= currentLimit
            && abs(mean) <= settings.maximumOffsetA {
            accept(mean)
        }
        restartWindow()
    }

    private mutating func accept(_ mean: Double) {
        offsetA = abs(mean) < settings.maximumOffsetA * settings.deadbandFraction ? 0 : mean
        calibrations += 1
    }

    private mutating func restartWindow() {
        elapsedS = 0
        first = Half()
        second = Half()
    }
}
