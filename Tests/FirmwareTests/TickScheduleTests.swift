import BMSCore
import Testing
@testable import Firmware

@Suite("Tick scheduler")
struct TickScheduleTests {
    @Test("each task runs exactly every n-th tick")
    func taskRates() throws {
        let s = try TickSchedule(baseTickSeconds: 0.01, protectionEveryTicks: 10, estimationEveryTicks: 100,
                                 telemetryEveryTicks: 7)
        var counts = [Int](repeating: 0, count: TickSchedule.Task.allCases.count)
        for tick in 0..<10_000 {
            for task in TickSchedule.Task.allCases where s.isDue(task, tick: tick) { counts[task.rawValue] += 1 }
        }
        #expect(counts[TickSchedule.Task.measurement.rawValue] == 10_000)
        #expect(counts[TickSchedule.Task.protection.rawValue] == 1_000)
        #expect(counts[TickSchedule.Task.estimation.rawValue] == 100)
        #expect(counts[TickSchedule.Task.telemetry.rawValue] == 1_429)  // ceil(10000 / 7)
        #expect(s.ticks(forSeconds: 10) == 1_000)
        #expect(s.ticks(forSeconds: 0.001) == 1)
    }

    @Test("slow estimators get the mean current over their period; charge is conserved")
    func slowEstimatorConservesCharge() throws {
        let fast = TestCoulombCounter(keepInputs: true)
        let slow = TestCoulombCounter(keepInputs: true)
        var fw = try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule(baseTickSeconds: 0.1)),
                                 estimators: [fast, slow], periodTicks: [1, 100])
        // A current that changes every tick: −1 A … −3 A saw-tooth.
        for tick in 0..<10_000 {
            let currentA = -1.0 - Double(tick % 37) / 18.0
            fw.step(plant: CellMeasurement(voltageV: 3.7, currentA: currentA, temperatureC: 25, dtSeconds: 0.1))
            if fw.telemetry.isFull { fw.clearTelemetry() }
        }
        #expect(fast.received.count == 10_000)
        #expect(slow.received.count == 100)              // ticks 0, 100, …, 9900
        #expect(slow.received.dropFirst().allSatisfy { abs($0.dtSeconds - 10) < 1e-9 })
        // Both counters integrated the same charge up to tick 9900 (the slow one's last update).
        let chargeFast = fast.received.prefix(9_901).reduce(0) { $0 + $1.currentA * $1.dtSeconds }
        let chargeSlow = slow.received.reduce(0) { $0 + $1.currentA * $1.dtSeconds }
        #expect(abs(chargeFast - chargeSlow) < 1e-9 * abs(chargeFast))
    }

    @Test("bad schedules are rejected with the field named")
    func badSchedules() {
        #expect(throws: FirmwareConfigError.outOfRange(field: "baseTickSeconds", value: 0.001, allowed: "0.01...3600")) {
            try TickSchedule(baseTickSeconds: 0.001)
        }
        #expect(throws: FirmwareConfigError.self) { try TickSchedule(baseTickSeconds: .nan) }
        #expect(throws: FirmwareConfigError.outOfRange(field: "estimationEveryTicks", value: 0, allowed: ">= 1")) {
            try TickSchedule(estimationEveryTicks: 0)
        }
        #expect(throws: FirmwareConfigError.estimatorCount(found: 0, allowed: ">= 1")) {
            try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule()), estimators: [])
        }
        #expect(throws: FirmwareConfigError.self) {
            try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule()), estimators: [TestCoulombCounter()],
                            periodTicks: [0])
        }
        #expect(throws: FirmwareConfigError.self) {
            try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule()), estimators: [TestCoulombCounter()],
                            periodTicks: [1, 2])
        }
    }
}

