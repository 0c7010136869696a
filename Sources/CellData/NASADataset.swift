import BMSCore
import Foundation

/// The NASA PCoE folder (`nasa_pcoe_battery/`: `cycles_index.csv`, `discharge/`, `charge/`,
/// `mat/`) as a data set: its index, whole-life recordings per cell, and the fast
/// discharge-only path with the benchmark task's filter, labels and splits.
///
/// ```swift
/// let data = try NASADataset(root: URL(fileURLWithPath: "../shared/data/nasa_pcoe_battery"))
/// let b5 = try data.recording(cell: "B0005")                  // whole life, gaps explicit
/// let train = try data.labelledDischarges(cells: NASADataset.Split.train.cells)
/// let grid = train[0].resampled(dtS: 10)                    // as soc_data.py
/// ```
public struct NASADataset: Sendable {
    /// The benchmark task's split by cell (Docs/Benchmark.md, "Split").
    public enum Split: String, Sendable, CaseIterable {
        /// Training cells.
        case train
        /// Validation cells.
        case validation
        /// Test cells.
        case test

        /// The cells of the split, in the task's order.
        public var cells: [String] {
            switch self {
            case .train: return ["B0005", "B0006", "B0025", "B0026", "B0029", "B0030", "B0033", "B0036", "B0042", "B0046"]
            case .validation: return ["B0007", "B0028", "B0031", "B0034"]
            case .test: return ["B0039", "B0043", "B0044", "B0047", "B0053"]
            }
        }
    }

    /// Index flags that make a discharge unusable for the benchmark task (Docs/Benchmark.md, "Data").
    public static let skippedFlags: Set<String> = ["capacity_missing", "capacity_below_1Ah"]

    /// The folder.
    public let root: URL
    /// Every row of `cycles_index.csv`.
    public let index: [CycleIndexRow]
    /// Rules for the fast discharge path (`labelledDischarges`): whether implausible data
    /// and an index that disagrees with its sample files are refused (the default) or kept.
    public var policy: QualityPolicy

    /// Opens the folder and reads its index.
    public init(root: URL, policy: QualityPolicy = QualityPolicy()) throws(CellDataError) {
        self.root = root
        self.policy = policy
        self.index = try CyclesIndex.read(path: root.appendingPathComponent("cycles_index.csv").path)
    }

    /// Cells in the index, in order of first appearance.
    public var cells: [String] {
        var seen = Set<String>()
        return index.map(\.cell).filter { seen.insert($0).inserted }
    }

    /// The task's usable-discharge filter: a discharge row whose flags contain neither
    /// `capacity_missing` nor `capacity_below_1Ah`, with a capacity, and `nan_samples` 0.
    /// (Discharges with a NaN in the used columns are also skipped when loaded.)
    public static func isUsableDischarge(_ row: CycleIndexRow) -> Bool {
        row.type == "discharge" && row.capacityAh != nil && (row.nanSamples ?? 0) == 0
            && !row.flags.contains(where: skippedFlags.contains)
    }

    /// Index rows of the usable discharges (all cells, index order).
    public var usableDischarges: [CycleIndexRow] { index.filter(Self.isUsableDischarge) }

    func path(_ folder: String, _ cell: String) -> String {
        root.appendingPathComponent(folder).appendingPathComponent("\(cell)_\(folder).csv").path
    }

    func requireCell(_ cell: String) throws(CellDataError) {
        guard index.contains(where: { $0.cell == cell }) else { throw .unknownCell(cell, available: cells) }
    }

    /// The whole recorded life of `cell` from the CSV files and the index: discharges,
    /// the charges in the CSV subset, gaps (with the unrecorded operations) in between.
    /// `policy` defaults to the dataset's.
    public func recording(cell: String, policy: QualityPolicy? = nil) throws(CellDataError) -> Recording {
        let policy = policy ?? self.policy
        try requireCell(cell)
        let rows = index.filter { $0.cell == cell }
        var samples: [Int: OperationSamples] = [:]
        var mismatches: [String] = []
        for folder in ["discharge", "charge"] {
            let p = path(folder, cell)
            let cycles = FileManager.default.fileExists(atPath: p) ? try NASASampleFile.read(path: p) : []
            for c in cycles { samples[c.cycle] = c.samples }
            mismatches += indexMismatches(cell: cell, type: folder, file: p, cycles: cycles)
        }
        let raw = rows.map { row in
            NASARawOperation(nasaCycle: row.cycle, type: row.type, startSeconds: row.startSeconds,
                             ambientTemperatureC: row.ambientTemperatureC, capacityAh: row.capacityAh,
                             samples: row.type == "impedance" ? nil : samples[row.cycle], indexFlags: row.flags)
        }
        var recording = NASARecordingBuilder.build(cell: cell, source: root.path, raw: raw, policy: policy)
        if !mismatches.isEmpty {
            guard policy.acceptImplausible else { throw .implausible(source: root.path, cell: cell, findings: mismatches) }
            if let k = recording.operations.firstIndex(where: { !$0.isGap }) {
                recording.operations[k].quality += mismatches.map {
                    QualityFinding(kind: .implausible, sampleIndex: nil, sampleCount: 0, action: .kept, detail: $0)
                }
            }
        }
        return try Plausibility.enforce(recording, policy: policy)
    }

