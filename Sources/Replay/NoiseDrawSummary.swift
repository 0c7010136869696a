import CellData
import Foundation

/// Several noise draws of one comparison (`compare --noise-draws N`): for each scenario and
/// estimator, the mean RMSE over the cells in each draw, and the mean, lowest and highest of
/// those means over the draws; an `every scenario` row per estimator gives the same for the
/// ranking's mean over every cell × scenario, and each row counts the draws in which its
/// estimator was the best of its scenario. A faulted figure from one draw is one sample of the
/// faults' noise: the range says how far a draw moves it, and since every estimator sees the
/// same noise in a draw, the count says whether a ranking holds draw by draw.
public struct NoiseDrawSummary: Sendable, Codable, Equatable {
    /// The draws, in the order of each row's `perDraw`.
    public var draws: [Int]
    /// One row per scenario (in report order) and estimator (by mean), then the `every
    /// scenario` rows.
    public var rows: [Row]

    /// The scenario name of the rows over every cell × scenario.
    public static let everyScenario = "every scenario"

    /// One estimator under one scenario over the draws.
    public struct Row: Sendable, Codable, Equatable {
        /// Scenario name, or `NoiseDrawSummary.everyScenario`.
        public var scenario: String
        /// Estimator name.
        public var estimator: String
        /// Runs (cells × scenarios) scored in each draw.
        public var runs: Int
        /// Mean RMSE over the runs, %, per draw (in the order of `draws`).
        public var perDraw: [Double]
        /// Mean of `perDraw`.
        public var mean: Double
        /// Lowest of `perDraw`.
        public var lowest: Double
        /// Highest of `perDraw`.
        public var highest: Double
        /// Draws in which this estimator had the lowest mean of its scenario's rows (ties count
        /// for each estimator tied): the draws are paired, so this says more about a ranking
        /// than two overlapping ranges do.
        public var bestInDraws: Int

        /// Highest − lowest: how far one draw can move this figure.
        public var spread: Double { highest - lowest }
    }

    /// A summary refused: the draws and reports do not fit together.
    public enum SummaryError: Error, Equatable, CustomStringConvertible {
        /// No draws, or not one report per draw.
        case countMismatch(draws: Int, reports: Int)
        /// A draw holds another set of scored runs than the first (a run failed in one draw).
        case differentRuns(draw: Int, scenario: String, estimator: String, runs: Int, expected: Int)

        public var description: String {
            switch self {
            case let .countMismatch(draws, reports):
                return "noise-draw summary: \(draws) draws but \(reports) reports (one report per draw, at least one)"
            case let .differentRuns(draw, scenario, estimator, runs, expected):
                return "noise-draw summary: draw \(draw) scored \(runs) runs of \(estimator) under \(scenario), "
                    + "the first draw \(expected); every draw must score the same runs"
            }
        }
    }

    /// Builds the summary from one report per draw (same cells, scenarios and estimators).
    /// Runs with no scored tick are left out, as in no figure.
    public init(draws: [Int], reports: [ComparisonReport]) throws(SummaryError) {
        guard !draws.isEmpty, draws.count == reports.count else {
            throw .countMismatch(draws: draws.count, reports: reports.count)
        }
        self.draws = draws
        var scenarios: [String] = []
        var estimators: [String] = []
        for row in reports[0].rows {
            if !scenarios.contains(row.scenario) { scenarios.append(row.scenario) }
            if !estimators.contains(row.metrics.estimator) { estimators.append(row.metrics.estimator) }
        }
        var rows: [Row] = []
        for scenario in scenarios + [Self.everyScenario] {
            var block: [Row] = []
            for estimator in estimators {
                var perDraw: [Double] = []
                var expected = -1
                for (draw, report) in zip(draws, reports) {
                    let scored = report.rows.filter {
                        $0.metrics.estimator == estimator && $0.metrics.scoredTicks > 0
                            && (scenario == Self.everyScenario || $0.scenario == scenario)
                    }
                    if expected < 0 { expected = scored.count }
                    guard scored.count == expected else {
                        throw .differentRuns(draw: draw, scenario: scenario, estimator: estimator, runs: scored.count, expected: expected)
                    }
                    perDraw.append(scored.reduce(0) { $0 + $1.metrics.rmsePercent } / Double(max(1, scored.count)))
                }
                guard expected > 0 else { continue }
                block.append(Row(scenario: scenario, estimator: estimator, runs: expected, perDraw: perDraw,
                                 mean: perDraw.reduce(0, +) / Double(perDraw.count),
                                 lowest: perDraw.min()!, highest: perDraw.max()!, bestInDraws: 0))
            }
            for d in draws.indices {
                guard let best = block.map({ $0.perDraw[d] }).min() else { continue }
                for k in block.indices where block[k].perDraw[d] == best { block[k].bestInDraws += 1 }
            }
            rows += block.sorted { ($0.mean, $0.estimator) < ($1.mean, $1.estimator) }
        }
        self.rows = rows
    }

