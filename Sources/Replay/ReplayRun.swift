import BMSCore
import CellData
import Firmware
import Synchronization

/// Process-wide stop request (set from a SIGINT handler); replay loops poll it between
/// chunks of ticks and stop with `ReplayError.interrupted`.
public enum ReplayCancellation {
    private static let flag = Atomic<Bool>(false)
    /// Asks every running replay to stop.
    public static func request() { flag.store(true, ordering: .relaxed) }
    /// True once a stop was requested.
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }
    /// Clears the request (tests).
    public static func clear() { flag.store(false, ordering: .relaxed) }
}

/// Options of a replay that do not change what the firmware computes.
public struct ReplayOptions: Sendable {
    /// Record a telemetry frame every n base ticks (0 = automatic: at most ~200 000 frames).
    public var telemetryEveryTicks: Int
    /// Keep the decimated telemetry in the result (for CSV and plots).
    public var keepTelemetry: Bool
    /// Time every n-th estimator update (0 = never).
    public var timingSampleEvery: Int

    /// Creates options.
    public init(telemetryEveryTicks: Int = 0, keepTelemetry: Bool = true, timingSampleEvery: Int = 64) {
        self.telemetryEveryTicks = telemetryEveryTicks
        self.keepTelemetry = keepTelemetry
        self.timingSampleEvery = timingSampleEvery
    }
}

/// Everything one replay (one recording × one scenario × the estimator set) produced.
public struct ReplayResult: Sendable {
    /// Cell name.
    public var cell: String
    /// Scenario name.
    public var scenario: String
    /// Accuracy per estimator, in configured order.
    public var metrics: [SOCMetrics]
    /// Base ticks run.
    public var ticks: Int
    /// FNV-1a-64 digest of the telemetry frames.
    public var digest: UInt64
    /// Ticks on which each fault flag was raised: dropout, not-finite, stuck, spike, timestamp-jump, resync.
    public var flaggedTicks: [Int]
    /// Faults injected, by `FaultKind` order.
    public var injectedFaults: [Int]
    /// Protection events in total, and the kept ones.
    public var protectionEventCount: Int
    /// The protection events kept in the ring (oldest first).
    public var protectionEvents: [ProtectionEvent]
    /// Decimated telemetry (empty unless kept).
    public var telemetry: TelemetrySeries
}

/// Runs one recording through the firmware under one scenario.
public struct ReplayRunner: Sendable {
    /// The most base ticks one replay may span (10^12: 317 years at 10 ms).
    public static let maximumTicks = 1e12

    /// Makes the estimators.
    public let factory: any EstimatorFactory
    /// Labels the reference SOC.
    public let labeller: any ReferenceSOCLabeller
    /// Options.
    public let options: ReplayOptions

    /// Creates a runner.
    public init(factory: any EstimatorFactory, labeller: any ReferenceSOCLabeller = CoulombReferenceSOC(),
                options: ReplayOptions = ReplayOptions()) {
        self.factory = factory
        self.labeller = labeller
        self.options = options
    }

    /// The capacity the estimators start from: the scenario's (e.g. the 2.0 Ah nameplate of
    /// `aged-capacity`), else `nil`, i.e. the cell model's own capacity (the training cells'
    /// median). The recording's measured capacities are never passed on: they are the
    /// scoring truth's normaliser, information a BMS does not have. Estimators learn the
    /// capacity over the life when their configuration says so.
    public static func assumedCapacityAh(_ scenario: ReplayScenario, recording: Recording) -> Double? {
        scenario.assumedCapacityAh
    }

