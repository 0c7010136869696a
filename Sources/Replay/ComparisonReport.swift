import BMSCore
import CellData
import Foundation

/// One row of a comparison: an estimator on a cell under a scenario.
public struct ComparisonRow: Sendable, Codable, Equatable {
    /// The run's name: the cell name, with the recording's file name when two recordings
    /// declare the same cell (`ReplayResult.runNames`).
    public var cell: String
    /// Scenario name.
    public var scenario: String
    /// The figures.
    public var metrics: SOCMetrics
}

/// Tables of replay results: an aligned text table, Markdown, CSV and JSON; rows ranked by
/// RMSE within each (cell, scenario) group, and a ranking of estimators by mean RMSE over
/// all groups.
public struct ComparisonReport: Sendable, Codable {
    /// Every row, grouped by cell then scenario (in job order), ranked by RMSE in a group.
    public var rows: [ComparisonRow]
    /// Estimators ranked by mean RMSE over all rows: (name, mean RMSE %, mean MAE %).
    public var ranking: [RankedEstimator]
    /// Digest per (cell, scenario) as hex, for reproducibility checks.
    public var digests: [String: String]
    /// Operations without a reference SOC (replayed, not scored), per (cell, scenario) and reason.
    public var excluded: [ExcludedRow]
    /// What the firmware's current auto-zero learned, per run (nil in reports written before
    /// it was recorded).
    public var currentOffsets: [CurrentOffsetRow]?

    /// Excluded operations of one reason on one run.
    public struct ExcludedRow: Sendable, Codable, Equatable {
        /// The run's name (as in `ComparisonRow.cell`).
        public var cell: String
        /// Scenario name.
        public var scenario: String
        /// The reason, its operation count and recorded time.
        public var span: ExcludedSpan
    }

    /// An estimator's overall standing.
    public struct RankedEstimator: Sendable, Codable, Equatable {
        /// Estimator name.
        public var estimator: String
        /// Mean RMSE over every (cell, scenario), %.
        public var meanRMSEPercent: Double
        /// Mean MAE, %.
        public var meanMAEPercent: Double
        /// Worst max |error| seen, %.
        public var worstMaxAbsErrorPercent: Double

        /// Field names that survive the snake_case round trip of `ReportJSON`
        /// (`mean_rmse_percent` ↔ `meanRmsePercent`).
        private enum CodingKeys: String, CodingKey {
            case estimator, worstMaxAbsErrorPercent
            case meanRMSEPercent = "meanRmsePercent", meanMAEPercent = "meanMaePercent"
        }

        /// The camelCase names of the files written before `ReportJSON`.
        private enum LegacyKeys: String, CodingKey { case meanRMSEPercent, meanMAEPercent }

        public init(estimator: String, meanRMSEPercent: Double, meanMAEPercent: Double, worstMaxAbsErrorPercent: Double) {
            self.estimator = estimator
            self.meanRMSEPercent = meanRMSEPercent
            self.meanMAEPercent = meanMAEPercent
            self.worstMaxAbsErrorPercent = worstMaxAbsErrorPercent
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let legacy = try decoder.container(keyedBy: LegacyKeys.self)
            estimator = try c.decode(String.self, forKey: .estimator)
            worstMaxAbsErrorPercent = try c.decode(Double.self, forKey: .worstMaxAbsErrorPercent)
            meanRMSEPercent = try c.decodeIfPresent(Double.self, forKey: .meanRMSEPercent)
                ?? legacy.decode(Double.self, forKey: .meanRMSEPercent)
            meanMAEPercent = try c.decodeIfPresent(Double.self, forKey: .meanMAEPercent)
                ?? legacy.decode(Double.self, forKey: .meanMAEPercent)
        }
    }

