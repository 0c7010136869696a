import Foundation
import Testing
import TestSupport
@testable import CellData

/// The bound `ReferenceSOC` documents (its doc comment and `Docs/DataQuality.md`): on every
/// shared NASA cell, every label of every operation is finite and at most 1.0001; a charge's
/// label (counted back from its full end, the cumulative charge's peak) never exceeds 1.
/// Checked on the whole data set as loaded, independently of how the labels are made.
@Suite("Reference SOC bound on every shared NASA cell", .serialized)
struct ReferenceBoundTests {
    /// The documented bound on any label (discharges may exceed 1 by sensor-offset charge only).
    static let documentedBound = 1.0001

    @Test("every label of every operation of every cell is finite and ≤ 1.0001; charge labels ≤ 1; exclusions counted",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func labelsNeverExceedTheDocumentedBound() throws {
        let data = try NASADataset(root: try #require(SharedData.nasa))
        let cells = data.cells
        #expect(cells.count == 29)
        let recordings = try data.recordings(cells: cells)
        #expect(recordings.count == cells.count)

        var exclusions: [ReferenceSOC.Exclusion: Int] = [:]
        var labelledByKind: [OperationKind: Int] = [:]
        var highestByKind: [OperationKind: (value: Double, cell: String, cycle: Int?)] = [:]
        var labelsChecked = 0
        for recording in recordings {
            let references = ReferenceSOC.references(recording)
            try #require(references.count == recording.operations.count, "\(recording.cell): one label per operation")
            // The other entry point gives the same labels.
            #expect(ReferenceSOC.label(recording) == references.map(\.values), "\(recording.cell)")
            for (op, reference) in zip(recording.operations, references) {
                switch reference {
                case .excluded(let reason):
                    exclusions[reason, default: 0] += 1
                case .labelled(let values):
                    #expect(values.count == op.samples.count,
                            "\(recording.cell) \(op.kind) \(op.nasaCycle ?? -1): \(values.count) labels for \(op.samples.count) samples")
                    labelledByKind[op.kind, default: 0] += 1
                    labelsChecked += values.count
                    let nonFinite = values.filter { !$0.isFinite }.count
                    #expect(nonFinite == 0, "\(recording.cell) \(op.kind) \(op.nasaCycle ?? -1): \(nonFinite) non-finite labels")
                    let highest = values.filter(\.isFinite).max() ?? -.infinity
                    if highest > (highestByKind[op.kind]?.value ?? -.infinity) {
                        highestByKind[op.kind] = (highest, recording.cell, op.nasaCycle)
                    }
                    #expect(highest <= Self.documentedBound,
                            "\(recording.cell) \(op.kind) \(op.nasaCycle ?? -1): label \(highest) above \(Self.documentedBound)")
                    if op.kind == .charge {
                        // Counted back from the peak of the cumulative charge: ≤ 1 up to rounding.
                        #expect(highest <= 1 + 1e-12,
                                "\(recording.cell) charge \(op.nasaCycle ?? -1): label \(highest) above 1")
                    }
                }
            }
        }

        print("ReferenceBoundTests: \(labelsChecked) labels checked on \(recordings.count) cells")
        for kind in OperationKind.allCases {
            let h = highestByKind[kind]
            print("  labelled \(kind.rawValue): \(labelledByKind[kind] ?? 0) operations, highest label "
                  + (h.map { "\($0.value) (\($0.cell) cycle \($0.cycle.map(String.init) ?? "-"))" } ?? "-"))
        }
        for reason in ReferenceSOC.Exclusion.allCases.sorted() {
            print("  excluded \(reason.rawValue): \(exclusions[reason] ?? 0)")
        }
        // Every kind of operation gets labelled, many of them (measured: 1972 discharges, 425
        // charges — the CSVs keep about one charge in ten — and 774 recorded rests or gaps).
        #expect((labelledByKind[.discharge] ?? 0) > 1500)
        #expect((labelledByKind[.charge] ?? 0) > 300)
        #expect((labelledByKind[.rest] ?? 0) > 500)
        // Every operation has exactly one verdict.
        let operations = recordings.reduce(0) { $0 + $1.operations.count }
        #expect(labelledByKind.values.reduce(0, +) + exclusions.values.reduce(0, +) == operations)
        // The data set has charges stopped before the taper and discharges flagged without a
        // usable capacity (README §1.5/§1.6, index flags capacity_missing / capacity_below_1Ah).
        #expect((exclusions[.chargeNotEndingFull] ?? 0) > 0)
        #expect((exclusions[.dischargeWithoutCapacity] ?? 0) > 0)
        // Lives that start with a discharge (not from a full charge), gaps hiding unrecorded
        // charges (the CSVs keep about one charge in ten), and rests after an excluded operation.
        #expect((exclusions[.dischargeNotStartingFull] ?? 0) > 0)
        #expect((exclusions[.gapHidingCharge] ?? 0) > 0)
        #expect((exclusions[.restAfterUnknown] ?? 0) > 0)
        // The bound is not vacuous: discharges really start at 1.
        #expect((highestByKind[.discharge]?.value ?? 0) >= 1)
        #expect(abs((highestByKind[.charge]?.value ?? 0) - 1) < 1e-12)
    }
}
