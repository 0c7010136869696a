import BMSCore

/// One row of NASA's `cycles_index.csv`: one operation of one cell, every column typed.
/// Empty fields (not applicable) are `nil`. Units as in the column names of the file.
public struct CycleIndexRow: Sendable, Equatable {
    /// Cell name, e.g. `B0005`.
    public var cell: String
    /// NASA operation number (0-based index into the `.mat` `cycle` array).
    public var cycle: Int
    /// `charge`, `discharge` or `impedance`.
    public var type: String
    /// Start, ISO 8601 local lab time, as written.
    public var startTime: String
    /// Start in seconds on a continuous local clock (for differences only), ms resolution.
    public var startSeconds: Double?
    /// Chamber setpoint, °C.
    public var ambientTemperatureC: Double?
    /// Number of samples in the record.
    public var sampleCount: Int?
    /// Record length, s.
    public var durationS: Double?
    /// Median sampling interval, s.
    public var dtMedianS: Double?
    /// Largest sampling interval, s.
    public var dtMaxS: Double?
    /// Lowest measured voltage, V.
    public var vMinV: Double?
    /// Highest measured voltage, V.
    public var vMaxV: Double?
    /// Lowest cell temperature, °C.
    public var tMinC: Double?
    /// Highest cell temperature, °C.
    public var tMaxC: Double?
    /// Time from the end of the previous record to this start, s.
    public var restBeforeS: Double?
    /// Number of non-increasing time steps in the record.
    public var nonmonotonicTimeSteps: Int?
    /// Number of samples with NaN.
    public var nanSamples: Int?
    /// NASA's `Capacity` of a discharge, Ah.
    public var capacityAh: Double?
    /// Ah discharged until the first loaded sample below 2.7 V.
    public var ahOutTo2p7VAh: Double?
    /// Time of that sample, s.
    public var t2p7VS: Double?
    /// Ah discharged over the whole record (trapezoid rule).
    public var ahOutTrapzAh: Double?
    /// Mean current while loaded, A.
    public var iMeanWhenLoadedA: Double?
    /// The charge operation before this discharge.
    public var precedingChargeCycle: Int?
    /// Ah charged over the whole record (charges).
    public var ahInTrapzAh: Double?
    /// Electrolyte resistance fitted by NASA (impedance rows), Ω.
    public var reOhm: Double?
    /// Charge-transfer resistance fitted by NASA (impedance rows), Ω.
    public var rctOhm: Double?
    /// Quality flags (`capacity_missing`, `capacity_below_1Ah`, `v_above_4.3`, …).
    public var flags: [String]
    /// `yes`, `no_charge_subset` or `no_eis`.
    public var samplesIncluded: String

    /// True when the samples of this operation are in the per-cell CSV files.
    public var hasSamples: Bool { samplesIncluded == "yes" }
}

/// Reads `cycles_index.csv`.
public enum CyclesIndex {
    /// The columns in the order the reader needs them.
    static let columns = ["cell", "cycle", "type", "start_time", "ambient_temperature_C", "n_samples", "duration_s",
                          "dt_median_s", "dt_max_s", "v_min_V", "v_max_V", "t_min_C", "t_max_C", "rest_before_s",
                          "nonmonotonic_time_steps", "nan_samples", "capacity_Ah", "ah_out_to_2p7V_Ah", "t_2p7V_s",
                          "ah_out_trapz_Ah", "i_mean_when_loaded_A", "preceding_charge_cycle", "ah_in_trapz_Ah",
                          "Re_ohm", "Rct_ohm", "flags", "samples_included"]

    /// Reads the index file at `path`.
    public static func read(path: String) throws(CellDataError) -> [CycleIndexRow] {
        try parse(CSVScanner(file: path, storage: try FileBytes(path: path)))
    }

    /// Parses an index from memory (`name` is used in errors).
    public static func parse(_ bytes: [UInt8], name: String) throws(CellDataError) -> [CycleIndexRow] {
        try parse(CSVScanner(file: name, storage: FileBytes(bytes: bytes)))
    }

    static func parse(_ scanner: CSVScanner) throws(CellDataError) -> [CycleIndexRow] {
        var s = scanner
        let header = try s.readHeader()
        let c = try s.columnIndices(columns, in: header)
        var rows: [CycleIndexRow] = []
        rows.reserveCapacity(s.storage.count / 140)
        while s.nextRow() {
            try s.requireFieldCount(header.count)
            func num(_ k: Int) throws(CellDataError) -> Double? { try s.optionalNumber(c[k], column: columns[k]) }
            func int(_ k: Int) throws(CellDataError) -> Int? {
                guard let v = try num(k) else { return nil }
                guard v == v.rounded(), abs(v) < 1e15 else {
                    throw .badNumber(s.location(field: c[k]), column: columns[k], text: s.text(c[k]))
                }
                return Int(v)
            }
            guard let cycle = try int(1) else {
                throw .badNumber(s.location(field: c[1]), column: "cycle", text: "")
            }
            let type = s.text(c[2])
            guard ["charge", "discharge", "impedance"].contains(type) else {
                throw .badValue(s.location(field: c[2]), column: "type", expected: "charge, discharge or impedance", found: type)
            }
            let start = s.text(c[3])
            guard let startSeconds = CivilTime.seconds(iso: Substring(start)) else {
                throw .badValue(s.location(field: c[3]), column: "start_time", expected: "YYYY-MM-DDThh:mm:ss.fff", found: start)
            }
            let flagText = s.text(c[25])
            rows.append(CycleIndexRow(
                cell: s.text(c[0]), cycle: cycle, type: type, startTime: start, startSeconds: startSeconds,
                ambientTemperatureC: try num(4), sampleCount: try int(5), durationS: try num(6), dtMedianS: try num(7),
                dtMaxS: try num(8), vMinV: try num(9), vMaxV: try num(10), tMinC: try num(11), tMaxC: try num(12),
                restBeforeS: try num(13), nonmonotonicTimeSteps: try int(14), nanSamples: try int(15),
                capacityAh: try num(16), ahOutTo2p7VAh: try num(17), t2p7VS: try num(18), ahOutTrapzAh: try num(19),
                iMeanWhenLoadedA: try num(20), precedingChargeCycle: try int(21), ahInTrapzAh: try num(22),
                reOhm: try num(23), rctOhm: try num(24),
                flags: flagText.isEmpty ? [] : flagText.split(separator: ";").map(String.init),
                samplesIncluded: s.text(c[26])))
        }
        return rows
    }
}
