import CellData
import FloatModel
import Trainer

/// The labelled discharges `evaluate` and `shrink` stream a float model over: a dataset's
/// cycles of the selected cells on the model's grid, each with the prior capacity the model's
/// learned-prior rule gives it (in time order per cell).
struct StreamedCycles {
    /// The cycles, in dataset order.
    var grid: [GridCycle]
    /// The cells selected (NASA: the names the selection expands to; a generic dataset: the
    /// recordings' cells in first-seen order).
    var cells: [String]

    /// Loads `cells` of `dataset` for `file`; throws for a selection with no cycle.
    init(_ file: FloatModelFile, dataset: Dataset, cells selection: CellSelection) throws {
        grid = try GridCycle.load(dataset, selecting: selection.items)
        var seen = Set<String>()
        cells = dataset.isNASA ? selection.cells : grid.map(\.cell).filter { seen.insert($0).inserted }
        guard !grid.isEmpty else { throw SOCDatasetError.emptySplit(cells: dataset.isNASA ? cells : selection.items) }
        if let rule = file.scalers.learnedPrior { GridCycle.assignLearnedPriors(&grid, rule: rule) }
    }

    /// The cycles scaled for `file`, every prior capacity multiplied by `priorScale`.
    func scaled(for file: FloatModelFile, priorScale: Double = 1) -> [ScaledCycle] {
        grid.map { cycle in
            ScaledCycle(cycle, scalers: file.scalers, priorCapacityAh: file.scalers.priorCapacityAh(of: cycle).map { $0 * priorScale })
        }
    }
}
