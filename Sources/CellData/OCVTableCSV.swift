import BMSCore

/// The OCV table a user gives `bmsim fit --ocv` (`Docs/DataFormats.md` §5):
///
/// ```
/// soc,ocv_v,temperature_c
/// 0.0,3.300,25
/// 0.1,3.550,25
/// ```
///
/// Columns `soc` (fraction 0…1) and `ocv_v` (volts), optionally `temperature_c` (°C; one row
/// of the table per distinct temperature; without it the table has one row). `#` lines before
/// the header are comments. Within each temperature the OCV must rise strictly with SOC (rows
/// may come in any order). Rows at several temperatures are put on the union of their SOC
/// points inside the SOC range they all cover (linear interpolation). Values that look like
/// millivolts, percent or kelvin are refused, naming the line and column.
public enum OCVTableCSV {
    /// The table read: `values[t * socPoints.count + s]` is the OCV at `socPoints[s]` and
    /// `temperaturesC[t]`, each row strictly increasing.
    public struct Table: Sendable, Equatable {
        /// SOC points, strictly increasing (fraction).
        public var socPoints: [Double]
        /// Temperatures of the rows, strictly increasing, °C (`[25]` without the column).
        public var temperaturesC: [Double]
        /// OCV, V, row-major by temperature.
        public var values: [Double]
    }

    /// Plausible ranges: an OCV in volts, an SOC fraction, a temperature in °C.
    static let voltageRange: ClosedRange<Double> = 0.5...6
    static let socRange: ClosedRange<Double> = -0.5...1.5
    static let temperatureRange: ClosedRange<Double> = -60...150
    /// SOC points closer than this are one point of the common grid.
    static let minimumSOCStep = 1e-6

    /// Reads the file at `path`.
    public static func read(path: String) throws(CellDataError) -> Table {
        try parse(CSVScanner(file: path, storage: try FileBytes(path: path)))
    }

    /// Parses a table held in memory (`name` is used in errors).
    public static func parse(_ bytes: [UInt8], name: String) throws(CellDataError) -> Table {
        try parse(CSVScanner(file: name, storage: FileBytes(bytes: bytes)))
    }

    static func parse(_ scanner: CSVScanner) throws(CellDataError) -> Table {
        var s = scanner
        let header = try s.readHeader()
        let c = try s.columnIndices(["soc", "ocv_v"], in: header)
        let tColumn = header.firstIndex(of: "temperature_c")
        var rows: [Double: [(soc: Double, ocv: Double, line: Int)]] = [:]
        while s.nextRow(skipComments: true) {
            try s.requireFieldCount(header.count)
            let soc = try checked(s, c[0], "soc", socRange, "an SOC fraction (0…1); percent values are refused")
            let ocv = try checked(s, c[1], "ocv_v", voltageRange, "an OCV in volts (0.5…6 V); millivolts are refused")
            let t = try tColumn.map { k throws(CellDataError) in
                try checked(s, k, "temperature_c", temperatureRange, "a temperature in °C (−60…150); kelvin is refused")
            } ?? 25
            rows[t, default: []].append((soc, ocv, s.line))
        }
        guard !rows.isEmpty else {
            throw .malformed(InputLocation(file: s.file, line: s.line), expected: "at least two rows", found: "none")
        }
        let temperatures = rows.keys.sorted()
        var sorted: [[(soc: Double, ocv: Double, line: Int)]] = []
        for t in temperatures {
            let row = rows[t]!.sorted { $0.soc < $1.soc }
            guard row.count >= 2 else {
                throw .malformed(InputLocation(file: s.file, line: row[0].line), expected: "at least two SOC points at \(t) °C",
                                 found: "one")
            }
            for k in 1..<row.count {
                guard row[k].soc > row[k - 1].soc else {
                    throw .badValue(InputLocation(file: s.file, line: row[k].line, column: c[0] + 1), column: "soc",
                                    expected: "each SOC once per temperature", found: "\(row[k].soc) twice (also line \(row[k - 1].line))")
                }
                guard row[k].ocv > row[k - 1].ocv else {
                    throw .badValue(InputLocation(file: s.file, line: row[k].line, column: c[1] + 1), column: "ocv_v",
                                    expected: "an OCV rising strictly with SOC",
                                    found: "\(row[k].ocv) V at SOC \(row[k].soc), not above \(row[k - 1].ocv) V at SOC "
                                        + "\(row[k - 1].soc) (line \(row[k - 1].line))")
                }
            }
            sorted.append(row)
        }
        let low = sorted.map { $0[0].soc }.max()!, high = sorted.map { $0[$0.count - 1].soc }.min()!
        // The common SOC grid: every row's points inside the shared range, points closer than
        // `minimumSOCStep` merged (a grid point 1e-118 from another made two equal values
        // after interpolation: found by the fuzzer).
        var points: [Double] = []
        for p in Set(sorted.flatMap { $0.map(\.soc) }.filter { $0 >= low && $0 <= high }).sorted()
        where points.last.map({ p - $0 >= minimumSOCStep }) ?? true {
            points.append(p)
        }
        guard points.count >= 2 else {
            throw .malformed(InputLocation(file: s.file), expected: "temperature rows that share an SOC range",
                             found: "rows covering \(low)…\(high) in common")
        }
        var values: [Double] = []
        for (t, row) in sorted.enumerated() {
            for (k, p) in points.enumerated() {
                let v = interpolate(row, p)
                if k > 0, !(v > values[values.count - 1]) {
                    throw .badValue(InputLocation(file: s.file), column: "ocv_v", expected: "an OCV rising strictly with SOC on the "
                                    + "common SOC grid of all temperature rows",
                                    found: "\(v) V at SOC \(p) and \(values[values.count - 1]) V at SOC \(points[k - 1]), \(temperatures[t]) °C")
                }
                values.append(v)
            }
        }
        return Table(socPoints: points, temperaturesC: temperatures, values: values)
    }

    /// A finite number in `range` from field `index`.
    static func checked(_ s: borrowing CSVScanner, _ index: Int, _ column: String, _ range: ClosedRange<Double>,
                        _ expected: String) throws(CellDataError) -> Double {
        let x = try s.number(index, column: column)
        guard x.isFinite else { throw .badNumber(s.location(field: index), column: column, text: s.text(index)) }
        guard range.contains(x) else { throw .badValue(s.location(field: index), column: column, expected: expected, found: s.text(index)) }
        return x
    }

    /// Linear interpolation of a sorted row at `soc` (inside its range).
    static func interpolate(_ row: [(soc: Double, ocv: Double, line: Int)], _ soc: Double) -> Double {
        var k = 1
        while k < row.count - 1 && row[k].soc < soc { k += 1 }
        let (a, b) = (row[k - 1], row[k])
        return a.ocv + (b.ocv - a.ocv) * (soc - a.soc) / (b.soc - a.soc)
    }
}
