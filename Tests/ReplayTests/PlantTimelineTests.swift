import BMSCore
import CellData
import Testing
@testable import Replay

@Suite("Plant timeline and reference SOC")
struct PlantTimelineTests {
    @Test("linear interpolation inside an operation; gaps and the time between operations are not on the axis")
    func interpolation() throws {
        let a = OperationSamples(timeS: [0, 10], voltageV: [4.0, 3.0], currentA: [-1, -3], temperatureC: [20, 30])
        let gap = OperationSamples(timeS: [0, 100], voltageV: [3.2, 3.6], currentA: [0.5, 0.9], temperatureC: [25, 25])
        let b = OperationSamples(timeS: [0, 10], voltageV: [3.7, 3.6], currentA: [0, -1], temperatureC: [25, 26])
        let rec = Recording(cell: "T", source: "test", operations: [
            CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: 0, ambientTemperatureC: nil, capacityAh: nil, samples: a),
            CellOperation(kind: .rest, nasaCycle: nil, startTimeS: 20, ambientTemperatureC: nil, capacityAh: nil,
                          samples: gap, isGap: true),
            CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: 130, ambientTemperatureC: nil, capacityAh: nil, samples: b),
        ])
        var timeline = try PlantTimeline(recording: rec, referenceSOC: [[1.0, 0.5], [0.5, 0.5], [0.4, 0.3]])
        #expect(timeline.operations.map(\.recordingIndex) == [0, 2])   // the gap is not on the axis
        let s = timeline.sample(at: 2.5, dt: 1)
        #expect(abs(s.plant.voltageV - 3.75) < 1e-12)       // 4.0 + 0.25·(3.0 − 4.0)
        #expect(abs(s.plant.currentA - (-1.5)) < 1e-12)
        #expect(abs(s.plant.temperatureC - 22.5) < 1e-12)
        #expect(abs(s.referenceSOC - 0.875) < 1e-12)
        #expect(s.operation == 0)
        let last = timeline.sample(at: 10, dt: 1)           // exactly the last sample: still the operation
        #expect(last.operation == 0 && last.plant.currentA == -3)
        // Between the recorded operations (t = 10 … 130 s, gap included) nothing is made up:
        // the sample says "outside" and where the next recorded sample is (the firmware sleeps).
        let between = timeline.sample(at: 70, dt: 1)
        #expect(between.operation == -1)
        #expect(timeline.nextRecordedTimeS == 130)
        let next = timeline.sample(at: 135, dt: 1)
        #expect(next.operation == 1 && abs(next.plant.voltageV - 3.65) < 1e-12)
        #expect(timeline.startTimeS == 0 && timeline.endTimeS == 140)
        #expect(timeline.firstLoadedTimeS(afterDischargeSeconds: 5) == 10)   // the first sample ≥ 5 s in, loaded
    }

    @Test("a recording with no samples is a typed error")
    func empty() {
        let rec = Recording(cell: "E", source: "test", operations: [])
        #expect(throws: ReplayError.self) { try PlantTimeline(recording: rec, referenceSOC: []) }
    }

    @Test("reference SOC: 2 A for 1 h on a 2 Ah cell runs 1 → 0; the charge is counted back from its full end")
    func coulombReference() {
        let labels = ReferenceSOC.label(syntheticRecording())
        let discharge = labels[0]!
        #expect(abs(discharge[0] - 1) < 1e-12)
        #expect(abs(discharge[180] - 0.5) < 1e-9)           // t = 1800 s: 1 Ah of 2 Ah drawn
        #expect(abs(discharge.last! - 0) < 1e-9)
        #expect(labels[1]!.allSatisfy { abs($0 - discharge.last!) < 1e-12 })   // rest keeps its SOC
        let charge = labels[2]!
        #expect(abs(charge.last! - 1) < 1e-12)
        // 1.5 A to 4780 s, one 10 s step of the trapezoid from 1.5 to 0.05 A, 0.05 A for 590 s:
        // 7170 + 7.75 + 29.5 = 7207.25 A·s on the next discharge's 2 Ah: starts at 1 − 7207.25/7200.
        #expect(abs(charge[0] - (1 - 7207.25 / 7200)) < 1e-9)
        #expect(charge.allSatisfy { $0 <= 1 })
    }
}
