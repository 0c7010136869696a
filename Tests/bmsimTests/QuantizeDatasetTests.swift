import ArgumentParser
import CellData
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim quantize --data` on a generic dataset: calibration on its labelled recordings (the
/// train split by default), `--evaluate` on its test split; bad selections refused (function calls).
@Suite struct QuantizeDatasetTests {
    static let model = SharedData.fixtures.appendingPathComponent("models/lstm-demo.json").path
    static let example = SharedData.fixtures.appendingPathComponent("datasets/physics-example").path

    static func quantize(_ arguments: [String], out: String) throws {
        try (QuantizeCommand.parseAsRoot([model, "--every", "1", "--format", "json", "--out", out] + arguments) as! QuantizeCommand).run()
    }

    @Test func calibratesOnTheTrainSplitAndEvaluatesOnTheTestSplit() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("m.bmsq").path
        try Self.quantize(["--data", Self.example, "--evaluate"], out: out)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self)
        #expect(text.contains("1 discharges of mohtat2020-nmc-25C"))   // the metadata: the clean train recording
        try Self.quantize(["--data", Self.example, "--cells", "train,test"], out: out)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self).contains("2 discharges of"))
    }

    @Test("QAT on a generic dataset (no validation recordings): tunes on the train split, writes the blob and the tuned float model")
    func quantizationAwareTuningOnADataset() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("q.bmsq").path
        let tuned = folder.url.appendingPathComponent("q.json").path
        // --qat prints tables (not the JSON report the helper asks for).
        try (QuantizeCommand.parseAsRoot([Self.model, "--every", "1", "--out", out, "--data", Self.example, "--qat",
                                          "--qat-epochs", "1", "--qat-model-out", tuned]) as! QuantizeCommand).run()
        #expect(FileManager.default.fileExists(atPath: out))
        let model = try Data(contentsOf: URL(fileURLWithPath: tuned))
        let parent = try Data(contentsOf: URL(fileURLWithPath: Self.model))
        #expect(!model.isEmpty && model != parent)   // the weights moved
    }

    @Test func selectionsWithoutLabelledRecordingsAreRefused() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A", soc: false))
        let out = folder.url.appendingPathComponent("m.bmsq").path
        #expect { try Self.quantize(["--data", folder.path], out: out) } throws: { error in
            if case .noLabelledData = error as? CellDataError { return true }
            return false
        }
        #expect(throws: CellDataError.unknownCell("Z", available: ["A"])) { try Self.quantize(["--data", folder.path, "--cells", "Z"], out: out) }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
