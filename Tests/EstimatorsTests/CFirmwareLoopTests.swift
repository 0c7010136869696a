import BMSCore
import CBMSSoc
import CellData
import CellModel
@testable import Estimators
import Firmware
import Testing
import TestSupport

/// A C firmware loop assembled from the C parts — `bms_plausibility_check`, the auto-zero
/// (`bms_current_offset_correct`), `bms_protection_update`, the bank (`bms_bank_feed`,
/// `bms_bank_slot_step`) and the C Ah counter and EKF — against the Swift `BMSFirmware` on the
/// same raw readings (after its sensor front-end and injected faults: `BMSFirmware.lastRaw`),
/// through sleeps, on simulated days and on a NASA cell: the same flags and protection state on
/// every tick, the same updates and withheld updates, and the same reported SOC within float
/// rounding.
@Suite("A C firmware loop from the C parts gives the Swift firmware's SOC")
struct CFirmwareLoopTests {
    /// Largest |SOC_C − SOC_Swift| at any tick, fraction (0.01 SOC points). Measured (2026-12-07,
    /// debug build): ah 0.0003, ekf 0.0001 points on the simulated days (63,799 ticks, 4,768
    /// flagged); ah 0.0001, ekf 0.0002 points on B0047's first 30 operations (173,741 ticks, 12,618
    /// flagged).
    static let tolerance = 0.0001

    /// The plant: the bundled cell model simulated at 1 s, five blocks of a day — a random drive
    /// to about 40 %, a rest, a CC-CV charge, a rest — each followed by a sleep of 2 to 4 h.
    static func simulatedPlant(_ model: CellModelParameters) -> [[CellMeasurement]] {
        var sim = CellSimulator(model: model, pairCount: 1, soc: 1)
        return (0..<5).map { block in
            let profile: [ProfileSegment] = [
                .rest(durationS: 120),
                .randomWalk(meanA: -1.5, stepSigmaA: 0.4, limitA: 4, durationS: 2400, stopBelowV: 3.0),
                .rest(durationS: 1800),
                .cccvCharge(currentA: 1.5, voltageV: 4.2, cutoffA: 0.05, durationS: 7200),
                .rest(durationS: 1800),
            ]
            let rec = SyntheticCycleGenerator(dtSeconds: 1, temperatureC: 24 + 3 * Double(block))
                .run(profile, simulator: &sim, seed: UInt64(block + 1))
            return (0..<rec.count).map {
                CellMeasurement(voltageV: rec.voltageV[$0], currentA: rec.currentA[$0], temperatureC: rec.temperatureC[$0],
                                dtSeconds: 1)
            }
        }
    }

    /// What one run of both loops found.
    struct Outcome {
        var ticks = 0, flaggedTicks = 0, flagMismatches = 0, protectionMismatches = 0
        var maxGap = [0.0, 0.0]
        var calibrations = (swift: 0, c: 0)
        var updates: [(swift: Int, c: Int)] = []
        var held: [(swift: Int, c: Int)] = []
        var protectionEvents = 0
        var trips: Set<ProtectionCondition> = []
    }

