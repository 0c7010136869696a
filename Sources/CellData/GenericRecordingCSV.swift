import BMSCore
import Foundation

/// The documented generic recording CSV (see `Docs/DataFormats.md`), so users can bring
/// their own logs:
///
/// ```
/// # bmsim recording v1
/// # cell: MYCELL
/// # current_sign: charge_positive
/// time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah
/// 0.000,4.19000,0.00000,25.000,1.000000,rest,2.0
/// ```
///
/// Required columns: `time_s` (seconds, never decreasing, strictly increasing within an
/// operation), `voltage_v`, `current_a`, `temperature_c`. Optional: `soc` (fraction; empty =
/// unknown), `operation` (`charge`/`discharge`/`rest`/`gap`; a new operation starts where
/// the value changes), `capacity_ah` (Q_ref of the operation), `nasa_cycle`. The current
/// sign must be stated, by the `# current_sign:` comment (`charge_positive` or
/// `discharge_positive`) or by `GenericRecordingCSV.Options.currentSign`.
public enum GenericRecordingCSV {
    /// Sign convention of the `current_a` column.
    public enum CurrentSign: String, Sendable, CaseIterable {
        /// Positive current charges the cell (BMSim's internal convention).
        case chargePositive = "charge_positive"
        /// Positive current discharges the cell.
        case dischargePositive = "discharge_positive"
    }

    /// Reading options.
    public struct Options: Sendable {
        /// Overrides the `# current_sign:` comment.
        public var currentSign: CurrentSign?
        /// Overrides the `# cell:` comment (default: the file name without extension).
        public var cell: String?
        /// Quality rules.
        public var policy: QualityPolicy
        /// Creates options.
        public init(currentSign: CurrentSign? = nil, cell: String? = nil, policy: QualityPolicy = QualityPolicy()) {
            self.currentSign = currentSign
            self.cell = cell
            self.policy = policy
        }
    }

    static let required = ["time_s", "voltage_v", "current_a", "temperature_c"]

    /// Reads the file at `path`.
    public static func read(path: String, options: Options = Options()) throws(CellDataError) -> Recording {
        try parse(CSVScanner(file: path, storage: try FileBytes(path: path)), options: options)
    }

    /// Parses a file held in memory (`name` is used in errors and as the default cell name).
    public static func parse(_ bytes: [UInt8], name: String, options: Options = Options()) throws(CellDataError) -> Recording {
        try parse(CSVScanner(file: name, storage: FileBytes(bytes: bytes)), options: options)
    }

    /// The `# key: value` comments before the header of the file at `path` (keys lower-cased),
    /// read from its first 64 KiB only: what a dataset needs to know (`cell`) without reading
    /// the samples.
    public static func metadata(path: String) throws(CellDataError) -> [String: String] {
        var s = CSVScanner(file: path, storage: try FileBytes(path: path, limit: 1 << 16))
        _ = try s.readHeader()
        return try metadata(s.comments, file: path)
    }

    /// `# key: value` comments as a dictionary; a key stated twice with two values is refused
    /// (which one holds cannot be guessed).
    static func metadata(_ comments: [String], file: String) throws(CellDataError) -> [String: String] {
        var meta: [String: String] = [:]
        for comment in comments {
            let parts = comment.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let key = parts[0].lowercased()
            if let earlier = meta[key], earlier != parts[1] {
                throw .badValue(InputLocation(file: file, line: 1), column: "# \(key)",
                                expected: "one value", found: "'\(earlier)' and '\(parts[1])' on two comment lines")
            }
            meta[key] = parts[1]
        }
        return meta
    }

