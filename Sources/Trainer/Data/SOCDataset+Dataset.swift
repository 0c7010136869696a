import CellData
import FloatModel
import Foundation

/// The trainer's data from any `CellData.Dataset`: the NASA folder with the benchmark split
/// (exactly `SOCDataset.load(root:)`), or a generic dataset with its manifest's split, whose
/// `soc`-labelled recordings become grid cycles whole (`GenericDataset.labelled`; the 10 s grid
/// of each recording, its exact SOC as the label, `cycle` = the file's position).
extension SOCDataset {
    /// The train, validation and test splits of `dataset`. A generic dataset needs labelled
    /// recordings in its train and validation splits (the test split may be empty); without a
    /// manifest every split is every recording, so validation is the training data.
    public static func load(_ dataset: Dataset, featureSet: FeatureSet = .task,
                            priorCapacityAh: Double? = nil,
                            learnedPrior: LearnedPriorCapacity? = nil,
                            partialStarts: PartialStarts? = nil, seed: UInt64 = 0) throws(SOCDatasetError) -> SOCDataset {
        switch dataset {
        case let .nasa(data):
            return try load(root: data.root, featureSet: featureSet, priorCapacityAh: priorCapacityAh,
                            learnedPrior: learnedPrior, partialStarts: partialStarts, seed: seed, policy: data.policy)
        case let .generic(data):
            let splits = try GridCycle.splits(data, ["train", "validation", "test"])
            for name in ["train", "validation"] where splits[name]!.isEmpty {
                throw .noLabelledSplit(split: name, source: data.manifestPath ?? data.root)
            }
            return SOCDataset(train: splits["train"]!, validation: splits["validation"]!, test: splits["test"]!,
                              featureSet: featureSet, priorCapacityAh: priorCapacityAh, learnedPrior: learnedPrior,
                              partialStarts: partialStarts, seed: seed)
        }
    }
}

extension GridCycle {
    /// The labelled sequences of `items` (split, cell and recording names) of `dataset` on the
    /// grid: NASA's usable discharges (as `load(root:cells:policy:)`), or a generic dataset's
    /// labelled recordings, whole.
    public static func load(_ dataset: Dataset, selecting items: [String]) throws(SOCDatasetError) -> [GridCycle] {
        do {
            let labelled = try dataset.labelled(selecting: items).discharges
            if case .generic = dataset { return labelled.map(GridCycle.init(sequence:)) }
            return labelled.map { GridCycle($0) }
        } catch {
            throw .data(error)
        }
    }

    /// Grid cycles of the named splits of a generic dataset, each recording read once.
    static func splits(_ data: GenericDataset, _ names: [String]) throws(SOCDatasetError) -> [String: [GridCycle]] {
        let chosen = names.map { Set(data.members(split: $0).map(\.number)) }
        let used = data.members.filter { m in chosen.contains { $0.contains(m.number) } }
        let cycles: [GridCycle]
        do { cycles = try data.labelled(used).sequences.map(GridCycle.init(sequence:)) } catch { throw .data(error) }
        var out: [String: [GridCycle]] = [:]
        for (name, numbers) in zip(names, chosen) { out[name] = cycles.filter { numbers.contains($0.cycle) } }
        return out
    }
}
