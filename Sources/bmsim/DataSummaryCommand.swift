import ArgumentParser
import BMSCore
import CellData
import Foundation

/// `bmsim data summary PATH`: per cell the operations, discharges, ambient temperatures,
/// capacity first → last, sample intervals and the quality findings.
struct DataSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary", abstract: "Summarise every cell of a recording source.")

    @OptionGroup var input: DataInputOptions

    @OptionGroup var format: FormatOption

    @Option(help: "Only these cells: names and split names (train, validation, test), comma-separated.",
            transform: CellSelection.parse)
    var cells: CellSelection?

    @Option(name: .customLong("cell"), help: .hidden) var legacyCell: String?

    func validate() throws {
        _ = try OptionAlias.merge(cells?.description, legacyCell, new: "--cells", old: "--cell")
    }

    func run() throws {
        let names: [String?] = (legacyCell.map { [$0] } ?? cells?.cells)?.map { $0 } ?? [nil]
        let summaries = try input.reporting {
            let source = try RecordingSource.open(path: input.path)
            return try names.flatMap { name in
                try source.recordings(cell: name, policy: input.policy, currentSign: input.currentSign).map(RecordingSummary.init)
            }
        }
        try format.print(DataSummaryReport(summaries: summaries))
    }

    static func table(_ summaries: [RecordingSummary]) -> String {
        func fmt(_ x: Double?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        let names = Self.names(summaries)
        let width = max(8, (names.map(\.count).max() ?? 0) + 2)
        var lines = [pad("cell", width) + pad("ops", 6) + pad("dis", 5) + pad("chg", 5) + pad("gaps", 6) + pad("ambient °C", 12)
                     + pad("capacity Ah first→last", 24) + pad("Δt dis/chg s", 14) + pad("samples", 9) + "days"]
        for (s, name) in zip(summaries, names) {
            let ambient = s.ambientTemperaturesC.map { fmt($0, 0) }.joined(separator: ",")
            lines.append(pad(name, width) + pad("\(s.operations)", 6) + pad("\(s.discharges)", 5) + pad("\(s.charges)", 5)
                         + pad("\(s.gaps)", 6) + pad(ambient, 12)
                         + pad("\(fmt(s.capacityFirstAh, 3)) → \(fmt(s.capacityLastAh, 3))", 24)
                         + pad("\(fmt(s.medianDischargeIntervalS, 1)) / \(fmt(s.medianChargeIntervalS, 1))", 14)
                         + pad("\(s.samples)", 9) + fmt(s.spanS / 86_400, 1))
            let quality = s.qualityCounts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }
            if !quality.isEmpty { lines.append("        quality: " + quality.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }

    /// The table's names: the cell, and where two recordings declare one cell, the file that
    /// tells them apart (`C (noisy/udds.csv)`, `PathSuffixes`).
    static func names(_ summaries: [RecordingSummary]) -> [String] {
        PathSuffixes.labelled(summaries.map(\.cell), sources: summaries.map(\.source))
    }
}

/// `data summary`'s report: one `RecordingSummary` per cell (JSON: an array of them).
struct DataSummaryReport: TabularReport {
    var summaries: [RecordingSummary]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(summaries)
    }

    var table: String { DataSummaryCommand.table(summaries) }

    var csvHeader: [String] {
        ["cell", "operations", "discharges", "charges", "gaps", "ambient_temperatures_c", "capacity_first_ah", "capacity_last_ah",
         "median_discharge_interval_s", "median_charge_interval_s", "samples", "span_s", "quality", "source"]
    }

    var csvRows: [[String]] {
        summaries.map { s in
            [s.cell, "\(s.operations)", "\(s.discharges)", "\(s.charges)", "\(s.gaps)",
             s.ambientTemperaturesC.map { "\($0)" }.joined(separator: " "), csvNumber(s.capacityFirstAh), csvNumber(s.capacityLastAh),
             csvNumber(s.medianDischargeIntervalS), csvNumber(s.medianChargeIntervalS), "\(s.samples)", "\(s.spanS)",
             s.qualityCounts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "), s.source]
        }
    }
}