    /// Replays `recording` under `scenario` with the named estimators. `seedOffset`
    /// separates the noise of different jobs (use the job's index in a fixed order, never a
    /// thread number). `progress` is called with the number of ticks done since the last call.
    public func run(recording: Recording, scenario: ReplayScenario, estimators names: [String], seedOffset: UInt64 = 0,
                    progress: (@Sendable (Int) -> Void)? = nil) throws(ReplayError) -> ReplayResult {
        try scenario.validate()
        var timeline = try PlantTimeline(recording: recording, referenceSOC: labeller.referenceSOC(for: recording))
        let dt = scenario.baseTickSeconds
        guard dt.isFinite, dt > 0 else {
            throw .firmwareConfig(scenario: scenario.name,
                                  .outOfRange(field: "baseTickSeconds", value: dt, allowed: "> 0"))
        }
        // The replay starts where the truth is known: leading operations without a reference
        // SOC (a life that begins with a charge from an unknown state) are skipped.
        let startS = timeline.firstLabelledTimeS ?? timeline.startTimeS
        // A recording whose times span more ticks than can be counted (a time of 1e300 s in
        // a CSV) is refused here rather than trapping in the conversion below.
        let spanTicks = ((timeline.endTimeS - startS) / dt).rounded(.down)
        guard spanTicks.isFinite, spanTicks < Self.maximumTicks else {
            throw .firmwareConfig(scenario: scenario.name, .outOfRange(
                field: "recording \(recording.cell): span / baseTickSeconds", value: spanTicks, allowed: "< 1e12 ticks"))
        }
        let totalTicks = Int(spanTicks) + 1
        let every = options.telemetryEveryTicks > 0 ? options.telemetryEveryTicks : max(1, (totalTicks + 199_999) / 200_000)
        let config = try scenario.firmwareConfig(seedOffset: seedOffset, telemetryEveryTicks: every, telemetryCapacity: 4096)

        let startReference = timeline.sample(at: startS, dt: dt).referenceSOC
        timeline.rewind()
        let trueInitialSOC = startReference.isFinite ? startReference : 1
        let capacityAh = Self.assumedCapacityAh(scenario, recording: recording)
        let slowTicks = config.schedule.ticks(forSeconds: scenario.slowEstimatorPeriodSeconds)
        var estimators: [any SOCEstimator] = []
        var periods: [Int] = []
        for name in names {
            let period = scenario.slowEstimators.contains(name) ? slowTicks : 1
            let setup = EstimatorSetup(capacityAh: capacityAh, initialSOC: scenario.initialSOC ?? trueInitialSOC,
                                       updatePeriodSeconds: Double(period) * dt,
                                       voltageNoiseV: scenario.sensor.voltage.noiseSigma,
                                       currentNoiseA: scenario.sensor.current.noiseSigma)
            do {
                estimators.append(try factory.makeEstimator(name: name, setup: setup))
            } catch let error as ReplayError {
                throw error
            } catch {
                throw .estimatorSetup(name: name, detail: "\(error)")
            }
            periods.append(period)
        }
        var firmware: BMSFirmware
        do {
            firmware = try BMSFirmware(config: config, estimators: estimators, periodTicks: periods,
                                       timingSampleEvery: options.timingSampleEvery)
        } catch {
            throw .firmwareConfig(scenario: scenario.name, error)
        }

        var accumulators = Array(repeating: SOCMetricsAccumulator(), count: names.count)
        var series = TelemetrySeries(estimators: names)
        var frameReference = [Double](repeating: 0, count: config.telemetryCapacity)
        var frameOperation = [Int32](repeating: 0, count: config.telemetryCapacity)
        let isDischarge = timeline.operations.map { $0.kind == .discharge }
        let schedule = config.schedule
        let chunk = 1 << 16
        let sleepTicks = scenario.gapWakeSeconds > 0 ? config.schedule.ticks(forSeconds: scenario.gapWakeSeconds) : 0
        var reported = 0
        var tick = 0
        var lastFullChargeOperation = -1

        while tick < totalTicks {
            if tick - reported >= chunk {
                if ReplayCancellation.isRequested { throw .interrupted }
                progress?(tick - reported)
                reported = tick
            }
            let t = startS + Double(tick) * dt
            let (plant, reference, sampledOperation) = timeline.sample(at: t, dt: dt)
            let operation = reference.isNaN ? -1 : sampledOperation   // no reference here: replay, don't score
            if firmware.telemetryNeedsDrain || firmware.telemetry.isFull {
                if options.keepTelemetry {
                    series.append(firmware.telemetry, referenceSOC: frameReference, operation: frameOperation)
                }
                firmware.clearTelemetry()
            }
            // Storage (a gap, or the open-circuit time between operations): the BMS sleeps and
            // wakes every `gapWakeSeconds`; nothing is scored there.
            if sleepTicks > 1 && sampledOperation < 0 && plant.currentA == 0 {
                let span = min(sleepTicks, Int((timeline.unscoredStretchEndS - t) / dt), totalTicks - tick)
                if span >= 2 {
                    let wake = timeline.sample(at: t + Double(span - 1) * dt, dt: dt)
                    let framesBefore = firmware.telemetry.count
                    firmware.sleep(plant: wake.plant, ticks: span)
                    if firmware.telemetry.count > framesBefore {
                        frameReference[framesBefore] = wake.referenceSOC
                        frameOperation[framesBefore] = -1
                    }
                    for k in 0..<accumulators.count {
                        accumulators[k].add(estimatePercent: 0, referencePercent: 0, timeS: t, dtSeconds: dt,
                                            operation: -1, isDischarge: false)
                    }
                    tick += span
                    continue
                }
            }
            // A charge the source lost (NASA keeps every tenth in its CSV) ended at 4.2 V /
            // 20 mA before this operation: the firmware would have seen the termination.
            if sampledOperation >= 0, sampledOperation != lastFullChargeOperation,
               timeline.operations[sampledOperation].unrecordedFullCharge {
                firmware.fullChargeDetected()
                lastFullChargeOperation = sampledOperation
            }
            let framed = schedule.isDue(.telemetry, tick: tick)
            firmware.step(plant: plant)
            if framed {
                frameReference[firmware.telemetry.count - 1] = reference
                frameOperation[firmware.telemetry.count - 1] = Int32(operation)
            }
            let runTimeS = Double(tick) * dt
            let discharge = operation >= 0 && isDischarge[operation]
            for k in 0..<accumulators.count {
                accumulators[k].add(estimatePercent: firmware.bank.estimates[k].soc * 100,
                                    referencePercent: reference * 100, timeS: runTimeS, dtSeconds: dt,
                                    operation: operation, isDischarge: discharge)
            }
            tick += 1
        }
        progress?(totalTicks - reported)
        if options.keepTelemetry {
            series.append(firmware.telemetry, referenceSOC: frameReference, operation: frameOperation)
        }
        let metrics = names.indices.map { k in
            accumulators[k].result(estimator: names[k], nanosecondsPerUpdate: firmware.bank.nanosecondsPerUpdate(k),
                                   stateBytes: estimators[k].stateBytes)
        }
        return ReplayResult(
            cell: recording.cell, scenario: scenario.name, metrics: metrics, ticks: totalTicks,
            digest: firmware.telemetryDigest, flaggedTicks: firmware.flaggedTicks,
            injectedFaults: FaultKind.allCases.map { firmware.injector.injected($0) },
            protectionEventCount: firmware.protection.eventCount, protectionEvents: firmware.protection.events,
            telemetry: series)
    }
}