    /// Builds the report from results in job order; runs are named by `ReplayResult.runNames`.
    public init(results: [ReplayResult]) {
        var rows: [ComparisonRow] = []
        var digests: [String: String] = [:]
        let names = ReplayResult.runNames(results)
        excluded = zip(names, results).flatMap { name, r in r.excluded.map { ExcludedRow(cell: name, scenario: r.scenario, span: $0) } }
        let offsets = zip(names, results).compactMap { name, r in
            r.currentOffset.map { CurrentOffsetRow(cell: name, scenario: r.scenario, summary: $0) }
        }
        currentOffsets = offsets.isEmpty ? nil : offsets
        for (name, r) in zip(names, results) {
            let ranked = r.metrics.sorted { ($0.rmsePercent, $0.estimator) < ($1.rmsePercent, $1.estimator) }
            rows += ranked.map { ComparisonRow(cell: name, scenario: r.scenario, metrics: $0) }
            digests["\(name)/\(r.scenario)"] = String(r.digest, radix: 16)
        }
        var byEstimator: [String: [SOCMetrics]] = [:]
        var order: [String] = []
        for row in rows {
            if byEstimator[row.metrics.estimator] == nil { order.append(row.metrics.estimator) }
            byEstimator[row.metrics.estimator, default: []].append(row.metrics)
        }
        ranking = order.map { name in
            let m = byEstimator[name]!
            let n = Double(m.count)
            return RankedEstimator(estimator: name, meanRMSEPercent: m.reduce(0) { $0 + $1.rmsePercent } / n,
                                   meanMAEPercent: m.reduce(0) { $0 + $1.maePercent } / n,
                                   worstMaxAbsErrorPercent: m.map(\.maxAbsErrorPercent).max() ?? 0)
        }.sorted { ($0.meanRMSEPercent, $0.estimator) < ($1.meanRMSEPercent, $1.estimator) }
        self.rows = rows
        self.digests = digests
    }

    static let headers = ["cell", "scenario", "estimator", "RMSE %", "MAE %", "max % ", "EoD %", "conv. h",
                          ">2 % share", ">5 % share", "after rest > 5", "ns/update", "state B"]

    static func cells(_ row: ComparisonRow) -> [String] {
        let m = row.metrics
        func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
        if m.scoredTicks == 0 {
            return [row.cell, row.scenario, m.estimator] + Array(repeating: "–", count: 9) + ["\(m.stateBytes)"]
        }
        return [row.cell, row.scenario, m.estimator, f(m.rmsePercent), f(m.maePercent), f(m.maxAbsErrorPercent),
                m.endOfDischargeErrorPercent.map { f($0) } ?? "–", m.convergenceSeconds.map { f($0 / 3600, 1) } ?? "never",
                f(m.outside2PercentShare, 1), f(m.outside5PercentShare, 1),
                "\(m.afterLongRestOver5Ticks)/\(m.afterLongRestTicks)", f(m.nanosecondsPerUpdate, 0), "\(m.stateBytes)"]
    }

    /// An aligned plain-text table for the terminal.
    public func textTable() -> String {
        let body = rows.map(Self.cells)
        var widths = Self.headers.map(\.count)
        for r in body { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in
                i < 3 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                      : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ")
        }
        var out = line(Self.headers) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        out += body.map(line).joined(separator: "\n") + "\n"
        return out + notScored() + outsideEnvelope() + currentOffsetLine()
    }

    /// One line per estimator with a training envelope whose updates left it: the share of its
    /// updates outside over all runs, the bounds crossed and the runs with the largest share
    /// (empty when no estimator has an envelope or none left it).
    public func outsideEnvelope() -> String {
        var lines: [String] = []
        let names = rows.map(\.metrics.estimator).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for name in names {
            let runs = rows.filter { $0.metrics.estimator == name && $0.metrics.outsideEnvelopeShare != nil }
            guard !runs.isEmpty else { continue }
            let reasons = EnvelopeFlags.named.map(\.name).filter { r in runs.contains { $0.metrics.envelopeReasons?.contains(r) ?? false } }
            let mean = runs.reduce(0) { $0 + $1.metrics.outsideEnvelopeShare! } / Double(runs.count)
            guard mean > 0 else {
                lines.append("\(name): every update inside its training envelope")
                continue
            }
            let worst = runs.sorted { $0.metrics.outsideEnvelopeShare! > $1.metrics.outsideEnvelopeShare! }.prefix(3)
                .filter { $0.metrics.outsideEnvelopeShare! > 0 }
                .map { "\($0.cell) \($0.scenario) \(String(format: "%.1f", $0.metrics.outsideEnvelopeShare!)) %" }
            lines.append("\(name): \(String(format: "%.1f", mean)) % of updates outside its training envelope ("
                         + reasons.joined(separator: ", ") + "); most: " + worst.joined(separator: ", "))
        }
        return lines.isEmpty ? "" : "training envelope: " + lines.joined(separator: "; ") + "\n"
    }

