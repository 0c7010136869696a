import CellData
import Foundation

/// The NASA discharges as the classical tools use them: CellData's labelled usable
/// discharges (TASK.md filter, reference SOC) joined with the index's chamber temperature
/// and flags.
struct ClassicalCycle {
    /// Cell name.
    var cell: String
    /// NASA operation number.
    var cycle: Int
    /// Chamber setpoint, °C.
    var ambientC: Double
    /// NASA's capacity of this discharge (the label's Q_ref), Ah.
    var capacityAh: Double
    /// True when the index flags a sensing glitch (`v_above_4.3`).
    var voltageGlitch: Bool
    /// Rest before the discharge (index `rest_before_s`), s.
    var restBeforeS: Double?
    /// Native samples.
    var samples: OperationSamples
    /// Reference SOC at each sample.
    var soc: [Double]

    /// Usable discharges of `cells`, each cell's in cycle order.
    static func load(root: URL, cells: [String]) throws -> [ClassicalCycle] {
        let dataset = try NASADataset(root: root)
        var rows: [String: CycleIndexRow] = [:]
        for row in dataset.index where row.type == "discharge" { rows["\(row.cell)/\(row.cycle)"] = row }
        return try dataset.labelledDischarges(cells: cells).map { d in
            let row = rows["\(d.cell)/\(d.cycle)"]
            return ClassicalCycle(cell: d.cell, cycle: d.cycle, ambientC: row?.ambientTemperatureC ?? 24,
                                  capacityAh: d.capacityAh, voltageGlitch: row?.flags.contains("v_above_4.3") ?? false, restBeforeS: row?.restBeforeS,
                                  samples: d.samples, soc: d.soc)
        }
    }
}
