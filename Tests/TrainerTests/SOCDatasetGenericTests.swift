import CellData
import FloatModel
import Foundation
import Testing
import TestSupport
@testable import Trainer

/// The trainer's data from a generic dataset (issue 15): the manifest's split, each labelled
/// recording one grid cycle with its exact SOC, and the errors when a split has nothing to learn from.
@Suite struct SOCDatasetGenericTests {
    /// A dataset of three small recordings (cells A, B, C) with `manifest` (none when nil).
    static func dataset(_ manifest: String?, labelled: Bool = true) throws -> (DatasetFolder, Dataset) {
        let folder = try DatasetFolder()
        for cell in ["A", "B", "C"] { try folder.write("\(cell).csv", DatasetFolder.recording(cell: cell, soc: labelled)) }
        if let manifest { try folder.write("dataset.json", manifest) }
        return (folder, try Dataset.open(paths: [folder.path]))
    }

    @Test func theManifestSplitGivesTheTrainValidationAndTestCycles() throws {
        let (folder, dataset) = try Self.dataset("{\"version\": 1, \"split\": {\"train\": [\"A\"], \"validation\": [\"B.csv\"], \"test\": [\"C\"]}}")
        defer { folder.remove() }
        let data = try SOCDataset.load(dataset)
        #expect(data.train.map(\.cell) == ["A"] && data.validation.map(\.cell) == ["B"] && data.test.map(\.cell) == ["C"])
        #expect(data.train[0].count == 1860 / 10 + 1)                // the whole recording on the 10 s grid
        #expect(abs(data.train[0].soc.last! - 0.5) < 1e-12)          // its soc column, not a count
        #expect(data.test.map(\.cycle) == [3])
        #expect(try GridCycle.load(dataset, selecting: ["B", "C"]).map(\.cell) == ["B", "C"])
    }

    @Test func withoutAManifestEverySplitIsEveryRecording() throws {
        let (folder, dataset) = try Self.dataset(nil)
        defer { folder.remove() }
        let data = try SOCDataset.load(dataset)
        #expect(data.train.count == 3 && data.validation.count == 3 && data.test.count == 3)
    }

    @Test func aSplitWithoutLabelledRecordingsIsRefused() throws {
        let (folder, dataset) = try Self.dataset("{\"version\": 1, \"split\": {\"train\": [\"A\"], \"test\": [\"C\"]}}")
        defer { folder.remove() }
        #expect { try SOCDataset.load(dataset) } throws: { error in
            guard case let .noLabelledSplit(split, _) = error as? SOCDatasetError else { return false }
            return split == "validation" && (error as! SOCDatasetError).description.contains("dataset.json")
        }
        let (bare, unlabelled) = try Self.dataset(nil, labelled: false)
        defer { bare.remove() }
        #expect { try SOCDataset.load(unlabelled) } throws: { error in
            guard case let .data(inner) = error as? SOCDatasetError, case .noLabelledData = inner else { return false }
            return true
        }
        #expect(throws: SOCDatasetError.data(.unknownCell("Z", available: ["A", "B", "C"]))) {
            try GridCycle.load(dataset, selecting: ["Z"])
        }
    }

    /// A labelled recording from `start` (a 1 min rest, then 2 A for 30 min of a 2 Ah cell).
    static func partialStart(cell: String, start: Double) -> String {
        var lines = ["# bmsim recording v1", "# cell: \(cell)", "# current_sign: charge_positive",
                     "time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah"]
        for t in stride(from: 0, to: 60, by: 10) { lines.append("\(t),\(3.5 + 0.6 * start),0,25,\(start),rest,2.0") }
        for t in stride(from: 60, through: 1860, by: 10) {
            let s = start - Double(t - 60) * 2 / 3600 / 2
            lines.append("\(t),\(3.5 + 0.6 * s),-2,26,\(s),discharge,2.0")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aRecordingThatStartsPartlyChargedStartsItsPriorAtItsFirstLabel() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("full.csv", Self.partialStart(cell: "full", start: 1))
        try folder.write("sixty.csv", Self.partialStart(cell: "sixty", start: 0.6))
        let dataset = try Dataset.open(paths: [folder.path])
        let cycles = try GridCycle.load(dataset, selecting: ["full", "sixty"])
        #expect(cycles.map(\.startSOC) == [1, 0.6])

        // A network that reads the prior SOC gets s0 − q/C from the recording's own start: the
        // exact label, so the residual it learns is 0 (before: s0 = 1, a residual of −0.4).
        let rule = LearnedPriorCapacity(temperaturesC: [25], designCapacityAh: [2.0], trainingNoise: 0)
        let prior = try SOCDataset.load(dataset, featureSet: .chargePriorWithoutCurrent, priorCapacityAh: 2.0, learnedPrior: rule)
        for cycle in prior.train {
            let worst = zip(cycle.soc, cycle.socPrior).map { abs($0 - $1) }.max()!
            #expect(worst < 0.005, "\(cycle.cell): |soc − prior| up to \(worst)")   // one 10 s step of 2 A: 0.0028
        }
        // A full-start network's firmware counts from 1 whatever the start: its prior does too.
        let fullStart = try SOCDataset.load(dataset, featureSet: .chargeWithoutCurrent, priorCapacityAh: 2.0)
        let sixty = try #require(fullStart.train.first { $0.cell == "sixty" })
        #expect(sixty.startSOC == 1 && abs(sixty.socPrior[0] - 1) < 1e-12 && abs(sixty.soc[0] - 0.6) < 1e-12)
    }
}
