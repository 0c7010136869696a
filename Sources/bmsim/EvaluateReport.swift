import BMSCore
import Foundation

/// What `bmsim evaluate` reports: the model, the cells, and MAE / RMSE / max error (SOC %) /
/// R² window by window and streaming, overall and per cell.
struct EvaluateReport: TabularReport {
    /// Error figures of one scoring, SOC %.
    struct Figures: Encodable {
        /// "window" or "streaming"; the cell for a per-cell row.
        var scope: String
        var cell: String?
        var count: Int
        var maePercent: Double
        var rmsePercent: Double
        var maxAbsErrorPercent: Double
        var r2: Double?

        init(scope: String, cell: String? = nil, _ m: ErrorStatistics, r2: Bool) {
            self.scope = scope
            self.cell = cell
            count = m.count
            maePercent = m.mae
            rmsePercent = m.rmse
            maxAbsErrorPercent = m.maxAbs
            self.r2 = r2 ? m.r2 : nil
        }
    }

    var model: String
    var architecture: String
    var mode: String
    var keptEpoch: Int
    /// The NASA cells the model was trained on when they were not the benchmark split's.
    var trainCells: [String]? = nil
    /// λ of `bmsim shrink` when the model's correction was scaled after training.
    var correctionScale: Double? = nil
    var cells: [String]
    var discharges: Int
    /// Window stride (window scoring).
    var stride: Int
    /// Whole-data figures (window and/or streaming), then per-cell figures when asked.
    var figures: [Figures] = []
    /// The predictions CSV written, if any.
    var predictions: String?

    var table: String {
        let trainedOn = trainCells.map { ", trained on cells \($0.joined(separator: " ")) (--train-cells)" } ?? ""
        let shrunk = correctionScale.map { String(format: ", correction scaled by λ %.4g (bmsim shrink)", $0) } ?? ""
        var lines = ["model \(model): \(architecture), trained in \(mode) mode, kept epoch \(keptEpoch)\(trainedOn)\(shrunk)",
                     "cells \(cells.joined(separator: " ")): \(discharges) discharges"]
        for f in figures {
            if let cell = f.cell {
                lines.append(String(format: "    %@  n %6d  MAE %6.2f %%  RMSE %6.2f %%  max %6.2f %%", cell, f.count,
                                    f.maePercent, f.rmsePercent, f.maxAbsErrorPercent))
            } else {
                let label = f.scope == "window" ? "window    (stride \(stride))"
                    : f.scope == "partial-start" ? "streaming (after the cut)" : "streaming (n ≥ 50)      "
                lines.append(String(format: "%@  n %d  MAE %.2f %%  RMSE %.2f %%  max %.2f %%  R² %.4f", label, f.count,
                                    f.maePercent, f.rmsePercent, f.maxAbsErrorPercent, f.r2 ?? .nan))
            }
        }
        if let predictions { lines.append("wrote \(predictions)") }
        return lines.joined(separator: "\n")
    }

    var csvHeader: [String] { ["scope", "cell", "count", "mae_percent", "rmse_percent", "max_abs_error_percent", "r2"] }

    var csvRows: [[String]] {
        figures.map { [$0.scope, $0.cell ?? "", "\($0.count)", "\($0.maePercent)", "\($0.rmsePercent)",
                       "\($0.maxAbsErrorPercent)", csvNumber($0.r2)] }
    }
}
