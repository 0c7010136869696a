import FloatModel

/// Why a `CorrectionScaleSearch` cannot score.
public enum CorrectionScaleSearchError: Error, Equatable, CustomStringConvertible {
    /// Group `index` (from 0) has no step to score (no cycle longer than 50 steps).
    case noScoredSteps(group: Int)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case let .noScoredSteps(group): "cell group \(group + 1) has no step to score (no discharge longer than 50 steps)"
        }
    }
}

/// The streaming RMSE of `SOC = prior + λ · correction` over a grid of λ, for groups of cycles:
/// each group is streamed once with the model (λ = 1) and once with its prior alone (λ = 0,
/// `FloatModelFile.scalingCorrection(by: 0)`); the SOC of every λ between is exactly
/// `p₀ + λ (p₁ − p₀)`, so no λ needs its own run. Scored as `Evaluation.streaming` scores
/// (targets n ≥ 50). The score of a λ is the mean of its group RMSEs; `best` is the first λ
/// with the lowest score.
public struct CorrectionScaleSearch: Sendable {
    /// One λ of the grid.
    public struct Row: Sendable, Equatable {
        /// λ.
        public var lambda: Double
        /// Streaming RMSE per group, SOC %.
        public var rmsePercent: [Double]
        /// Mean of `rmsePercent`.
        public var score: Double
    }

    /// The grid, λ ascending from 0 to 1.
    public let rows: [Row]

    /// The row with the lowest score (the first of equals).
    public var best: Row { rows.reduce(rows[0]) { $1.score < $0.score ? $1 : $0 } }

    /// The grid 0, step, 2·step, …, and 1 (`step` in (0, 1]).
    public static func grid(step: Double) -> [Double] {
        precondition(step > 0 && step <= 1, "step in (0, 1]")
        let n = Int((1 / step + 1e-9).rounded(.down))
        var values = (0...n).map { min(1, Double($0) * step) }
        if values.last! < 1 - 1e-12 { values.append(1) }
        return values
    }

    /// Streams every group with `model` and with `prior` and scores the grid of `step`.
    /// Throws for a group without a scored step.
    public init(model: Network, prior: Network, scalers: Scalers, groups: [[ScaledCycle]],
                step: Double) throws(CorrectionScaleSearchError) {
        // Checked before streaming: `Evaluation.streaming` needs a step to score.
        if let empty = groups.firstIndex(where: { !$0.contains { $0.count > TaskSplit.lookback } }) {
            throw .noScoredSteps(group: empty)
        }
        let runs = groups.map { cycles in
            (Evaluation.streaming(model, cycles: cycles, scalers: scalers),
             Evaluation.streaming(prior, cycles: cycles, scalers: scalers))
        }
        rows = Self.grid(step: step).map { lambda in
            let rmse = runs.map { full, base in
                var sum = 0.0
                for k in full.predictedSOC.indices {
                    let soc = base.predictedSOC[k] + lambda * (full.predictedSOC[k] - base.predictedSOC[k])
                    let d = 100 * (soc - full.referenceSOC[k])
                    sum += d * d
                }
                return (sum / Double(full.predictedSOC.count)).squareRoot()
            }
            return Row(lambda: lambda, rmsePercent: rmse, score: rmse.reduce(0, +) / Double(rmse.count))
        }
    }

    /// A markdown table of the grid, the best row marked.
    public func table(groupNames: [String]) -> String {
        let best = self.best.lambda
        var lines = ["| λ | " + groupNames.map { "\($0) RMSE %" }.joined(separator: " | ") + " | score |",
                     "|---:|" + String(repeating: "---:|", count: groupNames.count + 1)]
        for row in rows {
            let mark = row.lambda == best ? " ←" : ""
            lines.append(String(format: "| %.3f | ", row.lambda) + row.rmsePercent.map { String(format: "%.3f", $0) }.joined(separator: " | ")
                         + String(format: " | %.3f%@ |", row.score, mark))
        }
        return lines.joined(separator: "\n")
    }
}
