import ArgumentParser
import CellData
import Foundation

/// `bmsim data export PATH --cells B0005 --out FILE.csv`: one cell as a generic recording CSV
/// with the reference SOC.
struct DataExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export",
                                                    abstract: "Write one cell as a generic CSV with the reference SOC.")

    @OptionGroup var input: DataInputOptions

    @Option(help: "The cell to export: one name (default: the only cell of a .mat or CSV input).")
    var cells: String?

    @Option(name: .customLong("cell"), help: .hidden) var legacyCell: String?

    @Option(help: "Output CSV file (written atomically).")
    var out: String

    @OptionGroup var output: OutputOptions

    @Option(help: "Shorten every gap between records to at most this many seconds.")
    var maxGap: Double?

    @Option(name: .customLong("max-gap-s"), help: .hidden) var legacyMaxGap: Double?

    func validate() throws {
        if let gap = try OptionAlias.merge(maxGap, legacyMaxGap, new: "--max-gap", old: "--max-gap-s"), !(gap > 0) {
            throw ValidationError("--max-gap must be positive")
        }
        if let name = try cell(), CellSelection(argument: name)?.singleCell != name {
            throw ValidationError("--cells: export writes one cell; give one cell name, not '\(name)'")
        }
    }

    /// The one cell asked for (`--cells`, or its old spelling `--cell`).
    func cell() throws -> String? { try OptionAlias.merge(cells, legacyCell, new: "--cells", old: "--cell") }

    func run() throws {
        let recording = try input.reporting { () throws -> Recording in
            let source = try RecordingSource.open(path: input.path)
            let cell = try self.cell()
            if case .nasaFolder = source, cell == nil {
                throw CellDataError.unknownCell("", available: try source.cellNames())
            }
            if case let .dataset(data) = source, cell == nil, data.members.count > 1 {
                throw CellDataError.unknownCell("", available: data.cells)
            }
            let recordings = try source.recordings(cell: cell, policy: input.policy, currentSign: input.currentSign)
            guard recordings.count == 1 else {
                throw CLIError.badInput(path: input.path, reason: "cell \(cell ?? "") has \(recordings.count) recordings; export writes one: give its file")
            }
            return recordings[0]
        }
        let exported = (maxGap ?? legacyMaxGap).map { recording.withGapsCapped(atS: $0) } ?? recording
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
