import ArgumentParser
import CellData
import Foundation

/// `--format`: how a command prints its results on stdout. `table` for people; `json` the
/// command's typed report (`ReportJSON`: snake_case, sorted keys); `csv` one header line,
/// then one row per record. `text` is still read as `table` (the old spelling of `inspect`
/// and `data summary`).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv

    init?(argument: String) {
        self.init(rawValue: argument == "text" ? "table" : argument)
    }
}

/// The `--format` option of every command that prints results.
struct FormatOption: ParsableArguments {
    @Option(help: "How results are printed on stdout.")
    var format: OutputFormat = .table

    /// Prints `report` in the chosen format (checked stdout).
    func print<R: TabularReport>(_ report: R) throws {
        switch format {
        case .table: try StandardOutput.write(report.table.hasSuffix("\n") ? report.table : report.table + "\n")
        case .json: try StandardOutput.write(String(decoding: try ReportJSON.encode(report), as: UTF8.self) + "\n")
        case .csv: try StandardOutput.write(report.csv)
        }
    }

    /// Human notes (progress, what was written): stdout with `table`, stderr otherwise, so that
    /// stdout holds nothing but the JSON or CSV.
    func note(_ line: String) {
        if format == .table { say(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

/// A command's report: typed (JSON), a table for people, and CSV rows.
protocol TabularReport: Encodable {
    /// The text printed with `--format table`.
    var table: String { get }
    /// CSV column names.
    var csvHeader: [String] { get }
    /// CSV rows, one field per column.
    var csvRows: [[String]] { get }
}

extension TabularReport {
    /// One header line, then the rows, fields quoted per RFC 4180 where needed.
    var csv: String { ([csvHeader] + csvRows).map(CSVField.line).joined() }
}

/// A number as a CSV field (empty when absent).
func csvNumber(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
