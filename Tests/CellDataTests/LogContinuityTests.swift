import Testing
@testable import CellData

/// `LogContinuity`: the rule that says which samples lie on one stretch of recorded time.
@Suite struct LogContinuityTests {
    @Test func aLabelChangeContinuesWithinTwoIntervalsOrOnARepeatedTime() {
        #expect(LogContinuity.operationContinues(pauseS: 0, lastIntervalS: nil))        // the boundary row repeated
        #expect(LogContinuity.operationContinues(pauseS: 20, lastIntervalS: 10))
        #expect(!LogContinuity.operationContinues(pauseS: 20.001, lastIntervalS: 10))
        #expect(!LogContinuity.operationContinues(pauseS: 5, lastIntervalS: nil))       // interval unknown
        #expect(!LogContinuity.operationContinues(pauseS: 3601, lastIntervalS: 3000))   // a hole whatever the rate
        #expect(!LogContinuity.operationContinues(pauseS: .nan, lastIntervalS: 10))
    }

    /// An operation of `count` samples every `step` s from `startS`.
    func op(_ kind: OperationKind, startS: Double, count: Int, step: Double = 10, gap: Bool = false) -> CellOperation {
        let t = (0..<count).map { Double($0) * step }
        return CellOperation(kind: kind, nasaCycle: nil, startTimeS: startS, ambientTemperatureC: nil, capacityAh: nil,
                             samples: OperationSamples(timeS: t, voltageV: t.map { _ in 3.7 }, currentA: t.map { _ in 0 },
                                                       temperatureC: t.map { _ in 25 }), isGap: gap)
    }

    @Test func stretchesEndAtGapsHolesAndLongPauses() {
        typealias P = LogContinuity.Piece
        // rest 0–50 s, discharge 60–150 s (a label change, 10 s on), a gap, rest 300–340 s,
        // a hole inside it to 5000–5010 s, charge from 5050 s (a 40 s pause after 10 s rows).
        var rest2 = op(.rest, startS: 300, count: 7)
        rest2.samples.timeS[5] = 4700
        rest2.samples.timeS[6] = 4710
        let ops = [op(.rest, startS: 0, count: 6), op(.discharge, startS: 60, count: 10),
                   op(.rest, startS: 160, count: 2, step: 100, gap: true), rest2, op(.charge, startS: 5050, count: 3)]
        let s = LogContinuity.stretches(ops)
        #expect(s == [[P(operation: 0, samples: 0..<6), P(operation: 1, samples: 0..<10)],
                      [P(operation: 3, samples: 0..<5)],
                      [P(operation: 3, samples: 5..<7)],
                      [P(operation: 4, samples: 0..<3)]])
        #expect(LogContinuity.stretches([]) == [])
        #expect(LogContinuity.stretches([op(.rest, startS: 0, count: 3, gap: true)]) == [])
    }
}