@Suite("Sleep mode")
struct SleepModeTests {
    @Test("a sleep measures nothing: the clock advances, every estimator is told, the next tick is the wake-up")
    func sleepSpan() throws {
        let fast = TestCoulombCounter(keepInputs: true)
        let slow = TestCoulombCounter(keepInputs: true)
        var fw = try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule(telemetryEveryTicks: 100)),
                                 estimators: [fast, slow], periodTicks: [1, 1000])
        for tick in 0..<10 { fw.step(plant: syntheticPlant(tick: tick)) }
        fw.sleep(ticks: 600)
        #expect(fw.tick == 610 && fw.timeS == 610 && fw.sleptTicks == 600)
        #expect(fast.wakes == [600] && slow.wakes == [600])
        #expect(fast.received.count == 10 && slow.received.count == 1)   // nothing measured asleep
        #expect(fw.telemetry.count == 1)                                   // the frame of tick 0 only
        // The wake-up reading is far from the last one (a rested cell): not a spike. It is held
        // until the next reading confirms it (unconfirmed, not a fault); then the estimators get
        // it as its own tick, at rest, and the confirming reading after it.
        fw.step(plant: CellMeasurement(voltageV: 4.19, currentA: 0, temperatureC: 25, dtSeconds: 1))
        #expect(fw.lastFlags.contains(.unconfirmed) && !fw.lastFlags.contains(.spike))
        #expect(fast.received.count == 10 && fw.flaggedTicks.allSatisfy { $0 == 0 } && fw.bank.heldUpdates == [0, 0])
        fw.step(plant: CellMeasurement(voltageV: 4.15, currentA: -1, temperatureC: 25, dtSeconds: 1))
        #expect(fw.lastFlags.isEmpty)
        #expect(fast.received.count == 12)
        let wake = fast.received[10], next = fast.received[11]
        #expect(wake.voltageV == 4.19 && wake.currentA == 0 && wake.dtSeconds == 1)   // accumulators restarted
        #expect(next.voltageV == 4.15 && next.currentA == -1 && next.dtSeconds == 1)
    }

    @Test("a current dropout on waking: its ticks are counted at the first real current, not at the reading from before the sleep")
    func wakeUpCurrentDropout() throws {
        let counter = TestCoulombCounter(keepInputs: true)
        // The current channel drops out for 5 ticks from the wake-up tick (tick 10 + 3600).
        let faults = FaultConfig(scheduled: [ScheduledFault(tick: 3610, kind: .dropout, channel: .current, durationTicks: 5)])
        var fw = try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule(telemetryEveryTicks: 100), faults: faults),
                                 estimators: [counter], periodTicks: [1])
        // Before the sleep the cell charges at +1.5 A; it wakes into a −2 A discharge.
        for _ in 0..<10 { fw.step(plant: CellMeasurement(voltageV: 4.0, currentA: 1.5, temperatureC: 25, dtSeconds: 1)) }
        fw.sleep(ticks: 3600)
        for _ in 0..<8 { fw.step(plant: CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: 25, dtSeconds: 1)) }
        // Ticks 0–4 dropped out, 5 is the first real current (unconfirmed), 6 confirms it.
        let after = Array(counter.received.dropFirst(10))
        #expect(after.count == 3)
        #expect(after.first?.currentA == -2 && after.first?.dtSeconds == 6)   // not 5 ticks of +1.5 A
        #expect(after.allSatisfy { $0.currentA == -2 })
        #expect(fw.flaggedTicks[0] == 5)
    }

    @Test("a spike on the wake-up tick never reaches the estimators: the next two readings confirm each other")
    func wakeUpSpike() throws {
        let counter = TestCoulombCounter(keepInputs: true)
        var fw = try BMSFirmware(config: FirmwareConfig(schedule: TickSchedule(telemetryEveryTicks: 100)),
                                 estimators: [counter], periodTicks: [1])
        for tick in 0..<10 { fw.step(plant: syntheticPlant(tick: tick)) }
        fw.sleep(ticks: 3600)
        // A 2.2 V spike (inside the plausible range) on the first tick, then the rested 4.19 V.
        let readings = [2.2, 4.19, 4.19, 4.05]
        var flags: [FaultFlags] = []
        for v in readings {
            fw.step(plant: CellMeasurement(voltageV: v, currentA: v < 4.1 ? -1 : 0, temperatureC: 25, dtSeconds: 1))
            flags.append(fw.lastFlags)
        }
        #expect(flags[0].contains(.unconfirmed) && flags[1].contains(.unconfirmed))   // 4.19 disagrees with 2.2
        #expect(flags[2].isEmpty && flags[3].isEmpty)
        // The first reading the counter sees after the sleep is the confirmed 4.19 V, over the
        // spike's tick and its own (the spike's voltage is never used); then the rest in order.
        let after = Array(counter.received.dropFirst(10))
        #expect(after.map(\.voltageV) == [4.19, 4.19, 4.05] && after.map(\.dtSeconds) == [2, 1, 1])
        #expect(counter.received.allSatisfy { $0.voltageV != 2.2 })
        #expect(fw.flaggedTicks.allSatisfy { $0 == 0 } && fw.bank.heldUpdates == [0])
    }
}
