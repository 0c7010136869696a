import BMSCore
import Foundation

/// The optional `dataset.json` of a generic dataset (`Docs/DataFormats.md` §7): which recording
/// files belong to it (optionally grouped by cell), its train / validation / test / fit split,
/// the nominal capacity, the chemistry and an OCV table. Paths are relative to the manifest's
/// folder.
///
/// ```json
/// {
///   "version": 1,
///   "name": "mohtat2020-nmc-25C",
///   "chemistry": "NMC532/graphite",
///   "nominal_capacity_ah": 4.969,
///   "ocv_table": "ocv-table.csv",
///   "files": ["udds-short.csv", "udds-short-noisy.csv"],
///   "split": {"train": ["udds-short.csv"], "validation": [], "test": ["udds-short-noisy.csv"]}
/// }
/// ```
///
/// Unknown keys are refused (a misspelt key would otherwise be ignored silently); `files` and
/// `cells` exclude each other; without either, every `*.csv` under the folder is a recording.
/// Parsing checks the JSON only; `GenericDataset` checks that the files exist and that every
/// split entry names one of them or one of their cells.
public struct DatasetManifest: Sendable, Equatable {
    /// The one format version this reader knows.
    public static let version = 1
    /// The manifest's file name inside a dataset folder.
    public static let fileName = "dataset.json"
    /// The split names a manifest may use.
    public static let splitNames = ["train", "validation", "test", "fit"]

    /// A display name.
    public var name: String?
    /// Chemistry (free text, reported only).
    public var chemistry: String?
    /// Nominal capacity of the cells, Ah.
    public var nominalCapacityAh: Double?
    /// OCV table file (`soc,ocv_v[,temperature_c]`, `OCVTableCSV`), relative to the manifest.
    public var ocvTable: String?
    /// Recording files, relative to the manifest (nil: from `cells`, or every `*.csv`).
    public var files: [String]?
    /// Recording files by cell name, in the manifest's order (overrides the files' `# cell:`).
    public var cells: [(cell: String, files: [String])]?
    /// Split name (`train`, `validation`, `test`, `fit`) → cell names and file paths; nil
    /// when the manifest has no `split`.
    public var split: [String: [String]]?

    /// Creates a manifest.
    public init(name: String? = nil, chemistry: String? = nil, nominalCapacityAh: Double? = nil, ocvTable: String? = nil,
                files: [String]? = nil, cells: [(cell: String, files: [String])]? = nil, split: [String: [String]]? = nil) {
        self.name = name
        self.chemistry = chemistry
        self.nominalCapacityAh = nominalCapacityAh
        self.ocvTable = ocvTable
        self.files = files
        self.cells = cells
        self.split = split
    }

    /// Two manifests are equal when every field is (cells compared in order).
    public static func == (a: DatasetManifest, b: DatasetManifest) -> Bool {
        a.name == b.name && a.chemistry == b.chemistry && a.nominalCapacityAh == b.nominalCapacityAh
            && a.ocvTable == b.ocvTable && a.files == b.files && a.split == b.split
            && a.cells?.map(\.cell) == b.cells?.map(\.cell) && a.cells?.map(\.files) == b.cells?.map(\.files)
    }

    static let keys: Set<String> = ["version", "name", "chemistry", "nominal_capacity_ah", "ocv_table", "files", "cells", "split"]

