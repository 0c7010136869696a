import BMSCore

/// A drive-cycle trace for `bmsim simulate --profile FILE.csv` (`Docs/DataFormats.md` §6): a
/// demand on the cell or the vehicle over time, one of
///
/// ```
/// time_s,current_a     current (needs its sign: a `# current_sign:` line or --current-sign)
/// time_s,power_w       power, W (the same sign rule); `power_kw` in kW
/// time_s,speed_mps     vehicle speed, m/s (≥ 0); `speed_kmh` in km/h; goes through `VehicleModel`
/// ```
///
/// `#` lines before the data are comments. PyBaMM's drive-cycle files, which have no header
/// row but a comment `# Time [s], Current [A]` or `# time [s],Power [kW]`, are read too (PyBaMM
/// and the shared profiles count discharge positive; state it with `--current-sign`). Time must
/// rise strictly; values must be finite. At most `maximumRows` rows.
public enum DriveProfileCSV {
    /// What the trace's values are.
    public enum Quantity: String, Sendable, Equatable {
        /// Cell or pack current, A.
        case current
        /// Cell or pack power, W.
        case power
        /// Vehicle speed, m/s.
        case speed
    }

    /// A trace read from a file: `values[k]` at `timeS[k]`; current and power with + = discharge.
    public struct Trace: Sendable, Equatable {
        /// What `values` hold.
        public var quantity: Quantity
        /// Seconds, strictly increasing.
        public var timeS: [Double]
        /// Current (A) or power (W), + = discharge; or speed, m/s.
        public var values: [Double]

        /// Creates a trace.
        public init(quantity: Quantity, timeS: [Double], values: [Double]) {
            self.quantity = quantity
            self.timeS = timeS
            self.values = values
        }
    }

    /// The most rows a trace may have (a day at 1 Hz is 86,400).
    public static let maximumRows = 1_000_000

    /// Reads the file at `path`; `currentSign` states the sign of a current or power column
    /// when the file has no `# current_sign:` line (a stated sign that disagrees is an error).
    public static func read(path: String, currentSign: GenericRecordingCSV.CurrentSign? = nil) throws(CellDataError) -> Trace {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path: path) } catch { throw .cannotRead(file: path, reason: error.reason) }
        return try parse(bytes, name: path, currentSign: currentSign)
    }

    /// Parses a trace held in memory (`name` is used in errors).
    public static func parse(_ bytes: [UInt8], name: String,
                             currentSign: GenericRecordingCSV.CurrentSign? = nil) throws(CellDataError) -> Trace {
        let text = String(decoding: bytes, as: UTF8.self)
        var quantity: Quantity?
        var scale = 1.0
        var statedSign: GenericRecordingCSV.CurrentSign?
        var columns: (time: Int, value: Int, count: Int)?
        var timeS: [Double] = [], values: [Double] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            let line = trimmed(raw)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let comment = String(trimmed(line.dropFirst())).lowercased()
                if comment.hasPrefix("current_sign:") {
                    let value = String(trimmed(comment.dropFirst("current_sign:".count)))
                    guard let sign = GenericRecordingCSV.CurrentSign(rawValue: value) else {
                        throw .badValue(InputLocation(file: name, line: lineNumber), column: "current_sign",
                                        expected: "charge_positive or discharge_positive", found: value)
                    }
                    statedSign = sign
                } else if columns == nil, comment.hasPrefix("time [s]") {
                    // PyBaMM's header comment.
                    if comment.contains("current [a]") { quantity = .current; columns = (0, 1, 2) }
                    if comment.contains("power [kw]") { quantity = .power; scale = 1000; columns = (0, 1, 2) }
                }
                continue
            }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String(trimmed($0)) }
            guard let c = columns else {
                // The header row.
                let names = fields.map { $0.lowercased() }
                guard let t = names.firstIndex(where: { $0 == "time_s" || $0 == "cycsecs" }) else {
                    throw .missingColumn(InputLocation(file: name, line: lineNumber), column: "time_s", header: fields)
                }
                let known: [(String, Quantity, Double)] = [("current_a", .current, 1), ("power_w", .power, 1),
                                                           ("power_kw", .power, 1000), ("speed_mps", .speed, 1),
                                                           ("cycmps", .speed, 1), ("speed_kmh", .speed, 1 / 3.6)]
                guard let (k, q, s) = known.lazy.compactMap({ n, q, s in names.firstIndex(of: n).map { ($0, q, s) } }).first else {
                    throw .missingColumn(InputLocation(file: name, line: lineNumber),
                                         column: "current_a, power_w, power_kw, speed_mps or speed_kmh", header: fields)
                }
                quantity = q
                scale = s
                columns = (t, k, fields.count)
                continue
            }
            guard fields.count >= max(c.time, c.value) + 1 else {
                throw .wrongFieldCount(InputLocation(file: name, line: lineNumber), expected: c.count, found: fields.count)
            }
            guard let t = Double(fields[c.time]), t.isFinite else {
                throw .badNumber(InputLocation(file: name, line: lineNumber, column: c.time + 1), column: "time", text: fields[c.time])
            }
            guard let v = Double(fields[c.value]), v.isFinite else {
                throw .badNumber(InputLocation(file: name, line: lineNumber, column: c.value + 1),
                                 column: quantity!.rawValue, text: fields[c.value])
            }
            if let last = timeS.last, !(t > last) {
                throw .nonMonotoneTime(InputLocation(file: name, line: lineNumber), previousS: last, foundS: t)
            }
            if quantity == .speed, v < 0 {
                throw .badValue(InputLocation(file: name, line: lineNumber, column: c.value + 1), column: "speed",
                                expected: "a speed ≥ 0", found: fields[c.value])
            }
            guard timeS.count < maximumRows else {
                throw .sizeLimitExceeded(InputLocation(file: name, line: lineNumber), what: "drive profile rows",
                                         limit: maximumRows, requested: timeS.count + 1)
            }
            timeS.append(t)
            values.append(v * scale)
        }
        guard let quantity, timeS.count >= 2 else {
            throw .malformed(InputLocation(file: name), expected: "a header (time_s and a current, power or speed column) "
                             + "and at least two rows", found: "\(timeS.count) rows")
        }
        if quantity != .speed {
            if let statedSign, let currentSign, statedSign != currentSign {
                throw .badValue(InputLocation(file: name), column: "current_sign", expected: "--current-sign \(currentSign.rawValue) "
                                + "as the file states", found: statedSign.rawValue)
            }
            guard let sign = statedSign ?? currentSign else {
                throw .malformed(InputLocation(file: name), expected: "the sign of its \(quantity.rawValue): a '# current_sign: "
                                 + "charge_positive|discharge_positive' line or --current-sign",
                                 found: "neither (PyBaMM's profiles count discharge positive)")
            }
            if sign == .chargePositive { values = values.map { -$0 } }
        }
        return Trace(quantity: quantity, timeS: timeS, values: values)
    }

    /// `s` without leading and trailing blanks, tabs, carriage returns and a byte-order mark.
    static func trimmed(_ s: Substring) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }
        guard let first = s.firstIndex(where: { !blank($0) }), let last = s.lastIndex(where: { !blank($0) }) else { return "" }
        return s[first...last]
    }
}
