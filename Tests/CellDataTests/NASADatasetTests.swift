import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

/// The dataset API against figures stated independently by the benchmark task's definition (Docs/Benchmark.md) and in the
/// index (computed by the data set's own conversion, not by this code).
@Suite(.enabled(if: SharedData.available)) struct NASADatasetTests {
    let data = try! NASADataset(root: SharedData.nasa!)

    @Test func indexAndFilterMatchTheTask() {
        #expect(data.index.count == 6695)
        #expect(data.cells.count == 29)
        // The benchmark task (Docs/Benchmark.md, "Split"): usable discharge counts per split.
        func count(_ split: NASADataset.Split) -> Int {
            data.usableDischarges.filter { split.cells.contains($0.cell) }.count
        }
        #expect(count(.train) == 989 && count(.validation) == 432 && count(.test) == 285)
    }

    @Test func labelledSplitsGiveTheTasksWindowCounts() throws {
        // The benchmark task (Docs/Benchmark.md): 989 / 285 cycles; 282 437 train windows and 102 849 test windows at
        // stride 1 (lookback 50 on the 10 s grid) — checks the filter, the grid rule and the loader.
        func windows(_ split: NASADataset.Split) throws -> (cycles: Int, windows: Int) {
            let discharges = try data.labelledDischarges(split: split)
            return (discharges.count, discharges.reduce(0) { $0 + max($1.resampled(dtS: 10).count - 50, 0) })
        }
        let train = try windows(.train), test = try windows(.test)
        #expect(train.cycles == 989 && train.windows == 282_437)
        #expect(test.cycles == 285 && test.windows == 102_849)
    }

    @Test func labelIsZeroWhereNASAsCapacityEnds() throws {
        // README §1.5: NASA's Capacity = Ah to the first loaded sample below 2.7 V (t_2p7V_s),
        // so SOC there is 0 (to < 0.01 % of Q).
        let rows = Dictionary(uniqueKeysWithValues: data.index.filter { $0.cell == "B0006" && $0.type == "discharge" }.map { ($0.cycle, $0) })
        var checked = 0
        for d in try data.labelledDischarges(cell: "B0006") {
            guard let t = rows[d.cycle]?.t2p7VS, let k = d.samples.timeS.firstIndex(where: { abs($0 - t) < 5e-4 }) else { continue }
            #expect(abs(d.soc[k]) < 1e-4, "cycle \(d.cycle): SOC \(d.soc[k]) at t_2p7V")
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test func wholeLifeRecordingOfB0005() throws {
        let r = try data.recording(cell: "B0005")
        let summary = RecordingSummary(r)
        // README §1.1: 168 discharges, all 170 charges in the CSV; capacity 1.856 → 1.325 Ah.
        #expect(summary.discharges == 168 && summary.charges == 170)
        #expect(abs(summary.capacityFirstAh! - 1.856) < 5e-4 && abs(summary.capacityLastAh! - 1.325) < 5e-4)
        // README §1.6: the −3…−4.5 A start-of-charge reading is in 169 of B0005's 170 charges.
        #expect(r.qualityFindings.filter { $0.kind == .chargeStartArtefact }.count == 169)
        // 278 EIS runs, all inside gaps.
        #expect(r.operations.flatMap(\.unrecordedCycles).filter { $0.type == "impedance" }.count == 278)
        // Charge labels: counted back from the full end, so each ends at 1 and starts near the
        // previous discharge's end SOC (README §1.5: charged Ah within about ±1 % of the next
        // discharge's). Only charge 615 (a 5-sample record starting at 0.24 V) has no full end.
        let refs = ReferenceSOC.references(r)
        var starts: [Double] = []
        var previousEnd: Double?
        for (op, ref) in zip(r.operations, refs) {
            if op.kind == .discharge { previousEnd = ref.values?.last }
            guard op.kind == .charge else { continue }
            if let label = ref.values {
                #expect(abs(label.max()! - 1) < 1e-12 && abs(label.last! - 1) < 2e-3)   // after the full end: only sensor offset
                if let end = previousEnd { starts.append(label[0] - end) }
            } else {
                #expect(op.nasaCycle == 615 && ref == .excluded(.chargeNotEndingFull))
            }
        }
        #expect(starts.count >= 160)
        #expect(abs(OrderStatistics.median(starts)) < 0.02)
    }

    @Test func unknownCellIsATypedError() {
        #expect(throws: CellDataError.self) { try data.recording(cell: "B9999") }
    }
}
