import ArgumentParser
import CellData
import FloatModel
import Foundation
import Testing
import TestSupport
import Trainer
@testable import bmsim

/// `bmsim train` and `evaluate` on a generic dataset with its own split (function calls).
@Suite struct TrainDatasetTests {
    @Test func trainsOnTheManifestSplitAndEvaluatesOnItsTestSplit() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        for cell in ["A", "B", "C"] { try folder.write("\(cell).csv", DatasetFolder.recording(cell: cell)) }
        try folder.write("dataset.json", "{\"version\": 1, \"split\": {\"train\": [\"A\"], \"validation\": [\"B\"], \"test\": [\"C\"]}}")
        let out = folder.url.appendingPathComponent("model.json")
        let train = try TrainCommand.parseAsRoot(["--data", folder.path, "--arch", "lstm:4,dense:1", "--epochs", "2", "--quiet",
                                                  "--out", out.path]) as! TrainCommand
        try train.run()
        let model = try FloatModelFile.read(from: out)
        #expect(model.training.epochsRun == 2)
        let expected = try SOCDataset.load(try Dataset.open(paths: [folder.path])).dataHash
        #expect(model.training.dataHash == expected)
        let evaluate = try EvaluateCommand.parseAsRoot([out.path, "--data", folder.path, "--format", "json"]) as! EvaluateCommand
        try evaluate.run()
        // A selection with no labelled recording is refused, naming why.
        try folder.write("D.csv", DatasetFolder.recording(cell: "D", soc: false))
        let unlabelled = try EvaluateCommand.parseAsRoot([out.path, "--data", folder.path, "--cells", "D"]) as! EvaluateCommand
        #expect { try unlabelled.run() } throws: { error in
            guard case let .data(inner) = error as? SOCDatasetError, case .noLabelledData = inner else { return false }
            return true
        }
    }

    @Test func trainingWithoutValidationRecordingsIsRefused() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("A.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("dataset.json", "{\"version\": 1, \"split\": {\"train\": [\"A\"]}}")
        let train = try TrainCommand.parseAsRoot(["--data", folder.path, "--epochs", "1", "--quiet",
                                                  "--out", folder.url.appendingPathComponent("m.json").path]) as! TrainCommand
        #expect(throws: SOCDatasetError.noLabelledSplit(split: "validation", source: folder.url.appendingPathComponent("dataset.json").path)) {
            try train.run()
        }
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("m.json").path))
    }
}
