import BMSCore

/// Everything the firmware loop is configured with (no estimators: those are handed in).
public struct FirmwareConfig: Sendable, Equatable {
    /// Base tick and task periods.
    public var schedule: TickSchedule
    /// Sensor front-end.
    public var sensor: SensorConfig
    /// Faults to inject.
    public var faults: FaultConfig
    /// Plausibility limits.
    public var plausibility: PlausibilityLimits
    /// Protection thresholds.
    public var protection: ProtectionLimits
    /// Seed of the sensor noise; the fault injector uses a seed derived from it.
    public var seed: UInt64
    /// The current sensor's zero-offset learning at rest (auto-zero).
    public var currentOffset: CurrentOffsetSettings
    /// Frames the telemetry buffer holds between drains.
    public var telemetryCapacity: Int
    /// Protection events kept in the ring.
    public var eventCapacity: Int

    /// Creates a configuration; defaults: 1 s tick, ideal sensors, no faults, auto-zero on.
    public init(schedule: TickSchedule, sensor: SensorConfig = .ideal, faults: FaultConfig = .none,
                plausibility: PlausibilityLimits = PlausibilityLimits(),
                protection: ProtectionLimits = ProtectionLimits(), seed: UInt64 = 1,
                currentOffset: CurrentOffsetSettings = CurrentOffsetSettings(),
                telemetryCapacity: Int = 4096, eventCapacity: Int = 1024) {
        self.schedule = schedule
        self.sensor = sensor
        self.faults = faults
        self.plausibility = plausibility
        self.protection = protection
        self.seed = seed
        self.currentOffset = currentOffset
        self.telemetryCapacity = telemetryCapacity
        self.eventCapacity = eventCapacity
    }
}

/// The BMS firmware loop: once per base tick it runs the measurement task (sensor
/// front-end → fault injection → plausibility checks → current auto-zero), the protection task, the estimator
/// bank and telemetry, in that order. All buffers are allocated at init; `step` does not
/// allocate, throw or touch files. A value type: keep it in a local `var` in the loop
/// (no dynamic exclusivity checks per tick).
///
/// ```swift
/// var fw = try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule()), estimators: [ah], periodTicks: [1])
/// for plant in plantValues {                   // the true cell at each tick time
///     if fw.telemetry.isFull { write(fw.telemetry); fw.clearTelemetry() }
///     fw.step(plant: plant)
/// }
/// ```
public struct BMSFirmware {
    /// The configuration.
    public let config: FirmwareConfig
    /// Number of base ticks run so far.
    public private(set) var tick = 0
    /// Firmware time, s (ticks × base tick; does not follow a corrupted timestamp).
    public private(set) var timeS: Double = 0
    /// The estimator bank.
    public private(set) var bank: EstimatorBank
    /// Telemetry frames since the last drain.
    public private(set) var telemetry: TelemetryBuffer
    /// The protection state machine.
    public private(set) var protection: ProtectionStateMachine
    /// The fault injector (read its counts).
    public private(set) var injector: FaultInjector
    /// The last tick's reading as the checks received it: after the sensor front-end and the
    /// injected faults, before the plausibility checks (what a C firmware's
    /// `bms_plausibility_check` would be given).
    public private(set) var lastRaw = RawReading(measurement: CellMeasurement(voltageV: 0, currentA: 0, temperatureC: 0, dtSeconds: 0))
    /// Validated measurement of the last tick.
    public private(set) var lastMeasurement: CellMeasurement
    /// Fault flags of the last tick.
    public private(set) var lastFlags: FaultFlags = []
    /// Ticks on which each flag bit (0…5 of `FaultFlags`) was raised.
    public private(set) var flaggedTicks: [Int]
    /// Base ticks spent asleep (`sleep(ticks:)`).
    public private(set) var sleptTicks = 0
    private var sensor: SensorFrontEnd
    private var plausibility: PlausibilityCheck
    /// The current channel's auto-zero (read its offset and calibration count).
    public private(set) var currentOffset: CurrentOffsetLearner

