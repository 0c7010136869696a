import ArgumentParser
import CellData
import Foundation

/// `--cells`: the cells a command works on, as a comma list of cell names and split names of
/// the benchmark task (`train`, `validation`, `test`, each standing for its cells):
/// `test`, `B0005,B0039`, `train,validation`. Parsed and checked here only.
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
    /// letters, digits, `_`, `-` and `.`.
    static func parse(_ text: String) throws(OptionValueError) -> CellSelection {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else { throw OptionValueError(description: "no cell or split name given") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        if let bad = items.first(where: { !$0.allSatisfy(allowed.contains) }) {
            throw OptionValueError(description: "'\(bad)' is neither a split (train, validation, test) nor a cell name")
        }
        return CellSelection(items: items)
    }

    /// The cells, split names expanded, in order, each once.
    var cells: [String] {
        var seen = Set<String>()
        return items.flatMap { NASADataset.Split(rawValue: $0)?.cells ?? [$0] }.filter { seen.insert($0).inserted }
    }

    /// The only cell named, or nil when the selection is a split or names several cells.
    var singleCell: String? {
        items.count == 1 && NASADataset.Split(rawValue: items[0]) == nil ? items[0] : nil
    }

    var description: String { items.joined(separator: ",") }
}
