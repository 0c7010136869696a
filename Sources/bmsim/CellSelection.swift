import ArgumentParser
import CellData
import Foundation

/// `--cells`: the cells a command works on, as a comma list of cell names and split names of
/// the benchmark task (`train`, `validation`, `test`, each standing for its cells; `fit` for
/// train + validation): `test`, `B0005,B0039`, `train,validation`. For a generic dataset the
/// split names stand for its manifest's split and recordings may be named by their path in the
/// dataset (`25C/udds.csv`); `CellData.Dataset` resolves the items. Parsed and checked here only.
struct CellSelection: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    /// The items as given (cell and split names), trimmed, blanks dropped.
    let items: [String]

    /// The selection of the given splits.
    init(_ splits: NASADataset.Split...) { items = splits.map(\.rawValue) }

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    private init(items: [String]) { self.items = items }

    /// `text` parsed, or why not: at least one item; each a split name or a cell name of
    /// letters, digits, `_`, `-`, `.` and `/` (a recording's path in a generic dataset).
    static func parse(_ text: String) throws(OptionValueError) -> CellSelection {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else { throw OptionValueError(description: "no cell or split name given") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./")
        if let bad = items.first(where: { !$0.allSatisfy(allowed.contains) }) {
            throw OptionValueError(description: "'\(bad)' is neither a split (train, validation, test) nor a cell name")
        }
        return CellSelection(items: items)
    }

    /// The NASA cells, split names expanded, in order, each once (`Dataset.nasaCells`).
    var cells: [String] { Dataset.nasaCells(items) }

    /// The only cell named, or nil when the selection is a split or names several cells.
    var singleCell: String? {
        items.count == 1 && !DatasetManifest.splitNames.contains(items[0]) ? items[0] : nil
    }

    var description: String { items.joined(separator: ",") }
}