    /// Creates the loop with estimators and their periods in base ticks (defaults to the
    /// schedule's estimation period for every estimator).
    public init(config: FirmwareConfig, estimators: [any SOCEstimator], periodTicks: [Int]? = nil,
                timingSampleEvery: Int = 64) throws(FirmwareConfigError) {
        guard config.telemetryCapacity >= 1 else {
            throw .outOfRange(field: "telemetryCapacity", value: Double(config.telemetryCapacity), allowed: ">= 1")
        }
        try config.currentOffset.validate()
        self.config = config
        currentOffset = CurrentOffsetLearner(settings: config.currentOffset)
        let periods = periodTicks ?? Array(repeating: config.schedule.estimationEveryTicks, count: estimators.count)
        bank = try EstimatorBank(estimators: estimators, periodTicks: periods, timingSampleEvery: timingSampleEvery)
        telemetry = TelemetryBuffer(estimatorCount: estimators.count, capacity: config.telemetryCapacity)
        protection = try ProtectionStateMachine(limits: config.protection, eventCapacity: config.eventCapacity)
        sensor = try SensorFrontEnd(config: config.sensor, seed: config.seed)
        injector = try FaultInjector(config: config.faults, seed: config.seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        plausibility = try PlausibilityCheck(limits: config.plausibility, baseTickSeconds: config.schedule.baseTickSeconds)
        lastMeasurement = CellMeasurement(voltageV: 0, currentA: 0, temperatureC: 0,
                                          dtSeconds: config.schedule.baseTickSeconds)
        flaggedTicks = Array(repeating: 0, count: 6)
    }

    /// Runs one base tick against the plant (the true cell) at this tick's time. The plant's
    /// `dtSeconds` should be the base tick; the firmware clock advances by the base tick.
    /// Precondition: telemetry is not full when a telemetry frame is due (drain it first).
    public mutating func step(plant: CellMeasurement) {
        let schedule = config.schedule
        // Measurement task (every tick).
        let reading = sensor.read(plant)
        let raw = injector.apply(reading, tick: tick)
        lastRaw = raw
        let (checked, flags) = plausibility.check(raw)
        let measurement = currentOffset.correct(checked, flags: flags)
        lastMeasurement = measurement
        lastFlags = flags
        if flags.rawValue & 0x3F != 0 {
            for bit in 0..<6 where flags.rawValue & (1 << UInt16(bit)) != 0 { flaggedTicks[bit] += 1 }
        }
        // Protection task.
        if schedule.isDue(.protection, tick: tick) {
            protection.update(voltageV: measurement.voltageV, currentA: measurement.currentA,
                              temperatureC: measurement.temperatureC, tick: tick)
        }
        // Estimation: the bank accumulates every tick and updates each estimator at its period.
        bank.update(measurement, tick: tick, flags: flags)
        // Telemetry.
        if schedule.isDue(.telemetry, tick: tick) {
            telemetry.record(tick: tick, timeS: timeS, voltageV: measurement.voltageV,
                             currentA: measurement.currentA, temperatureC: measurement.temperatureC,
                             faultFlags: flags.rawValue, protectionState: protection.state.rawValue,
                             estimates: bank.estimates)
        }
        tick += 1
        timeS = Double(tick) * schedule.baseTickSeconds
    }

    /// Sleep (storage) for `ticks` base ticks, as a BMS does while the pack rests for hours or
    /// days, or through time a recording did not capture: nothing is measured, protected or
    /// recorded; the clock advances by the span and every estimator is told that it slept
    /// (`EstimatorBank.wake`): the next `step` is the wake-up reading, from which the
    /// estimators that know the OCV re-anchor when the cell rested. Precondition: `ticks ≥ 1`.
    public mutating func sleep(ticks: Int) {
        precondition(ticks >= 1, "sleep needs at least one tick")
        bank.wake(sleptSeconds: Double(ticks) * config.schedule.baseTickSeconds)
        plausibility.wake()
        currentOffset.wake()
        sleptTicks += ticks
        tick += ticks
        timeS = Double(tick) * config.schedule.baseTickSeconds
    }

    /// True when the next tick would record telemetry into a full buffer.
    public var telemetryNeedsDrain: Bool {
        telemetry.isFull && config.schedule.isDue(.telemetry, tick: tick)
    }

    /// Forgets the held telemetry frames (after the owner has written them out).
    /// A full charge was detected outside the recorded samples (a CC-CV charge terminated
    /// at its end-of-charge current): every estimator restarts at SOC 1, as a fuel gauge does
    /// at charge termination. Learned capacities are kept.
    public mutating func fullChargeDetected() { bank.reset(soc: 1) }

    public mutating func clearTelemetry() { telemetry.removeAll() }

    /// Running digest of every telemetry frame recorded so far.
    public var telemetryDigest: UInt64 { telemetry.digest }
}
