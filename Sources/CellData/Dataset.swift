import BMSCore

/// The data a learning or scoring command works on (`bmsim classical-eval`, `fit`, `data grid`,
/// `train`, `evaluate`, `quantize`): the NASA folder, with the benchmark split
/// (`NASADataset.Split`), or a generic dataset (`GenericDataset`: a folder of recording CSVs,
/// its `dataset.json`, or recording files), with its manifest's split.
///
/// Both are selected the same way, by items that are split names (`train`, `validation`,
/// `test`, and `fit` = train + validation unless a manifest says otherwise) or cell names (and,
/// for a generic dataset, recording names), and both give `LabelledDischarge`s: NASA's usable
/// discharges with the benchmark label, a generic dataset's `soc`-labelled recordings.
///
/// ```swift
/// let data = try Dataset.open(paths: ["/data/mycells"])
/// let test = try data.labelled(selecting: ["test"])    // .discharges, .cells
/// ```
public enum Dataset: Sendable {
    /// The NASA PCoE folder.
    case nasa(NASADataset)
    /// A generic dataset.
    case generic(GenericDataset)

    /// Opens `paths` through `RecordingSource`: one NASA folder, one generic dataset (a folder or a
    /// `dataset.json`), or one or more recording CSVs and folders of them (a dataset without a
    /// manifest). A NASA folder or a manifest goes on its own; a `.mat` file is refused (one NASA
    /// cell: pass the folder).
    public static func open(paths: [String], policy: QualityPolicy = QualityPolicy()) throws(CellDataError) -> Dataset {
        guard !paths.isEmpty else { throw .unrecognizedInput(path: "", reason: "no data given") }
        var sources: [RecordingSource] = []
        for path in paths { sources.append(try RecordingSource.open(path: path)) }
        for (path, source) in zip(paths, sources) {
            switch source {
            case .matFile:
                throw .unrecognizedInput(path: path, reason: "a .mat file holds one NASA cell; pass the nasa_pcoe_battery folder, "
                                         + "a generic dataset or recording CSVs")
            case let .nasaFolder(data) where paths.count == 1:
                var data = data
                data.policy = policy
                return .nasa(data)
            case let .dataset(data) where paths.count == 1:
                var data = data
                data.policy = policy
                return .generic(data)
            case .nasaFolder:
                throw .unrecognizedInput(path: path, reason: "the NASA folder is a dataset of its own; give it alone")
            case let .dataset(data) where data.manifestPath != nil:
                throw .unrecognizedInput(path: path, reason: "a dataset with a manifest; give it alone")
            case .dataset, .genericCSV:
                continue
            }
        }
        return .generic(try GenericDataset(files: paths, policy: policy))
    }

    /// Where the data come from, for reports.
    public var description: String {
        switch self {
        case let .nasa(data): return "NASA PCoE folder \(data.root.path)"
        case let .generic(data):
            return "generic dataset \(data.manifestPath ?? data.root) (\(data.members.count) recordings"
                + (data.hasSplit ? ")" : ", no split: every split is every recording)")
        }
    }

    /// True for the NASA folder.
    public var isNASA: Bool {
        if case .nasa = self { return true }
        return false
    }

    /// The cells available.
    public var cells: [String] {
        switch self {
        case let .nasa(data): return data.cells
        case let .generic(data): return data.cells
        }
    }

    /// The NASA cells of `items`: split names expanded (`fit` = train + validation), names
    /// kept, in order, each once (the cells are checked when their data are read).
    public static func nasaCells(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.flatMap { item -> [String] in
            if item == "fit" { return NASADataset.Split.train.cells + NASADataset.Split.validation.cells }
            return NASADataset.Split(rawValue: item)?.cells ?? [item]
        }.filter { seen.insert($0).inserted }
    }

    /// Labelled data of a selection, with the cells in report order.
    public struct LabelledSelection: Sendable {
        /// The sequences: NASA usable discharges, or generic `soc`-labelled recordings.
        public var discharges: [LabelledDischarge]
        /// The cells: NASA's as selected (split names expanded); generic, in order of first appearance.
        public var cells: [String]
        /// Generic recordings of the selection left out for want of a label, with the reason.
        public var unlabelled: [String]
    }

    /// The labelled sequences of `items` (split, cell and recording names). A generic selection
    /// of recordings none of which carries a `soc` label throws `CellDataError.noLabelledData`.
    public func labelled(selecting items: [String]) throws(CellDataError) -> LabelledSelection {
        switch self {
        case let .nasa(data):
            let cells = Self.nasaCells(items)
            return LabelledSelection(discharges: try data.labelledDischarges(cells: cells), cells: cells, unlabelled: [])
        case let .generic(data):
            let labelled = try data.labelled(data.members(selecting: items))
            var seen = Set<String>()
            return LabelledSelection(discharges: labelled.sequences,
                                     cells: labelled.sequences.map(\.cell).filter { seen.insert($0).inserted },
                                     unlabelled: labelled.unlabelled)
        }
    }
}
