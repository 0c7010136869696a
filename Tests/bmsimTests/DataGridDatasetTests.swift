import ArgumentParser
import CellData
import Foundation
import Testing
import TestSupport
@testable import bmsim

/// `bmsim data grid` on a generic dataset: each labelled recording whole on the grid with its
/// exact SOC; unlabelled ones left out; a selection with none, an error (function calls).
@Suite struct DataGridDatasetTests {
    /// Runs `data grid` on a scratch dataset holding `files` and returns the CSV rows it wrote.
    static func grid(_ files: [String: String], _ extra: [String] = []) throws -> [[String]] {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        for (name, text) in files { try folder.write(name, text) }
        let out = folder.url.appendingPathComponent("grid.out")
        let command = try DataGridCommand.parseAsRoot([folder.path, "--out", out.path] + extra) as! DataGridCommand
        try command.run()
        return try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func eachLabelledRecordingIsWrittenWholeWithItsSOC() throws {
        let rows = try Self.grid(["a.csv": DatasetFolder.recording(cell: "A"), "b.csv": DatasetFolder.recording(cell: "B", soc: false),
                                  "c.csv": DatasetFolder.recording(cell: "C")], ["--dt", "30"])
        #expect(rows[0] == ["cell", "cycle", "step", "time_s", "voltage_v", "current_a", "temperature_c", "soc"])
        let body = rows.dropFirst()
        #expect(Set(body.map { $0[0] }) == ["A", "C"])            // B has no soc: left out
        #expect(body.filter { $0[0] == "C" }.allSatisfy { $0[1] == "3" })   // cycle = position of c.csv
        let a = body.filter { $0[0] == "A" }
        #expect(a.count == 1860 / 30 + 1 && a.last?[3] == "1860.0")
        #expect(abs(Double(a.last![7])! - 0.5) < 1e-12)
    }

    @Test func theManifestSplitChoosesAndBadSelectionsAreRefused() throws {
        let files = ["a.csv": DatasetFolder.recording(cell: "A"), "b.csv": DatasetFolder.recording(cell: "B"),
                     "dataset.json": "{\"version\": 1, \"split\": {\"train\": [\"b.csv\"], \"test\": [\"A\"]}}"]
        #expect(Set(try Self.grid(files).dropFirst().map { $0[0] }) == ["B"])   // default: train
        #expect(Set(try Self.grid(files, ["--cells", "test"]).dropFirst().map { $0[0] }) == ["A"])
        #expect(throws: CellDataError.unknownCell("Z", available: ["A", "B"])) { try Self.grid(files, ["--cells", "Z"]) }
        #expect { try Self.grid(["a.csv": DatasetFolder.recording(cell: "A", soc: false)]) } throws: { error in
            if case .noLabelledData = error as? CellDataError { return true }
            return false
        }
    }
}

/// `data export` of a dataset writes one recording: the cell must name exactly one file.
@Suite struct DataExportDatasetTests {
    @Test func aDatasetNeedsACellWithOneRecording() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("a2.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("b.csv", DatasetFolder.recording(cell: "B"))
        let out = folder.url.appendingPathComponent("out.txt").path
        func export(_ extra: [String]) throws {
            try (DataExportCommand.parseAsRoot([folder.path, "--out", out] + extra) as! DataExportCommand).run()
        }
        #expect(throws: CellDataError.unknownCell("", available: ["A", "B"])) { try export([]) }
        #expect(throws: CLIError.self) { try export(["--cells", "A"]) }
        try export(["--cells", "B"])
        #expect(try GenericRecordingCSV.read(path: out).cell == "B")
    }
}