    /// One line per exclusion reason summed over the runs: operations and hours not scored,
    /// and a line for the wake-up ticks awaiting confirmation (empty when nothing was excluded).
    public func notScored() -> String {
        var totals: [ReferenceSOC.Exclusion: (ops: Int, seconds: Double)] = [:]
        for row in excluded {
            totals[row.span.reason, default: (0, 0)].ops += row.span.operations
            totals[row.span.reason]!.seconds += row.span.seconds
        }
        // Wake-up ticks awaiting confirmation: the same for every estimator of a run, so
        // counted once per (cell, scenario).
        var seen = Set<String>()
        var awaiting = 0
        for row in rows where seen.insert("\(row.cell)\u{0}\(row.scenario)").inserted {
            awaiting += row.metrics.unconfirmedTicks ?? 0
        }
        var lines = ""
        if !totals.isEmpty {
            lines += "not scored (no reference SOC): " + totals.keys.sorted().map { reason in
                let t = totals[reason]!
                return "\(reason.rawValue) \(t.ops) operations, \(String(format: "%.1f", t.seconds / 3600)) h"
            }.joined(separator: "; ") + "\n"
        }
        if awaiting > 0 {
            lines += "not scored: \(awaiting) wake-up ticks awaiting a confirming reading (the display holds its "
                + "pre-sleep value; Docs/BMSLoop.md § 3)\n"
        }
        return lines
    }

    /// A Markdown table (rows, then the overall ranking); `|` in names is escaped.
    public func markdown() -> String {
        var out = "| " + Self.headers.joined(separator: " | ") + " |\n"
        out += "|" + Self.headers.enumerated().map { $0.offset < 3 ? "---" : "---:" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + Self.cells(row).map(TextEscaping.markdownCell).joined(separator: " | ") + " |\n" }
        out += "\n**Ranking** (mean RMSE over every cell × scenario):\n\n| rank | estimator | mean RMSE % | mean MAE % | worst max % |\n|---:|---|---:|---:|---:|\n"
        for (i, r) in ranking.enumerated() {
            out += String(format: "| %d | %@ | %.2f | %.2f | %.2f |\n", i + 1, TextEscaping.markdownCell(r.estimator), r.meanRMSEPercent,
                          r.meanMAEPercent, r.worstMaxAbsErrorPercent)
        }
        let notScored = notScored()
        if !notScored.isEmpty { out += "\n" + notScored }
        let envelope = outsideEnvelope()
        if !envelope.isEmpty { out += "\n" + envelope }
        let offsets = currentOffsetLine()
        if !offsets.isEmpty { out += "\n" + offsets }
        return out
    }

    /// CSV of the rows (one header line), fields quoted per RFC 4180 where needed.
    public func csv() -> String {
        var out = "cell,scenario,estimator,rmse_percent,mae_percent,max_abs_error_percent,eod_error_percent,convergence_s,outside_2pct_share,outside_5pct_share,ns_per_update,state_bytes,scored_ticks,non_finite_ticks,outside_envelope_share\n"
        for row in rows {
            let m = row.metrics
            let fields: [String] = [row.cell, row.scenario, m.estimator, "\(m.rmsePercent)", "\(m.maePercent)",
                                    "\(m.maxAbsErrorPercent)", m.endOfDischargeErrorPercent.map { "\($0)" } ?? "",
                                    m.convergenceSeconds.map { "\($0)" } ?? "", "\(m.outside2PercentShare)",
                                    "\(m.outside5PercentShare)", "\(m.nanosecondsPerUpdate)", "\(m.stateBytes)",
                                    "\(m.scoredTicks)", "\(m.nonFiniteTicks)",
                                    m.outsideEnvelopeShare.map { "\($0)" } ?? ""]
            out += CSVField.line(fields)
        }
        return out
    }

    /// Pretty JSON of the whole report, in the snake_case style of `ReportJSON`.
    public func json() -> Data {
        (try? ReportJSON.encode(self)) ?? Data()
    }

    /// A report read back from `json()` (or from an older camelCase `comparison.json`).
    public static func read(json data: Data) throws -> ComparisonReport {
        try ReportJSON.decoder().decode(ComparisonReport.self, from: data)
    }
}
