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