    /// The index rows of `type` that say their samples are in `file` but whose sample count
    /// disagrees with the file (a file cut short, a header-only file, a missing folder), as
    /// finding texts; the first three are named.
    func indexMismatches(cell: String, type: String, file: String, cycles: [NASACycleSamples]) -> [String] {
        var counts: [Int: Int] = [:]
        for c in cycles { counts[c.cycle] = c.samples.count }
        var bad: [String] = []
        for row in index where row.cell == cell && row.type == type && row.hasSamples {
            let found = counts[row.cycle] ?? 0
            if let expected = row.sampleCount, expected != found { bad.append("cycle \(row.cycle): \(found) rows, index says \(expected)") }
        }
        guard !bad.isEmpty else { return [] }
        return ["\(file) disagrees with cycles_index.csv on \(bad.count) \(type)(s) (\(bad.prefix(3).joined(separator: ", "))"
                + (bad.count > 3 ? ", …" : "") + "): the file is cut short or the folder is incomplete"]
    }

    /// Recordings of several cells, read in parallel (one file set per worker), in `cells` order.
    public func recordings(cells: [String], policy: QualityPolicy? = nil) throws(CellDataError) -> [Recording] {
        try ParallelMap.map(cells) { cell throws(CellDataError) in try recording(cell: cell, policy: policy) }
    }

    /// The usable discharges of `cell` with reference-SOC labels (fast path: reads only the
    /// discharge CSV). Order: cycle number.
    public func labelledDischarges(cell: String) throws(CellDataError) -> [LabelledDischarge] {
        try requireCell(cell)
        var capacity: [Int: Double] = [:]
        for row in index where row.cell == cell && Self.isUsableDischarge(row) { capacity[row.cycle] = row.capacityAh }
        var out: [LabelledDischarge] = []
        let file = path("discharge", cell)
        let cycles = FileManager.default.fileExists(atPath: file) ? try NASASampleFile.read(path: file) : []
        let mismatches = indexMismatches(cell: cell, type: "discharge", file: file, cycles: cycles)
        if !mismatches.isEmpty && !policy.acceptImplausible {
            throw .implausible(source: root.path, cell: cell, findings: mismatches)
        }
        for c in cycles.sorted(by: { $0.cycle < $1.cycle }) {
            guard let q = capacity[c.cycle], c.nanRows == 0, c.samples.count >= 2 else { continue }
            out.append(LabelledDischarge(cell: cell, cycle: c.cycle, capacityAh: q, samples: c.samples,
                                         soc: ReferenceSOC.discharge(timeS: c.samples.timeS, currentA: c.samples.currentA,
                                                                     capacityAh: q)))
        }
        // The units and sign checks of the whole-life path, on the discharges alone.
        let asRecording = Recording(cell: cell, source: root.path, operations: out.map {
            CellOperation(kind: .discharge, nasaCycle: $0.cycle, startTimeS: 0, ambientTemperatureC: nil,
                          capacityAh: $0.capacityAh, samples: $0.samples)
        })
        _ = try Plausibility.enforce(asRecording, policy: policy)
        return out
    }

    /// Labelled usable discharges of several cells (read in parallel), in `cells` order.
    public func labelledDischarges(cells: [String]) throws(CellDataError) -> [LabelledDischarge] {
        try ParallelMap.map(cells) { cell throws(CellDataError) in try labelledDischarges(cell: cell) }.flatMap { $0 }
    }

    /// Labelled usable discharges of a split.
    public func labelledDischarges(split: Split) throws(CellDataError) -> [LabelledDischarge] {
        try labelledDischarges(cells: split.cells)
    }
}

/// One labelled sequence with its reference SOC at every native sample: a usable NASA
/// discharge (the benchmark task's filter and label), or a whole `soc`-labelled recording of a
/// generic dataset (`GenericDataset.labelled`).
public struct LabelledDischarge: Sendable, Equatable {
    /// Cell name.
    public var cell: String
    /// NASA operation number; for a generic dataset, the file's position in the dataset (1-based).
    public var cycle: Int
    /// Q_ref: NASA's capacity of this discharge, Ah (generic: the recording's capacity).
    public var capacityAh: Double
    /// Native samples (time from 0 at the start of the sequence).
    public var samples: OperationSamples
    /// Reference SOC (fraction) at each sample; may end below 0 (README §1.5).
    public var soc: [Double]
    /// The recording's name in a generic dataset (nil for NASA discharges).
    public var source: String? = nil
    /// Chamber setpoint when the source states one (generic datasets; NASA's is in the index), °C.
    public var ambientTemperatureC: Double? = nil

    /// The discharge on the grid n·dtS with the label interpolated (as `soc_data.py`).
    public func resampled(dtS: Double = 10) -> ResampledSeries {
        Resampler.resample(samples, soc: soc, dtS: dtS)
    }
}

/// Runs independent, throwing jobs on all cores and returns their results in input order
/// (the first error by input order is thrown).
enum ParallelMap {
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (T) throws(CellDataError) -> R)
        throws(CellDataError) -> [R] {
        let results = ResultBox<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { k in
            let r: Result<R, CellDataError>
            r = Result { () throws(CellDataError) -> R in try body(items[k]) }
            results.set(k, r)
        }
        return try results.values.map { r throws(CellDataError) in try r!.get() }
    }

    final class ResultBox<R>: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<R, CellDataError>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ k: Int, _ r: Result<R, CellDataError>) { lock.lock(); values[k] = r; lock.unlock() }
    }
}
