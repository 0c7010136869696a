import CellData
import Foundation
@testable import Replay
import Testing

/// `NoiseDrawSummary`: the per-draw means, their mean and range, against figures worked by hand.
@Suite("Noise-draw summary")
struct NoiseDrawSummaryTests {
    /// A report of the given rows: (cell, scenario, estimator, RMSE %, scored ticks).
    func report(_ rows: [(String, String, String, Double, Int)]) -> ComparisonReport {
        var report = ComparisonReport(results: [])
        report.rows = rows.map { cell, scenario, estimator, rmse, ticks in
            var m = SOCMetricsAccumulator().result(estimator: estimator, nanosecondsPerUpdate: 0, stateBytes: 0)
            m.rmsePercent = rmse
            m.scoredTicks = ticks
            return ComparisonRow(cell: cell, scenario: scenario, metrics: m)
        }
        return report
    }

    /// Two cells, a noise-free and a faulted scenario, two estimators, in one draw.
    func draw(_ faultedA: Double, _ faultedB: Double) -> ComparisonReport {
        report([("c1", "nominal", "a", 1, 10), ("c1", "nominal", "b", 2, 10),
                ("c1", "faults", "a", faultedA, 10), ("c1", "faults", "b", 3, 10),
                ("c2", "nominal", "a", 3, 10), ("c2", "nominal", "b", 2, 10),
                ("c2", "faults", "a", faultedB, 10), ("c2", "faults", "b", 5, 10)])
    }

    @Test("means per draw, over the draws, the lowest and highest draw; every scenario; ranked by mean")
    func figures() throws {
        let s = try NoiseDrawSummary(draws: [0, 1, 2], reports: [draw(2, 4), draw(6, 8), draw(1, 1)])
        func row(_ scenario: String, _ estimator: String) throws -> NoiseDrawSummary.Row {
            try #require(s.rows.first { $0.scenario == scenario && $0.estimator == estimator })
        }
        let nominalA = try row("nominal", "a")
        #expect(nominalA.perDraw == [2, 2, 2] && nominalA.spread == 0 && nominalA.runs == 2)
        let faultedA = try row("faults", "a")
        #expect(faultedA.perDraw == [3, 7, 1] && faultedA.mean == 11.0 / 3 && faultedA.lowest == 1 && faultedA.highest == 7)
        let faultedB = try row("faults", "b")
        #expect(faultedB.perDraw == [4, 4, 4] && faultedB.spread == 0)
        // Every scenario: the mean over the four runs of each draw.
        let everyA = try row(NoiseDrawSummary.everyScenario, "a")
        #expect(everyA.runs == 4 && everyA.perDraw == [2.5, 4.5, 1.5] && everyA.mean == 17.0 / 6)
        #expect(s.largestSpread == 6)
        // Paired draws: under faults a is best in draws 0 and 2 (3 < 4, 1 < 4), b in draw 1 (4 < 7);
        // nominal is a tie (2 = 2) in every draw, which counts for both.
        #expect(faultedA.bestInDraws == 2 && faultedB.bestInDraws == 1)
        let nominalB = try row("nominal", "b")
        #expect(nominalA.bestInDraws == 3 && nominalB.bestInDraws == 3)
        // Scenarios in report order, every scenario last; estimators by mean inside each.
        #expect(s.rows.map(\.scenario) == ["nominal", "nominal", "faults", "faults", "every scenario", "every scenario"])
        #expect(s.rows.filter { $0.scenario == "faults" }.map(\.estimator) == ["a", "b"])
        #expect(s.rows.filter { $0.scenario == "nominal" }.map(\.estimator) == ["a", "b"])
        // The outputs carry the same figures.
        let csv = s.csv().split(separator: "\n").map(String.init)
        #expect(csv[0] == "scenario,estimator,runs,mean_rmse_percent,lowest_rmse_percent,highest_rmse_percent,best_in_draws,rmse_percent_draw_0,rmse_percent_draw_1,rmse_percent_draw_2")
        #expect(csv.count == 1 + s.rows.count && csv.contains("faults,a,2,\(11.0 / 3),1.0,7.0,2,3.0,7.0,1.0"))
        #expect(s.markdown().contains("3 noise draws (0…2)") && s.markdown().contains("largest spread is 6.00"))
        #expect(s.markdown().contains("| faults | a | 2 | 3.67 | 1.00 | 7.00 | 6.00 | 2 of 3 |"))
        let back = try ReportJSON.decoder().decode(NoiseDrawSummary.self, from: s.json())
        #expect(back == s)
    }

    @Test("runs without a scored tick are left out; draws that score other runs, or a count mismatch, are refused")
    func refused() throws {
        var unscored = draw(2, 4)
        unscored.rows[2].metrics.scoredTicks = 0
        #expect(throws: NoiseDrawSummary.SummaryError.differentRuns(draw: 1, scenario: "faults", estimator: "a", runs: 1, expected: 2)) {
            _ = try NoiseDrawSummary(draws: [0, 1], reports: [draw(2, 4), unscored])
        }
        let both = try NoiseDrawSummary(draws: [0, 1], reports: [unscored, unscored])
        #expect(both.rows.first { $0.scenario == "faults" && $0.estimator == "a" }?.perDraw == [4, 4])
        #expect(throws: NoiseDrawSummary.SummaryError.countMismatch(draws: 2, reports: 1)) {
            _ = try NoiseDrawSummary(draws: [0, 1], reports: [draw(2, 4)])
        }
        #expect(throws: NoiseDrawSummary.SummaryError.countMismatch(draws: 0, reports: 0)) {
            _ = try NoiseDrawSummary(draws: [], reports: [])
        }
        let error = NoiseDrawSummary.SummaryError.differentRuns(draw: 3, scenario: "s", estimator: "e", runs: 1, expected: 2)
        #expect(error.description.contains("draw 3") && error.description.contains("same runs"))
        // A scenario with no scored run at all has no row.
        let none = report([("c1", "nominal", "a", 1, 0)])
        #expect(try NoiseDrawSummary(draws: [0], reports: [none]).rows.isEmpty)
    }
}
