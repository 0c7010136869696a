import BMSCore
import Foundation

/// Opens whatever a user points at: the NASA folder (`nasa_pcoe_battery/`, or a folder
/// containing it), a generic dataset (a folder of recording CSVs, with or without its
/// `dataset.json`, or the manifest itself), a NASA `.mat` file, or a generic recording CSV.
/// `Dataset.open(paths:)` builds the learning and scoring commands' data set on it.
public enum RecordingSource: Sendable {
    /// The NASA CSV folder.
    case nasaFolder(NASADataset)
    /// A generic dataset: a folder of recording CSVs or a `dataset.json` manifest.
    case dataset(GenericDataset)
    /// One `.mat` file.
    case matFile(path: String)
    /// One generic recording CSV.
    case genericCSV(path: String)

    /// Recognises `path`.
    public static func open(path: String) throws(CellDataError) -> RecordingSource {
        if let problem = InputFile.statProblem(path: path) { throw .cannotRead(file: path, reason: problem) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotRead(file: path, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            let url = URL(fileURLWithPath: path)
            for candidate in [url, url.appendingPathComponent("nasa_pcoe_battery")]
            where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("cycles_index.csv").path) {
                return .nasaFolder(try NASADataset(root: candidate))
            }
            return .dataset(try GenericDataset(folder: path))
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "mat": return .matFile(path: path)
        case "json": return .dataset(try GenericDataset(manifestAt: path))
        case "csv":
            // A NASA per-cell sample file lacks start times and capacities: point to the folder.
            if let head = try? FileBytes.readArray(path: path).prefix(200), String(decoding: head, as: UTF8.self).contains("Voltage_measured") {
                throw .unrecognizedInput(path: path, reason: "a NASA per-cell sample file; pass the nasa_pcoe_battery folder "
                                         + "(it needs cycles_index.csv for start times and capacities)")
            }
            return .genericCSV(path: path)
        default: throw .unrecognizedInput(path: path, reason: "expected a folder, a dataset.json, a .mat file or a .csv file")
        }
    }

    /// Names of the cells available.
    public func cellNames() throws(CellDataError) -> [String] {
        switch self {
        case let .nasaFolder(data): return data.cells
        case let .dataset(data): return data.cells
        case let .matFile(path): return [try NASAMatRecording.read(path: path).cell]
        case let .genericCSV(path): return [try GenericRecordingCSV.read(path: path).cell]
        }
    }

    /// Loads recordings: all cells, or the one named `cell`.
    public func recordings(cell: String? = nil, policy: QualityPolicy = QualityPolicy(),
                           currentSign: GenericRecordingCSV.CurrentSign? = nil) throws(CellDataError) -> [Recording] {
        // Datasets check their recordings as they read them; the single files are checked here.
        try loaded(cell: cell, policy: policy, currentSign: currentSign).map { r throws(CellDataError) in
            switch self {
            case .nasaFolder, .dataset: return r
            case .matFile, .genericCSV: return try Plausibility.enforce(r, policy: policy)
            }
        }
    }

    func loaded(cell: String?, policy: QualityPolicy,
                currentSign: GenericRecordingCSV.CurrentSign?) throws(CellDataError) -> [Recording] {
        switch self {
        case let .nasaFolder(data):
            return try data.recordings(cells: cell.map { [$0] } ?? data.cells, policy: policy)
        case let .dataset(data):
            let chosen = try cell.map { c throws(CellDataError) in
                let mine = data.members.filter { $0.cell == c }
                guard !mine.isEmpty else { throw .unknownCell(c, available: data.cells) }
                return mine
            } ?? data.members
            return try data.recordings(chosen, policy: policy, currentSign: currentSign)
        case let .matFile(path):
            let r = try NASAMatRecording.read(path: path, policy: policy)
            if let cell, cell != r.cell { throw .unknownCell(cell, available: [r.cell]) }
            return [r]
        case let .genericCSV(path):
            let r = try GenericRecordingCSV.read(path: path, options: .init(currentSign: currentSign, policy: policy))
            if let cell, cell != r.cell { throw .unknownCell(cell, available: [r.cell]) }
            return [r]
        }
    }
}
