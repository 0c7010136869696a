import ArgumentParser
import CellData
import FloatModel
import Foundation
import Trainer

extension TrainCommand {
    /// The training cells `--train-cells` names (split names expanded), or nil for the dataset's
    /// own split. Checked before any data is read: NASA data only (a generic dataset's split is
    /// its manifest's), and no cell of the validation split (early stopping reads it) or of the
    /// test split (its figures would no longer be held out).
    func trainCellsOverride(for source: Dataset) throws -> [String]? {
        guard let trainCells else { return nil }
        guard source.isNASA else {
            throw ValidationError("--train-cells applies to the NASA folder only; a generic dataset's training recordings are its dataset.json split")
        }
        let cells = trainCells.cells
        for (split, held) in [("validation", TaskSplit.validation), ("test", TaskSplit.test)] {
            let overlap = cells.filter(held.contains)
            guard overlap.isEmpty else {
                throw ValidationError("--train-cells: \(overlap.joined(separator: ", ")) \(overlap.count == 1 ? "is" : "are") in the \(split) split; training on \(overlap.count == 1 ? "it" : "them") would leave the \(split) figures without held-out data")
            }
        }
        return cells
    }

    /// The trainer's data: the dataset's own splits, or NASA's with the training cells replaced
    /// by `cells` (`trainCellsOverride`).
    func loadDataset(_ source: Dataset, trainingCells cells: [String]?, config: TrainingConfig) throws -> SOCDataset {
        guard let cells, case let .nasa(data) = source else {
            return try SOCDataset.load(source, featureSet: config.featureSet, priorCapacityAh: config.priorCapacityAh,
                                       learnedPrior: config.learnedPrior, partialStarts: config.partialStarts, seed: seed)
        }
        say("training cells (--train-cells): \(cells.joined(separator: " "))")
        return try SOCDataset.load(root: data.root, trainCells: cells, featureSet: config.featureSet,
                                   priorCapacityAh: config.priorCapacityAh, learnedPrior: config.learnedPrior,
                                   partialStarts: config.partialStarts, seed: seed, policy: data.policy)
    }
}
