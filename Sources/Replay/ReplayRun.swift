import BMSCore
import CellData
import Firmware
import Synchronization

/// Process-wide stop request (set from the command line's SIGINT/SIGTERM handler); replay
/// loops poll it between chunks of ticks and stop with `ReplayError.interrupted`.
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
    /// Keep the data of the run's figure (`ReplayResult.trace`) for these operations; nil = no
    /// figure. The telemetry is collected for it even when it is not kept.
    public var plotWindow: RunTrace.Window?

    /// Creates options.
    public init(telemetryEveryTicks: Int = 0, keepTelemetry: Bool = true, timingSampleEvery: Int = 64,
                plotWindow: RunTrace.Window? = nil) {
        self.telemetryEveryTicks = telemetryEveryTicks
        self.keepTelemetry = keepTelemetry
        self.timingSampleEvery = timingSampleEvery
        self.plotWindow = plotWindow
    }
}

/// Runs one recording through the firmware under one scenario.
public struct ReplayRunner: Sendable {
    /// The most base ticks one replay may span (10^12: 317 years at 10 ms).
    public static let maximumTicks = 1e12

    /// Makes the estimators.
    public let factory: any EstimatorFactory
    /// The reference-SOC rules (`ReferenceSOC`, the one labelling of CellData).
    public let rules: ReferenceSOC.Rules
    /// Options.
    public let options: ReplayOptions
    /// A rest (recorded or slept) at least this long is a "long rest": the ticks that end one
    /// are reported apart (`SOCMetrics.afterLongRestTicks`), s.
    public static let longRestSeconds = 1800.0
    /// |I| at or below this counts as rest for that report, A.
    public static let restCurrentA = 0.05

