import BMSCore
import CellData
import Firmware
import Foundation
import TestSupport
import Testing
@testable import Replay

@Suite("Replay runs", .serialized)
struct ReplayRunTests {
    let runner = ReplayRunner(factory: testFactory)

    @Test("nominal: a coulomb counter told the true capacity tracks the coulomb reference to < 0.1 %")
    func nominalCounterTracks() throws {
        let r = try runner.run(recording: syntheticRecording(), scenario: .nominal, estimators: ["count", "volt"])
        let count = r.metrics[0]
        // Same current, same capacity: only the 1 s tick vs 10 s sample discretisation differs.
        #expect(count.rmsePercent < 0.1)
        #expect(count.nonFiniteTicks == 0)
        #expect(count.convergenceSeconds == 0)
        #expect(r.metrics[1].rmsePercent > 1)   // the crude voltage method is visibly worse
        let spanS: Double = 3600 * 2 + 600 + 5380 + 7200 + 4 * 5   // four 5 s pauses between operations
        #expect(r.ticks == Int(spanS) + 1)
        #expect(r.excluded.isEmpty)   // every operation of the synthetic life has a reference
    }

    @Test("the BMS sleeps through what was not recorded: no ticks, no frames, nothing scored there")
    func sleepsThroughGaps() throws {
        let r = try runner.run(recording: syntheticRecording(pausesAreGaps: true), scenario: .nominal, estimators: ["count"])
        // Asleep: the three 5 s pauses before the gap and the 7210 s from the end of the charge
        // to the last discharge (5 s + the 7200 s gap + 5 s); the first tick after each pause
        // lands on the next operation's first sample.
        #expect(r.sleptTicks == 4 + 4 + 7209)
        #expect(r.telemetry.count == r.ticks - r.sleptTicks)
        // Every awake tick is scored but the wake-up ticks that wait for a confirming reading
        // (the display holds its pre-sleep value): one per sleep (the three above), each
        // confirmed by the next tick.
        let waiting = try #require(r.metrics[0].unconfirmedTicks)
        #expect(waiting == 3)
        #expect(r.metrics[0].scoredTicks == r.ticks - r.sleptTicks - waiting)
        // The counter is told nothing of the sleep's current (0 A): it tracks the reference.
        #expect(r.metrics[0].rmsePercent < 0.1)
        // The same life as one continuous log (no gap operation between the first three
        // operations): their 5 s pauses are ticked through; only the 2 h gap is slept.
        let continuous = try runner.run(recording: syntheticRecording(), scenario: .nominal, estimators: ["count"])
        #expect(continuous.ticks == r.ticks && continuous.sleptTicks == 7209)
        #expect(continuous.metrics[0].unconfirmedTicks == 1)
    }

    @Test("current bias: +50 mA on a 2 Ah cell drifts 2.5 %/h, as the arithmetic says")
    func currentBiasDrift() throws {
        var scenario = ReplayScenario.currentBias
        scenario.sensor.current.noiseSigma = 0
        let r = try runner.run(recording: syntheticRecording(), scenario: scenario, estimators: ["count"])
        // After the first discharge (3600 s): 0.05 A · 3600 s / 7200 A·s = 2.5 % too high.
        let frame = r.telemetry.tick.firstIndex(of: 3599)!
        let error = (r.telemetry.soc[frame] - r.telemetry.referenceSOC[frame]) * 100
        #expect(abs(error - 2.5) < 0.05)
    }

