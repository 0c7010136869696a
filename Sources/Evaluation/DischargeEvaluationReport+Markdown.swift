import BMSCore
import Foundation

extension DischargeEvaluationReport {
    /// The methods' table (one row per method, then its capacity-error row), Markdown.
    public func markdownTable() -> String {
        var lines = ["| method | RMSE % | MAE % | max % | RMSE % benchmark scoring | RMSE % chamber ≥ 15 °C | RMSE % chamber < 15 °C "
            + "| in ±2 % at 10 min | in ±2 % for all t ≥ 10 min | converged (median s; never) | correct start: in ±2 % at 10 min "
            + "| initial error forgotten at 10 min | time to forget median / max s (never) "
            + "| gap to correct start at 10 min, median / max points | ns/update | "
            + cells.map { "\($0) RMSE %" }.joined(separator: " | ") + " |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" + cells.map { _ in "---|" }.joined()]
        for m in methods {
            let c = m.convergence
            let n = m.dischargeCount
            var row = "| \(m.method) | \(f2(m.all.rmse)) | \(f2(m.all.mae)) | \(f2(m.all.maxAbs)) | \(f2(m.taskScoring.rmse)) | "
            // A chamber group without discharges (a generic dataset at one temperature) shows "–", not nan.
            row += "\(bucket(m.warm)) | \(bucket(m.cold)) | \(m.withinAtTenMinutes)/\(n) | \(m.withinAfterTenMinutes)/\(n) | "
            row += "\(seconds(c?.medianConvergenceS)) (\(c?.neverConverged ?? 0)) | "
            row += "\(c?.correctStartWithinAtCheck ?? 0)/\(n) | \(c?.forgottenAtCheck ?? 0)/\(n) | "
            row += "\(seconds(c?.medianForgetS)) / \(seconds(c?.maxForgetS)) (\(c?.neverForgotten ?? 0)) | "
            row += "\(f2((c?.medianGapAtCheck ?? .nan) * 100)) / \(f2((c?.maxGapAtCheck ?? .nan) * 100)) | "
            row += "\(Int(m.nanosecondsPerUpdate.rounded())) | "
            row += cells.map { cell in f2(m.perCell.first { $0.cell == cell }?.statistics.rmse ?? .nan) }.joined(separator: " | ") + " |"
            lines.append(row)
            let capacity = m.capacityErrorByCell
            if !capacity.isEmpty {
                lines.append("|   capacity in use vs the discharge's own capacity_ah (NASA's Capacity, or the recording's column) (RMS % / mean %) | "
                             + capacity.map { "\($0.cell): \(f2($0.rms)) / \(f2($0.mean))" }.joined(separator: ", ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The discharges of `method` not within ±2 % at 600 s, with their error from each start,
    /// and the misses counted by chamber temperature.
    public func failureReport(_ method: MethodReport) -> String {
        let items = method.discharges
        let misses = items.filter { !$0.withinAtCheck() }
        func pct(_ x: Double?) -> String { x.map { String(format: "%+.2f", $0 * 100) } ?? "n/a" }
        var lines = ["", "\(method.method): \(misses.count) of \(items.count) discharges not within ±2 % at 600 s"]
        var byAmbient: [Int: (misses: Int, all: Int, biased: Int)] = [:]
        for c in items {
            let key = Int(c.ambientC.rounded())
            var entry = byAmbient[key] ?? (0, 0, 0)
            entry.all += 1
            if !c.withinAtCheck() {
                entry.misses += 1
                if c.forgottenAtCheck() { entry.biased += 1 }
            }
            byAmbient[key] = entry
        }
        lines.append("  by chamber °C (misses / discharges, of which initial error forgotten = model/label bias): "
                     + byAmbient.keys.sorted().map { k in
                         let e = byAmbient[k]!
                         return "\(k) °C: \(e.misses)/\(e.all) (\(e.biased))"
                     }.joined(separator: ", "))
        if !misses.isEmpty {
            lines.append("  | cell | cycle | ambient °C | error % at 600 s | error % at 600 s, correct start | gap % at 600 s | forget time s "
                         + "| rest before, s | error % after the wake-up sample, correct start | capacity in use vs capacity_Ah, % |")
            lines.append("  |---|---|---|---|---|---|---|---|---|---|")
        }
        for c in misses {
            lines.append("  | \(c.cell) | \(c.cycle) | \(Int(c.ambientC.rounded())) | \(pct(c.errorAtCheck)) | "
                         + "\(pct(c.correctStartErrorAtCheck)) | \(pct(c.gapAtCheck)) | \(seconds(c.forgetTimeS)) | "
                         + "\(c.restBeforeS.map { String(format: "%.0f", $0) } ?? "n/a") | \(pct(c.wakeUpError)) | \(pct(c.capacityError)) |")
        }
        return lines.joined(separator: "\n")
    }

    func f2(_ x: Double) -> String { String(format: "%.2f", x) }
    func bucket(_ s: ErrorStatistics) -> String { s.count == 0 ? "–" : f2(s.rmse) }
    func seconds(_ x: Double?) -> String { x.map { String(format: "%.0f", $0) } ?? "never" }
}
