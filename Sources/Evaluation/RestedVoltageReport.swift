import BMSCore
import Foundation

/// The rested first-sample voltage of each discharge, grouped by cell, chamber temperature and
/// how long the cell rested before (NASA index `rest_before_s`), for `classical-eval
/// --list-failures`: shows how the wake-up OCV reading at full charge depends on the rest
/// (relaxation) and on the cell, which the OCV table cannot hold.
public enum RestedVoltageReport {
    /// Rest classes, s: short (< 5 min), usual (5 min – 6 h), storage (≥ 6 h).
    static let classEdgesS: [Double] = [300, 21_600]
    static let classNames = ["< 5 min", "5 min – 6 h", "≥ 6 h"]

    /// Markdown table: one row per cell and chamber temperature, median first-sample voltage
    /// (and count) per rest class; discharges without a rest time in the index are left out.
    public static func report(_ cycles: [EvaluationDischarge], restCurrentA: Double) -> String {
        var groups: [String: [[Double]]] = [:]
        var order: [String] = []
        for c in cycles where abs(c.samples.currentA[0]) <= restCurrentA {
            guard let rest = c.restBeforeS else { continue }
            let key = "\(c.cell) | \(Int(c.ambientC.rounded()))"
            if groups[key] == nil {
                groups[key] = Array(repeating: [], count: classNames.count)
                order.append(key)
            }
            let k = classEdgesS.firstIndex { rest < $0 } ?? classEdgesS.count
            groups[key]![k].append(c.samples.voltageV[0])
        }
        var lines = ["", "rested first-sample voltage (median V, n) by rest before the discharge (index rest_before_s):",
                     "  | cell | ambient °C | " + classNames.joined(separator: " | ") + " |",
                     "  |---|---|" + classNames.map { _ in "---|" }.joined()]
        for key in order {
            let cells = groups[key]!.map { v -> String in
                guard !v.isEmpty else { return "" }
                return String(format: "%.3f (%d)", OrderStatistics.median(v), v.count)
            }
            lines.append("  | \(key) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