    @Test("wrong initial SOC (under load, 10 min into the first discharge) and nameplate capacity reach the estimators")
    func setupFromScenario() throws {
        let r = try runner.run(recording: syntheticRecording(), scenario: .initialSOCError, estimators: ["count"])
        #expect(abs(r.startTimeS - 600) < 1e-9)
        #expect(abs(r.telemetry.soc[0] - 0.5) < 1e-3)
        #expect(abs(r.telemetry.referenceSOC[0] - (1 - 2.0 * 600 / 7200)) < 1e-3)
        #expect(r.metrics[0].maxAbsErrorPercent > 33)
        // A start further into a discharge than any discharge lasts is a typed error, not a trap.
        var late = ReplayScenario.initialSOCError
        late.startUnderLoadSeconds = 80_000
        #expect(throws: ReplayError.self) {
            try runner.run(recording: syntheticRecording(), scenario: late, estimators: ["count"])
        }
        var aged = ReplayScenario.agedCapacity
        aged.assumedCapacityAh = 4.0
        let a = try runner.run(recording: syntheticRecording(), scenario: aged, estimators: ["count"])
        // Told 4 Ah, the counter sees half the true depth: at the end of the first discharge, SOC 0.5 vs 0.
        let frame = a.telemetry.tick.firstIndex(of: 3600)!
        #expect(abs(a.telemetry.soc[frame] - 0.5) < 0.01)
    }

    @Test("the auto-zero: scaled to the cell unless the scenario sets it; no power-up calibration for a start under load")
    func autoZeroSettings() throws {
        let nominal = ReplayScenario.nominal.currentOffsetSettings(cellCapacityAh: 5)
        #expect(nominal.enabled && nominal.calibrateAtPowerUp && abs(nominal.maximumOffsetA - 0.2) < 1e-12)
        #expect(ReplayScenario.nominal.currentOffsetSettings(cellCapacityAh: nil) == CurrentOffsetSettings())
        #expect(!ReplayScenario.initialSOCError.currentOffsetSettings(cellCapacityAh: 2).calibrateAtPowerUp)
        var off = ReplayScenario.currentBias
        off.currentOffset = .off
        #expect(!off.currentOffsetSettings(cellCapacityAh: 2).enabled)
        let config = try off.firmwareConfig(seedOffset: 0, telemetryEveryTicks: 1, telemetryCapacity: 16, cellCapacityAh: 2)
        #expect(!config.currentOffset.enabled)
        // A bad value in a scenario is refused when the replay is set up, naming the field.
        var bad = ReplayScenario.currentBias
        bad.currentOffset = CurrentOffsetSettings(windowSeconds: -1)
        #expect { try bad.validate() } throws: { "\($0)".contains("currentOffset.windowSeconds") }
    }

    @Test("every preset runs on the synthetic life; estimates stay finite")
    func everyPreset() throws {
        for scenario in ReplayScenario.presets {
            let r = try runner.run(recording: syntheticRecording(), scenario: scenario, estimators: ["count", "volt"])
            #expect(r.metrics.allSatisfy { $0.nonFiniteTicks == 0 && $0.rmsePercent.isFinite }, "\(scenario.name)")
        }
    }

    @Test("an unlabelled start is skipped: the replay begins at the first labelled sample, exclusions listed")
    func unlabelledStart() throws {
        var recording = syntheticRecording()
        recording.operations[0].capacityAh = nil   // discharge without a capacity: no reference
        let r = try runner.run(recording: recording, scenario: .nominal, estimators: ["count"])
        let full = try runner.run(recording: syntheticRecording(), scenario: .nominal, estimators: ["count"])
        // Discharge 1 (0…3600 s) and the rest after it (whose SOC is then unknown) have no
        // reference, so the run starts at the charge (t = 4210 s), counted back from its full end.
        #expect(r.ticks == full.ticks - 4210)
        let charge = recording.operations[2].samples
        let chargedAs = ReferenceSOC.cumulativeChargeAs(timeS: charge.timeS, currentA: charge.currentA).last!
        // The label starts just below 0 (the charge puts in a little more than 2 Ah); the
        // estimators start at the nearest SOC a cell can have, 0.
        #expect(1 - chargedAs / 7200 < 0)
        #expect(r.telemetry.soc[0] >= 0 && r.telemetry.soc[0] < 0.001)   // after its first 1 s tick of charge
        #expect(r.metrics[0].rmsePercent < 0.15)
        // Only the operations after the start are listed (both excluded ones came before it).
        #expect(r.excluded.isEmpty)
        var late = syntheticRecording()
        late.operations[4].capacityAh = nil
        let l = try runner.run(recording: late, scenario: .nominal, estimators: ["count"])
        #expect(l.excluded == [ExcludedSpan(reason: .dischargeWithoutCapacity, operations: 1, seconds: 3600)])
        var single = syntheticRecording()
        single.operations = [recording.operations[0]]
        let table = ComparisonReport(results: [try runner.run(recording: single, scenario: .nominal, estimators: ["count"])]).textTable()
        #expect(table.contains("–"))   // nothing scored: no figures, not zeros
    }

    @Test("unknown estimator names are a typed error")
    func unknownEstimator() {
        #expect(throws: ReplayError.self) {
            try runner.run(recording: syntheticRecording(), scenario: .nominal, estimators: ["ekf9"])
        }
    }

    @Test("1 and 2 threads give identical results; the digest of a fixed job is pinned")
    func threadIndependence() throws {
        let jobs = ReplayScenario.presets.map { ReplayJob(recording: syntheticRecording(pausesAreGaps: true), scenario: $0) }
        let one = ReplayBatch(runner: runner, estimators: ["count", "volt"], threads: 1).run(jobs)
        let two = ReplayBatch(runner: runner, estimators: ["count", "volt"], threads: 2).run(jobs)
        let a = try one.map { try $0.get() }, b = try two.map { try $0.get() }
        #expect(a.map(\.digest) == b.map(\.digest))
        #expect(a.map(\.metrics).map { $0.map(\.rmsePercent) } == b.map(\.metrics).map { $0.map(\.rmsePercent) })
        // Different scenarios, different telemetry, except aged-capacity (index 4) = nominal:
        // the synthetic cell's measured capacity is the 2.0 Ah nameplate.
        #expect(a[4].digest == a[0].digest)
        #expect(Set(a.map(\.digest)).count == jobs.count - 1)
        // Pinned: the nominal job's digest. Ideal sensors and no faults, so it depends only on
        // the synthetic recording, the tick arithmetic and the two test estimators; a change
        // means the loop's numbers changed (check why before updating it). The life's pauses are
        // gaps here (NASA-like records): the digest did not move when a generic log's label
        // changes stopped being sleeps (2026-12-08).
        #expect(String(a[0].digest, radix: 16) == ReplayRunTests.pinnedNominalDigest)
    }
    static let pinnedNominalDigest = "fa34ba59c49076a2"   // since the wake-up confirmation (2026-12-07)

    @Test("a stop request ends the batch cleanly with 'interrupted' results")
    func interruption() {
        ReplayCancellation.request()
        defer { ReplayCancellation.clear() }
        let jobs = [ReplayJob(recording: syntheticRecording(), scenario: .nominal)]
        let results = ReplayBatch(runner: runner, estimators: ["count"], threads: 2).run(jobs)
        guard case .failure(.interrupted) = results[0] else {
            Issue.record("expected interrupted, got \(results[0])")
            return
        }
    }

    @Test("real NASA discharges: every preset, finite, faults flagged in sensor-faults",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func realData() throws {
        // One discharge: the test reader has no charges, so a second discharge would start
        // "full" in the reference while a counter carries on from empty.
        // B0005's first discharge; its capacity 1.8565 Ah is NASA's (cycles_index.csv, cycle 1).
        let rec = try #require(try nasaDischarges(count: 1, capacitiesAh: [1.8564874208181574]))
        for var scenario in ReplayScenario.presets {
            // Nominal: the test tells the counter NASA's capacity (replay never does) to check
            // that plant, loop and reference agree.
            if scenario.name == "nominal" { scenario.assumedCapacityAh = 1.8564874208181574 }
            let r = try runner.run(recording: rec, scenario: scenario, estimators: ["count", "volt"])
            #expect(r.metrics.allSatisfy { $0.nonFiniteTicks == 0 }, "\(scenario.name)")
            if scenario.name == "nominal" { #expect(r.metrics[0].rmsePercent < 1) }
            if scenario.name == "sensor-faults" {
                #expect(r.injectedFaults.reduce(0, +) > 0)
                #expect(r.flaggedTicks.reduce(0, +) > 0)
            }
        }
    }
}

@Suite("Replay start")
struct ReplayStartTests {
    /// A life that opens with a charge putting in more than the next discharge's capacity: the
    /// charge's label (counted back from its full end over that capacity) starts below 0. The
    /// estimators start from the nearest SOC a cell can have, 0, never from the negative label.
    @Test func estimatorsStartInsideTheSOCRange() throws {
        let charge = samples(durationS: 5380, step: 10, current: { $0 <= 4780 ? 1.5 : 0.05 },
                             voltage: { min(4.2, 3.5 + 0.7 * $0 / 4780) })
        let discharge = samples(durationS: 3000, step: 10, current: { _ in -2.0 }, voltage: { 4.1 - 1.5 * $0 / 3000 })
        let ops = [CellOperation(kind: .charge, nasaCycle: nil, startTimeS: 0, ambientTemperatureC: 24, capacityAh: nil,
                                 samples: charge, isGap: false),
                   CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: 5400, ambientTemperatureC: 24, capacityAh: 1.5,
                                 samples: discharge, isGap: false)]
        let recording = Recording(cell: "NEG", source: "synthetic", operations: ops)
        let r = try ReplayRunner(factory: testFactory).run(recording: recording, scenario: .nominal, estimators: ["count"])
        #expect(r.telemetry.referenceSOC[0] < -0.2)   // ≈ 1 − 2.0 Ah / 1.5 Ah
        #expect(r.telemetry.soc[0] >= 0 && r.telemetry.soc[0] < 0.01)
        // 1000 s at 1.5 A later the count shows the charge put in (0.42 Ah over the test
        // counter's 2 Ah); started from the negative label it would still read 0.
        let frame = try #require(r.telemetry.tick.firstIndex(of: 1000))
        #expect(abs(r.telemetry.soc[frame] - 1.5 * 1000 / 3600 / 2.0) < 0.01)
        #expect(r.telemetry.soc.allSatisfy { $0 >= 0 && $0 <= 1.0001 })
    }
}
