import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

/// Real-data tests: the original `.mat`, its uncompressed twin and the CSV conversion must
/// give the same recording (README §1.2: the CSV is the .mat rounded to 1e-5 V/A, 1e-3 °C, 1 ms).
@Suite(.enabled(if: SharedData.available)) struct NASARecordingTests {
    let root = SharedData.nasa!

    func matRecording(_ name: String) throws -> Recording {
        try NASAMatRecording.read(path: root.appendingPathComponent("mat/\(name)").path)
    }

    @Test func compressedAndUncompressedMatGiveTheSameRecording() throws {
        let a = try matRecording("B0025.mat"), b = try matRecording("B0025_uncompressed.mat")
        #expect(a.cell == "B0025" && b.cell == "B0025")
        #expect(a.operations.count == b.operations.count)
        for (x, y) in zip(a.operations, b.operations) {
            #expect(x.kind == y.kind && x.nasaCycle == y.nasaCycle && x.startTimeS == y.startTimeS)
            #expect(x.capacityAh == y.capacityAh && x.samples == y.samples && x.quality == y.quality)
        }
        // 28 discharges and 31 charges in the original file (README §1.1).
        #expect(a.discharges.count == 28)
        #expect(a.recordedOperations.filter { $0.kind == .charge }.count == 31)
    }

    @Test func matMatchesTheCSVSampleForSample() throws {
        let mat = try matRecording("B0025.mat")
        let csv = try NASADataset(root: root).recording(cell: "B0025")
        let matByCycle = Dictionary(uniqueKeysWithValues: mat.recordedOperations.map { ($0.nasaCycle!, $0) })
        let csvOps = csv.recordedOperations
        #expect(csvOps.count == 28 + 4)   // all discharges, the 4 charges of the CSV subset
        var compared = 0
        for op in csvOps {
            let m = try #require(matByCycle[op.nasaCycle!])
            #expect(m.kind == op.kind)
            #expect(m.samples.count == op.samples.count)
            guard m.samples.count == op.samples.count else { continue }
            // CSV rounding: V, I to 1e-5 (|err| ≤ 5e-6), T to 1e-3, time to 1 ms.
            func worst(_ a: [Double], _ b: [Double]) -> Double {
                var w = 0.0
                for k in a.indices { w = max(w, abs(a[k] - b[k])) }
                return w
            }
            let dt = worst(m.samples.timeS, op.samples.timeS), dv = worst(m.samples.voltageV, op.samples.voltageV)
            let di = worst(m.samples.currentA, op.samples.currentA), dT = worst(m.samples.temperatureC, op.samples.temperatureC)
            let within = dt <= 5e-4 + 1e-9 && dv <= 5e-6 + 1e-12 && di <= 5e-6 + 1e-12 && dT <= 5e-4 + 1e-9
            #expect(within, "cycle \(op.nasaCycle!): worst |Δ| t \(dt) V \(dv) I \(di) T \(dT)")
            #expect(abs(m.startTimeS - op.startTimeS) <= 1e-6, "start of cycle \(op.nasaCycle!)")
            if op.kind == .discharge {
                #expect(m.capacityAh == op.capacityAh, "Capacity of cycle \(op.nasaCycle!) (full double in both)")
            }
            compared += op.samples.count
        }
        #expect(compared > 20_000)
    }

    @Test func timelineIsOrderedWithExplicitGaps() throws {
        let r = try matRecording("B0025.mat")
        var previousEnd = -Double.infinity
        for op in r.operations {
            #expect(op.startTimeS >= previousEnd - 1e-9)
            previousEnd = op.endTimeS
        }
        // Between two recorded operations there is always a gap (NASA rests ≥ 63.7 s).
        for k in 1..<r.operations.count where !r.operations[k].isGap {
            #expect(r.operations[k - 1].isGap)
        }
        // The impedance runs appear inside gaps, none is lost: 80 cycles = 59 recorded + 21 EIS.
        let eis = r.operations.flatMap(\.unrecordedCycles).filter { $0.type == "impedance" }
        #expect(r.recordedOperations.count + eis.count + 1 == 80)   // + cycle 0 (EIS before the first record)
        let capped = r.withGapsCapped(atS: 60)
        #expect(capped.operations.filter(\.isGap).allSatisfy { $0.samples.durationS <= 60 })
        #expect(capped.operations.count == r.operations.count)
    }
}
