import Testing
@testable import Replay

@Suite("SOC metrics")
struct SOCMetricsTests {
    @Test("hand-worked: errors +1, −3, +2, 0 %")
    func handWorked() {
        var acc = SOCMetricsAccumulator()
        for (i, error) in [1.0, -3, 2, 0].enumerated() {
            acc.add(estimatePercent: 50 + error, referencePercent: 50, timeS: Double(i), dtSeconds: 1, operation: 0,
                    isDischarge: true)
        }
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 8)
        #expect(abs(m.rmsePercent - (14.0 / 4).squareRoot()) < 1e-12)   // 1.8708
        #expect(m.maePercent == 1.5)
        #expect(m.maxAbsErrorPercent == 3)
        #expect(m.outside2PercentShare == 25)
        #expect(m.outside5PercentShare == 0)
        #expect(m.endOfDischargeErrorPercent == 0)   // last tick of the discharge had error 0
        #expect(m.scoredTicks == 4)
    }

    @Test("end-of-discharge error averages the last tick of each discharge; gaps are not scored")
    func endOfDischarge() {
        var acc = SOCMetricsAccumulator()
        // Discharge 0 ends with error 4; a gap (operation −1) with error 50 is ignored;
        // a charge ends with error 9 (not a discharge); discharge 3 ends with error −2.
        let ticks: [(Double, Int, Bool)] = [(1, 0, true), (4, 0, true), (50, -1, false), (9, 2, false), (3, 3, true), (-2, 3, true)]
        for (i, (error, op, discharge)) in ticks.enumerated() {
            acc.add(estimatePercent: error, referencePercent: 0, timeS: Double(i), dtSeconds: 1, operation: op,
                    isDischarge: discharge)
        }
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0)
        #expect(m.endOfDischargeErrorPercent == 3)       // (|4| + |−2|) / 2
        #expect(m.scoredTicks == 5)
        #expect(m.maxAbsErrorPercent == 9)
    }

    @Test("convergence: first time the error enters ±5 % and stays for the hold time")
    func convergence() {
        var acc = SOCMetricsAccumulator(convergenceBandPercent: 5, convergenceHoldSeconds: 10)
        // Error 40 % falling by 1 % per second; enters the band at t = 35 s (error 5 %),
        // briefly leaves at t = 38 s (a 7 % blip), re-enters at t = 39 s and stays.
        for t in 0..<100 {
            var error = max(0, 40 - Double(t))
            if t == 38 { error = 7 }
            acc.add(estimatePercent: error, referencePercent: 0, timeS: Double(t), dtSeconds: 1, operation: 0,
                    isDischarge: false)
        }
        #expect(acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0).convergenceSeconds == 39)
        var never = SOCMetricsAccumulator()
        for t in 0..<100 {
            never.add(estimatePercent: 20, referencePercent: 0, timeS: Double(t), dtSeconds: 1, operation: 0, isDischarge: false)
        }
        #expect(never.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0).convergenceSeconds == nil)
    }

    @Test("non-finite estimates are counted, not scored")
    func nonFinite() {
        var acc = SOCMetricsAccumulator()
        acc.add(estimatePercent: .nan, referencePercent: 0, timeS: 0, dtSeconds: 1, operation: 0, isDischarge: false)
        acc.add(estimatePercent: 1, referencePercent: 0, timeS: 1, dtSeconds: 1, operation: 0, isDischarge: false)
        let m = acc.result(estimator: "x", nanosecondsPerUpdate: 0, stateBytes: 0)
        #expect(m.nonFiniteTicks == 1 && m.scoredTicks == 1 && m.rmsePercent == 1)
    }
}