    /// Creates a runner.
    public init(factory: any EstimatorFactory, rules: ReferenceSOC.Rules = ReferenceSOC.Rules(),
                options: ReplayOptions = ReplayOptions()) {
        self.factory = factory
        self.rules = rules
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
    ///
    /// The run starts at the first sample with a reference SOC (or, with the scenario's
    /// `startUnderLoadSeconds`, under load inside the first labelled discharge) with every
    /// estimator at the true SOC there clamped to [0, 1] (a charge counted back from its full
    /// end over a smaller discharge capacity can start below 0; no cell holds a negative
    /// charge), or at the scenario's `initialSOC`. It ticks through
    /// recorded operations and sleeps through everything between them (`BMSFirmware.sleep`):
    /// the estimators wake at the next recorded sample. Scored: ticks inside operations that
    /// have a reference. A scenario sized for a cell (`ReplayScenario.currentSizing`) runs with
    /// its currents scaled to the factory's cell (`EstimatorFactory.currentScale(of:)`).
    /// `keepsFigure` false leaves out the run's figure data (`options.plotWindow`) and its
    /// telemetry (`options.keepTelemetry`) whatever the options say: a run whose figure and
    /// telemetry file are never written need not collect them.
    public func run(recording: Recording, scenario given: ReplayScenario, estimators names: [String], seedOffset: UInt64 = 0,
                    keepsFigure: Bool = true,
                    progress: (@Sendable (Int) -> Void)? = nil) throws(ReplayError) -> ReplayResult {
        // A preset's currents are sized for the reference cell: scaled to this cell model's.
        let scenario = given.scaledCurrents(by: factory.currentScale(of: given))
        try scenario.validate()
        // A model-rate name that is not in the run's estimator list would be ignored silently.
        if let unknown = scenario.slowEstimators.first(where: { !names.contains($0) }) {
            throw .unknownEstimator(name: unknown, known: names, context: "scenario \(scenario.name): slowEstimators (--model-rate)")
        }
        let references = ReferenceSOC.references(recording, rules: rules)
        let labels = zip(references, recording.operations).map { label, op in
            label.values ?? [Double](repeating: .nan, count: op.samples.count)
        }
        var timeline = try PlantTimeline(recording: recording, referenceSOC: labels)
        let dt = scenario.baseTickSeconds
        guard dt.isFinite, dt > 0 else {
            throw .firmwareConfig(scenario: scenario.name,
                                  .outOfRange(field: "baseTickSeconds", value: dt, allowed: "> 0"))
        }
        let startS: Double
        if let underLoad = scenario.startUnderLoadSeconds {
            guard let s = timeline.firstLoadedTimeS(afterDischargeSeconds: underLoad) else {
                throw .emptyRecording(cell: recording.cell, detail: "scenario \(scenario.name) starts \(underLoad) s into a "
                                      + "labelled discharge under load, and no discharge of this recording lasts that long")
            }
            startS = s
        } else {
            startS = timeline.firstLabelledTimeS ?? timeline.startTimeS
        }
        // A recording whose times span more ticks than can be counted (a time of 1e300 s in
        // a CSV) is refused here rather than trapping in the conversion below.
        let spanTicks = ((timeline.endTimeS - startS) / dt).rounded(.down)
        guard spanTicks.isFinite, spanTicks < Self.maximumTicks else {
            throw .firmwareConfig(scenario: scenario.name, .outOfRange(
                field: "recording \(recording.cell): span / baseTickSeconds", value: spanTicks, allowed: "< 1e12 ticks"))
        }
        let totalTicks = Int(spanTicks) + 1
        let every = options.telemetryEveryTicks > 0 ? options.telemetryEveryTicks : max(1, (totalTicks + 199_999) / 200_000)
        let config = try scenario.firmwareConfig(seedOffset: seedOffset, telemetryEveryTicks: every, telemetryCapacity: 4096,
                                                 cellCapacityAh: scenario.assumedCapacityAh ?? factory.cellCapacityAh)

        let startReference = timeline.sample(at: startS, dt: dt).referenceSOC
        timeline.rewind()
        let trueInitialSOC = startReference.isFinite ? min(max(startReference, 0), 1) : 1
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

        // One histogram buffer each, made here (a repeated value would share one and copy it on the
        // first tick).
        var accumulators = names.map { _ in SOCMetricsAccumulator() }
        let hasEnvelope = estimators.map { $0.trainingEnvelope != nil }
        var series = TelemetrySeries(estimators: names, hasEnvelope: hasEnvelope)
        var frameReference = [Double](repeating: 0, count: config.telemetryCapacity)
        var frameOperation = [Int32](repeating: 0, count: config.telemetryCapacity)
        let isDischarge = timeline.operations.map { $0.kind == .discharge }
        let schedule = config.schedule
        let chunk = 1 << 16
        let longRestS = Self.longRestSeconds
        let plotWindow = keepsFigure ? options.plotWindow : nil
        let keepTelemetry = options.keepTelemetry && keepsFigure
        let collectTelemetry = keepTelemetry || plotWindow != nil
        var restS = 0.0                  // how long the cell has rested (slept time counts), s
        var reported = 0
        var tick = 0
        var lastFullChargeOperation = -1
        var longRestAwaitingScore = false   // a long rest ended on a tick awaiting confirmation

        while tick < totalTicks {
            if tick - reported >= chunk {
                if ReplayCancellation.isRequested { throw .interrupted }
                progress?(tick - reported)
                reported = tick
            }
            let t = startS + Double(tick) * dt
            let (plant, reference, sampledOperation) = timeline.sample(at: t, dt: dt)
            // Outside the recorded operations (a gap, or the time between two records) the BMS
            // sleeps until the next recorded sample; nothing is measured or scored there.
            if sampledOperation < 0, let nextS = timeline.nextRecordedTimeS {
                let wakeTick = min(totalTicks, Int(((nextS - startS) / dt - 1e-9).rounded(.up)))
                if wakeTick > tick {
                    // A charge the source lost (NASA keeps every tenth in its CSV) ended at 4.2 V /
                    // 20 mA in this gap: the firmware saw the termination, then slept.
                    if let next = timeline.nextRecordedOperation, next != lastFullChargeOperation,
                       timeline.operations[next].unrecordedFullCharge {
                        firmware.fullChargeDetected()
                        lastFullChargeOperation = next
                    }
                    firmware.sleep(ticks: wakeTick - tick)
                    restS += Double(wakeTick - tick) * dt
                    tick = wakeTick
                    continue
                }
            }
            let operation = reference.isNaN ? -1 : sampledOperation   // no reference here: replay, don't score
            if firmware.telemetryNeedsDrain || firmware.telemetry.isFull {
                if collectTelemetry {
                    series.append(firmware.telemetry, referenceSOC: frameReference, operation: frameOperation)
                }
                firmware.clearTelemetry()
            }
            // The same when the operation follows the lost charge without a sleep in between.
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
            let wasLongRest = restS >= longRestS
            restS = abs(firmware.lastMeasurement.currentA) <= Self.restCurrentA ? restS + dt : 0
            // The wake-up reading awaits confirmation: the estimators have not seen it and the
            // display holds its pre-sleep value for this tick, which is not scored (counted).
            // A long rest it ends is ended by the first scored tick after it.
            let awaiting = firmware.lastFlags.contains(.unconfirmed)
            let endsLongRest = wasLongRest || restS >= longRestS || (!awaiting && longRestAwaitingScore)
            longRestAwaitingScore = awaiting && endsLongRest
            let runTimeS = Double(tick) * dt
            let discharge = operation >= 0 && isDischarge[operation]
            for k in 0..<accumulators.count {
                if awaiting {
                    accumulators[k].skipUnconfirmed(reference: reference, operation: operation)
                    continue
                }
                accumulators[k].add(estimate: firmware.bank.estimates[k].soc, reference: reference, timeS: runTimeS,
                                    operation: operation, isDischarge: discharge, afterLongRest: endsLongRest)
            }
            tick += 1
        }
        progress?(totalTicks - reported)
        if collectTelemetry {
            series.append(firmware.telemetry, referenceSOC: frameReference, operation: frameOperation)
        }
        let trace = plotWindow.map { RunTrace(telemetry: series, window: $0) }
        let bank = firmware.bank
        let metrics = names.indices.map { k in
            accumulators[k].result(estimator: names[k], nanosecondsPerUpdate: bank.nanosecondsPerUpdate(k),
                                   stateBytes: estimators[k].stateBytes, updates: bank.updateCounts[k],
                                   clamped: bank.clampedUpdates[k], held: bank.heldUpdates[k],
                                   nonFinite: bank.nonFiniteUpdates[k],
                                   envelope: hasEnvelope[k] ? (bank.outsideEnvelopeUpdates[k], bank.envelopeFlagsSeen[k]) : nil)
        }
        return ReplayResult(
            cell: recording.cell, source: recording.source, scenario: scenario.name, metrics: metrics, ticks: totalTicks,
            sleptTicks: firmware.sleptTicks, startTimeS: startS,
            excluded: ExcludedSpan.summarise(recording, references: references, fromS: startS),
            digest: firmware.telemetryDigest, flaggedTicks: firmware.flaggedTicks,
            injectedFaults: FaultKind.allCases.map { firmware.injector.injected($0) },
            protectionEventCount: firmware.protection.eventCount, protectionEvents: firmware.protection.events,
            telemetry: keepTelemetry ? series : TelemetrySeries(estimators: names, hasEnvelope: hasEnvelope),
            errorHistograms: accumulators.map(\.absErrorHistogram), trace: trace,
            currentOffset: CurrentOffsetSummary(firmware.currentOffset))
    }
}