    static func parse(_ scanner: CSVScanner, options: Options) throws(CellDataError) -> Recording {
        var s = scanner
        let header = try s.readHeader()
        let c = try s.columnIndices(required, in: header)
        let socColumn = header.firstIndex(of: "soc")
        let opColumn = header.firstIndex(of: "operation")
        let capColumn = header.firstIndex(of: "capacity_ah")
        let cycleColumn = header.firstIndex(of: "nasa_cycle")
        let ambientColumn = header.firstIndex(of: "ambient_temperature_c")
        let meta = try metadata(s.comments, file: s.file)
        let stated: CurrentSign?
        if let text = meta["current_sign"] {
            guard let parsed = CurrentSign(rawValue: text) else {
                throw .badValue(InputLocation(file: s.file, line: 1), column: "# current_sign",
                                expected: "charge_positive or discharge_positive", found: text)
            }
            stated = parsed
        } else {
            stated = nil
        }
        let sign: CurrentSign
        if let explicit = options.currentSign {
            // The option is for files that state no sign; it never silently overrides one that does.
            if let stated, stated != explicit {
                throw .badValue(InputLocation(file: s.file, line: 1), column: "# current_sign",
                                expected: "\(explicit.rawValue), as the current-sign option says",
                                found: "\(stated.rawValue): the file and the option disagree; drop the option")
            }
            sign = explicit
        } else if let stated {
            sign = stated
        } else {
            throw .badHeader(InputLocation(file: s.file, line: 1),
                             expected: "a '# current_sign: charge_positive|discharge_positive' comment line "
                             + "(or the current-sign option)", found: "no current sign stated")
        }
        let signFactor = sign == .chargePositive ? 1.0 : -1.0
        var ambient: Double?
        if let text = meta["ambient_temperature_c"] {
            guard let value = Double(text), value.isFinite else {
                throw .badValue(InputLocation(file: s.file, line: 1), column: "# ambient_temperature_c",
                                expected: "a temperature in °C", found: text)
            }
            ambient = value
        }
        let cell = options.cell ?? meta["cell"] ?? URL(fileURLWithPath: s.file).deletingPathExtension().lastPathComponent

        var operations: [CellOperation] = []
        var current = Accumulator(label: nil)
        var previousTime = -Double.infinity
        func finish(_ acc: Accumulator) throws(CellDataError) {
            guard let t0 = acc.t.first else { return }
            let kind: OperationKind
            switch acc.label {
            case "charge": kind = .charge
            case "discharge": kind = .discharge
            case "rest", "gap": kind = .rest
            default:
                let finite = acc.i.filter(\.isFinite)   // a NaN or ±∞ row is dropped below; it must not decide the kind
                let mean = finite.reduce(0, +) / Double(max(finite.count, 1))
                kind = mean > 0.01 ? .charge : mean < -0.01 ? .discharge : .rest
            }
            let samples = OperationSamples(timeS: acc.t.map { $0 - t0 }, voltageV: acc.v, currentA: acc.i, temperatureC: acc.temp)
            var (clean, findings) = DataQuality.clean(samples, kind: kind, policy: options.policy)
            guard clean.count > 0 else {
                throw .malformed(InputLocation(file: s.file, line: acc.firstLine), expected: "an operation with at least one row without NaN",
                                 found: "\(samples.count) row(s), all with NaN")
            }
            DataQuality.dropNonIncreasingTimes(&clean, origin: t0, &findings)
            let hasSOC = !acc.soc.isEmpty && acc.soc.allSatisfy { !$0.isNaN } && clean.count == samples.count
            operations.append(CellOperation(kind: kind, nasaCycle: acc.nasaCycle, startTimeS: t0,
                                            ambientTemperatureC: acc.ambientC ?? ambient, capacityAh: acc.capacityAh, samples: clean,
                                            isGap: acc.label == "gap", quality: findings,
                                            providedSOC: hasSOC ? acc.soc : nil))
        }
        while s.nextRow(skipComments: true) {
            try s.requireFieldCount(header.count)
            let label = opColumn.map { s.text($0) }
            if let label, !["charge", "discharge", "rest", "gap"].contains(label) {
                throw .badValue(s.location(field: opColumn!), column: "operation",
                                expected: "charge, discharge, rest or gap", found: label)
            }
            let time = try s.number(c[0], column: "time_s")
            guard time.isFinite else { throw .badNumber(s.location(field: c[0]), column: "time_s", text: s.text(c[0])) }
            let cycleText = cycleColumn.map { s.text($0) }
            let newOperation = current.t.isEmpty || (opColumn != nil && label != current.label)
                || (cycleColumn != nil && cycleText != current.cycleText)
            guard time > previousTime || (newOperation && time == previousTime) else {
                throw .nonMonotoneTime(s.location(field: c[0]), previousS: previousTime, foundS: time)
            }
            previousTime = time
            if newOperation && !current.t.isEmpty {
                try finish(current)
                current = Accumulator(label: label)
            }
            if current.t.isEmpty {
                current.label = label
                current.cycleText = cycleText
                current.firstLine = s.line
            }
            current.t.append(time)
            current.v.append(try s.number(c[1], column: "voltage_v"))
            current.i.append(signFactor * (try s.number(c[2], column: "current_a")))
            current.temp.append(try s.number(c[3], column: "temperature_c"))
            if let k = socColumn { current.soc.append(try s.optionalNumber(k, column: "soc") ?? .nan) }
            if let k = capColumn, current.capacityAh == nil { current.capacityAh = try s.optionalNumber(k, column: "capacity_ah") }
            if let k = ambientColumn, current.ambientC == nil {
                current.ambientC = try s.optionalNumber(k, column: "ambient_temperature_c")
            }
            if let k = cycleColumn, current.nasaCycle == nil, let v = try s.optionalNumber(k, column: "nasa_cycle") {
                current.nasaCycle = Int(exactly: v.rounded()) ?? nil
            }
        }
        try finish(current)
        guard !operations.isEmpty else {
            throw .malformed(InputLocation(file: s.file, line: s.line), expected: "at least one sample row", found: "none")
        }
        return Recording(cell: cell, source: s.file, operations: operations)
    }

    struct Accumulator {
        var label: String?
        var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = [], soc: [Double] = []
        var capacityAh: Double?
        var nasaCycle: Int?
        var cycleText: String?
        var ambientC: Double?
        var firstLine = 0
    }
}
