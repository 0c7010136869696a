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

    @Flag(name: .customLong("accept-implausible"), help: "Read data whose units or current sign look wrong (mA, kelvin, a sign against the operation or the voltage, an index that disagrees with its files) instead of refusing it; the findings are reported.")
    var acceptImplausible = false

    var policy: QualityPolicy {
        QualityPolicy(repairChargeStartArtefact: repairChargeArtefact, acceptImplausible: acceptImplausible)
    }

    /// Runs `body`; a `CellDataError` reaches `BMSimMain`, which prints it and exits 65 or 66.
    func reporting<T>(_ body: () throws -> T) throws -> T { try reportingDataErrors(body) }
}

/// Runs `body`. A `CellDataError` is passed on unchanged: `BMSimMain` prints it as
/// `bmsim: error: …` and exits 66 (cannot read, unknown cell) or 65 (bad content).
func reportingDataErrors<T>(_ body: () throws -> T) throws -> T {
    try body()
}

extension GenericRecordingCSV.CurrentSign: ExpressibleByArgument {}
