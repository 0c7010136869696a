import ArgumentParser
import CellData
import Foundation

/// `bmsim data`: look at and convert recorded cell data.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect and convert recorded cell data (NASA folder, .mat file or generic CSV).",
        subcommands: [DataSummaryCommand.self, DataExportCommand.self, DataSyntheticCommand.self, DataTimingCommand.self,
                      DataGridCommand.self]
    )
}

/// Options shared by the `data` subcommands that read a recording.
struct DataInputOptions: ParsableArguments {
    @Argument(help: "The nasa_pcoe_battery folder (or a folder containing it), a NASA .mat file, or a generic recording CSV.")
    var path: String

    @Option(help: "Current sign of a generic CSV without a '# current_sign:' line (charge_positive | discharge_positive).")
    var currentSign: GenericRecordingCSV.CurrentSign?

    @Flag(help: "Replace the single −3…−4.5 A reading at the start of NASA charges by interpolation (default: keep it).")
    var repairChargeArtefact = false

    var policy: QualityPolicy { QualityPolicy(repairChargeStartArtefact: repairChargeArtefact) }

    /// Runs `body`, turning data errors into a message on stderr and exit code 1.
    func reporting<T>(_ body: () throws -> T) throws -> T { try reportingDataErrors(body) }
}

/// Runs `body`, turning a `CellDataError` into `error: …` on stderr and exit code 1.
func reportingDataErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CellDataError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}

extension GenericRecordingCSV.CurrentSign: ExpressibleByArgument {}
