import Foundation

/// Errors while reading the TASK.md discharge data.
public enum TaskDataError: Error, Equatable, CustomStringConvertible {
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A required column is absent from a CSV header.
    case missingColumn(path: String, column: String, header: String)
    /// A row has the wrong number of fields or a field that is not a number.
    case malformedRow(path: String, line: Int, column: String, expected: String, found: String)
    /// A split produced no usable discharge.
    case emptySplit(cells: [String])

    /// Human-readable message with the location.
    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "\(path): cannot read (\(reason))"
        case let .missingColumn(path, column, header):
            return "\(path):1: missing column '\(column)' (header: \(header))"
        case let .malformedRow(path, line, column, expected, found):
            return "\(path):\(line): column '\(column)': expected \(expected), found '\(found)'"
        case let .emptySplit(cells): return "no usable discharge in cells \(cells.joined(separator: " "))"
        }
    }
}

/// One usable discharge on the 10 s grid, in physical units (TASK.md §1–2).
public struct GridCycle: Sendable, Equatable {
    /// Cell name, e.g. `"B0005"`.
    public var cell: String
    /// NASA cycle number (index row `cycle`).
    public var cycle: Int
    /// Features per grid step, row-major `[n × 5]`: voltage V, current A, temperature °C,
    /// Δcurrent A, Δvoltage V (one-step differences, 0 at step 0).
    public var features: [Double]
    /// Reference SOC fraction at each grid step (coulomb count from 1, may go below 0).
    public var soc: [Double]
    /// Grid steps.
    public var count: Int { soc.count }
}

/// Reads the TASK.md benchmark data straight from the NASA discharge CSVs, exactly as
/// `shared/bench/soc_data.py` does (usable-discharge filter on `cycles_index.csv`,
/// trapezoidal coulomb-count SOC at native samples, linear interpolation onto
/// `g_n = 10 n` s, features `[V, I, T, dI, dV]`).
///
/// Written here (not in `CellData`) so the trainer reproduces the peers' arrays number for
/// number; `np.interp`'s formula and edge rules are mirrored.
public enum TaskDataLoader {
    /// Grid step, s.
    public static let gridStepS = 10.0
    /// Index flags that exclude a discharge.
    public static let skipFlags: Set<String> = ["capacity_missing", "capacity_below_1Ah"]

    /// Usable discharges: `[cell: [cycle: capacityAh]]`, from `cycles_index.csv`.
    public static func usableDischarges(root: URL) throws(TaskDataError) -> [String: [Int: Double]] {
        let path = root.appendingPathComponent("cycles_index.csv").path
        let table = try CSVTable(path: path)
        let cCell = try table.column("cell"), cCycle = try table.column("cycle"), cType = try table.column("type")
        let cCap = try table.column("capacity_Ah"), cNan = try table.column("nan_samples")
        let cFlags = try table.column("flags")
        var result: [String: [Int: Double]] = [:]
        for (k, row) in table.rows.enumerated() where row[cType] == "discharge" {
            let flags = row[cFlags].split(separator: ";").map(String.init)
            if flags.contains(where: skipFlags.contains) { continue }
            guard let cap = Double(row[cCap]), cap.isFinite else { continue }
            let nanSamples = row[cNan].isEmpty ? 0 : (Double(row[cNan]) ?? .nan)
            if nanSamples > 0 { continue }
            guard let cycle = Int(row[cCycle]) else {
                throw .malformedRow(path: path, line: k + 2, column: "cycle", expected: "an integer", found: String(row[cCycle]))
            }
            result[String(row[cCell]), default: [:]][cycle] = cap
        }
        return result
    }

