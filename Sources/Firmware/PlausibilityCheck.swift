import BMSCore

/// Faults the firmware detected on one tick, as a bit set: the low byte says what was
/// seen, the high byte which channels (`0x100 << channel.rawValue`).
public struct FaultFlags: OptionSet, Sendable, Hashable {
    /// Raw bits.
    public var rawValue: UInt16
    /// Creates flags from raw bits.
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A channel's frame did not arrive; the last good value was used.
    public static let dropout = FaultFlags(rawValue: 1 << 0)
    /// A channel read NaN or ±∞.
    public static let notFinite = FaultFlags(rawValue: 1 << 1)
    /// A channel repeated the identical value for too many ticks.
    public static let stuck = FaultFlags(rawValue: 1 << 2)
    /// A channel was out of its plausible range or jumped more than allowed in one tick.
    public static let spike = FaultFlags(rawValue: 1 << 3)
    /// The sample's `dtSeconds` differed from the base tick; the base tick was used.
    public static let timestampJump = FaultFlags(rawValue: 1 << 4)
    /// After a run of rejected jumps the firmware accepted the new level (re-sync).
    public static let resync = FaultFlags(rawValue: 1 << 5)
    /// The first reading of a channel after a sleep, not yet confirmed by a second reading
    /// within the step limit of it. Not a fault (not counted in `BMSFirmware.flaggedTicks`):
    /// the estimators wait for the confirmed reading, so that one spike on the wake-up tick
    /// cannot become the rested-OCV anchor.
    public static let unconfirmed = FaultFlags(rawValue: 1 << 6)

    /// The flag bit marking `channel`.
    @inlinable public static func channel(_ channel: SensorChannel) -> FaultFlags {
        FaultFlags(rawValue: 0x100 << UInt16(channel.rawValue))
    }

    /// The flag for an injected fault kind (what the checks should raise for it).
    public static func detecting(_ kind: FaultKind) -> FaultFlags {
        switch kind {
        case .dropout: .dropout
        case .nan: .notFinite
        case .stuckAt: .stuck
        case .spike: .spike
        case .timestampJump: .timestampJump
        }
    }
}

/// Limits of what a plausible reading is.
public struct PlausibilityLimits: Sendable, Equatable, Codable {
    /// Plausible cell voltage, V (outside: rejected as a spike).
    public var voltageRangeV: ClosedRange<Double>
    /// Plausible current, A.
    public var currentRangeA: ClosedRange<Double>
    /// Plausible temperature, °C.
    public var temperatureRangeC: ClosedRange<Double>
    /// Largest believable change of voltage in one base tick, V.
    public var maxVoltageStepV: Double
    /// Largest believable change of current in one base tick, A.
    public var maxCurrentStepA: Double
    /// Largest believable change of temperature in one base tick, °C.
    public var maxTemperatureStepC: Double
    /// After this many consecutive rejected jumps the new level is accepted (re-sync).
    public var maxConsecutiveRejects: Int
    /// A channel repeating the bit-identical value this many ticks is flagged stuck
    /// (0 = off; only meaningful when the ADC has noise).
    public var stuckTicks: Int
    /// Relative tolerance on `dtSeconds` against the base tick before a timestamp jump is flagged.
    public var timestampTolerance: Double

    /// Creates limits.
    public init(voltageRangeV: ClosedRange<Double> = 1.5...4.6, currentRangeA: ClosedRange<Double> = -20...20,
                temperatureRangeC: ClosedRange<Double> = -40...100, maxVoltageStepV: Double = 1.0,
                maxCurrentStepA: Double = 15, maxTemperatureStepC: Double = 10, maxConsecutiveRejects: Int = 3,
                stuckTicks: Int = 0, timestampTolerance: Double = 0.5) {
        self.voltageRangeV = voltageRangeV
        self.currentRangeA = currentRangeA
        self.temperatureRangeC = temperatureRangeC
        self.maxVoltageStepV = maxVoltageStepV
        self.maxCurrentStepA = maxCurrentStepA
        self.maxTemperatureStepC = maxTemperatureStepC
        self.maxConsecutiveRejects = maxConsecutiveRejects
        self.stuckTicks = stuckTicks
        self.timestampTolerance = timestampTolerance
    }

    /// Checks the limits are usable.
    public func validate() throws(FirmwareConfigError) {
        for (name, step) in [("maxVoltageStepV", maxVoltageStepV), ("maxCurrentStepA", maxCurrentStepA),
                             ("maxTemperatureStepC", maxTemperatureStepC), ("timestampTolerance", timestampTolerance)]
        where !(step.isFinite && step > 0) {
            throw .outOfRange(field: "plausibility.\(name)", value: step, allowed: "> 0")
        }
        guard maxConsecutiveRejects >= 0 else {
            throw .outOfRange(field: "plausibility.maxConsecutiveRejects", value: Double(maxConsecutiveRejects), allowed: ">= 0")
        }
        guard stuckTicks >= 0 else {
            throw .outOfRange(field: "plausibility.stuckTicks", value: Double(stuckTicks), allowed: ">= 0 (0 = off)")
        }
    }
}

/// Plausibility state of one channel: last good value, last raw value, repeat and
/// reject counters.
struct ChannelScreen: Sendable {
    var lastGood: Double
    var lastRaw: Double = .nan
    var repeats = 0
    var rejects = 0
    var hasGood = false
    /// Woken and not yet confirmed: `candidate` (NaN = none yet) waits for a second reading
    /// within the step limit of it.
    var confirming = false
    var candidate: Double = .nan
    var unconfirmedReadings = 0

