import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import bmsim
@testable import CellData

/// `bmsim data …` through its parsed commands (function calls, no child process).
@Suite struct DataCommandTests {
    let fixture = SharedData.fixtures.appendingPathComponent("recordings/synthetic_cycle.csv").path

    @Test func summaryTableOfTheFixture() throws {
        let recordings = try RecordingSource.open(path: fixture).recordings()
        let table = DataSummaryCommand.table(recordings.map(RecordingSummary.init))
        #expect(table.contains("SYN001"))
        #expect(table.contains("2.000 → 2.000"))
        #expect(table.contains("15.0 / 15.0"))
    }

    @Test func summaryTableTellsCopiesOfOneCellApartAndKeepsLongNamesInTheirColumn() throws {
        let recording = try RecordingSource.open(path: fixture).recordings()[0]
        var clean = recording, noisy = recording
        clean.cell = "a-long-cell-name-25C"; noisy.cell = clean.cell
        clean.source = "/p/25C/udds.csv"; noisy.source = "/p/25C/noisy/udds.csv"
        let lines = DataSummaryCommand.table([clean, noisy].map(RecordingSummary.init)).split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("a-long-cell-name-25C (25C/udds.csv)  "))
        #expect(lines[2].hasPrefix("a-long-cell-name-25C (noisy/udds.csv)  "))
        // Every column starts where the header's does.
        let opsColumn = lines[0].range(of: "ops")!.lowerBound.utf16Offset(in: lines[0])
        for line in lines[1...] where !line.hasPrefix(" ") {
            let index = line.index(line.startIndex, offsetBy: opsColumn)
            #expect(line[line.index(before: index)] == " " && line[index] != " ", "\(line)")
        }
    }

    @Test func exportWritesAGenericCSVThatReadsBack() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-export-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try DataExportCommand.parseAsRoot([fixture, "--out", out.path]) as! DataExportCommand
        try command.run()
        let back = try GenericRecordingCSV.read(path: out.path)
        #expect(back.operations.count == 5)
        #expect(ReferenceSOC.label(back).allSatisfy { $0 != nil })
    }

    @Test func badInputExitsWithAnErrorNotACrash() throws {
        let command = try DataSummaryCommand.parseAsRoot(["/nonexistent/file.csv"]) as! DataSummaryCommand
        #expect(throws: CellDataError.self) { try command.run() }
        #expect(throws: (any Error).self) { try DataExportCommand.parseAsRoot([fixture, "--out", "x.csv", "--max-gap-s", "-1"]) }
    }

    @Test(.enabled(if: SharedData.available))
    func exportOfANASACellNeedsTheCellName() throws {
        let command = try DataExportCommand.parseAsRoot([SharedData.nasa!.path, "--out", "/tmp/never-written.csv"]) as! DataExportCommand
        #expect(throws: CellDataError.self) { try command.run() }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.csv"))
    }
}
