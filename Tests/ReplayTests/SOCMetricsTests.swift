import BMSCore
import Testing
@testable import Replay

@Suite("SOC metrics")
struct SOCMetricsTests {
    @Test("hand-worked: errors +1, −3, +2, 0 %")
    func handWorked() {
        var acc = SOCMetricsAccumulator()
        // Reference 0 and estimates e/100: (e/100)·100 is exactly e in binary for these e.
        for (i, error) in [1.0, -3, 2, 0].enumerated() {
            acc.add(estimate: error / 100, reference: 0, timeS: Double(i), operation: 0, isDischarge: true)
        }
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 8)
        #expect(abs(m.rmsePercent - (14.0 / 4).squareRoot()) < 1e-9)   // 1.8708
        #expect(abs(m.maePercent - 1.5) < 1e-9)
        #expect(abs(m.maxAbsErrorPercent - 3) < 1e-9)
        #expect(m.outside2PercentShare == 25)
        #expect(m.outside5PercentShare == 0)
        #expect(abs(m.endOfDischargeErrorPercent! - 0) < 1e-9)   // last tick of the discharge had error 0
        #expect(m.scoredTicks == 4)
    }

    @Test("end-of-discharge error averages the last tick of each discharge; unscored ticks are not scored")
    func endOfDischarge() {
        var acc = SOCMetricsAccumulator()
        // Discharge 0 ends with error 4; an unscored tick (operation −1) with error 50 is ignored;
        // a charge ends with error 9 (not a discharge); discharge 3 ends with error −2.
        let ticks: [(Double, Int, Bool)] = [(1, 0, true), (4, 0, true), (50, -1, false), (9, 2, false), (3, 3, true), (-2, 3, true)]
        for (i, (error, op, discharge)) in ticks.enumerated() {
            acc.add(estimate: 0.5 + error / 100, reference: 0.5, timeS: Double(i), operation: op, isDischarge: discharge)
        }
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0)
        #expect(abs(m.endOfDischargeErrorPercent! - 3) < 1e-9)       // (|4| + |−2|) / 2
        #expect(m.scoredTicks == 5)
        #expect(abs(m.maxAbsErrorPercent - 9) < 1e-9)
    }

    @Test("convergence: the time from which the error stays within ±2 % to the end, or never")
    func convergence() {
        var acc = SOCMetricsAccumulator()
        // Error 40 % falling by 1 % per second; enters ±2 % at t = 38 s, leaves at t = 60 s
        // (a 7 % blip), re-enters at t = 61 s and stays to the end.
        for t in 0..<100 {
            var error = max(0, 40 - Double(t))
            if t == 60 { error = 7 }
            acc.add(estimate: 0.5 + error / 100, reference: 0.5, timeS: Double(t), operation: 0, isDischarge: false)
        }
        #expect(acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0).convergenceSeconds == 61)
        // 90 points off for a long time, then one tick outside at the very end: "never", not 0.
        var late = SOCMetricsAccumulator()
        for t in 0..<100 {
            late.add(estimate: t == 99 ? 0.95 : 0.5, reference: 0.5, timeS: Double(t), operation: 0, isDischarge: false)
        }
        #expect(late.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0).convergenceSeconds == nil)
        var never = SOCMetricsAccumulator()
        for t in 0..<100 {
            never.add(estimate: 0.7, reference: 0.5, timeS: Double(t), operation: 0, isDischarge: false)
        }
        #expect(never.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0).convergenceSeconds == nil)
    }

    @Test("the reference is scored as a BMS shows it: clamped to [0, 1]")
    func referenceClamped() {
        var acc = SOCMetricsAccumulator()
        acc.add(estimate: 0, reference: -0.12, timeS: 0, operation: 0, isDischarge: true)   // below the 2.7 V zero
        acc.add(estimate: 1, reference: 1.004, timeS: 1, operation: 0, isDischarge: true)
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0)
        #expect(m.scoredTicks == 2 && m.maxAbsErrorPercent == 0)
    }

    @Test("ticks ending a long rest are reported apart, with the count above 5 points")
    func afterLongRest() {
        var acc = SOCMetricsAccumulator()
        acc.add(estimate: 0.5, reference: 0.5, timeS: 0, operation: 0, isDischarge: false)
        acc.add(estimate: 0.58, reference: 0.5, timeS: 1, operation: 0, isDischarge: false, afterLongRest: true)
        acc.add(estimate: 0.52, reference: 0.5, timeS: 2, operation: 0, isDischarge: false, afterLongRest: true)
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0)
        #expect(m.afterLongRestTicks == 2 && m.afterLongRestOver5Ticks == 1)
        #expect(abs(m.afterLongRestMaxErrorPercent! - 8) < 1e-9)
    }

    @Test("non-finite estimates are counted, not scored; the bank's counts are carried")
    func nonFinite() {
        var acc = SOCMetricsAccumulator()
        acc.add(estimate: .nan, reference: 0, timeS: 0, operation: 0, isDischarge: false)
        acc.add(estimate: 0.01, reference: 0, timeS: 1, operation: 0, isDischarge: false)
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0, updates: 10, clamped: 2, held: 3, nonFinite: 4)
        #expect(m.nonFiniteTicks == 5 && m.scoredTicks == 1 && abs(m.rmsePercent - 1) < 1e-9)
        #expect(m.clampedUpdateShare == 20 && m.heldUpdates == 3)
    }
}
