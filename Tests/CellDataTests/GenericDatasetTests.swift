import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

/// `GenericDataset`, `DatasetManifest` and `Dataset`: a folder of generic recordings, its
/// manifest, splits, labelled sequences, and every bad input refused with a clear error.
@Suite struct GenericDatasetTests {
    @Test func folderWithoutManifestIsEveryCSVUnderItWithEverySplitBeingEverything() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("b.csv", DatasetFolder.recording(cell: "B"))
        try folder.write("sub/a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write(".hidden/c.csv", "not read")
        try folder.write("notes.txt", "not a recording")
        let data = try GenericDataset(folder: folder.path)
        #expect(data.members.map(\.name) == ["b.csv", "sub/a.csv"])
        #expect(data.members.map(\.number) == [1, 2])
        #expect(data.cells == ["B", "A"])
        #expect(!data.hasSplit)
        for split in ["train", "validation", "test", "fit"] { #expect(data.members(split: split).count == 2) }
        #expect(try data.members(selecting: ["A"]).map(\.name) == ["sub/a.csv"])
        #expect(try data.members(selecting: ["b.csv"]).map(\.cell) == ["B"])
        #expect(throws: CellDataError.unknownCell("Z", available: ["B", "A"])) { try data.members(selecting: ["Z"]) }
    }

    @Test func manifestGivesFilesCellsSplitCapacityAndOCVTable() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("r1.csv", DatasetFolder.recording(cell: "X", capacity: false))
        try folder.write("r2.csv", DatasetFolder.recording(cell: "X"))
        try folder.write("r3.csv", DatasetFolder.recording(cell: "Y"))
        try folder.write("ocv.csv", "soc,ocv_v\n0,3.0\n0.5,3.6\n1,4.2\n")
        try folder.write("dataset.json", """
            {"version": 1, "name": "tiny", "chemistry": "NMC", "nominal_capacity_ah": 2.5, "ocv_table": "ocv.csv",
             "cells": {"P": ["r1.csv", "r2.csv"], "Q": ["r3.csv"]},
             "split": {"train": ["P"], "test": ["r3.csv"]}}
            """)
        let data = try GenericDataset(folder: folder.path)
        #expect(data.manifest?.name == "tiny" && data.manifest?.chemistry == "NMC")
        #expect(data.nominalCapacityAh == 2.5)
        #expect(data.ocvTable?.socPoints == [0, 0.5, 1])
        #expect(data.members.map(\.cell) == ["P", "P", "Q"])   // the manifest's cells, not the files' comments
        #expect(data.members(split: "train").map(\.name) == ["r1.csv", "r2.csv"])
        #expect(data.members(split: "validation").isEmpty)
        #expect(data.members(split: "fit").map(\.name) == ["r1.csv", "r2.csv"])   // train + validation
        #expect(data.members(split: "test").map(\.name) == ["r3.csv"])
        let recording = try data.recording(data.members[2])
        #expect(recording.cell == "Q")
        // Capacity: the file's column first (r2: 2.0), else the manifest's nominal capacity (r1: 2.5).
        let labelled = try data.labelled(data.members(split: "train"))
        #expect(labelled.sequences.map(\.capacityAh) == [2.5, 2.0])
        #expect(labelled.sequences.map(\.cycle) == [1, 2])
        #expect(labelled.sequences.map(\.source) == ["r1.csv", "r2.csv"])
    }

