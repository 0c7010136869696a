import CellData
import Foundation

/// One NASA discharge as the discharge-only protocol uses it: CellData's labelled usable
/// discharge (the filter and label of the benchmark task, Docs/Benchmark.md) joined with the index's chamber temperature,
/// flags and rest before it.
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
}
