import BMSCore
import Testing
@testable import Firmware

/// The estimator bank's reporting, withholding and wake-up rules (`EstimatorBank` doc
/// comment), checked with the recording test estimators of `TestEstimators.swift`: what each
/// estimator receives is compared with sums worked out by hand from the ticks fed.
@Suite("Estimator bank: clamped reports, withheld flagged samples, wake-up")
struct EstimatorBankTests {
    static func m(_ v: Double, _ i: Double, dt: Double = 1, t: Double = 25) -> CellMeasurement {
        CellMeasurement(voltageV: v, currentA: i, temperatureC: t, dtSeconds: dt)
    }

    // MARK: (a) reported estimates

    @Test("an estimate outside [0, 1] is reported clamped and counted; NaN is reported as 0; the estimator keeps its own value")
    func reportsAreClampedNotTheState() throws {
        let volt = TestLinearVoltage()                       // soc = (V − 3.0) / 1.2
        var bank = try EstimatorBank(estimators: [volt], periodTicks: [1], timingSampleEvery: 0)
        #expect(bank.estimates[0].soc == 0.5)

        bank.update(Self.m(4.5, 0), tick: 0)                 // 1.25
        #expect(bank.estimates[0].soc == 1)
        #expect(bank.estimates[0].sigma == 0.1)              // only the SOC is clamped
        #expect(volt.estimate.soc == 1.25)
        #expect(bank.clampedUpdates == [1] && bank.nonFiniteUpdates == [0])

        bank.update(Self.m(2.7, 0), tick: 1)                 // −0.25
        #expect(bank.estimates[0].soc == 0)
        #expect(abs(volt.estimate.soc - (-0.25)) < 1e-12)
        #expect(bank.clampedUpdates == [2] && bank.nonFiniteUpdates == [0])

        bank.update(Self.m(3.6, 0), tick: 2)                 // 0.5: inside, reported as is
        #expect(abs(bank.estimates[0].soc - 0.5) < 1e-12)
        #expect(bank.clampedUpdates == [2] && bank.nonFiniteUpdates == [0])

        bank.update(Self.m(.nan, 0), tick: 3)                // NaN: reported as the range's lower end
        #expect(bank.estimates[0].soc == 0)
        #expect(volt.estimate.soc.isNaN)
        #expect(bank.clampedUpdates == [2] && bank.nonFiniteUpdates == [1])

        bank.update(Self.m(3.0, 0), tick: 4)                 // exactly 0 is not clamped
        #expect(bank.estimates[0].soc == 0 && volt.estimate.soc == 0)
        bank.update(Self.m(4.08, 0), tick: 5)                // 0.9
        #expect(abs(bank.estimates[0].soc - 0.9) < 1e-12)
        #expect(bank.clampedUpdates == [2] && bank.nonFiniteUpdates == [1])
        #expect(bank.updateCounts == [6])
    }

    @Test("clamping never feeds back: a counter carried above 1 comes back down from its own value")
    func clampingDoesNotFeedBack() throws {
        let counter = TestCoulombCounter(capacityAh: 2, soc: 0.999)
        var bank = try EstimatorBank(estimators: [counter], periodTicks: [1], timingSampleEvery: 0)
        // +2 A for 10 s: +20 / 7200 = +0.0027778 → 1.0017778 (reported 1).
        for k in 0..<10 { bank.update(Self.m(4.2, 2), tick: k) }
        #expect(bank.estimates[0].soc == 1)
        #expect(abs(counter.estimate.soc - (0.999 + 20.0 / 7200)) < 1e-12)
        #expect(bank.clampedUpdates == [7])                  // 0.999 + (k + 1)·2/7200 > 1 from tick 3 (ticks 3…9)
        // −2 A for 10 s: back to 0.999 exactly as counted (from 1 it would read 0.9972).
        for k in 10..<20 { bank.update(Self.m(4.1, -2), tick: k) }
        #expect(abs(bank.estimates[0].soc - 0.999) < 1e-12)
        #expect(bank.clampedUpdates == [7 + 6])              // ticks 10…15 still above 1 (1.0015 … 1.0001)
    }

    // MARK: (b) flagged samples

    @Test("a flagged sample is withheld; the next clean tick gets both ticks' mean current over 2 ticks",
          arguments: [FaultFlags.spike, .dropout, .stuck, .notFinite, [.spike, .timestampJump],
                      [.dropout, FaultFlags.channel(.current)]])
    func flaggedSampleIsWithheld(_ flags: FaultFlags) throws {
        let counter = TestCoulombCounter(capacityAh: 2, soc: 1, keepInputs: true)
        var bank = try EstimatorBank(estimators: [counter], periodTicks: [1], timingSampleEvery: 0)
        bank.update(Self.m(4.0, -1.0), tick: 0)
        #expect(counter.received.count == 1)
        let before = bank.estimates[0]
        bank.update(Self.m(3.95, -3.0), tick: 1, flags: flags)
        #expect(counter.received.count == 1)                 // nothing reached the estimator
        #expect(bank.estimates[0] == before)                 // the report holds
        #expect(bank.heldUpdates == [1] && bank.updateCounts == [1])
        bank.update(Self.m(3.9, -2.0), tick: 2)
        try #require(counter.received.count == 2)
        let owed = counter.received[1]
        #expect(owed.dtSeconds == 2)
        #expect(abs(owed.currentA - (-2.5)) < 1e-12)         // (−3 · 1 + −2 · 1) / 2
        #expect(owed.voltageV == 3.9)                        // the clean tick's voltage
        // Charge conserved: what the estimator counted is what flowed.
        let fed = -1.0 - 3.0 - 2.0
        let counted = counter.received.reduce(0) { $0 + $1.currentA * $1.dtSeconds }
        #expect(abs(counted - fed) < 1e-12)
        #expect(abs(bank.estimates[0].soc - (1 + fed / 7200)) < 1e-12)
        #expect(bank.heldUpdates == [1] && bank.updateCounts == [2])
    }