    /// The largest spread of any row: the most one draw moved any figure.
    public var largestSpread: Double { rows.map(\.spread).max() ?? 0 }

    private var drawsText: String {
        draws.count > 1 && draws == Array(draws[0]...draws[draws.count - 1])
            ? "\(draws[0])…\(draws[draws.count - 1])" : draws.map(String.init).joined(separator: ", ")
    }

    func cells(_ r: Row) -> [String] {
        [r.scenario, r.estimator, "\(r.runs)", String(format: "%.2f", r.mean), String(format: "%.2f", r.lowest),
         String(format: "%.2f", r.highest), String(format: "%.2f", r.spread), "\(r.bestInDraws) of \(draws.count)"]
    }

    static let headers = ["scenario", "estimator", "runs", "mean RMSE %", "lowest", "highest", "spread", "best in"]

    /// What the table is, and how far one draw moves a figure.
    var caption: String {
        "Over \(draws.count) noise draws (\(drawsText)): each estimator's mean RMSE over the runs of a scenario, "
            + "averaged over the draws, with the lowest and highest draw, and in how many draws it was the best of its scenario. "
            + "A noise-free scenario has no spread. "
            + String(format: "The largest spread is %.2f points. Two estimators whose ranges overlap are not ranked by their means; ", largestSpread)
            + "the draws are paired (every estimator sees the same noise in a draw), so one that is best in every draw is."
    }

    /// A Markdown table, with its caption first; `|` in names is escaped.
    public func markdown() -> String {
        var out = caption + "\n\n| " + Self.headers.joined(separator: " | ") + " |\n"
        out += "|" + Self.headers.enumerated().map { $0.offset < 2 ? "---" : "---:" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + cells(row).map(TextEscaping.markdownCell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// CSV: one line per row, with a `rmse_percent_draw_K` column per draw.
    public func csv() -> String {
        var out = CSVField.line(["scenario", "estimator", "runs", "mean_rmse_percent", "lowest_rmse_percent",
                                 "highest_rmse_percent", "best_in_draws"] + draws.map { "rmse_percent_draw_\($0)" })
        for r in rows {
            out += CSVField.line([r.scenario, r.estimator, "\(r.runs)", "\(r.mean)", "\(r.lowest)", "\(r.highest)", "\(r.bestInDraws)"]
                                 + r.perDraw.map { "\($0)" })
        }
        return out
    }

    /// Pretty JSON, in the snake_case style of `ReportJSON`.
    public func json() -> Data {
        (try? ReportJSON.encode(self)) ?? Data()
    }
}

extension NoiseDrawSummary {
    /// The runs of one comparison over `draws`, `drawOfRun[k]` the draw of `results[k]`: the
    /// indices of the first draw's runs (in order; they make the report and its figures) and,
    /// with more than one draw, the summary over every draw, or why there is none (a run that
    /// failed in one draw).
    public static func split(_ results: [ReplayResult], drawOfRun: [Int], draws: [Int])
        -> (firstDraw: [Int], summary: Result<NoiseDrawSummary, SummaryError>?) {
        let firstDraw = results.indices.filter { drawOfRun[$0] == draws.first }
        guard draws.count > 1 else { return (firstDraw, nil) }
        let reports = draws.map { draw in
            ComparisonReport(results: results.indices.filter { drawOfRun[$0] == draw }.map { results[$0] })
        }
        do throws(SummaryError) {
            return (firstDraw, .success(try NoiseDrawSummary(draws: draws, reports: reports)))
        } catch {
            return (firstDraw, .failure(error))
        }
    }
}
