import CellData
import Foundation

/// One sequence as the discharge-only protocol uses it: a NASA discharge (CellData's labelled
/// usable discharge, the filter and label of the benchmark task, Docs/Benchmark.md, joined with
/// the index's chamber temperature, flags and rest before it), or a whole `soc`-labelled
/// recording of a generic dataset (`GenericDataset.labelled`: its exact SOC as the reference,
/// chamber temperature from the file or its first sample, no known rest before it).
public struct EvaluationDischarge: Sendable, Equatable {
    /// Cell name.
    public var cell: String
    /// NASA operation number.
    public var cycle: Int
    /// Chamber setpoint, °C.
    public var ambientC: Double
    /// NASA's capacity of this discharge (the label's Q_ref), Ah.
    public var capacityAh: Double
    /// True when the index flags a sensing glitch (`v_above_4.3`).
    public var voltageGlitch: Bool
    /// Rest before the discharge (index `rest_before_s`), s.
    public var restBeforeS: Double?
    /// Native samples.
    public var samples: OperationSamples
    /// Reference SOC at each sample (the benchmark task's label: from 1, may end below 0).
    public var soc: [Double]

    /// Creates a discharge.
    public init(cell: String, cycle: Int, ambientC: Double, capacityAh: Double, voltageGlitch: Bool = false,
                restBeforeS: Double?, samples: OperationSamples, soc: [Double]) {
        self.cell = cell
        self.cycle = cycle
        self.ambientC = ambientC
        self.capacityAh = capacityAh
        self.voltageGlitch = voltageGlitch
        self.restBeforeS = restBeforeS
        self.samples = samples
        self.soc = soc
    }

    /// The sequences of `items` (split, cell and recording names) of `dataset`, and the cells in
    /// report order: the NASA folder exactly as `load(root:cells:policy:)`; a generic dataset's
    /// labelled recordings (`CellDataError.noLabelledData` when none of the selection is labelled).
    public static func load(_ dataset: Dataset, selecting items: [String])
        throws(CellDataError) -> (discharges: [EvaluationDischarge], cells: [String], unlabelled: [String]) {
        switch dataset {
        case let .nasa(data):
            let cells = Dataset.nasaCells(items)
            return (try load(root: data.root, cells: cells, policy: data.policy), cells, [])
        case .generic:
            let selection = try dataset.labelled(selecting: items)
            let discharges = selection.discharges.map { d in
                EvaluationDischarge(cell: d.cell, cycle: d.cycle, ambientC: d.ambientTemperatureC ?? d.samples.temperatureC[0],
                                    capacityAh: d.capacityAh, restBeforeS: nil, samples: d.samples, soc: d.soc)
            }
            return (discharges, selection.cells, selection.unlabelled)
        }
    }

    /// Usable discharges of `cells` under the NASA folder `root`, each cell's in cycle order;
    /// implausible data is refused unless `policy` accepts it.
    public static func load(root: URL, cells: [String], policy: QualityPolicy = QualityPolicy())
        throws(CellDataError) -> [EvaluationDischarge] {
        let dataset = try NASADataset(root: root, policy: policy)
        var rows: [String: CycleIndexRow] = [:]
        for row in dataset.index where row.type == "discharge" { rows["\(row.cell)/\(row.cycle)"] = row }
        return try dataset.labelledDischarges(cells: cells).map { d in
            let row = rows["\(d.cell)/\(d.cycle)"]
            return EvaluationDischarge(cell: d.cell, cycle: d.cycle, ambientC: row?.ambientTemperatureC ?? 24,
                                       capacityAh: d.capacityAh, voltageGlitch: row?.flags.contains("v_above_4.3") ?? false,
                                       restBeforeS: row?.restBeforeS, samples: d.samples, soc: d.soc)
        }
    }

    /// This discharge on the uniform grid n·`dtS` of its own time: samples and reference
    /// interpolated linearly (`Resampler`), everything else kept.
    public func resampled(dtS: Double) -> EvaluationDischarge {
        let grid = Resampler.resample(samples, soc: soc, dtS: dtS)
        var copy = self
        copy.samples = OperationSamples(timeS: grid.timeS, voltageV: grid.voltageV, currentA: grid.currentA,
                                        temperatureC: grid.temperatureC)
        copy.soc = grid.soc ?? []
        return copy
    }
}
