import ArgumentParser
import BMSCore
import CellData
import CellModel
import Evaluation
import Foundation

/// `bmsim fit`: identify the OCV table and the 1RC/2RC Thevenin tables and write `cell.json`,
/// from the NASA folder (its train and validation discharges, `FitCommand+NASA.swift`) or from
/// a generic dataset or recordings of any cell (`FitCommand+Generic.swift`).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Identify a cell model (OCV, 1RC/2RC Thevenin tables, capacity) from recordings.",
        discussion: """
            PATH is the NASA folder (fitted as before: --cells, --every, --ocv-group-edges; also given as --data), \
            a generic dataset (a folder with its dataset.json, or the manifest: Docs/DataFormats.md §7), or one or more \
            generic recording CSVs (§1) or folders of them (every *.csv under the folder). A dataset's manifest gives the \
            recordings to fit (its fit split, else train + validation; --cells chooses others), the capacity and the \
            OCV table, unless --capacity or --ocv say otherwise. Generic fits take --ocv, --capacity and --validate and \
            write one SVG per recording beside --out.
            """)

    @Argument(help: "The NASA PCoE folder (with cycles_index.csv), a generic dataset (folder or dataset.json), or recording CSVs and folders of them.")
    var paths: [String] = []

    @Option(help: "NASA PCoE data folder (with cycles_index.csv and discharge/); the same as giving it as PATH.")
    var data: String?

    @Option(name: .customLong("ocv"), help: "OCV table CSV (soc,ocv_v[,temperature_c]) held fixed in a generic fit.")
    var ocvPath: String?

    @Option(help: "Cell capacity, Ah (generic fit): the reference SOC's normaliser and cell.json's capacity.")
    var capacity: Double?

    @Option(help: "Generic fit: Plett hysteresis (M, M0, γ) from a slow test's charge/discharge gap — auto (on when M + M0 exceeds \(RecordingFit.hysteresisThresholdmV) mV and the hysteresis lowers the 1RC fit residual by more than \(RecordingFit.hysteresisMinimumGainPercent) %), on, or off.")
    var hysteresis: RecordingFit.HysteresisMode = .auto

    @Option(name: .customLong("charge-transfer"),
            help: "Generic fit: the current-dependent (Butler–Volmer) term a·asinh(I/I_ref) per temperature — auto (kept when it lowers the 1RC fit residual by more than \(RecordingFit.chargeTransferThresholdPercent) %), on, or off.")
    var chargeTransfer: RecordingFit.ChargeTransferMode = .auto

    @Option(name: .customLong("filter-pairs"),
            help: "Generic fit: the R-C pairs `ekf` and `ukf` run on this model (cell.json filterPairs) — auto (2 when the 2RC model's residual on the fitted recordings that are not slow tests, or with --validate on the validation recordings, is at least \(Int(RecordingFit.filterPairsMinimumGainPercent)) % below the 1RC model's), 1 or 2. ekf-1rc, ekf-2rc, ukf-1rc and ukf-2rc always run what they name.")
    var filterPairs: RecordingFit.FilterPairsMode = .auto

    @Option(name: .customLong("validate"), parsing: .upToNextOption,
            help: "Recordings (CSV or folders) not used for fitting, on which the fitted model's voltage is scored.")
    var validationPaths: [String] = []

    @Option(help: "Cells to fit on: names and split names (train, validation, test, fit), comma-separated (default: fit = train,validation, or a dataset manifest's fit split).",
            transform: CellSelection.parse)
    var cells: CellSelection?

    @Option(help: "NASA fit: use every k-th usable discharge of each cell.")
    var every: Int = 4

    @Option(help: "Output model file.")
    var out: String = "cell.json"

    @OptionGroup var output: OutputOptions

    @Option(help: "NASA fit: cell temperatures (°C, comma-separated) that split the OCV's temperature groups, e.g. 14,34 for the 4 / 24 / 43 °C chambers; 'none' = one OCV row, no temperature dependence.")
    var ocvGroupEdges: String = "14"

    @Flag(help: "Print every least-squares solve.")
    var verbose = false

    @OptionGroup var format: FormatOption

    @OptionGroup var plausibility: AcceptImplausibleOption

    /// The inputs: PATH arguments plus `--data`.
    var inputs: [String] { paths + (data.map { [$0] } ?? []) }

    func validate() throws {
        guard !inputs.isEmpty else {
            throw ValidationError("Missing expected argument '<paths> ...' (the NASA folder, or recording CSVs and folders)")
        }
        try OptionCheck.require(every, in: 1...1_000_000, "--every")
        guard let edges = Self.edges(ocvGroupEdges), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("--ocv-group-edges: increasing numbers such as 14,34, or 'none'; got \(ocvGroupEdges)")
        }
        _ = edges
        if let capacity { try OptionCheck.require(capacity, in: 1e-3...1e4, "--capacity", unit: "Ah") }
    }

    func run() throws {
        TheveninIdentification.debugLog = verbose
        switch try Dataset.open(paths: inputs, policy: plausibility.policy) {
        case let .nasa(data): try runNASA(root: data.root)
        case let .generic(data):
            // The generic fit prints a text report only; JSON or CSV would be mixed with it.
            guard format.format == .table else {
                throw ValidationError("--format \(format.format.rawValue) is for the NASA fit; a fit of recordings prints a table")
            }
            try runGeneric(data)
        }
    }

    /// The NASA fit (`FitCommand+NASA.swift`), as before datasets.
    func runNASA(root: URL) throws {
        guard ocvPath == nil, capacity == nil, validationPaths.isEmpty, hysteresis == .auto,
              chargeTransfer == .auto, filterPairs == .auto else {
            throw ValidationError("--ocv, --capacity, --validate, --hysteresis, --charge-transfer and --filter-pairs are for generic recordings; the NASA folder is fitted as before")
        }
        var options = IdentificationOptions()
        if let edges = Self.edges(ocvGroupEdges) {
            options.ocvTemperatureDependence = !edges.isEmpty
            options.ocvTemperatureGroupEdgesC = edges
        }
        let model = try Self.fitModel(root: root, cells: (cells ?? CellSelection(.train, .validation)).cells, every: every, options: options,
                                     policy: plausibility.policy, log: format.note)
        try output.write(try CellModelFile.encode(model), to: out)
        try format.print(FitReport(model: model, out: out))
    }

    /// The `--ocv-group-edges` list (`[]` for "none"); nil when malformed.
    static func edges(_ text: String) -> [Double]? {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite ?? false }) else { return nil }
        return parts.map { $0! }
    }
}

extension RecordingFit.HysteresisMode: ExpressibleByArgument {}
extension RecordingFit.ChargeTransferMode: ExpressibleByArgument {}
extension RecordingFit.FilterPairsMode: ExpressibleByArgument {}
