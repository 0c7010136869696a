import ArgumentParser
import CellData
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `classical-eval --data` on a generic dataset, on recording files, and its bad inputs: each a
/// typed error with the file and what was wrong, never a crash.
@Suite struct ClassicalEvalDatasetTests {
    static let model = SharedData.fixtures.appendingPathComponent("models/cell-default.json").path
    static let example = SharedData.fixtures.appendingPathComponent("datasets/physics-example").path
    static let physics = SharedData.fixtures.appendingPathComponent("physics").path

    /// Runs `classical-eval` with `arguments` and returns the JSON report it wrote.
    static func run(_ arguments: [String]) throws -> [String: Any] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-ce-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try ClassicalEvalCommand.parseAsRoot(arguments + ["--cell-model", model, "--estimators", "ah",
                                                                        "--out", out.path]) as! ClassicalEvalCommand
        try command.run()
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
    }

    static func discharges(_ report: [String: Any]) -> Int {
        ((report["methods"] as? [[String: Any]])?.first?["discharge_count"] as? Int) ?? -1
    }

    @Test func aDatasetFolderIsScoredOnItsManifestsTestSplitByDefault() throws {
        let report = try Self.run(["--data", Self.example])
        #expect(report["cells"] as? [String] == ["mohtat2020-nmc-25C"])
        #expect(Self.discharges(report) == 1)
        #expect(Self.discharges(try Self.run(["--data", Self.example, "--cells", "train,test"])) == 2)
    }

    @Test func recordingFilesAndAFolderWithoutManifestAreScoredWhole() throws {
        let files = ["mohtat2020-nmc-25C-udds-short.csv", "mohtat2020-nmc-25C-udds-short-noisy.csv"].map { Self.physics + "/" + $0 }
        #expect(Self.discharges(try Self.run(["--data"] + files)) == 2)
        #expect(Self.discharges(try Self.run(["--data", files[0]])) == 1)
        #expect(Self.discharges(try Self.run(["--data", Self.physics])) == 2)   // no split: test = everything
    }

    /// The error `classical-eval` throws on a dataset folder holding `files`.
    static func error(_ files: [String: String], cells: String? = nil) throws -> (any Error)? {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        for (name, text) in files { try folder.write(name, text) }
        do {
            _ = try run(["--data", folder.path] + (cells.map { ["--cells", $0] } ?? []))
            return nil
        } catch {
            return error
        }
    }

    @Test func badDatasetsEndInAClearErrorNotACrash() throws {
        let good = DatasetFolder.recording(cell: "A")
        let cases: [([String: String], String?, (CellDataError) -> Bool)] = [
            (["a.csv": good, "dataset.json": "{\"version\": 1, \"files\": [\"a.csv\", \"b.csv\"]}"], nil,
             { if case .cannotRead(let file, _) = $0 { file.hasSuffix("b.csv") } else { false } }),
            (["a.csv": good, "dataset.json": "{\"version\": 1, \"split\": {\"test\": [\"B0005\"]}}"], nil,
             { if case .badManifest(_, "split.test", _, _) = $0 { true } else { false } }),
            (["a.csv": good, "dataset.json": "{version: 1}"], nil,
             { if case .badManifest(_, "(file)", _, _) = $0 { true } else { false } }),
            (["a.csv": good, "dataset.json": "{\"version\": 3}"], nil,
             { if case .badManifest(_, "version", _, _) = $0 { true } else { false } }),
            (["a.csv": DatasetFolder.recording(cell: "A", sign: false)], nil,
             { if case .badHeader(_, _, let found) = $0 { found.contains("current sign") } else { false } }),
            (["a.csv": DatasetFolder.recording(cell: "A", soc: false)], nil,
             { if case .noLabelledData = $0 { true } else { false } }),
            (["a.csv": good], "B0005", { $0 == .unknownCell("B0005", available: ["A"]) }),
            (["notes.txt": "no recording here"], nil,
             { if case .cannotRead(_, let reason) = $0 { reason.contains("no .csv") } else { false } }),
        ]
        for (files, cells, matches) in cases {
            let error = try Self.error(files, cells: cells)
            guard let error = error as? CellDataError else { Issue.record("\(files.keys.sorted()): \(String(describing: error))"); continue }
            #expect(matches(error), "\(files.keys.sorted()): \(error)")
            #expect(CLIExitStatus.classify(error) != .failure)
        }
    }

    @Test func aMATFileIsNotADataset() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("B0005.mat", "MATLAB 5.0 MAT-file")
        #expect { try Self.run(["--data", folder.path + "/B0005.mat"]) } throws: { error in
            guard case let .unrecognizedInput(_, reason) = error as? CellDataError else { return false }
            return reason.contains("nasa_pcoe_battery folder")
        }
    }
}
