import ArgumentParser
import CellData
import Foundation

/// `bmsim data export PATH --cell B0005 --out FILE.csv`: one cell as a generic recording CSV
/// with the reference SOC.
struct DataExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export",
                                                    abstract: "Write one cell as a generic CSV with the reference SOC.")

    @OptionGroup var input: DataInputOptions

    @Option(help: "Cell to export (default: the only cell of a .mat or CSV input).")
    var cell: String?

    @Option(help: "Output CSV file (written atomically).")
    var out: String

    @OptionGroup var output: OutputOptions

    @Option(help: "Shorten every gap between records to at most this many seconds.")
    var maxGapS: Double?

    func validate() throws {
        if let maxGapS, !(maxGapS > 0) { throw ValidationError("--max-gap-s must be positive") }
    }

    func run() throws {
        let recording = try input.reporting { () throws -> Recording in
            let source = try RecordingSource.open(path: input.path)
            if case .nasaFolder = source, cell == nil {
                throw CellDataError.unknownCell("", available: try source.cellNames())
            }
            return try source.recordings(cell: cell, policy: input.policy, currentSign: input.currentSign)[0]
        }
        let exported = maxGapS.map { recording.withGapsCapped(atS: $0) } ?? recording
        try output.write(Data(GenericRecordingCSV.text(of: exported)), to: out)
        let samples = exported.operations.reduce(0) { $0 + $1.samples.count }
        print("wrote \(out): cell \(exported.cell), \(exported.operations.count) operations, \(samples) rows")
    }
}

/// `bmsim data synthetic --out FILE.csv`: the project's own synthetic fixture recording.
struct DataSyntheticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic",
        abstract: "Write the deterministic synthetic recording (OCV + R0 + 1RC) used as a fixture.")

    @Option(help: "Output CSV file (written atomically).")
    var out: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.write(Data(GenericRecordingCSV.text(of: SyntheticRecording.make())), to: out)
        print("wrote \(out)")
    }
}
