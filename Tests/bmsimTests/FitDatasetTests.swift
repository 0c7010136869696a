import ArgumentParser
import CellData
import CellModel
import Evaluation
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim fit` on a generic dataset: the manifest's fit split, capacity and OCV table are used
/// unless options say otherwise; bad manifests end in a typed error (function calls, no child process).
@Suite struct FitDatasetTests {
    static let example = SharedData.fixtures.appendingPathComponent("datasets/physics-example").path

    /// Runs `fit` with `arguments` into a scratch folder and returns the model it wrote.
    static func fit(_ arguments: [String]) throws -> CellModelParameters {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("cell.json")
        let command = try FitCommand.parseAsRoot(arguments + ["--out", out.path]) as! FitCommand
        try command.run()
        return try CellModelFile.load(from: out)
    }

    @Test func theManifestGivesTheRecordingsCapacityAndOCVTable() throws {
        let model = try Self.fit([Self.example])
        #expect(model.capacityAh == 4.969)
        let method = model.fitReport.method.joined(separator: "\n")
        #expect(method.contains("data: generic recordings mohtat2020-nmc-25C-udds-short "), "\(method)")   // train: the clean copy only
        #expect(!method.contains("data: generic recordings mohtat2020-nmc-25C-udds-short-noisy"))
        // The recording outside the fit split (the noisy copy, split "test") validates the model's voltage.
        let validation = try #require(model.fitReport.method.first { $0.hasPrefix("validation mohtat2020-nmc-25C-udds-short-noisy (not fitted): ") })
        let mV = try #require(Double(validation.split(separator: " ")[5]))
        #expect(mV > 1 && mV < 10, "\(validation)")   // 2 mV sensor noise plus model error
        #expect(method.contains("OCV: ocv-table.csv of "), "\(method)")
        let table = try OCVTableCSV.read(path: Self.example + "/ocv-table.csv")
        #expect(abs(model.ocv.voltage(soc: 0.5, temperatureC: 25) - RecordingFit.ocvCurve(table).voltage(soc: 0.5, temperatureC: 25)) < 1e-9)
    }

    @Test func optionsOverrideTheManifest() throws {
        let model = try Self.fit([Self.example, "--cells", "test", "--capacity", "5"])
        #expect(model.capacityAh == 5)
        #expect(model.fitReport.method.contains { $0.contains("mohtat2020-nmc-25C-udds-short-noisy") })
        #expect(!model.fitReport.method.contains { $0.hasPrefix("validation ") })   // --cells: no automatic validation
    }

    @Test func aFolderOfRecordingsIsFittedWhole() throws {
        let model = try Self.fit([SharedData.fixtures.appendingPathComponent("physics").path])
        #expect(model.fitReport.method.contains {
            $0.hasPrefix("data: generic recordings mohtat2020-nmc-25C-udds-short-noisy mohtat2020-nmc-25C-udds-short (")
        }, "\(model.fitReport.method)")
    }

    @Test func badDatasetsAreRefusedWithTheirReason() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("dataset.json", "{\"version\": 1, \"split\": {\"test\": [\"A\"]}}")
        #expect { try Self.fit([folder.path]) } throws: { error in
            guard case let .badManifest(_, field, _, _) = error as? CellDataError else { return false }
            return field == "split.fit"   // nothing to fit: train and validation are empty
        }
        try folder.write("dataset.json", "{\"version\": 1, \"ocv_table\": \"ocv.csv\"}")
        #expect { try Self.fit([folder.path]) } throws: { error in
            guard case let .cannotRead(file, reason) = error as? CellDataError else { return false }
            return file.hasSuffix("ocv.csv") && reason.contains("ocv_table")
        }
        try folder.write("dataset.json", "{\"version\": 1, \"cells\": {\"A\": [\"a.csv\"]}}")
        #expect(throws: CellDataError.unknownCell("B", available: ["A"])) { try Self.fit([folder.path, "--cells", "B"]) }
    }
}