    @Test func aLabelledRecordingIsOneWholeSequenceWithItsExactSOC() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("b.csv", DatasetFolder.recording(cell: "B", soc: false))
        let data = try GenericDataset(folder: folder.path)
        let labelled = try data.labelled(data.members)
        let s = try #require(labelled.sequences.first)
        #expect(labelled.sequences.count == 1)
        #expect(labelled.unlabelled.count == 1 && labelled.unlabelled[0].hasPrefix("b.csv"))
        // 7 rest samples (0…60 s) and 181 discharge samples (60…1860 s) share the one at 60 s.
        #expect(s.samples.count == 7 + 181 - 1)
        #expect(s.samples.timeS.first == 0 && s.samples.timeS.last == 1860)
        #expect(zip(s.samples.timeS, s.samples.timeS.dropFirst()).allSatisfy { $0 < $1 })
        #expect(s.soc[0] == 1 && abs(s.soc.last! - 0.5) < 1e-12)   // the column as written, not a count
        #expect(s.samples.currentA[6] == -2 && s.samples.currentA[5] == 0)   // at 60 s: the discharge's sample
        #expect(s.cell == "A" && s.capacityAh == 2)
        // On the 10 s grid, as the trainer uses it.
        let grid = s.resampled(dtS: 10)
        #expect(grid.count == 187 && grid.soc?.last == s.soc.last)
    }

    @Test func capacityFromTheMovedChargeWhenNeitherColumnNorManifestGivesOne() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A", capacity: false))
        let data = try GenericDataset(folder: folder.path)
        let s = try #require(try data.labelled(data.members).sequences.first)
        // 1 Ah drawn over 0.5 of SOC, plus the trapezoid's half step at the current step (10 A·s).
        #expect(abs(s.capacityAh - 2 * (3610.0 / 3600)) < 1e-9)
    }

    @Test func recordingsWithoutSOCCanBeOpenedButNotScored() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A", soc: false))
        let data = try GenericDataset(folder: folder.path)
        #expect(try data.recordings(data.members).count == 1)
        #expect { try data.labelled(data.members) } throws: { error in
            guard let error = error as? CellDataError, case let .noLabelledData(_, unlabelled) = error else { return false }
            return unlabelled.count == 1 && error.description.contains("can be fitted")
        }
        #expect(try data.labelled([]).sequences.isEmpty)   // nothing asked, nothing refused
    }

    @Test func aFileThatStatesNoCurrentSignIsRefusedWhenRead() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A", sign: false))
        let data = try GenericDataset(folder: folder.path)
        #expect { try data.labelled(data.members) } throws: { error in
            guard case let .badHeader(location, _, found) = error as? CellDataError else { return false }
            return location.file.hasSuffix("a.csv") && found.contains("no current sign")
        }
    }

    /// Writes a dataset with `manifest` and two recordings and returns the error opening it throws.
    static func openingError(_ manifest: String, files: [String: String] = [:]) throws -> CellDataError? {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("b.csv", DatasetFolder.recording(cell: "B"))
        for (name, text) in files { try folder.write(name, text) }
        try folder.write("dataset.json", manifest)
        do {
            _ = try Dataset.open(paths: [folder.path])
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("{\"version\": 1, \"files\": [\"a.csv\", \"missing.csv\"]}", "missing.csv"),
        ("{\"version\": 1, \"ocv_table\": \"nope.csv\"}", "ocv_table"),
    ])
    func aFileTheManifestNamesButThatIsMissingIsNamed(manifest: String, expected: String) throws {
        let error = try #require(try Self.openingError(manifest))
        guard case let .cannotRead(file, reason) = error else { Issue.record("\(error)"); return }
        #expect(file.hasSuffix(expected) || reason.contains(expected), "\(error)")
        #expect(reason.contains("dataset.json"), "\(error)")
    }

    @Test(arguments: [
        ("{\"version\": 1, ", "(file)"),                                      // not JSON
        ("[1, 2]", "(file)"),                                                  // not an object
        ("{\"files\": [\"a.csv\"]}", "version"),                               // no version
        ("{\"version\": 2}", "version"),                                       // a version from the future
        ("{\"version\": true}", "version"),                                    // a boolean is not 1
        ("{\"version\": 1, \"splits\": {}}", "splits"),                        // a misspelt key
        ("{\"version\": 1, \"split\": {\"test\": [\"Z\"]}}", "split.test"),    // an unknown cell in a split
        ("{\"version\": 1, \"split\": {\"holdout\": []}}", "split.holdout"),   // an unknown split name
        ("{\"version\": 1, \"split\": {\"train\": \"A\"}}", "split.train"),    // not a list
        ("{\"version\": 1, \"files\": [\"a.csv\"], \"cells\": {\"A\": [\"a.csv\"]}}", "files"),
        ("{\"version\": 1, \"files\": []}", "files"),
        ("{\"version\": 1, \"files\": [\"a.csv\", \"a.csv\"]}", "files"),
        ("{\"version\": 1, \"cells\": {\"A\": [\"a.csv\"], \"B\": [\"a.csv\"]}}", "cells"),
        ("{\"version\": 1, \"files\": [\"notes.txt\"]}", "files"),
        ("{\"version\": 1, \"nominal_capacity_ah\": -2}", "nominal_capacity_ah"),
        ("{\"version\": 1, \"nominal_capacity_ah\": \"2 Ah\"}", "nominal_capacity_ah"),
        ("{\"version\": 1, \"name\": 3}", "name"),
    ])
    func aBadManifestIsRefusedNamingTheField(manifest: String, field: String) throws {
        let error = try #require(try Self.openingError(manifest, files: ["notes.txt": "hello\n"]), "\(manifest) was accepted")
        guard case let .badManifest(file, found, _, _) = error else { Issue.record("\(manifest): \(error)"); return }
        #expect(file.hasSuffix("dataset.json"))
        #expect(found == field, "\(manifest): \(error)")
        #expect(error.description.contains(field))
    }

    @Test func aBadOCVTableNamedByTheManifestIsRefusedWithItsLine() throws {
        let error = try #require(try Self.openingError("{\"version\": 1, \"ocv_table\": \"ocv.csv\"}",
                                                      files: ["ocv.csv": "soc,ocv_v\n0,3.0\n1,2.9\n"]))
        #expect(error.location?.file.hasSuffix("ocv.csv") == true, "\(error)")
    }

    @Test func aPlainListOfFilesIsADatasetWithoutSplit() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("more/b.csv", DatasetFolder.recording(cell: "B"))
        let a = folder.url.appendingPathComponent("a.csv").path, more = folder.url.appendingPathComponent("more").path
        guard case let .generic(data) = try Dataset.open(paths: [a, more]) else { Issue.record("not generic"); return }
        #expect(data.members.map(\.cell) == ["A", "B"])
        #expect(data.members(split: "test").count == 2)
        let selection = try Dataset.generic(data).labelled(selecting: ["test"])
        #expect(selection.cells == ["A", "B"] && selection.discharges.count == 2)
        #expect(throws: CellDataError.self) { try Dataset.open(paths: [a, folder.url.appendingPathComponent("none.csv").path]) }
        #expect(throws: CellDataError.self) { try Dataset.open(paths: []) }
    }

    @Test func aManifestOrTheNASAFolderGoesAlone() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        try folder.write("a.csv", DatasetFolder.recording(cell: "A"))
        try folder.write("dataset.json", "{\"version\": 1}")
        let manifest = folder.url.appendingPathComponent("dataset.json").path
        guard case let .generic(data) = try Dataset.open(paths: [manifest]) else { Issue.record("not generic"); return }
        #expect(data.members.map(\.name) == ["a.csv"])
        #expect(throws: CellDataError.self) { try Dataset.open(paths: [manifest, folder.url.appendingPathComponent("a.csv").path]) }
        guard case .dataset = try RecordingSource.open(path: folder.path) else { Issue.record("folder not a dataset"); return }
    }

    @Test func theBundledExampleDatasetOpensAndIsLabelled() throws {
        let path = SharedData.fixtures.appendingPathComponent("datasets/physics-example").path
        let dataset = try Dataset.open(paths: [path])
        guard case let .generic(data) = dataset else { Issue.record("not generic"); return }
        #expect(data.hasSplit && data.nominalCapacityAh != nil && data.ocvTable != nil)
        let test = try dataset.labelled(selecting: ["test"])
        #expect(test.discharges.count == 1 && test.unlabelled.isEmpty)
        let noisy = try GenericRecordingCSV.read(path: SharedData.fixtures.appendingPathComponent(
            "physics/mohtat2020-nmc-25C-udds-short-noisy.csv").path)
        let times = Set(noisy.operations.flatMap { op in op.samples.timeS.map { op.startTimeS + $0 } })
        #expect(test.discharges[0].soc.count == times.count)
        #expect(test.discharges[0].soc == noisy.operations.flatMap { $0.providedSOC! }.prefix(times.count).map { $0 }
                || times.count < noisy.operations.reduce(0) { $0 + $1.samples.count })
        #expect(test.discharges[0].source?.hasSuffix("noisy.csv") == true)
    }

    @Test(.enabled(if: SharedData.available))
    func theNASAFolderIsADatasetWithTheBenchmarkSplit() throws {
        let dataset = try Dataset.open(paths: [SharedData.nasa!.path])
        guard case let .nasa(nasa) = dataset else { Issue.record("not NASA"); return }
        let selection = try dataset.labelled(selecting: ["B0005", "test"])
        #expect(selection.cells == ["B0005"] + NASADataset.Split.test.cells)
        #expect(selection.discharges == (try nasa.labelledDischarges(cells: ["B0005"] + NASADataset.Split.test.cells)))
        #expect(Dataset.nasaCells(["fit"]) == NASADataset.Split.train.cells + NASADataset.Split.validation.cells)
        #expect(throws: CellDataError.self) { try Dataset.open(paths: [SharedData.nasa!.path, SharedData.nasa!.path]) }
    }
}
