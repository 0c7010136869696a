import ArgumentParser
import BMSCore
import CellModel
import Evaluation
import Foundation

/// `bmsim fit`: identify the OCV table and the 1RC/2RC Thevenin tables and write `cell.json`,
/// from the NASA folder (its train and validation discharges) or from generic recordings of
/// any cell (`FitCommand+Generic.swift`).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Identify a cell model (OCV, 1RC/2RC Thevenin tables, capacity) from recordings.",
        discussion: """
            PATH is the NASA folder (fitted as before: --cells, --every, --ocv-group-edges), or one or more \
            generic recording CSVs (Docs/DataFormats.md §1) or folders of them (every *.csv in the folder). \
            Generic fits take --ocv, --capacity and --validate and write one SVG per recording beside --out.
            """)

    /// The benchmark split (shared/bench/TASK.md).
    static let trainCells = ["B0005", "B0006", "B0025", "B0026", "B0029", "B0030", "B0033", "B0036", "B0042", "B0046"]
    static let validationCells = ["B0007", "B0028", "B0031", "B0034"]
    static let testCells = ["B0039", "B0043", "B0044", "B0047", "B0053"]

    @Argument(help: "The NASA PCoE folder (with cycles_index.csv), or generic recording CSVs and folders of them.")
    var paths: [String]

    @Option(name: .customLong("ocv"), help: "OCV table CSV (soc,ocv_v[,temperature_c]) held fixed in a generic fit.")
    var ocvPath: String?

    @Option(help: "Cell capacity, Ah (generic fit): the reference SOC's normaliser and cell.json's capacity.")
    var capacity: Double?

    @Option(name: .customLong("validate"), parsing: .upToNextOption,
            help: "Recordings (CSV or folders) not used for fitting, on which the fitted model's voltage is scored.")
    var validationPaths: [String] = []

    @Option(help: "Comma-separated cells to fit on (default: the train and validation cells).")
    var cells: String = (trainCells + validationCells).joined(separator: ",")

    @Option(help: "Use every k-th usable discharge of each cell.")
    var every: Int = 4

    @Option(help: "Output model file.")
    var out: String = "cell.json"

    @OptionGroup var output: OutputOptions

    @Option(help: "Cell temperatures (°C, comma-separated) that split the OCV's temperature groups, e.g. 14,34 for the 4 / 24 / 43 °C chambers; 'none' = one OCV row, no temperature dependence.")
    var ocvGroupEdges: String = "14"

    @Flag(help: "Print every least-squares solve.")
    var verbose = false

    func validate() throws {
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        guard !cells.isEmpty else { throw ValidationError("--cells is empty") }
        guard let edges = Self.edges(ocvGroupEdges), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("--ocv-group-edges: increasing numbers such as 14,34, or 'none'; got \(ocvGroupEdges)")
        }
        _ = edges
        if let capacity, !(capacity.isFinite && capacity > 0) {
            throw ValidationError("--capacity: a positive number of Ah; got \(capacity)")
        }
    }

    func run() throws {
        TheveninIdentification.debugLog = verbose
        guard paths.count == 1, let root = Self.nasaRoot(paths[0]) else { return try runGeneric() }
        guard ocvPath == nil, capacity == nil, validationPaths.isEmpty else {
            throw ValidationError("--ocv, --capacity and --validate are for generic recordings; the NASA folder is fitted as before")
        }
        let cellList = cells.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        var options = IdentificationOptions()
        if let edges = Self.edges(ocvGroupEdges) {
            options.ocvTemperatureDependence = !edges.isEmpty
            options.ocvTemperatureGroupEdgesC = edges
        }
        let model = try Self.fitModel(root: root, cells: cellList, every: every, options: options, log: { print($0) })
        try output.write(try CellModelFile.encode(model), to: out)
        for g in model.fitReport.ocvTemperatureGroups ?? [] {
            print(String(format: "OCV row at %.1f °C: %d rested full-charge readings, offset %+.1f mV; "
                         + "error at SOC 1 (RMS) %.1f mV (reference row alone %.1f mV), %.2f SOC points",
                         g.temperatureC, g.readings, g.offsetmV, g.rmsErrormV, g.rmsErrorReferencemV,
                         g.rmsSOCErrorPoints))
            if let r1 = g.residual1RCmV, let r2 = g.residual2RCmV, let n = g.residualSamples {
                print(String(format: "  fit residual of its %d samples (sets the filters' voltage noise there): "
                             + "1RC %.1f mV, 2RC %.1f mV RMS", n, r1, r2))
            }
        }
        if let law = model.restRelaxation {
            for g in law.groups {
                print(String(format: "rest relaxation at %.1f °C: %d readings, b = %+.2f mV per e-fold of rest, t_ref = %.0f s; "
                             + "RMS about each cell's level %.1f mV without the law, %.1f mV with it (rests %.0f–%.0f s)",
                             g.temperatureC, g.readings, 1000 * g.slopeVPerLogS, g.referenceRestS, g.rmsWithoutModelmV,
                             g.rmsResidualmV, law.minimumRestS, law.maximumRestS))
            }
        }
        print("wrote \(out): residual 1RC \(fmt(model.fitReport.residual1RCmV ?? .nan)) mV, "
              + "2RC \(fmt(model.fitReport.residual2RCmV ?? .nan)) mV RMS, τ1RC \(model.fitReport.tau1RCs) s, "
              + "τ2RC \(model.fitReport.tau2RCs) s")
    }

    func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

    /// The NASA folder at `path` (or its `nasa_pcoe_battery` subfolder), when it is one.
    static func nasaRoot(_ path: String) -> URL? {
        let url = URL(fileURLWithPath: path)
        return [url, url.appendingPathComponent("nasa_pcoe_battery")].first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("cycles_index.csv").path)
        }
    }

    /// The `--ocv-group-edges` list (`[]` for "none"); nil when malformed.
    static func edges(_ text: String) -> [Double]? {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite ?? false }) else { return nil }
        return parts.map { $0! }
    }
}
