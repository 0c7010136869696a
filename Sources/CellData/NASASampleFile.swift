import BMSCore

/// The samples of one NASA operation as found in a per-cell CSV file.
public struct NASACycleSamples: Sendable, Equatable {
    /// NASA operation number (`cycle` column).
    public var cycle: Int
    /// Samples as recorded (NaN kept).
    public var samples: OperationSamples
    /// Line of the first sample in the file.
    public var firstLine: Int
    /// Rows with a NaN in time, voltage, current or temperature.
    public var nanRows: Int
}

/// Reads NASA per-cell sample files (`discharge/B00xx_discharge.csv`,
/// `charge/B00xx_charge.csv`): columns `cycle, Time, Voltage_measured, Current_measured,
/// Temperature_measured` (others ignored), rows grouped by cycle, time increasing within a
/// cycle. A cycle that reappears after another, a decreasing or repeated time, text in a
/// number field or a short row each give a `CellDataError` with line and column.
public enum NASASampleFile {
    static let columns = ["cycle", "Time", "Voltage_measured", "Current_measured", "Temperature_measured"]

    /// Reads the file at `path`.
    public static func read(path: String) throws(CellDataError) -> [NASACycleSamples] {
        try parse(CSVScanner(file: path, storage: try FileBytes(path: path)))
    }

    /// Parses a file held in memory (`name` is used in errors).
    public static func parse(_ bytes: [UInt8], name: String) throws(CellDataError) -> [NASACycleSamples] {
        try parse(CSVScanner(file: name, storage: FileBytes(bytes: bytes)))
    }

    static func parse(_ scanner: CSVScanner) throws(CellDataError) -> [NASACycleSamples] {
        var s = scanner
        let header = try s.readHeader()
        let idx = try s.columnIndices(columns, in: header)
        let (cc, tc) = (idx[0], idx[1])
        let fieldCount = header.count
        var slots = [Int](repeating: -1, count: fieldCount)
        for (slot, column) in idx.enumerated() { slots[column] = slot }
        var result: [NASACycleSamples] = []
        var seen = Set<Int>()
        var cycle = Int.min
        var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = []
        var firstLine = 0
        var nanRows = 0
        var lastTime = -Double.infinity
        func flush() {
            guard cycle != Int.min else { return }
            result.append(NASACycleSamples(cycle: cycle, samples: OperationSamples(timeS: t, voltageV: v, currentA: i, temperatureC: temp),
                                           firstLine: firstLine, nanRows: nanRows))
        }
        let estimatedRows = s.storage.count / 50
        var row = (0.0, 0.0, 0.0, 0.0, 0.0)
        while try withUnsafeMutableBytes(of: &row, { raw throws(CellDataError) -> Bool in
            try s.scanNumericRow(slots: slots, fieldCount: fieldCount, names: header,
                                 into: raw.baseAddress!.assumingMemoryBound(to: Double.self))
        }) {
            let (cycleValue, time, voltage, current, temperature) = row
            guard cycleValue >= 0, cycleValue < 1e9, Double(Int(cycleValue)) == cycleValue else {
                throw .badNumber(InputLocation(file: s.file, line: s.line, column: cc + 1), column: "cycle", text: "\(cycleValue)")
            }
            let thisCycle = Int(cycleValue)
            if thisCycle != cycle {
                flush()
                guard seen.insert(thisCycle).inserted else {
                    throw .malformed(InputLocation(file: s.file, line: s.line, column: cc + 1), expected: "rows of cycle \(thisCycle) in one block",
                                     found: "cycle \(thisCycle) again after cycle \(cycle)")
                }
                cycle = thisCycle
                t = []; v = []; i = []; temp = []
                let reserve = max(16, estimatedRows / max(1, result.count + 1) / 4)
                t.reserveCapacity(reserve); v.reserveCapacity(reserve); i.reserveCapacity(reserve); temp.reserveCapacity(reserve)
                firstLine = s.line
                nanRows = 0
                lastTime = -Double.infinity
            }
            if time.isNaN || voltage.isNaN || current.isNaN || temperature.isNaN { nanRows += 1 }
            if !time.isNaN {
                guard time > lastTime else {
                    throw .nonMonotoneTime(InputLocation(file: s.file, line: s.line, column: tc + 1), previousS: lastTime, foundS: time)
                }
                lastTime = time
            }
            t.append(time); v.append(voltage); i.append(current); temp.append(temperature)
        }
        flush()
        return result
    }
}
