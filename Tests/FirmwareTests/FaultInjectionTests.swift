import BMSCore
import Foundation
import TestSupport
import Testing
@testable import Firmware

/// A few discharges of a NASA cell, read straight from the shared CSV (test-only helper; the
/// project's reader lives in CellData, which Firmware tests may not import), resampled to
/// 1 s ticks by linear interpolation within each discharge.
func nasaDischargePlant(cell: String = "B0005", discharges: Int = 3) throws -> [CellMeasurement] {
    guard let nasa = SharedData.nasa else { return [] }
    let url = nasa.appendingPathComponent("discharge/\(cell)_discharge.csv")
    let text = try String(contentsOf: url, encoding: .utf8)
    var cycles: [[(Double, Double, Double, Double)]] = []
    var currentCycle = ""
    for line in text.split(separator: "\n").dropFirst() {
        let f = line.split(separator: ",", omittingEmptySubsequences: false)
        guard f.count >= 5, let t = Double(f[1]), let v = Double(f[2]), let i = Double(f[3]), let temp = Double(f[4])
        else { continue }
        if f[0] != currentCycle {
            if cycles.count == discharges { break }
            cycles.append([])
            currentCycle = String(f[0])
        }
        cycles[cycles.count - 1].append((t, v, i, temp))
    }
    var plant: [CellMeasurement] = []
    for samples in cycles {
        var j = 0
        var t = samples[0].0
        while t <= samples[samples.count - 1].0 {
            while j + 1 < samples.count - 1 && samples[j + 1].0 < t { j += 1 }
            let (t0, v0, i0, c0) = samples[j], (t1, v1, i1, c1) = samples[j + 1]
            let w = t1 > t0 ? min(1, max(0, (t - t0) / (t1 - t0))) : 0
            plant.append(CellMeasurement(voltageV: v0 + w * (v1 - v0), currentA: i0 + w * (i1 - i0),
                                         temperatureC: c0 + w * (c1 - c0), dtSeconds: 1))
            t += 1
        }
    }
    return plant
}

@Suite("Fault injection and plausibility checks")
struct FaultInjectionTests {
    static let realisticChecks = PlausibilityLimits(stuckTicks: 10)

    /// Runs the loop over `plant` with one scheduled fault and returns (firmware, flags on each tick).
    func run(_ plant: [CellMeasurement], fault: ScheduledFault) throws -> (BMSFirmware, [FaultFlags], TestLinearVoltage) {
        let ocv = TestLinearVoltage()
        let config = FirmwareConfig(schedule: try TickSchedule(), sensor: .realistic,
                                    faults: FaultConfig(scheduled: [fault]),
                                    plausibility: Self.realisticChecks, seed: 11)
        var fw = try BMSFirmware(config: config, estimators: [TestCoulombCounter(), ocv])
        var flags: [FaultFlags] = []
        flags.reserveCapacity(plant.count)
        for p in plant {
            if fw.telemetryNeedsDrain { fw.clearTelemetry() }
            fw.step(plant: p)
            flags.append(fw.lastFlags)
            #expect(fw.bank.estimates.allSatisfy { $0.soc.isFinite }, "tick \(fw.tick)")
            #expect(fw.lastMeasurement.isFinite)
        }
        return (fw, flags, ocv)
    }

