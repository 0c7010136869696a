import ArgumentParser
import CellData
import Foundation

/// `bmsim data summary PATH`: per cell the operations, discharges, ambient temperatures,
/// capacity first → last, sample intervals and the quality findings.
struct DataSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary", abstract: "Summarise every cell of a recording source.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @OptionGroup var input: DataInputOptions

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    @Option(help: "Only this cell.")
    var cell: String?

    func run() throws {
        let summaries = try input.reporting {
            try RecordingSource.open(path: input.path)
                .recordings(cell: cell, policy: input.policy, currentSign: input.currentSign)
                .map(RecordingSummary.init)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summaries), as: UTF8.self))
        case .table:
            print(Self.table(summaries))
        }
    }

    static func table(_ summaries: [RecordingSummary]) -> String {
        func fmt(_ x: Double?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines = [pad("cell", 8) + pad("ops", 6) + pad("dis", 5) + pad("chg", 5) + pad("gaps", 6) + pad("ambient °C", 12)
                     + pad("capacity Ah first→last", 24) + pad("Δt dis/chg s", 14) + pad("samples", 9) + "days"]
        for s in summaries {
            let ambient = s.ambientTemperaturesC.map { fmt($0, 0) }.joined(separator: ",")
            lines.append(pad(s.cell, 8) + pad("\(s.operations)", 6) + pad("\(s.discharges)", 5) + pad("\(s.charges)", 5)
                         + pad("\(s.gaps)", 6) + pad(ambient, 12)
                         + pad("\(fmt(s.capacityFirstAh, 3)) → \(fmt(s.capacityLastAh, 3))", 24)
                         + pad("\(fmt(s.medianDischargeIntervalS, 1)) / \(fmt(s.medianChargeIntervalS, 1))", 14)
                         + pad("\(s.samples)", 9) + fmt(s.spanS / 86_400, 1))
            let quality = s.qualityCounts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }
            if !quality.isEmpty { lines.append("        quality: " + quality.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }
}