    /// Reads the manifest at `path`.
    public static func read(path: String) throws(CellDataError) -> DatasetManifest {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path: path) } catch { throw .cannotRead(file: path, reason: error.reason) }
        return try parse(bytes, name: path)
    }

    /// Parses a manifest held in memory (`name` is used in errors).
    public static func parse(_ bytes: [UInt8], name file: String) throws(CellDataError) -> DatasetManifest {
        func bad(_ field: String, _ expected: String, _ found: String) -> CellDataError {
            .badManifest(file: file, field: field, expected: expected, found: found)
        }
        let object: JSONValue
        do { object = try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) } catch {
            throw bad("(file)", "a JSON object", "text that is not JSON")
        }
        guard case let .object(top) = object else { throw bad("(file)", "a JSON object", object.kind) }
        if let unknown = top.keys.sorted().first(where: { !keys.contains($0) }) {
            throw bad(unknown, "one of \(keys.sorted().joined(separator: ", "))", "an unknown key")
        }
        guard let version = top["version"] else { throw bad("version", "\(Self.version)", "no version") }
        guard case .number(Double(Self.version)) = version else {
            throw bad("version", "\(Self.version) (the version this bmsim reads)", version.kind)
        }
        var manifest = DatasetManifest()
        manifest.name = try string(top, "name", bad)
        manifest.chemistry = try string(top, "chemistry", bad)
        manifest.ocvTable = try string(top, "ocv_table", bad)
        if let value = top["nominal_capacity_ah"] {
            guard case let .number(ah) = value, (1e-3...1e4).contains(ah) else {
                throw bad("nominal_capacity_ah", "a capacity in Ah (0.001…10000)", value.kind)
            }
            manifest.nominalCapacityAh = ah
        }
        if top["files"] != nil && top["cells"] != nil {
            throw bad("files", "either 'files' or 'cells'", "both")
        }
        if let value = top["files"] { manifest.files = try list(value, "files", bad) }
        if let value = top["cells"] {
            guard case let .object(byCell) = value, !byCell.isEmpty else {
                throw bad("cells", "an object of cell name → list of files", value.kind)
            }
            manifest.cells = try byCell.keys.sorted().map { cell throws(CellDataError) in
                guard !cell.isEmpty else { throw bad("cells", "non-empty cell names", "an empty name") }
                return (cell, try list(byCell[cell]!, "cells.\(cell)", bad))
            }
        }
        if let value = top["split"] {
            guard case let .object(split) = value else { throw bad("split", "an object of split name → list", value.kind) }
            if let unknown = split.keys.sorted().first(where: { !splitNames.contains($0) }) {
                throw bad("split.\(unknown)", "one of \(splitNames.joined(separator: ", "))", "an unknown split name")
            }
            var lists: [String: [String]] = [:]
            for (key, entries) in split { lists[key] = try list(entries, "split.\(key)", bad, allowEmpty: true) }
            manifest.split = lists
        }
        return manifest
    }

    /// The string at `key`, nil when absent, refused when not a non-empty string.
    static func string(_ top: [String: JSONValue], _ key: String,
                       _ bad: (String, String, String) -> CellDataError) throws(CellDataError) -> String? {
        guard let value = top[key] else { return nil }
        guard case let .string(text) = value, !text.isEmpty else { throw bad(key, "a non-empty string", value.kind) }
        return text
    }

    /// A list of non-empty strings without repeats.
    static func list(_ value: JSONValue, _ field: String, _ bad: (String, String, String) -> CellDataError,
                     allowEmpty: Bool = false) throws(CellDataError) -> [String] {
        guard case let .array(items) = value, allowEmpty || !items.isEmpty else {
            throw bad(field, allowEmpty ? "a list of names" : "a non-empty list of file paths", value.kind)
        }
        var seen = Set<String>()
        return try items.map { item throws(CellDataError) in
            guard case let .string(text) = item, !text.isEmpty else { throw bad(field, "non-empty strings", item.kind) }
            guard seen.insert(text).inserted else { throw bad(field, "each entry once", "'\(CellDataError.printable(text))' twice") }
            return text
        }
    }
}

/// A JSON value as decoded, with its kind named for messages (a boolean is never a number).
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// What the value is, e.g. "the number 2", "a list".
    var kind: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return "the boolean \(b)"
        case let .number(n): return "the number \(n)"
        case let .string(s): return "the string '\(CellDataError.printable(s, limit: 60))'"
        case let .array(a): return a.isEmpty ? "an empty list" : "a list"
        case .object: return "an object"
        }
    }
}
