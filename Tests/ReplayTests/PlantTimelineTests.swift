import BMSCore
import CellData
import Testing
@testable import Replay

@Suite("Plant timeline and reference SOC")
struct PlantTimelineTests {
    @Test("linear interpolation inside an operation, ZOH current in a gap, open circuit between operations")
    func interpolation() throws {
        let a = OperationSamples(timeS: [0, 10], voltageV: [4.0, 3.0], currentA: [-1, -3], temperatureC: [20, 30])
        let gap = OperationSamples(timeS: [0, 100], voltageV: [3.2, 3.6], currentA: [0.5, 0.9], temperatureC: [25, 25])
        let rec = Recording(cell: "T", source: "test", operations: [
            CellOperation(kind: .discharge, nasaCycle: nil, startTimeS: 0, ambientTemperatureC: nil, capacityAh: nil, samples: a),
            CellOperation(kind: .rest, nasaCycle: nil, startTimeS: 20, ambientTemperatureC: nil, capacityAh: nil,
                          samples: gap, isGap: true),
        ])
        var timeline = try PlantTimeline(recording: rec, referenceSOC: [[1.0, 0.5], [0.5, 0.5]])
        let s = timeline.sample(at: 2.5, dt: 1)
        #expect(abs(s.plant.voltageV - 3.75) < 1e-12)       // 4.0 + 0.25·(3.0 − 4.0)
        #expect(abs(s.plant.currentA - (-1.5)) < 1e-12)
        #expect(abs(s.plant.temperatureC - 22.5) < 1e-12)
        #expect(abs(s.referenceSOC - 0.875) < 1e-12)
        #expect(s.operation == 0)
        // Between the operations (t = 10 … 20 s): open circuit, V and T linear between 3.0 V
        // at t = 10 and 3.2 V at t = 20, the reference held; a record ending at −3 A is not extended.
        let between = timeline.sample(at: 15, dt: 1)
        #expect(abs(between.plant.voltageV - 3.1) < 1e-12 && between.plant.currentA == 0 && between.operation == -1)
        #expect(abs(between.plant.temperatureC - 27.5) < 1e-12 && between.referenceSOC == 0.5)
        let inGap = timeline.sample(at: 70, dt: 1)         // half-way through the gap
        #expect(abs(inGap.plant.voltageV - 3.4) < 1e-12)
        #expect(inGap.plant.currentA == 0.5)               // zero-order hold
        #expect(inGap.operation == -1)                     // gaps are not scored
        #expect(timeline.startTimeS == 0 && timeline.endTimeS == 120)
    }

    @Test("a recording with no samples is a typed error")
    func empty() {
        let rec = Recording(cell: "E", source: "test", operations: [])
        #expect(throws: ReplayError.self) { try PlantTimeline(recording: rec, referenceSOC: []) }
    }

    @Test("coulomb reference: 2 A for 1 h on a 2 Ah cell runs 1 → 0; the charge ends full")
    func coulombReference() {
        let labels = CoulombReferenceSOC().referenceSOC(for: syntheticRecording())
        let discharge = labels[0]
        #expect(abs(discharge[0] - 1) < 1e-12)
        #expect(abs(discharge[180] - 0.5) < 1e-9)           // t = 1800 s: 1 Ah of 2 Ah drawn
        #expect(abs(discharge.last! - 0) < 1e-9)
        #expect(labels[1].allSatisfy { abs($0 - discharge.last!) < 1e-12 })   // rest keeps its SOC
        let charge = labels[2]
        #expect(abs(charge.last! - 1) < 1e-12)
        // 1.5 A for 4800 s = 2 Ah, on the 2 Ah capacity: starts at 0.
        #expect(abs(charge[0] - 0) < 1e-9)
    }
}