    /// Screens one raw value; returns the value to use and raises flags. While the channel
    /// waits for a confirmed reading after a sleep, every tick is also flagged `unconfirmed`
    /// (a missing, non-finite or out-of-range reading confirms nothing).
    mutating func screen(_ channel: SensorChannel, _ value: Double, missing: Bool, range: ClosedRange<Double>,
                         maxStep: Double, limits: PlausibilityLimits, flags: inout FaultFlags) -> Double {
        let used = check(channel, value, missing: missing, range: range, maxStep: maxStep, limits: limits, flags: &flags)
        if confirming { flags.formUnion([.unconfirmed, .channel(channel)]) }
        return used
    }

    private mutating func check(_ channel: SensorChannel, _ value: Double, missing: Bool, range: ClosedRange<Double>,
                                maxStep: Double, limits: PlausibilityLimits, flags: inout FaultFlags) -> Double {
        if missing {
            flags.formUnion([.dropout, .channel(channel)])
            return lastGood
        }
        guard value.isFinite else {
            flags.formUnion([.notFinite, .channel(channel)])
            return lastGood
        }
        // Stuck: the bit-identical raw value again and again.
        if value == lastRaw { repeats += 1 } else { repeats = 0; lastRaw = value }
        if limits.stuckTicks > 0 && repeats >= limits.stuckTicks {
            flags.formUnion([.stuck, .channel(channel)])
        }
        guard range.contains(value) else {
            flags.formUnion([.spike, .channel(channel)])
            return lastGood
        }
        if confirming {
            // After a sleep there is no trusted last value: two consecutive readings within the
            // step limit confirm each other. A channel that never settles is accepted after
            // `maxConsecutiveRejects` + 1 unconfirmed readings, as a re-sync.
            if candidate.isNaN || abs(value - candidate) > maxStep {
                if unconfirmedReadings <= limits.maxConsecutiveRejects {
                    unconfirmedReadings += 1
                    candidate = value
                    return value
                }
                flags.formUnion([.resync, .channel(channel)])
            }
            confirming = false
            candidate = .nan
            unconfirmedReadings = 0
            rejects = 0
            lastGood = value
            hasGood = true
            return value
        }
        if hasGood && abs(value - lastGood) > maxStep {
            if rejects < limits.maxConsecutiveRejects {
                rejects += 1
                flags.formUnion([.spike, .channel(channel)])
                return lastGood
            }
            flags.formUnion([.resync, .channel(channel)])
        }
        rejects = 0
        lastGood = value
        hasGood = true
        return value
    }

    /// After a sleep the last good value is stale: the next reading is not held to the step
    /// limit but must be confirmed by the one after it (`FaultFlags.unconfirmed`), and
    /// stuck-at counting starts again (the last good value stays the substitute for a
    /// missing reading).
    mutating func wake() {
        hasGood = false
        rejects = 0
        repeats = 0
        lastRaw = .nan
        confirming = true
        candidate = .nan
        unconfirmedReadings = 0
    }
}

/// Plausibility checks on raw readings: rejects missing, non-finite, out-of-range and
/// jumping values, flags stuck channels and timestamp jumps, and hands on the last good
/// value instead, so that estimators keep running. One call per tick, no allocation.
///
/// Until a channel has had one good value, its "last good" value is a neutral default
/// (lower voltage limit, 0 A, 25 °C).
public struct PlausibilityCheck: Sendable {
    /// The limits.
    public let limits: PlausibilityLimits
    /// The base tick, s (expected `dtSeconds`).
    public let baseTickSeconds: Double
    private var voltage: ChannelScreen
    private var current: ChannelScreen
    private var temperature: ChannelScreen

    /// Creates the check.
    public init(limits: PlausibilityLimits, baseTickSeconds: Double) throws(FirmwareConfigError) {
        try limits.validate()
        self.limits = limits
        self.baseTickSeconds = baseTickSeconds
        voltage = ChannelScreen(lastGood: limits.voltageRangeV.lowerBound)
        current = ChannelScreen(lastGood: 0)
        temperature = ChannelScreen(lastGood: 25)
    }

    /// The firmware slept: the step limits and stuck-at counting start again with the next
    /// reading (a cell that rested for hours reads far from its last loaded value), and each
    /// channel's first readings are `unconfirmed` until two consecutive ones agree within
    /// its step limit.
    public mutating func wake() {
        voltage.wake()
        current.wake()
        temperature.wake()
    }

    /// Validates one raw reading; returns the measurement to use and the flags raised.
    /// `expectedDtSeconds` is the base tick, or the sleep span in sleep mode.
    public mutating func check(_ raw: RawReading, expectedDtSeconds: Double? = nil) -> (measurement: CellMeasurement, flags: FaultFlags) {
        let expected = expectedDtSeconds ?? baseTickSeconds
        var flags: FaultFlags = []
        let l = limits
        let v = voltage.screen(.voltage, raw.measurement.voltageV, missing: raw.missingMask & 1 != 0,
                               range: l.voltageRangeV, maxStep: l.maxVoltageStepV, limits: l, flags: &flags)
        let i = current.screen(.current, raw.measurement.currentA, missing: raw.missingMask & 2 != 0,
                               range: l.currentRangeA, maxStep: l.maxCurrentStepA, limits: l, flags: &flags)
        let t = temperature.screen(.temperature, raw.measurement.temperatureC, missing: raw.missingMask & 4 != 0,
                                   range: l.temperatureRangeC, maxStep: l.maxTemperatureStepC, limits: l, flags: &flags)
        var dt = raw.measurement.dtSeconds
        if !(dt.isFinite && abs(dt - expected) <= l.timestampTolerance * expected) {
            flags.insert(.timestampJump)
            dt = expected
        }
        return (CellMeasurement(voltageV: v, currentA: i, temperatureC: t, dtSeconds: dt), flags)
    }
}
