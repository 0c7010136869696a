import ArgumentParser
import BMSCore
import CellModel
import Estimators
import Foundation

/// `bmsim classical-eval`: runs the classical estimators over the test cells' discharges
/// (each cell's life in order, one estimator per method and cell, so capacity learning
/// carries from cycle to cycle) and reports RMSE / MAE / max error against the reference SOC.
struct ClassicalEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classical-eval",
        abstract: "Score the classical SOC estimators on recorded NASA discharges.")

    @Argument(help: "Folder of the NASA PCoE data.")
    var path: String

    @Option(help: "Cell model file (cell.json).")
    var model: String

    @Option(help: "Comma-separated cells (default: the test split).")
    var cells: String = FitCommand.testCells.joined(separator: ",")

    @Option(help: "Comma-separated methods (default: all).")
    var methods: String = EstimatorKind.classical.map(\.rawValue).joined(separator: ",")

    @Option(help: "Initial SOC: 'rested' (OCV of the rested first sample) or an offset such as -0.2 from the true SOC.")
    var initial: String = "rested"

    @Option(help: "Voltage noise σ for the filters, V (default: from the model's fit residual).")
    var voltageNoise: Double?

    @Option(help: "SOC process noise, fraction²/s.")
    var socNoise: Double?

    @Flag(help: "Count against the model's fixed capacity (no learning).")
    var fixedCapacity = false

    @Option(help: "EKF initial SOC σ, fraction (default: EstimatorConfig.ekfInitialSOCSigma, else initialSOCSigma).")
    var ekfInitialSigma: Double?

    @Option(help: "EKF update iterations on the rested wake-up sample (default: EstimatorConfig.restUpdateIterations).")
    var restIterations: Int?

    @Flag(help: "Experiment: withhold each discharge's leading rested samples (|I| ≤ the rest current), so the estimators wake up under load.")
    var wakeUnderLoad = false

    @Flag(help: "Do not give the estimators the rest before each discharge (the first sample's Δt is then 0, history unknown, and the wake-up reading is not corrected for the rest).")
    var noSleepTime = false

    @Flag(help: "Experiment (oracle, not a BMS figure): count each discharge against that cycle's own NASA capacity_Ah, to separate capacity-prediction error from the rest.")
    var oracleCapacity = false

    @Flag(help: "Use each band's learned capacity as measured, not carried to the discharge's start temperature by the model's capacity-vs-temperature table.")
    var noCapacityTemperature = false

    @Flag(help: "After each method's row, list the discharges not within ±2 % at 600 s (cell, cycle, ambient, error from each start).")
    var listFailures = false

    @Option(help: "Write the results as JSON here.")
    var out: String?

    func validate() throws {
        if let sigma = ekfInitialSigma, !(sigma.isFinite && sigma > 0) {
            throw ValidationError("--ekf-initial-sigma must be a positive number, got \(sigma)")
        }
        if let iterations = restIterations, !(1...100).contains(iterations) {
            throw ValidationError("--rest-iterations must be 1…100, got \(iterations)")
        }
        if oracleCapacity && fixedCapacity {
            throw ValidationError("--oracle-capacity and --fixed-capacity each set the capacity; give one")
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: path)
        let cellModel = try CellModelFile.load(from: URL(fileURLWithPath: model))
        var config = EstimatorConfig()
        config.voltageNoiseV = voltageNoise
        if let q = socNoise { config.socProcessNoisePerS = q }
        config.useLearnedCapacity = !fixedCapacity
        config.learnedCapacityFollowsTemperature = !noCapacityTemperature
        if let sigma = ekfInitialSigma { config.ekfInitialSOCSigma = sigma }
        if let iterations = restIterations { config.restUpdateIterations = iterations }
        let kinds = try methods.split(separator: ",").map { name -> EstimatorKind in
            guard let k = EstimatorKind(rawValue: String(name)) else { throw ValidationError("unknown method \(name)") }
            return k
        }
        let offset: Double? = initial == "rested" ? nil : Double(initial)
        guard initial == "rested" || offset != nil else { throw ValidationError("--initial: 'rested' or a number") }
        let cellList = cells.split(separator: ",").map(String.init)
        let allCycles = try ClassicalCycle.load(root: root, cells: cellList)
        let sleep: (ClassicalCycle) -> Double = { op in
            Self.wakeUpSleepSeconds(op, restMinimumSeconds: config.restMinimumSeconds, given: !noSleepTime)
        }
        let wakeUpReadings = Self.wakeUpReadingErrors(allCycles, model: cellModel, restCurrentA: config.restCurrentA,
                                                      sleepSeconds: sleep)
        print(wakeUpReadings.line)

        var results: [[String: Any]] = []
        var failureReports: [String] = []
        print("| method | RMSE % | MAE % | max % | RMSE % 22–44 °C cycles | RMSE % 4 °C cycles | in ±2 % at 10 min | in ±2 % for all t ≥ 10 min "
              + "| correct start: in ±2 % at 10 min | initial error forgotten at 10 min | time to forget median / max s (never) | gap to correct start at 10 min, median / max points | ns/update | "
              + cellList.map { "\($0) RMSE %" }.joined(separator: " | ") + " |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|" + cellList.map { _ in "---|" }.joined())
        for kind in kinds {
            var total = ErrorStats()
            var warm = ErrorStats(), cold = ErrorStats()
            var perCell: [String: ErrorStats] = [:]
            var capacityErrors: [String: ErrorStats] = [:]
            var capacityPerDischarge: [[String: Any]] = []
            var cyclesSettled = 0, cycles = 0, within2At10Min = 0
            var updateNanoseconds: UInt64 = 0, updates = 0
            var convergence: [DischargeConvergence] = []
            for cell in cellList {
                var estimator = try makeEstimator(kind, model: cellModel, config: config, soc: 1)
                // The same method from the correct (rested-OCV) start over the same samples, to
                // tell a forgotten initial error from model/label bias (same data, so the same
                // learned capacity); not needed when the requested start is the correct one.
                var correctStartRun = offset == nil ? nil : try makeEstimator(kind, model: cellModel, config: config, soc: 1)
                var cellStats = ErrorStats()
                for op in allCycles where op.cell == cell {
                    if oracleCapacity {
                        var oracle = config
                        oracle.useLearnedCapacity = false
                        oracle.capacityAh = op.capacityAh
                        estimator = try makeEstimator(kind, model: cellModel, config: oracle, soc: 1)
                        if correctStartRun != nil { correctStartRun = try makeEstimator(kind, model: cellModel, config: oracle, soc: 1) }
                    }
                    let s = op.samples
                    let reference = op.soc
                    // The wake-up: the first sample's Δt is the sleep before it when the BMS knows
                    // one (index rest ≥ the rest time), and the start reads the rest-corrected voltage.
                    let wakeDt = sleep(op)
                    let restedStart = min(1, cellModel.ocv.soc(
                        voltageV: cellModel.restCorrectedVoltage(s.voltageV[0], restSeconds: wakeDt, temperatureC: s.temperatureC[0]),
                        temperatureC: s.temperatureC[0]))
                    let start = offset.map { reference[0] + $0 } ?? restedStart
                    estimator.reset(soc: start)
                    var settled = true
                    var checkedAt10Min = false
                    // With --wake-under-load the leading rested samples are withheld: the
                    // estimate stays at the start until the first loaded sample arrives.
                    let first = wakeUnderLoad ? (s.currentA.firstIndex { abs($0) > config.restCurrentA } ?? s.count) : 0
                    var estimates = [Double](repeating: start, count: s.count)
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    for k in first..<s.count {
                        let m = CellMeasurement(voltageV: s.voltageV[k], currentA: s.currentA[k],
                                                temperatureC: s.temperatureC[k],
                                                dtSeconds: k == first ? (first == 0 ? wakeDt : 0) : s.timeS[k] - s.timeS[k - 1])
                        estimates[k] = estimator.update(m).soc
                    }
                    updateNanoseconds += DispatchTime.now().uptimeNanoseconds - t0
                    updates += s.count - first
                    var correctStartEstimates = estimates
                    for k in 0..<first where offset != nil { correctStartEstimates[k] = restedStart }
                    if let other = correctStartRun {
                        other.reset(soc: restedStart)
                        for k in first..<s.count {
                            correctStartEstimates[k] = other.update(CellMeasurement(
                                voltageV: s.voltageV[k], currentA: s.currentA[k], temperatureC: s.temperatureC[k],
                                dtSeconds: k == first ? (first == 0 ? wakeDt : 0) : s.timeS[k] - s.timeS[k - 1])).soc
                        }
                    }
                    var item = DischargeConvergence(
                        cell: cell, cycle: op.cycle, ambientC: op.ambientC, timeS: s.timeS, reference: reference,
                        estimates: estimates, correctStartEstimates: correctStartEstimates)
                    item.restBeforeS = op.restBeforeS
                    item.wakeUpError = first < s.count ? correctStartEstimates[first] - reference[first] : nil
                    let capacityInUse = Self.capacityInUse(estimator)
                    item.capacityError = capacityInUse.map { ($0 - op.capacityAh) / op.capacityAh }
                    convergence.append(item)
                    for k in 0..<s.count {
                        let e = estimates[k] - reference[k]
                        total.add(e)
                        cellStats.add(e)
                        if op.ambientC < 15 { cold.add(e) } else { warm.add(e) }
                        if s.timeS[k] >= 600 && abs(e) > 0.02 { settled = false }
                        if s.timeS[k] >= 600 && !checkedAt10Min {
                            checkedAt10Min = true
                            if abs(e) <= 0.02 { within2At10Min += 1 }
                        }
                    }
                    cycles += 1
                    if settled { cyclesSettled += 1 }
                    if let used = capacityInUse {
                        capacityErrors[cell, default: ErrorStats()].add((used - op.capacityAh) / op.capacityAh)
                        capacityPerDischarge.append(["cell": cell, "cycle": op.cycle, "capacity_in_use_Ah": used,
                                                     "capacity_Ah": op.capacityAh])
                    }
                }
                perCell[cell] = cellStats
            }
            let ns = Double(updateNanoseconds) / Double(max(updates, 1))
            let summary = ConvergenceSummary(convergence)
            var row = "| \(kind.rawValue) | \(f2(total.rmse * 100)) | \(f2(total.mae * 100)) | \(f2(total.maxAbs * 100)) | "
            row += "\(f2(warm.rmse * 100)) | \(f2(cold.rmse * 100)) | "
            row += "\(within2At10Min)/\(cycles) | \(cyclesSettled)/\(cycles) | "
            row += "\(summary.correctStartWithinAtCheck)/\(cycles) | \(summary.forgottenAtCheck)/\(cycles) | "
            row += "\(seconds(summary.medianForgetS)) / \(seconds(summary.maxForgetS)) (\(summary.neverForgotten)) | "
            row += "\(f2((summary.medianGapAtCheck ?? .nan) * 100)) / \(f2((summary.maxGapAtCheck ?? .nan) * 100)) | \(Int(ns.rounded())) | "
            row += cellList.map { f2((perCell[$0]?.rmse ?? .nan) * 100) }.joined(separator: " | ") + " |"
            print(row)
            if !capacityErrors.isEmpty {
                print("|   capacity in use vs NASA capacity_Ah (RMS % / mean %) | "
                      + cellList.map { "\($0): \(f2((capacityErrors[$0]?.rmse ?? .nan) * 100)) / \(f2((capacityErrors[$0]?.mean ?? .nan) * 100))" }
                        .joined(separator: ", ") + " |")
            }
            if listFailures { failureReports.append(Self.failureReport(kind.rawValue, convergence)) }
            var result: [String: Any] = Self.convergenceJSON(summary, convergence)
            result.merge([
                "method": kind.rawValue, "rmse_pct": total.rmse * 100, "mae_pct": total.mae * 100,
                "max_abs_err_pct": total.maxAbs * 100, "n": total.count,
                "rmse_pct_ambient_22_to_44C": warm.rmse * 100, "rmse_pct_ambient_4C": cold.rmse * 100,
                "cycles_within_2pct_after_600s": cyclesSettled, "cycles_within_2pct_at_600s": within2At10Min, "cycles": cycles, "ns_per_update": ns,
                "per_cell_rmse_pct": perCell.mapValues { $0.rmse * 100 },
                "capacity_rms_error_pct": capacityErrors.mapValues { $0.rmse * 100 },
                "capacity_per_discharge": capacityPerDischarge,
            ]) { a, _ in a }
            results.append(result)
        }
        for report in failureReports { print(report) }
        if listFailures { print(ClassicalRestVoltage.report(allCycles, restCurrentA: config.restCurrentA)) }
        if let out {
            let doc: [String: Any] = ["model": model, "cells": cellList, "initial": initial,
                                      "wake_up_ocv_reading_error_by_ambient": wakeUpReadings.json,
                                      "fixed_capacity": fixedCapacity, "oracle_capacity": oracleCapacity,
                                      "capacity_follows_temperature": !noCapacityTemperature, "wake_under_load": wakeUnderLoad, "results": results]
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
            try OutputFile.write(data, to: URL(fileURLWithPath: out))
        }
    }

    func f2(_ x: Double) -> String { String(format: "%.2f", x) }

    /// The convergence fields of one method's JSON result.
    static func convergenceJSON(_ summary: ConvergenceSummary, _ items: [DischargeConvergence]) -> [String: Any] {
        func orNull(_ x: Double?) -> Any { x ?? NSNull() }
        let misses: [[String: Any]] = items.filter { !$0.withinAtCheck() }.map { c in
            let row: [String: Any] = [
                "cell": c.cell, "cycle": c.cycle, "ambient_C": c.ambientC,
                "error_pct_at_600s": orNull(c.errorAtCheck.map { $0 * 100 }),
                "error_pct_at_600s_correct_start": orNull(c.correctStartErrorAtCheck.map { $0 * 100 }),
                "forget_time_s": orNull(c.forgetTimeS),
                "rest_before_s": orNull(c.restBeforeS),
                "wake_up_error_pct_correct_start": orNull(c.wakeUpError.map { $0 * 100 }),
                "capacity_error_pct": orNull(c.capacityError.map { $0 * 100 }),
            ]
            return row
        }
        return [
            "cycles_within_2pct_at_600s_correct_start": summary.correctStartWithinAtCheck,
            "cycles_initial_error_forgotten_at_600s": summary.forgottenAtCheck,
            "forget_time_median_s": orNull(summary.medianForgetS),
            "forget_time_max_s": orNull(summary.maxForgetS),
            "cycles_never_forgotten": summary.neverForgotten,
            "gap_pct_at_600s_median": orNull(summary.medianGapAtCheck.map { $0 * 100 }),
            "gap_pct_at_600s_max": orNull(summary.maxGapAtCheck.map { $0 * 100 }),
            "misses_at_600s": misses,
        ]
    }

    func seconds(_ x: Double?) -> String { x.map { String(format: "%.0f", $0) } ?? "never" }

    /// The discharges of one method not within ±2 % at 600 s, with their error from each
    /// start, and the misses counted by chamber temperature.
    static func failureReport(_ method: String, _ items: [DischargeConvergence]) -> String {
        let misses = items.filter { !$0.withinAtCheck() }
        func pct(_ x: Double?) -> String { x.map { String(format: "%+.2f", $0 * 100) } ?? "n/a" }
        var lines = ["", "\(method): \(misses.count) of \(items.count) discharges not within ±2 % at 600 s"]
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
                         + "\(pct(c.correctStartErrorAtCheck)) | \(pct(c.gapAtCheck)) | \(c.forgetTimeS.map { String(format: "%.0f", $0) } ?? "never") | "
                         + "\(c.restBeforeS.map { String(format: "%.0f", $0) } ?? "n/a") | \(pct(c.wakeUpError)) | \(pct(c.capacityError)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The model's OCV read at each discharge's rested first sample (the wake-up reading),
    /// against the reference SOC 1 there, by chamber temperature: RMS and mean in SOC points,
    /// not clamped, and RMS clamped at SOC 1 as the estimators start (`rested` start). The
    /// OCV table's error per temperature group on these cells.
    static func wakeUpReadingErrors(_ cycles: [ClassicalCycle], model: CellModelParameters, restCurrentA: Double,
                                    sleepSeconds: (ClassicalCycle) -> Double)
        -> (line: String, json: [String: Any]) {
        var byAmbient: [Int: (raw: ErrorStats, clamped: ErrorStats)] = [:]
        for c in cycles where abs(c.samples.currentA[0]) <= restCurrentA {
            let t = c.samples.temperatureC[0]
            let v = model.restCorrectedVoltage(c.samples.voltageV[0], restSeconds: sleepSeconds(c), temperatureC: t)
            let reading = model.ocv.soc(voltageV: v, temperatureC: t)
            byAmbient[Int(c.ambientC.rounded()), default: (ErrorStats(), ErrorStats())].raw.add(reading - c.soc[0])
            byAmbient[Int(c.ambientC.rounded())]!.clamped.add(min(reading, 1) - c.soc[0])
        }
        let keys = byAmbient.keys.sorted()
        let line = "wake-up OCV reading (rested first sample, rest-corrected) − reference SOC 1, by chamber °C "
            + "(RMS / mean points; RMS clamped at 1; n): "
            + keys.map { k in
                let e = byAmbient[k]!
                return "\(k) °C: \(String(format: "%.2f / %+.2f; %.2f", e.raw.rmse * 100, e.raw.mean * 100, e.clamped.rmse * 100)) (\(e.raw.count))"
            }.joined(separator: ", ")
        var json: [String: Any] = [:]
        for k in keys {
            let e = byAmbient[k]!
            json["\(k)"] = ["rms_pct": e.raw.rmse * 100, "mean_pct": e.raw.mean * 100,
                             "rms_clamped_pct": e.clamped.rmse * 100, "n": e.raw.count]
        }
        return (line, json)
    }

    /// The sleep a BMS knows at a discharge's wake-up: the index's rest before it when that is
    /// at least the rest time (a real sleep; shorter ones, and unknown ones, give 0: history
    /// unknown), or 0 when `given` is false.
    static func wakeUpSleepSeconds(_ op: ClassicalCycle, restMinimumSeconds: Double, given: Bool) -> Double {
        guard given, let rest = op.restBeforeS, rest >= restMinimumSeconds else { return 0 }
        return rest
    }

    static func capacityInUse(_ e: any SOCEstimator) -> Double? {
        if let a = e as? AhCounterEstimator { return a.currentCapacityAh }
        if let a = e as? TheveninEKF { return a.currentCapacityAh }
        if let a = e as? TheveninUKF { return a.currentCapacityAh }
        return nil
    }
}

/// Running error statistics.
struct ErrorStats {
    var count = 0
    var sum = 0.0
    var sumSquares = 0.0
    var sumAbs = 0.0
    var maxAbs = 0.0

    mutating func add(_ e: Double) {
        count += 1
        sum += e
        sumSquares += e * e
        sumAbs += abs(e)
        maxAbs = max(maxAbs, abs(e))
    }

    var rmse: Double { (sumSquares / Double(max(count, 1))).squareRoot() }
    var mae: Double { sumAbs / Double(max(count, 1)) }
    var mean: Double { sum / Double(max(count, 1)) }
}
