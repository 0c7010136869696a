import BMSCore
import CellData
import Foundation

/// Stopgap reader of the NASA PCoE discharge CSVs (`discharge/B00xx_discharge.csv` +
/// `cycles_index.csv`) into `Recording`s, used by `bmsim fit` and `bmsim classical-eval`
/// until the CellData readers are merged; then `load` should call them instead.
/// Keeps the discharges TASK.md uses (no `capacity_missing`/`capacity_below_1Ah` flag,
/// a capacity, no NaN samples).
enum NASADischargeLoader {
    /// Errors with the file and line.
    enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        case missingColumn(file: String, column: String)
        case badNumber(InputLocation, text: String)

        var description: String {
            switch self {
            case .unreadable(let f): return "\(f): cannot read"
            case .missingColumn(let f, let c): return "\(f): missing column \(c)"
            case .badNumber(let l, let t): return "\(l): not a number: \(t)"
            }
        }
    }

    /// One index row of a discharge.
    struct IndexRow {
        var ambientC: Double
        var capacityAh: Double?
        var flags: String
        var nanSamples: Int
    }

    static func lines(_ url: URL) throws -> [Substring] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw LoadError.unreadable(url.path) }
        return text.split(separator: "\n", omittingEmptySubsequences: true)
    }

    /// Index rows of discharges, keyed by cell then cycle.
    static func index(_ root: URL) throws -> [String: [Int: IndexRow]] {
        let url = root.appendingPathComponent("cycles_index.csv")
        let rows = try lines(url)
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func col(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else { throw LoadError.missingColumn(file: url.path, column: name) }
            return i
        }
        let cCell = try col("cell"), cCycle = try col("cycle"), cType = try col("type")
        let cAmb = try col("ambient_temperature_C"), cCap = try col("capacity_Ah")
        let cFlags = try col("flags"), cNaN = try col("nan_samples")
        var out: [String: [Int: IndexRow]] = [:]
        for line in rows.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count > cFlags, f[cType] == "discharge", let cycle = Int(f[cCycle]) else { continue }
            out[String(f[cCell]), default: [:]][cycle] = IndexRow(
                ambientC: Double(f[cAmb]) ?? 24, capacityAh: Double(f[cCap]), flags: String(f[cFlags]),
                nanSamples: Int(f[cNaN]) ?? 0)
        }
        return out
    }

    /// The usable discharges of `cell`, as a recording of discharge operations in cycle order.
    static func load(root: URL, cell: String, index: [String: [Int: IndexRow]]) throws -> Recording {
        let url = root.appendingPathComponent("discharge/\(cell)_discharge.csv")
        let rows = try lines(url)
        var columns: [Int: (t: [Double], v: [Double], i: [Double], temp: [Double], bad: Bool)] = [:]
        var order: [Int] = []
        for (n, line) in rows.enumerated().dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 5, let cycle = Int(f[0]) else {
                throw LoadError.badNumber(InputLocation(file: url.path, line: n + 1, column: 1), text: String(line.prefix(20)))
            }
            var values = [0.0, 0, 0, 0]
            var bad = false
            for k in 0..<4 {
                guard let x = Double(f[k + 1]) else {
                    throw LoadError.badNumber(InputLocation(file: url.path, line: n + 1, column: k + 2), text: String(f[k + 1]))
                }
                if !x.isFinite { bad = true }
                values[k] = x
            }
            if columns[cycle] == nil { columns[cycle] = ([], [], [], [], false); order.append(cycle) }
            columns[cycle]!.t.append(values[0])
            columns[cycle]!.v.append(values[1])
            columns[cycle]!.i.append(values[2])
            columns[cycle]!.temp.append(values[3])
            if bad { columns[cycle]!.bad = true }
        }
        var operations: [CellOperation] = []
        for cycle in order.sorted() {
            guard let row = index[cell]?[cycle], let capacity = row.capacityAh, let c = columns[cycle],
                  !c.bad, row.nanSamples == 0, c.t.count >= 2,
                  !row.flags.contains("capacity_missing"), !row.flags.contains("capacity_below_1Ah") else { continue }
            var quality: [QualityFinding] = []
            if row.flags.contains("v_above_4.3") {
                quality.append(QualityFinding(kind: .indexFlag, sampleIndex: nil, sampleCount: 0, action: .kept,
                                              detail: "v_above_4.3"))
            }
            operations.append(CellOperation(kind: .discharge, nasaCycle: cycle, startTimeS: 0,
                                            ambientTemperatureC: row.ambientC, capacityAh: capacity,
                                            samples: OperationSamples(timeS: c.t, voltageV: c.v, currentA: c.i,
                                                                      temperatureC: c.temp),
                                            quality: quality))
        }
        return Recording(cell: cell, source: url.path, operations: operations)
    }

    /// Reference SOC of a discharge from a full charge (TASK.md §1):
    /// SOC(t_k) = 1 − Σ_{j≤k} ½(−I_j − I_j−1)(t_j − t_j−1) / 3600 / capacity.
    static func referenceSOC(_ op: CellOperation) -> [Double] {
        let s = op.samples
        let capacity = op.capacityAh ?? 1
        var q = 0.0
        var soc = [1.0]
        for k in 1..<s.count {
            q += 0.5 * (-s.currentA[k] - s.currentA[k - 1]) * (s.timeS[k] - s.timeS[k - 1]) / 3600
            soc.append(1 - q / capacity)
        }
        return soc
    }
}
