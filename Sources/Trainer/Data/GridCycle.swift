import CellData
import FloatModel
import Foundation

/// One usable discharge on the 10 s grid, in physical units (the benchmark task, Docs/Benchmark.md): the
/// `CellData` labelled discharge resampled, with the features the networks read.
public struct GridCycle: Sendable, Equatable {
    /// Grid step, s.
    public static let gridStepS = FloatModelFile.gridStepSeconds

    /// Cell name, e.g. `"B0005"`.
    public var cell: String
    /// NASA cycle number (index row `cycle`).
    public var cycle: Int
    /// Features per grid step, row-major `[n × 5]`: voltage V, current A, temperature °C,
    /// Δcurrent A, Δvoltage V (one-step differences, 0 at step 0).
    public var features: [Double]
    /// Reference SOC fraction at each grid step (coulomb count from 1, may go below 0).
    public var soc: [Double]
    /// Where the discharge starts and NASA's capacity of it (nil for cycles not read from NASA
    /// discharges): what `LearnedPriorCapacity` needs.
    public var record: DischargeCapacityRecord?
    /// The capacity the BMS had learned before this discharge, Ah (`LearnedPriorCapacity`; nil
    /// until `assignLearnedPriors` sets it).
    public var priorCapacityAh: Double?
    /// The SOC the BMS believes when the cycle starts (`s0` of the prior `s0 − q/C`): 1 for a
    /// discharge from full, the reference SOC plus an error for a cut (`partialStart`).
    public var startSOC: Double = 1
    /// Grid steps.
    public var count: Int { soc.count }

    /// The `s0` of the prior `s0 − q/C` for a network reading `set`: `startSOC` when it reads the
    /// prior SOC (the firmware passes its start SOC to such a blob), else 1 (a full-start blob's
    /// firmware prior counts from full whatever the cycle's start).
    public func priorStartSOC(_ set: FeatureSet) -> Double { set.hasPriorSOC ? startSOC : 1 }

    /// A generic dataset's labelled recording on the grid: a whole sequence (charges, rests and
    /// gaps included) whose `startSOC` is its first label, since it need not start full (a
    /// drive cycle from 60 %), where a NASA discharge starts at 1 by the label's definition.
    public init(sequence: LabelledDischarge) {
        self.init(sequence)
        if let first = soc.first, first.isFinite { startSOC = first }
    }

    /// Creates a cycle from its columns.
    public init(cell: String, cycle: Int, features: [Double], soc: [Double]) {
        precondition(features.count == soc.count * 5, "five features per grid step")
        self.cell = cell; self.cycle = cycle; self.features = features; self.soc = soc
    }

    /// The benchmark task's grid of a labelled discharge (`CellData`'s resampler: `numpy.interp`
    /// semantics, label interpolated from the native samples), with the difference features.
    public init(_ discharge: LabelledDischarge) {
        self.init(cell: discharge.cell, cycle: discharge.cycle, grid: discharge.resampled(dtS: Self.gridStepS))
        record = DischargeCapacityRecord(discharge)
    }

    /// Sets every cycle's `priorCapacityAh` by `rule` (cycles of a cell in time order, as
    /// `load` returns them). A cycle without a record keeps nil.
    public static func assignLearnedPriors(_ cycles: inout [GridCycle], rule: LearnedPriorCapacity) {
        let indices = cycles.indices.filter { cycles[$0].record != nil }
        let priors = rule.priors(for: indices.map { cycles[$0].record! })
        for (k, prior) in zip(indices, priors) { cycles[k].priorCapacityAh = prior }
    }

    /// A cycle from an already resampled series (its `soc` must be set).
    public init(cell: String, cycle: Int, grid g: ResampledSeries) {
        let n = g.count
        var features = [Double](repeating: 0, count: n * 5)
        for k in 0..<n {
            features[k * 5 + 0] = g.voltageV[k]
            features[k * 5 + 1] = g.currentA[k]
            features[k * 5 + 2] = g.temperatureC[k]
            features[k * 5 + 3] = k == 0 ? 0 : g.currentA[k] - g.currentA[k - 1]
            features[k * 5 + 4] = k == 0 ? 0 : g.voltageV[k] - g.voltageV[k - 1]
        }
        self.init(cell: cell, cycle: cycle, features: features, soc: g.soc ?? [Double](repeating: .nan, count: n))
    }

    /// The usable discharges of `cells` (the benchmark task's filter) on the grid, via `CellData.NASADataset`.
    /// Implausible data is refused unless `policy` accepts it.
    public static func load(root: URL, cells: [String], policy: QualityPolicy = QualityPolicy()) throws(SOCDatasetError) -> [GridCycle] {
        do {
            return try NASADataset(root: root, policy: policy).labelledDischarges(cells: cells).map { GridCycle($0) }
        } catch {
            throw .data(error)
        }
    }
}

/// Errors while building the training data.
public enum SOCDatasetError: Error, Equatable, CustomStringConvertible {
    /// Reading the recordings failed.
    case data(CellDataError)
    /// A split produced no usable discharge.
    case emptySplit(cells: [String])
    /// A generic dataset's split (`train`, `validation`) holds no labelled recording.
    case noLabelledSplit(split: String, source: String)

    /// Human-readable message.
    public var description: String {
        switch self {
        case let .data(error): return error.description
        case let .emptySplit(cells): return "no usable discharge in cells \(cells.joined(separator: " "))"
        case let .noLabelledSplit(split, source):
            return "\(source): no labelled recording in the \(split) split; training needs soc-labelled recordings in train and "
                + "validation (dataset.json 'split', Docs/DataFormats.md §7)"
        }
    }
}
