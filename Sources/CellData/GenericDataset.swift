import BMSCore
import Foundation

/// A dataset of generic recording CSVs (`Docs/DataFormats.md` §1 and §7): a folder, with or
/// without a `dataset.json` manifest, or a plain list of recording files.
///
/// * **With a manifest**: its `files` (or `cells`), split, nominal capacity, chemistry and OCV
///   table. Without `files`/`cells`, every `*.csv` under the folder except the OCV table.
/// * **Without one** (a folder or a list of files): every `*.csv` under the folder, searched
///   recursively (hidden files and folders skipped), in path order; there is **no split**:
///   every split name (`train`, `validation`, `test`, `fit`) stands for all the recordings.
///
/// A split entry (and a selection item, `members(selecting:)`) names a recording by its path
/// relative to the dataset (`25C/udds.csv`) or a cell: the manifest's `cells` key, else the
/// file's `# cell:` comment, else its name without `.csv`. A manifest split without `fit` fits
/// on train + validation. Files are read when asked for, each with `Plausibility` enforced; a
/// file that states no current sign is refused when read, as everywhere.
///
/// ```swift
/// let data = try GenericDataset(folder: "/data/mycells")          // reads dataset.json if present
/// let test = try data.labelled(data.members(split: "test"))       // soc-labelled sequences
/// ```
public struct GenericDataset: Sendable {
    /// One recording file of the dataset.
    public struct Member: Sendable, Equatable {
        /// The file's path as opened.
        public var path: String
        /// Its name in the dataset: the path relative to the dataset folder (as given for a list).
        public var name: String
        /// Its cell.
        public var cell: String
        /// 1-based position in the dataset's file list (the `cycle` of its labelled sequence).
        public var number: Int
        /// True when the cell comes from the manifest's `cells` (it overrides the file's comment).
        public var cellFromManifest: Bool
    }

    /// The dataset folder, or the list of paths joined by spaces.
    public let root: String
    /// The manifest's path, when there is one.
    public let manifestPath: String?
    /// The manifest, when there is one.
    public let manifest: DatasetManifest?
    /// The recordings, in dataset order.
    public let members: [Member]
    /// The manifest's OCV table, read when the dataset is opened.
    public let ocvTable: OCVTableCSV.Table?
    /// Quality rules for reading the recordings.
    public var policy: QualityPolicy

    /// Opens the folder at `folder` (with its `dataset.json` when present).
    public init(folder: String, policy: QualityPolicy = QualityPolicy()) throws(CellDataError) {
        let manifest = URL(fileURLWithPath: folder).appendingPathComponent(DatasetManifest.fileName).path
        if FileManager.default.fileExists(atPath: manifest) {
            try self.init(manifestAt: manifest, policy: policy)
        } else {
            let files = try Self.csvFiles(under: folder, excluding: [])
            guard !files.isEmpty else {
                throw .cannotRead(file: folder, reason: "the folder holds no .csv recording (nor the NASA folder's cycles_index.csv, "
                                  + "nor a \(DatasetManifest.fileName))")
            }
            try self.init(root: folder, manifestPath: nil, manifest: nil, ocvTable: nil,
                          files: files.map { (URL(fileURLWithPath: folder).appendingPathComponent($0).path, $0, nil) }, policy: policy)
        }
    }

    /// Opens the dataset described by the manifest at `manifestAt`.
    public init(manifestAt path: String, policy: QualityPolicy = QualityPolicy()) throws(CellDataError) {
        let manifest = try DatasetManifest.read(path: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ relative: String, _ field: String) throws(CellDataError) -> String {
            let full = relative.hasPrefix("/") ? relative : folder.appendingPathComponent(relative).path
            if let problem = InputFile.statProblem(path: full) {
                throw .cannotRead(file: full, reason: "named by \(path) ('\(field)') but \(problem)")
            }
            return full
        }
        let ocvPath = try manifest.ocvTable.map { name throws(CellDataError) in try resolve(name, "ocv_table") }
        let ocvTable = try ocvPath.map { p throws(CellDataError) in try OCVTableCSV.read(path: p) }
        var files: [(path: String, name: String, cell: String?)] = []
        if let cells = manifest.cells {
            for (cell, names) in cells {
                for name in names { files.append((try resolve(name, "cells.\(cell)"), name, cell)) }
            }
        } else if let names = manifest.files {
            for name in names { files.append((try resolve(name, "files"), name, nil)) }
        } else {
            let skip = Set([manifest.ocvTable].compactMap { $0 })
            files = try Self.csvFiles(under: folder.path, excluding: skip).map { (folder.appendingPathComponent($0).path, $0, nil) }
        }
        if let bad = files.first(where: { !$0.path.lowercased().hasSuffix(".csv") }) {
            throw .badManifest(file: path, field: manifest.cells == nil ? "files" : "cells",
                               expected: "generic recording CSV files (*.csv)", found: "'\(bad.name)'")
        }
        if let twice = Self.firstRepeat(files.map { URL(fileURLWithPath: $0.path).standardizedFileURL.path }) {
            throw .badManifest(file: path, field: "cells", expected: "each file in one cell", found: "'\(twice)' twice")
        }
        guard !files.isEmpty else {
            throw .badManifest(file: path, field: "files", expected: "at least one recording", found: "no *.csv in the folder")
        }
        try self.init(root: folder.path, manifestPath: path, manifest: manifest, ocvTable: ocvTable, files: files, policy: policy)
        try checkSplit()
    }