    /// Every usable discharge of `cells` (in the given cell order, then cycle order) on the grid.
    public static func loadSplit(root: URL, cells: [String],
                                 usable: [String: [Int: Double]]) throws(TaskDataError) -> [GridCycle] {
        var cycles: [GridCycle] = []
        for cell in cells {
            let path = root.appendingPathComponent("discharge/\(cell)_discharge.csv").path
            let table = try CSVTable(path: path)
            let columns = try ["cycle", "Time", "Voltage_measured", "Current_measured", "Temperature_measured"]
                .map { name throws(TaskDataError) in try table.column(name) }
            var byCycle: [Int: [[Double]]] = [:]   // cycle -> [t, v, i, temp] columns
            for (k, row) in table.rows.enumerated() {
                guard let cycle = Int(row[columns[0]]) else {
                    throw .malformedRow(path: path, line: k + 2, column: "cycle", expected: "an integer", found: String(row[columns[0]]))
                }
                for c in 0..<4 {
                    let text = row[columns[c + 1]]
                    var value = Double.nan
                    if !text.isEmpty {
                        guard let parsed = Double(text) else {
                            throw .malformedRow(path: path, line: k + 2, column: table.header[columns[c + 1]],
                                                expected: "a number", found: String(text))
                        }
                        value = parsed
                    }
                    byCycle[cycle, default: [[], [], [], []]][c].append(value)
                }
            }
            let capacities = usable[cell] ?? [:]
            for cycle in byCycle.keys.sorted() {
                guard let cap = capacities[cycle], let cols = byCycle[cycle] else { continue }
                if cols[0].count < 2 || cols.contains(where: { $0.contains { !$0.isFinite } }) { continue }
                cycles.append(resample(cell: cell, cycle: cycle, timeS: cols[0], voltageV: cols[1],
                                       currentA: cols[2], temperatureC: cols[3], capacityAh: cap))
            }
        }
        return cycles
    }

    /// Coulomb-count SOC at the native samples, then the 10 s grid (TASK.md §1–2).
    public static func resample(cell: String, cycle: Int, timeS t: [Double], voltageV v: [Double],
                                currentA i: [Double], temperatureC temp: [Double], capacityAh: Double) -> GridCycle {
        var soc = [Double](repeating: 1, count: t.count)
        var charge = 0.0
        for k in 1..<t.count {
            charge += 0.5 * (-i[k] - i[k - 1]) * (t[k] - t[k - 1])
            soc[k] = 1 - (charge / 3600) / capacityAh
        }
        let n = Int((t[t.count - 1] / gridStepS + 1e-9).rounded(.down)) + 1
        let grid = (0..<n).map { Double($0) * gridStepS }
        let gv = interpolate(grid, t, v), gi = interpolate(grid, t, i)
        let gt = interpolate(grid, t, temp), gs = interpolate(grid, t, soc)
        var features = [Double](repeating: 0, count: n * 5)
        for k in 0..<n {
            features[k * 5 + 0] = gv[k]
            features[k * 5 + 1] = gi[k]
            features[k * 5 + 2] = gt[k]
            features[k * 5 + 3] = k == 0 ? 0 : gi[k] - gi[k - 1]
            features[k * 5 + 4] = k == 0 ? 0 : gv[k] - gv[k - 1]
        }
        return GridCycle(cell: cell, cycle: cycle, features: features, soc: gs)
    }

    /// `numpy.interp(x, xp, fp)` for increasing `x` (same formula and edge rules).
    public static func interpolate(_ x: [Double], _ xp: [Double], _ fp: [Double]) -> [Double] {
        let last = xp.count - 1
        var j = 0
        return x.map { xv in
            if xv > xp[last] { return fp[last] }
            if xv < xp[0] { return fp[0] }
            if xv == xp[last] { return fp[last] }
            while j + 1 <= last && xp[j + 1] <= xv { j += 1 }
            if j >= last { return fp[last] }
            if xp[j] == xv { return fp[j] }
            let slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
            var r = slope * (xv - xp[j]) + fp[j]
            if r.isNaN {
                r = slope * (xv - xp[j + 1]) + fp[j + 1]
                if r.isNaN && fp[j] == fp[j + 1] { r = fp[j] }
            }
            return r
        }
    }
}

/// A comma-separated file without quoting (the NASA repackaging has none), split into fields.
struct CSVTable {
    let header: [String]
    let rows: [[Substring]]
    let path: String

    init(path: String) throws(TaskDataError) {
        self.path = path
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw .unreadableFile(path: path, reason: "empty file") }
        header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var parsed: [[Substring]] = []
        parsed.reserveCapacity(lines.count)
        for (k, line) in lines.enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw .malformedRow(path: path, line: k + 2, column: "(row)",
                                    expected: "\(header.count) fields", found: "\(fields.count) fields")
            }
            parsed.append(fields)
        }
        rows = parsed
    }

    func column(_ name: String) throws(TaskDataError) -> Int {
        guard let k = header.firstIndex(of: name) else {
            throw .missingColumn(path: path, column: name, header: header.joined(separator: ","))
        }
        return k
    }
}
