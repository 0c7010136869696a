import BMSCore

/// The design capacity of a cell type from capacity tests of several cells: what a new cell
/// delivers, where the estimators start before they have learned a cell's own capacity.
///
/// A recorded life mixes new and aged discharges, so their median (the model's
/// `capacityAh`) is an aged cell's capacity: a new cell counted against it runs ahead by the
/// fade (NASA 24 °C: median 1.59 Ah, new cells 1.80–2.03 Ah). Each cell's upper
/// `cellQuantile` capacity stands for it new (a quantile rather than its maximum, so one
/// outlying test does not set it); the median over the cells is the type's design capacity,
/// robust to a cell that was recorded only aged.
public enum DesignCapacity {
    /// The quantile of each cell's capacities that stands for it new.
    public static let cellQuantile = 0.9

    /// The design capacity from each cell's capacity measurements (Ah; cells without
    /// measurements are ignored). NaN when no cell has any.
    public static func estimate(_ capacitiesPerCell: [[Double]]) -> Double {
        let perCell = capacitiesPerCell.filter { !$0.isEmpty }.map { OrderStatistics.quantile($0, cellQuantile) }
        return OrderStatistics.median(perCell)
    }
}