    /// A dataset of the recording files (and folders of them, searched recursively) in `paths`;
    /// no manifest, no split.
    public init(files paths: [String], policy: QualityPolicy = QualityPolicy()) throws(CellDataError) {
        var files: [(path: String, name: String, cell: String?)] = []
        for path in paths {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                let found = try Self.csvFiles(under: path, excluding: [])
                guard !found.isEmpty else { throw .cannotRead(file: path, reason: "the folder holds no .csv recording") }
                files += found.map { (URL(fileURLWithPath: path).appendingPathComponent($0).path, "\(path)/\($0)", nil) }
            } else {
                if let problem = InputFile.statProblem(path: path) { throw .cannotRead(file: path, reason: problem) }
                files.append((path, path, nil))
            }
        }
        try self.init(root: paths.joined(separator: " "), manifestPath: nil, manifest: nil, ocvTable: nil, files: files, policy: policy)
    }

    init(root: String, manifestPath: String?, manifest: DatasetManifest?, ocvTable: OCVTableCSV.Table?,
         files: [(path: String, name: String, cell: String?)], policy: QualityPolicy) throws(CellDataError) {
        self.root = root
        self.manifestPath = manifestPath
        self.manifest = manifest
        self.ocvTable = ocvTable
        self.policy = policy
        var members: [Member] = []
        for (k, f) in files.enumerated() {
            var cell = f.cell
            if cell == nil { cell = try GenericRecordingCSV.metadata(path: f.path)["cell"] }
            members.append(Member(path: f.path, name: f.name,
                                  cell: cell ?? URL(fileURLWithPath: f.path).deletingPathExtension().lastPathComponent,
                                  number: k + 1, cellFromManifest: f.cell != nil))
        }
        self.members = members
    }

    /// Cells, in order of first appearance.
    public var cells: [String] {
        var seen = Set<String>()
        return members.map(\.cell).filter { seen.insert($0).inserted }
    }

    /// True when a manifest gives a split (else every split is every recording).
    public var hasSplit: Bool { manifest?.split != nil }

    /// The nominal capacity from the manifest, Ah.
    public var nominalCapacityAh: Double? { manifest?.nominalCapacityAh }

    /// The members of split `name` (`train`, `validation`, `test`, `fit`): the manifest's
    /// entries; `fit` defaults to train + validation; without a split, every member.
    public func members(split name: String) -> [Member] {
        guard let split = manifest?.split else { return members }
        let entries = split[name] ?? (name == "fit" ? (split["train"] ?? []) + (split["validation"] ?? []) : [])
        return (try? resolve(entries)) ?? []   // checked when opened
    }

    /// The members named by `items` (split names, cell names, recording names), in dataset
    /// order, each once; an item that names nothing is `CellDataError.unknownCell`.
    public func members(selecting items: [String]) throws(CellDataError) -> [Member] {
        var chosen = Set<Int>()
        for item in items {
            if DatasetManifest.splitNames.contains(item) {
                chosen.formUnion(members(split: item).map(\.number))
            } else {
                chosen.formUnion(try resolve([item]).map(\.number))
            }
        }
        return members.filter { chosen.contains($0.number) }
    }

    /// Members named by cell or recording names; an unknown name is `unknownCell`.
    func resolve(_ entries: [String]) throws(CellDataError) -> [Member] {
        var chosen = Set<Int>()
        for entry in entries {
            let hits = members.filter { $0.name == entry || $0.cell == entry }
            guard !hits.isEmpty else { throw .unknownCell(entry, available: cells) }
            chosen.formUnion(hits.map(\.number))
        }
        return members.filter { chosen.contains($0.number) }
    }

    /// Every split entry of the manifest must name a cell or a recording of the dataset.
    func checkSplit() throws(CellDataError) {
        guard let split = manifest?.split, let manifestPath else { return }
        for name in DatasetManifest.splitNames {
            for entry in split[name] ?? [] where !members.contains(where: { $0.name == entry || $0.cell == entry }) {
                throw .badManifest(file: manifestPath, field: "split.\(name)",
                                   expected: "cells or files of the dataset (cells: \(cells.prefix(8).joined(separator: " "))"
                                       + (cells.count > 8 ? " …" : "") + ")",
                                   found: "'\(entry)'")
            }
        }
    }

    /// Reads one recording (`Plausibility` enforced), named by the manifest's cell when it gives one.
    public func recording(_ member: Member, policy: QualityPolicy? = nil,
                          currentSign: GenericRecordingCSV.CurrentSign? = nil) throws(CellDataError) -> Recording {
        let policy = policy ?? self.policy
        let options = GenericRecordingCSV.Options(currentSign: currentSign, cell: member.cellFromManifest ? member.cell : nil,
                                                  policy: policy)
        return try Plausibility.enforce(try GenericRecordingCSV.read(path: member.path, options: options), policy: policy)
    }

    /// Reads several recordings in parallel, in the order given.
    public func recordings(_ members: [Member], policy: QualityPolicy? = nil,
                           currentSign: GenericRecordingCSV.CurrentSign? = nil) throws(CellDataError) -> [Recording] {
        try ParallelMap.map(members) { m throws(CellDataError) in try recording(m, policy: policy, currentSign: currentSign) }
    }

    /// Relative paths of the `*.csv` files under `folder` (recursive, hidden entries skipped),
    /// sorted, without `excluding`.
    static func csvFiles(under folder: String, excluding: Set<String>) throws(CellDataError) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw .cannotRead(file: folder, reason: "cannot list the folder")
        }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            let parts = name.split(separator: "/")
            if parts.last?.hasPrefix(".") == true { walker.skipDescendants(); continue }
            guard name.lowercased().hasSuffix(".csv"), !excluding.contains(name) else { continue }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder), !isFolder.boolValue {
                found.append(name)
            }
        }
        return found.sorted()
    }

    static func firstRepeat(_ items: [String]) -> String? {
        var seen = Set<String>()
        return items.first { !seen.insert($0).inserted }
    }
}
