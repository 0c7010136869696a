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

    @Option(help: "Write the results as JSON here.")
    var out: String?

    func run() throws {
        let root = URL(fileURLWithPath: path)
        let cellModel = try CellModelFile.load(from: URL(fileURLWithPath: model))
        var config = EstimatorConfig()
        config.voltageNoiseV = voltageNoise
        if let q = socNoise { config.socProcessNoisePerS = q }
        config.useLearnedCapacity = !fixedCapacity
        let kinds = try methods.split(separator: ",").map { name -> EstimatorKind in
            guard let k = EstimatorKind(rawValue: String(name)) else { throw ValidationError("unknown method \(name)") }
            return k
        }
        let offset: Double? = initial == "rested" ? nil : Double(initial)
        guard initial == "rested" || offset != nil else { throw ValidationError("--initial: 'rested' or a number") }
        let cellList = cells.split(separator: ",").map(String.init)
        let allCycles = try ClassicalCycle.load(root: root, cells: cellList)

        var results: [[String: Any]] = []
        print("| method | RMSE % | MAE % | max % | RMSE % 22–44 °C cycles | RMSE % 4 °C cycles | in ±2 % at 10 min | in ±2 % for all t ≥ 10 min | ns/update | " + cellList.map { "\($0) RMSE %" }.joined(separator: " | ") + " |")
        print("|---|---|---|---|---|---|---|---|---|" + cellList.map { _ in "---|" }.joined())
        for kind in kinds {
            var total = ErrorStats()
            var warm = ErrorStats(), cold = ErrorStats()
            var perCell: [String: ErrorStats] = [:]
            var capacityErrors: [String: ErrorStats] = [:]
            var cyclesSettled = 0, cycles = 0, within2At10Min = 0
            var updateNanoseconds: UInt64 = 0, updates = 0
            for cell in cellList {
                let estimator = try makeEstimator(kind, model: cellModel, config: config, soc: 1)
                var cellStats = ErrorStats()
                for op in allCycles where op.cell == cell {
                    let s = op.samples
                    let reference = op.soc
                    let start = offset.map { reference[0] + $0 }
                        ?? min(1, cellModel.ocv.soc(voltageV: s.voltageV[0], temperatureC: s.temperatureC[0]))
                    estimator.reset(soc: start)
                    var settled = true
                    var checkedAt10Min = false
                    var estimates = [Double](repeating: 0, count: s.count)
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    for k in 0..<s.count {
                        let m = CellMeasurement(voltageV: s.voltageV[k], currentA: s.currentA[k],
                                                temperatureC: s.temperatureC[k],
                                                dtSeconds: k == 0 ? 0 : s.timeS[k] - s.timeS[k - 1])
                        estimates[k] = estimator.update(m).soc
                    }
                    updateNanoseconds += DispatchTime.now().uptimeNanoseconds - t0
                    updates += s.count
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
                    if let used = Self.capacityInUse(estimator) {
                        capacityErrors[cell, default: ErrorStats()].add((used - op.capacityAh) / op.capacityAh)
                    }
                }
                perCell[cell] = cellStats
            }
            let ns = Double(updateNanoseconds) / Double(max(updates, 1))
            print("| \(kind.rawValue) | \(f2(total.rmse * 100)) | \(f2(total.mae * 100)) | \(f2(total.maxAbs * 100)) | "
                  + "\(f2(warm.rmse * 100)) | \(f2(cold.rmse * 100)) | "
                  + "\(within2At10Min)/\(cycles) | \(cyclesSettled)/\(cycles) | \(Int(ns.rounded())) | "
                  + cellList.map { f2((perCell[$0]?.rmse ?? .nan) * 100) }.joined(separator: " | ") + " |")
            if !capacityErrors.isEmpty {
                print("|   capacity in use vs NASA capacity_Ah (RMS % / mean %) | "
                      + cellList.map { "\($0): \(f2((capacityErrors[$0]?.rmse ?? .nan) * 100)) / \(f2((capacityErrors[$0]?.mean ?? .nan) * 100))" }
                        .joined(separator: ", ") + " |")
            }
            results.append([
                "method": kind.rawValue, "rmse_pct": total.rmse * 100, "mae_pct": total.mae * 100,
                "max_abs_err_pct": total.maxAbs * 100, "n": total.count,
                "rmse_pct_ambient_22_to_44C": warm.rmse * 100, "rmse_pct_ambient_4C": cold.rmse * 100,
                "cycles_within_2pct_after_600s": cyclesSettled, "cycles_within_2pct_at_600s": within2At10Min, "cycles": cycles, "ns_per_update": ns,
                "per_cell_rmse_pct": perCell.mapValues { $0.rmse * 100 },
                "capacity_rms_error_pct": capacityErrors.mapValues { $0.rmse * 100 },
            ])
        }
        if let out {
            let doc: [String: Any] = ["model": model, "cells": cellList, "initial": initial,
                                      "fixed_capacity": fixedCapacity, "results": results]
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
            try OutputFile.write(data, to: URL(fileURLWithPath: out))
        }
    }

    func f2(_ x: Double) -> String { String(format: "%.2f", x) }

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
