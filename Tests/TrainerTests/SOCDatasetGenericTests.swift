import CellData
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
}
