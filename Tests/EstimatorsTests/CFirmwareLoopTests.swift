import BMSCore
import CBMSSoc
import CellModel
@testable import Estimators
import Firmware
import Testing
import TestSupport

/// A C firmware loop assembled from the C parts — `bms_plausibility_check`, the auto-zero
/// (`bms_current_offset_correct`), `bms_protection_update`, the bank (`bms_bank_feed`,
/// `bms_bank_slot_step`) and the C Ah counter and EKF — against the Swift `BMSFirmware` on the
/// same raw readings (after its sensor front-end and injected faults: `BMSFirmware.lastRaw`),
/// through sleeps: the same flags and protection state on every tick, the same updates and
/// withheld updates, and the same reported SOC within float rounding.
@Suite("A C firmware loop from the C parts gives the Swift firmware's SOC")
struct CFirmwareLoopTests {
    /// Largest |SOC_C − SOC_Swift| at any tick, fraction (0.01 SOC points). Measured (2026-12-07,
    /// debug build): ah 0.0003, ekf 0.0001 points over the drive below (63,799 ticks, 4,768 flagged).
    static let tolerance = 0.0001

    /// The plant: the bundled cell model simulated at 1 s, five blocks of a day — a random drive
    /// to about 40 %, a rest, a CC-CV charge, a rest — each followed by a sleep of 2 to 6 h.
    static func plant(_ model: CellModelParameters) -> [[CellMeasurement]] {
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

    @Test("faulted sensors with a 30 mA current bias, five sleeps: the same flags, updates and SOC at every tick")
    func faultedDriveAgrees() throws {
        let model = try CellModelFile.load(from: CEstimatorAgreementTests.modelURL)
        let cModel = CCellModel(try CellModelCTables(model))
        let realistic = SensorConfig.realistic
        let sensor = SensorConfig(voltage: realistic.voltage, current: realistic.current,
                                  temperature: realistic.temperature, currentBiasA: 0.03)
        let faults = FaultConfig(dropoutRate: 0.002, nanRate: 0.002, stuckRate: 0.0005, spikeRate: 0.003,
                                 timestampJumpRate: 0.002)
        let limits = PlausibilityLimits(stuckTicks: 10)
        // Protection limits the drive crosses: the CV charge trips over-voltage, the drive's peaks
        // the discharge over-current, its ends under-voltage.
        let protection = ProtectionLimits(overVoltageV: 4.15, overVoltageReleaseV: 4.1, underVoltageV: 3.45,
                                          underVoltageReleaseV: 3.55, overCurrentDischargeA: 3.5,
                                          overCurrentDischargeReleaseA: 3.0)
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
        var protectionMismatches = 0

        var ticks = 0, flaggedTicks = 0, flagMismatches = 0
        var maxGap = [0.0, 0.0]
        var steps = [bms_bank_step_t](repeating: bms_bank_step_t(), count: 2)
        events.withUnsafeMutableBufferPointer { ring in
            protectionState.ring = ring.baseAddress
            for block in Self.plant(model) {
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
                    if flags != fw.lastFlags.rawValue { flagMismatches += 1 }
                    if flags & UInt16(BMS_FAULT_ANY) != 0 { flaggedTicks += 1 }
                    used.current_A = bms_current_offset_correct(&zero, used.voltage_V, used.current_A, used.dt_s,
                                                                flags & UInt16(BMS_FAULT_ANY) != 0 ? 1 : 0)
                    // Protection every tick (the schedule's default), on the checked and auto-zeroed reading.
                    let state = bms_protection_update(&protectionState, used.voltage_V, used.current_A, used.temperature_C,
                                                      UInt32(tick))
                    if Int(state.rawValue) != Int(fw.protection.state.rawValue)
                        || Int(protectionState.event_count) != fw.protection.eventCount { protectionMismatches += 1 }
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
                    for k in 0..<2 { maxGap[k] = max(maxGap[k], abs(cSOC[k] - fw.bank.estimates[k].soc)) }
                    ticks += 1
                }
                // A sleep of 2 to 6 h.
                let sleepTicks = 7200 + 3600 * (ticks % 3)
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
        print("CFirmwareLoop: \(ticks) ticks, \(flaggedTicks) flagged, \(zero.calibrations) auto-zero calibrations "
              + "(offset \(bms_current_offset_A(&zero)) A); max |C − Swift| SOC points: ah \(maxGap[0] * 100), "
              + "ekf \(maxGap[1] * 100); updates \(slots.map(\.updates)), held \(slots.map(\.held_updates)); "
              + "\(protectionState.event_count) protection events")
        #expect(flagMismatches == 0)
        // The same protection state and events at every tick; the drive trips every condition it crosses.
        #expect(protectionMismatches == 0)
        let trips = Set(fw.protection.events.filter(\.tripped).map(\.condition))
        #expect(trips.isSuperset(of: [.overVoltage, .underVoltage, .overCurrentDischarge]), "\(trips)")
        #expect(ticks > 40_000 && flaggedTicks > 300, "\(ticks) ticks, \(flaggedTicks) flagged")
        #expect(Int(zero.calibrations) == fw.currentOffset.calibrations && zero.calibrations >= 5)
        for k in slots.indices {
            #expect(Int(slots[k].updates) == fw.bank.updateCounts[k], "estimator \(k) updates")
            #expect(Int(slots[k].held_updates) == fw.bank.heldUpdates[k] && slots[k].held_updates > 0, "estimator \(k) held")
            #expect(maxGap[k] <= Self.tolerance, "estimator \(k): \(maxGap[k] * 100) SOC points")
        }
    }
}