    /// Runs the Swift firmware (realistic sensors with a 30 mA current bias, every kind of fault,
    /// `protection`; Ah every tick, EKF every 10) over `blocks` of 1 s plant values, sleeping
    /// `sleeps[k]` ticks after block k, and feeds its raw readings to the C loop.
    static func run(blocks: [[CellMeasurement]], sleeps: [Int], protection: ProtectionLimits) throws -> Outcome {
        let model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        let cModel = CCellModel(try CellModelCTables(model))
        let realistic = SensorConfig.realistic
        let sensor = SensorConfig(voltage: realistic.voltage, current: realistic.current,
                                  temperature: realistic.temperature, currentBiasA: 0.03)
        let faults = FaultConfig(dropoutRate: 0.002, nanRate: 0.002, stuckRate: 0.0005, spikeRate: 0.003,
                                 timestampJumpRate: 0.002)
        let limits = PlausibilityLimits(stuckTicks: 10)
        let config = FirmwareConfig(schedule: try TickSchedule(), sensor: sensor, faults: faults, plausibility: limits,
                                    protection: protection, seed: 7)
        let periods = [1, 10]
        let swiftAh = AhCounterEstimator(model: model, config: EstimatorConfig())
        let swiftEKF = TheveninEKF(model: model, pairs: 1, config: EstimatorConfig())
        var fw = try BMSFirmware(config: config, estimators: [swiftAh, swiftEKF], periodTicks: periods, timingSampleEvery: 0)

        // The C loop.
        let cAh = CAhCounter(model: cModel, config: CConfig()), cEKF = CEKF(model: cModel, config: CConfig())
        #expect(cAh.status == BMS_SOC_OK && cEKF.status == BMS_SOC_OK)
        let cEstimators: [any CEstimator] = [cAh, cEKF]
        var checks = bms_plausibility_t()
        var cLimits = PlausibilityAgreementTests.cLimits(limits)
        #expect(bms_plausibility_init(&checks, &cLimits, config.schedule.baseTickSeconds) == BMS_SOC_OK)
        var zero = bms_current_offset_t()
        var zeroSettings = CurrentOffsetAgreementTests.cSettings(config.currentOffset)
        #expect(bms_current_offset_init(&zero, &zeroSettings) == BMS_SOC_OK)
        var bank = bms_bank_t()
        var slots = periods.map { _ in bms_bank_slot_t() }
        #expect(bms_bank_init(&bank) == BMS_SOC_OK)
        for k in periods.indices { #expect(bms_bank_slot_init(&slots[k], UInt32(periods[k])) == BMS_SOC_OK) }
        var cSOC: [Double] = [1, 1]
        var protectionState = bms_protection_t()
        var cProtection = ProtectionAgreementTests.cLimits(protection)
        var events = [bms_protection_event_t](repeating: bms_protection_event_t(), count: 1024)
        #expect(bms_protection_init(&protectionState, &cProtection, &events, 1024) == BMS_SOC_OK)

        var out = Outcome()
        var steps = [bms_bank_step_t](repeating: bms_bank_step_t(), count: 2)
        events.withUnsafeMutableBufferPointer { ring in
            protectionState.ring = ring.baseAddress
            for (block, sleepTicks) in zip(blocks, sleeps) {
                for plant in block {
                    let tick = fw.tick
                    if fw.telemetryNeedsDrain { fw.clearTelemetry() }
                    fw.step(plant: plant)
                    let raw = fw.lastRaw
                    var reading = bms_plausibility_reading_t(
                        voltage_V: Float(raw.measurement.voltageV), current_A: Float(raw.measurement.currentA),
                        temperature_C: Float(raw.measurement.temperatureC), dt_s: Float(raw.measurement.dtSeconds),
                        missing_mask: raw.missingMask)
                    var used = bms_plausibility_reading_t()
                    let flags = bms_plausibility_check(&checks, &reading, &used)
                    if flags != fw.lastFlags.rawValue { out.flagMismatches += 1 }
                    if flags & UInt16(BMS_FAULT_ANY) != 0 { out.flaggedTicks += 1 }
                    used.current_A = bms_current_offset_correct(&zero, used.voltage_V, used.current_A, used.dt_s,
                                                                flags & UInt16(BMS_FAULT_ANY) != 0 ? 1 : 0)
                    // Protection every tick (the schedule's default), on the checked and auto-zeroed reading.
                    let state = bms_protection_update(&protectionState, used.voltage_V, used.current_A, used.temperature_C,
                                                      UInt32(tick))
                    if Int(state.rawValue) != Int(fw.protection.state.rawValue)
                        || Int(protectionState.event_count) != fw.protection.eventCount { out.protectionMismatches += 1 }
                    let n = Int(bms_bank_feed(&bank, &used, flags, UInt32(tick), &steps))
                    for s in 0..<n {
                        for k in slots.indices {
                            var input = bms_bank_input_t()
                            guard bms_bank_slot_step(&slots[k], &steps[s], &input) != 0 else { continue }
                            let e = cEstimators[k].update(CellMeasurement32(voltageV: input.voltage_V, currentA: input.current_A,
                                                                            temperatureC: input.temperature_C, dtSeconds: input.dt_s))
                            cSOC[k] = min(1, max(0, Double(e.soc)))
                        }
                    }
                    for k in 0..<2 { out.maxGap[k] = max(out.maxGap[k], abs(cSOC[k] - fw.bank.estimates[k].soc)) }
                    out.ticks += 1
                }
                fw.sleep(ticks: sleepTicks)
                let sleptS = Float(Double(sleepTicks) * config.schedule.baseTickSeconds)
                #expect(bms_plausibility_wake(&checks) == BMS_SOC_OK && bms_current_offset_wake(&zero) == BMS_SOC_OK)
                #expect(bms_bank_wake(&bank) == BMS_SOC_OK)
                for k in slots.indices {
                    #expect(bms_bank_slot_restart(&slots[k]) == BMS_SOC_OK)
                    cEstimators[k].wake(afterSleepSeconds: sleptS)
                }
            }
        }
        out.calibrations = (fw.currentOffset.calibrations, Int(zero.calibrations))
        out.updates = slots.indices.map { (fw.bank.updateCounts[$0], Int(slots[$0].updates)) }
        out.held = slots.indices.map { (fw.bank.heldUpdates[$0], Int(slots[$0].held_updates)) }
        out.protectionEvents = Int(protectionState.event_count)
        out.trips = Set(fw.protection.events.filter(\.tripped).map(\.condition))
        return out
    }

    /// The expectations both tests share: the same flags and protection at every tick, the same
    /// calibrations, updates and withheld updates, the SOC within `tolerance`.
    static func expectAgreement(_ o: Outcome, _ name: String) {
        print("CFirmwareLoop \(name): \(o.ticks) ticks, \(o.flaggedTicks) flagged, \(o.calibrations.c) auto-zero "
              + "calibrations; max |C − Swift| SOC points: ah \(o.maxGap[0] * 100), ekf \(o.maxGap[1] * 100); "
              + "updates \(o.updates.map(\.c)), held \(o.held.map(\.c)); \(o.protectionEvents) protection events")
        #expect(o.flagMismatches == 0 && o.protectionMismatches == 0, "\(name)")
        #expect(o.calibrations.c == o.calibrations.swift && o.calibrations.c >= 2, "\(name)")
        for k in 0..<2 {
            #expect(o.updates[k].c == o.updates[k].swift && o.held[k].c == o.held[k].swift && o.held[k].c > 0, "\(name) \(k)")
            #expect(o.maxGap[k] <= Self.tolerance, "\(name) estimator \(k): \(o.maxGap[k] * 100) SOC points")
        }
    }

    @Test("five simulated days with every fault, a 30 mA current bias and sleeps: the same flags, protection, updates and SOC at every tick")
    func faultedDriveAgrees() throws {
        let model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        // Protection limits the drive crosses: the CV charge trips over-voltage, the drive's peaks
        // the discharge over-current, its ends under-voltage.
        let protection = ProtectionLimits(overVoltageV: 4.15, overVoltageReleaseV: 4.1, underVoltageV: 3.45,
                                          underVoltageReleaseV: 3.55, overCurrentDischargeA: 3.5,
                                          overCurrentDischargeReleaseA: 3.0)
        let blocks = Self.simulatedPlant(model)
        let o = try Self.run(blocks: blocks, sleeps: blocks.indices.map { 7200 + 3600 * ($0 % 3) }, protection: protection)
        Self.expectAgreement(o, "simulated")
        #expect(o.ticks > 40_000 && o.flaggedTicks > 300 && o.calibrations.c >= 5, "\(o.ticks) ticks, \(o.flaggedTicks) flagged")
        #expect(o.trips.isSuperset(of: [.overVoltage, .underVoltage, .overCurrentDischarge]), "\(o.trips)")
    }

    @Test("a NASA cell's first 30 operations, resampled to 1 s, with every fault and its recorded gaps as sleeps: the same flags, protection, updates and SOC",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func nasaLifeAgrees() throws {
        let dataset = try NASADataset(root: try #require(SharedData.nasa))
        let recording = try dataset.recording(cell: "B0047")
        let operations = recording.operations.filter { !$0.isGap && $0.samples.count > 1 }.prefix(30)
        // Each operation linearly interpolated onto a 1 s grid; the time to the next one is a sleep.
        var blocks: [[CellMeasurement]] = [], sleeps: [Int] = []
        for (k, op) in zip(operations.indices, operations) {
            let s = op.samples
            var block: [CellMeasurement] = []
            var j = 0
            var t = s.timeS[0]
            while t <= s.timeS[s.count - 1] {
                while j + 2 < s.count && s.timeS[j + 1] < t { j += 1 }
                let span = s.timeS[j + 1] - s.timeS[j]
                let w = span > 0 ? min(1, max(0, (t - s.timeS[j]) / span)) : 0
                func at(_ x: [Double]) -> Double { x[j] + w * (x[j + 1] - x[j]) }
                block.append(CellMeasurement(voltageV: at(s.voltageV), currentA: at(s.currentA),
                                             temperatureC: at(s.temperatureC), dtSeconds: 1))
                t += 1
            }
            blocks.append(block)
            let next = operations.index(after: k) < operations.endIndex ? operations[operations.index(after: k)].startTimeS : op.endTimeS + 3600
            sleeps.append(max(1, Int((next - op.endTimeS).rounded())))
        }
        // NASA's 2 Ah cell at 24 °C, discharged at 2 A to 2.7 V: the default limits with
        // under-voltage at 2.8 / 3.0 V and charge over-current at 1.45 / 1.4 A, which its
        // discharges and 1.5 A charges cross.
        let protection = ProtectionLimits(underVoltageV: 2.8, underVoltageReleaseV: 3.0, overCurrentChargeA: 1.45,
                                          overCurrentChargeReleaseA: 1.4)
        let o = try Self.run(blocks: blocks, sleeps: sleeps, protection: protection)
        Self.expectAgreement(o, "B0047")
        #expect(o.ticks > 50_000 && o.flaggedTicks > 300, "\(o.ticks) ticks, \(o.flaggedTicks) flagged")
        #expect(o.trips.isSuperset(of: [.underVoltage, .overCurrentCharge]), "\(o.trips)")
    }
}