    @Test("every fault type on every channel is flagged, on real NASA data; estimators stay finite",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func everyFaultOnRealData() throws {
        let plant = try nasaDischargePlant(discharges: 1)
        #expect(plant.count > 3000)
        let at = plant.count / 2
        for kind in FaultKind.allCases {
            for channel in SensorChannel.allCases {
                let fault = ScheduledFault(tick: at, kind: kind, channel: channel, durationTicks: 20)
                let (fw, flags, _) = try run(plant, fault: fault)
                #expect(fw.injector.injected(kind) == 1)
                let expected = FaultFlags.detecting(kind)
                let flagged = flags[at..<(at + 20)].contains { $0.contains(expected) }
                #expect(flagged, "\(kind) on \(channel) not flagged")
                if kind != .timestampJump {
                    #expect(flags[at..<(at + 20)].contains { $0.contains(.channel(channel)) }, "\(kind) on \(channel): channel not named")
                }
                // Outside the fault window nothing is flagged (no false alarms on clean real data).
                let early = flags[..<at].filter { !$0.isEmpty }.count
                #expect(early == 0, "\(kind) on \(channel): \(early) false flags before the fault")
            }
        }
    }

    @Test("a NaN or spike never reaches an estimator: the last good value is used instead")
    func lastGoodValueUsed() throws {
        let plant = (0..<200).map { syntheticPlant(tick: $0) }
        for kind in [FaultKind.nan, .spike, .dropout] {
            let (fw, flags, ocv) = try run(plant, fault: ScheduledFault(tick: 100, kind: kind, channel: .voltage))
            #expect(flags[100].contains(FaultFlags.detecting(kind)))
            #expect(flags[99].isEmpty && flags[101].isEmpty)
            #expect(ocv.estimate.soc.isFinite)
            _ = fw
        }
    }

    @Test("a real step larger than the jump limit is accepted after the re-sync count")
    func resyncAfterRealStep() throws {
        var check = try PlausibilityCheck(limits: PlausibilityLimits(maxCurrentStepA: 1, maxConsecutiveRejects: 3),
                                          baseTickSeconds: 1)
        var used: [Double] = []
        var flags: [FaultFlags] = []
        for tick in 0..<8 {
            let current = tick < 2 ? 0.0 : -4.0
            let r = check.check(RawReading(measurement: CellMeasurement(voltageV: 3.7, currentA: current,
                                                                        temperatureC: 25, dtSeconds: 1)))
            used.append(r.measurement.currentA)
            flags.append(r.flags)
        }
        #expect(used == [0, 0, 0, 0, 0, -4, -4, -4])
        #expect(flags[2].contains(.spike) && flags[4].contains(.spike))
        #expect(flags[5].contains(.resync))
        #expect(flags[6].isEmpty)
    }

    @Test("after a sleep: two consecutive readings within the step limit confirm each other; NaN and out-of-range readings never do; a channel that never settles re-syncs")
    func wakeUpConfirmation() throws {
        var check = try PlausibilityCheck(limits: PlausibilityLimits(maxVoltageStepV: 0.5, maxConsecutiveRejects: 2),
                                          baseTickSeconds: 1)
        func run(_ volts: [Double]) -> [(Double, FaultFlags)] {
            check.wake()
            return volts.map { v in
                let r = check.check(RawReading(measurement: CellMeasurement(voltageV: v, currentA: 0, temperatureC: 25, dtSeconds: 1)))
                return (r.measurement.voltageV, r.flags)
            }
        }
        let voltage = FaultFlags.channel(.voltage)
        let every: FaultFlags = [.unconfirmed, voltage, .channel(.current), .channel(.temperature)]
        // A rested cell: every channel's first reading waits, the second confirms it.
        var r = run([4.0, 4.01, 4.02])
        #expect(r.map(\.1) == [every, [], []] && r.map(\.0) == [4.0, 4.01, 4.02])
        // A spike first: it and the voltage reading after it disagree, so both wait (the other
        // channels are confirmed on the second tick); the third confirms.
        r = run([2.0, 4.0, 4.0])
        #expect(r.map(\.1) == [every, [.unconfirmed, voltage], []])
        // NaN and out-of-range readings are faults as usual and are never a candidate.
        r = run([.nan, 4.0, 9.0, 4.01])
        #expect(r[0].1.contains(.notFinite) && r[1].1.contains(.unconfirmed) && r[2].1.contains(.spike))
        #expect(r[3].1.isEmpty && r[3].0 == 4.01)
        // Every reading far from the one before: after maxConsecutiveRejects + 1 unconfirmed
        // readings the next is accepted as a re-sync, so a sleep never withholds for long.
        r = run([2.0, 3.0, 4.0, 2.0, 2.1])
        #expect(r.prefix(3).allSatisfy { $0.1.contains(.unconfirmed) })
        #expect(r[3].1.contains(.resync) && !r[3].1.contains(.unconfirmed) && r[4].1.isEmpty)
        // Once confirmed, the step limit applies again.
        r = run([4.0, 4.0, 2.0])
        #expect(r[2].1.contains(.spike) && r[2].0 == 4.0)
    }

    @Test("random faults at high rates: everything flagged, nothing non-finite reaches the bank")
    func randomFaults() throws {
        let faults = FaultConfig(dropoutRate: 0.01, nanRate: 0.01, stuckRate: 0.002, spikeRate: 0.01,
                                 timestampJumpRate: 0.01)
        let config = FirmwareConfig(schedule: try TickSchedule(), sensor: .realistic, faults: faults,
                                    plausibility: Self.realisticChecks, seed: 5)
        var fw = try BMSFirmware(config: config, estimators: [TestCoulombCounter(), TestLinearVoltage()])
        for tick in 0..<20_000 {
            if fw.telemetryNeedsDrain { fw.clearTelemetry() }
            fw.step(plant: syntheticPlant(tick: tick % 3600))
            #expect(fw.lastMeasurement.isFinite)
        }
        #expect(fw.bank.estimates.allSatisfy { $0.soc.isFinite })
        // Every timestamp jump is flagged on its tick. NaNs and spikes are flagged unless they
        // land on a channel that is in a dropout or stuck episode at the time (then the
        // episode hides them), which at these rates is a small share.
        #expect(fw.flaggedTicks[4] == fw.injector.injected(.timestampJump))
        #expect(Double(fw.flaggedTicks[1]) >= 0.8 * Double(fw.injector.injected(.nan)))
        #expect(Double(fw.flaggedTicks[3]) >= 0.8 * Double(fw.injector.injected(.spike)))
        #expect(fw.injector.injected(.nan) > 100)
    }

    @Test("bad fault configs are rejected")
    func badFaultConfig() {
        #expect(throws: FirmwareConfigError.outOfRange(field: "faults.nanRate", value: 2, allowed: "0...1")) {
            try FaultInjector(config: FaultConfig(nanRate: 2), seed: 1)
        }
        #expect(throws: FirmwareConfigError.self) {
            try FaultInjector(config: FaultConfig(scheduled: [ScheduledFault(tick: -1, kind: .nan)]), seed: 1)
        }
        #expect(throws: FirmwareConfigError.self) { try FaultInjector(config: FaultConfig(episodeTicks: 0), seed: 1) }
        #expect(throws: FirmwareConfigError.self) {
            try PlausibilityCheck(limits: PlausibilityLimits(maxVoltageStepV: 0), baseTickSeconds: 1)
        }
    }
}