    @Test("timestamp-jump, re-sync and channel-only flags do not withhold",
          arguments: [FaultFlags.timestampJump, .resync, [.timestampJump, .resync], FaultFlags.channel(.voltage)])
    func nonWithholdingFlags(_ flags: FaultFlags) throws {
        #expect(EstimatorBank.withholdingFlags.isDisjoint(with: flags))
        let counter = TestCoulombCounter(capacityAh: 2, soc: 1, keepInputs: true)
        var bank = try EstimatorBank(estimators: [counter], periodTicks: [1], timingSampleEvery: 0)
        bank.update(Self.m(4.0, -1.0), tick: 0)
        bank.update(Self.m(3.95, -3.0), tick: 1, flags: flags)
        try #require(counter.received.count == 2)
        #expect(counter.received[1] == Self.m(3.95, -3.0))
        #expect(bank.heldUpdates == [0])
    }

    @Test("a slow estimator owed an update on a flagged tick gets it at the next clean tick, then its schedule resumes")
    func slowEstimatorCatchesUp() throws {
        let fast = TestCoulombCounter(capacityAh: 2, soc: 1, keepInputs: true)
        let slow = TestCoulombCounter(capacityAh: 2, soc: 1, keepInputs: true)
        var bank = try EstimatorBank(estimators: [fast, slow], periodTicks: [1, 3], timingSampleEvery: 0)
        // Currents −1, −2, …, −8 A on ticks 0…7; ticks 3 and 4 flagged.
        for tick in 0..<8 {
            let flags: FaultFlags = tick == 3 || tick == 4 ? .spike : []
            bank.update(Self.m(4.0 - 0.01 * Double(tick), -Double(tick + 1)), tick: tick, flags: flags)
        }
        // Slow: due at 0; due at 3 (flagged), owed through 4 (flagged), paid at 5 over ticks 1…5;
        // due again at 6 over ticks 6 (and nothing else: 6 % 3 == 0).
        #expect(slow.received.map(\.dtSeconds) == [1, 5, 1])
        #expect(abs(slow.received[1].currentA - (-(2.0 + 3 + 4 + 5 + 6) / 5)) < 1e-12)
        #expect(abs(slow.received[2].currentA - (-7.0)) < 1e-12)
        #expect(slow.received[1].voltageV == 4.0 - 0.05)
        // Fast: every clean tick; the one after the flagged pair covers 3 ticks.
        #expect(fast.received.map(\.dtSeconds) == [1, 1, 1, 3, 1, 1])
        #expect(abs(fast.received[3].currentA - (-(4.0 + 5 + 6) / 3)) < 1e-12)
        #expect(bank.heldUpdates[1] == 1)
        #expect(bank.heldUpdates[0] >= 1)
        // Both counted exactly the charge that flowed up to their last update.
        let fastCounted = fast.received.reduce(0) { $0 + $1.currentA * $1.dtSeconds }
        let slowCounted = slow.received.reduce(0) { $0 + $1.currentA * $1.dtSeconds }
        #expect(abs(fastCounted - (-36)) < 1e-12)            // −(1 + … + 8)
        #expect(abs(slowCounted - (-28)) < 1e-12)            // −(1 + … + 7): tick 7 is still accumulating
    }

    // MARK: (c) sleep

    @Test("wake(sleptSeconds:) wakes every estimator and restarts the accumulators and any owed update")
    func wakeRestartsAccumulators() throws {
        let a = TestCoulombCounter(capacityAh: 2, soc: 1, keepInputs: true)
        let b = TestCoulombCounter(capacityAh: 2, soc: 0.5, keepInputs: true)
        var bank = try EstimatorBank(estimators: [a, b], periodTicks: [3, 3], timingSampleEvery: 0)
        bank.update(Self.m(4.0, -1), tick: 0)                // due: received
        bank.update(Self.m(4.0, -1), tick: 1)                // accumulates
        bank.update(Self.m(4.0, -1), tick: 2)                // accumulates
        bank.wake(sleptSeconds: 600)
        #expect(a.wakes == [600] && b.wakes == [600])
        bank.update(Self.m(3.9, -2), tick: 3)                // due: only the tick since waking
        #expect(a.received.map(\.dtSeconds) == [1, 1] && b.received.map(\.dtSeconds) == [1, 1])
        #expect(a.received[1].currentA == -2 && b.received[1].currentA == -2)

        // An update owed on a flagged tick is dropped by a sleep (the next due tick pays it).
        bank.update(Self.m(3.9, -2), tick: 4)
        bank.update(Self.m(3.9, -2), tick: 5)
        bank.update(Self.m(3.9, -4), tick: 6, flags: .dropout)   // due, withheld
        bank.wake(sleptSeconds: 3600)
        bank.update(Self.m(3.8, -1), tick: 7)                // clean, not due: nothing owed any more
        #expect(a.received.count == 2)
        bank.update(Self.m(3.8, -1), tick: 8)
        bank.update(Self.m(3.8, -1), tick: 9)                // due: ticks 7, 8, 9 only
        #expect(a.received.map(\.dtSeconds) == [1, 1, 3])
        #expect(a.received[2].currentA == -1)
        #expect(a.wakes == [600, 3600] && b.wakes == [600, 3600])
        #expect(bank.heldUpdates == [1, 1])
    }
}
