import ArgumentParser
import BMSCore
import CellModel
import Evaluation
import Foundation

/// `bmsim fit`: identify the OCV table and the 1RC/2RC Thevenin tables from NASA discharges
/// and write `cell.json`.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Identify a cell model (OCV, 1RC/2RC Thevenin tables, capacity) from recorded discharges.")

    @Option(help: "NASA PCoE data folder (with cycles_index.csv and discharge/).")
    var data: String?

    @Argument(help: .hidden) var legacyPath: String?

    @Option(help: "Cells to fit on: names and split names (train, validation, test), comma-separated (default: train,validation).",
            transform: CellSelection.parse)
    var cells = CellSelection(.train, .validation)

    @Option(help: "Use every k-th usable discharge of each cell.")
    var every: Int = 4

    @Option(help: "Output model file.")
    var out: String = "cell.json"

    @OptionGroup var output: OutputOptions

    @Option(help: "Cell temperatures (°C, comma-separated) that split the OCV's temperature groups, e.g. 14,34 for the 4 / 24 / 43 °C chambers; 'none' = one OCV row, no temperature dependence.")
    var ocvGroupEdges: String = "14"

    @Flag(help: "Print every least-squares solve.")
    var verbose = false

    @OptionGroup var format: FormatOption

    func validate() throws {
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        _ = try dataPath()
        guard let edges = Self.edges(ocvGroupEdges), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("--ocv-group-edges: increasing numbers such as 14,34, or 'none'; got \(ocvGroupEdges)")
        }
        _ = edges
    }

    /// `--data`, or the data folder given the old way (a positional argument).
    func dataPath() throws -> String {
        guard let path = try OptionAlias.merge(data, legacyPath, new: "--data", old: "a positional data folder") else {
            throw ValidationError("Missing expected argument '--data <data>' (the NASA PCoE data folder)")
        }
        return path
    }

    func run() throws {
        let root = URL(fileURLWithPath: try dataPath())
        TheveninIdentification.debugLog = verbose
        var options = IdentificationOptions()
        if let edges = Self.edges(ocvGroupEdges) {
            options.ocvTemperatureDependence = !edges.isEmpty
            options.ocvTemperatureGroupEdgesC = edges
        }
        let model = try Self.fitModel(root: root, cells: cells.cells, every: every, options: options, log: format.note)
        try output.write(try CellModelFile.encode(model), to: out)
        try format.print(FitReport(model: model, out: out))
    }

    /// Loads the cells, converts their discharges into identification segments, fits.
    /// The `--ocv-group-edges` list (`[]` for "none"); nil when malformed.
    static func edges(_ text: String) -> [Double]? {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite ?? false }) else { return nil }
        return parts.map { $0! }
    }

    static func fitModel(root: URL, cells: [String], every: Int, options: IdentificationOptions = IdentificationOptions(),
                         log: (String) -> Void) throws -> CellModelParameters {
        var segments: [IdentificationSegment] = []
        var capacitiesByGroup: [Double: [Double]] = [:]
        var readings: [OCVTemperatureDependence.Reading] = []
        var relaxationReadings: [RestRelaxationFit.Reading] = []
        let cycles = try EvaluationDischarge.load(root: root, cells: cells)
        for cell in cells {
            let mine = cycles.filter { $0.cell == cell }
            for (k, c) in mine.enumerated() {
                capacitiesByGroup[Self.group(c.ambientC), default: []].append(c.capacityAh)
                guard !c.voltageGlitch else { continue }   // skip v_above_4.3 glitches
                // The OCV's temperature rows read the rested first sample of every usable discharge.
                if abs(c.samples.currentA[0]) <= 0.05 {
                    readings.append(OCVTemperatureDependence.Reading(voltageV: c.samples.voltageV[0],
                                                                     currentA: c.samples.currentA[0],
                                                                     temperatureC: c.samples.temperatureC[0], dtSeconds: 0))
                    if let rest = c.restBeforeS {
                        relaxationReadings.append(RestRelaxationFit.Reading(
                            cell: "\(cell)@\(Int(c.ambientC.rounded()))", restS: rest,
                            temperatureC: c.samples.temperatureC[0], voltageV: c.samples.voltageV[0]))
                    }
                }
                guard k % every == 0 else { continue }
                segments.append(IdentificationSegment(cell: cell, timeS: c.samples.timeS, voltageV: c.samples.voltageV,
                                                      currentA: c.samples.currentA,
                                                      temperatureC: c.samples.temperatureC, soc: c.soc))
            }
            log("\(cell): \(mine.count) usable discharges")
        }
        let result = try TheveninIdentification.fit(segments, options: options, ocvReadings: readings)
        log(EndOfDischargeRests.report(cycles))
        let groups = capacitiesByGroup.keys.sorted()
        let medians = groups.map { median(capacitiesByGroup[$0]!) }
        let all = capacitiesByGroup.values.flatMap { $0 }
        var report = result.report
        report.method = [
            "data: NASA PCoE discharges of \(cells.joined(separator: " ")), every \(every)th usable discharge "
                + "(\(segments.count) discharges, \(segments.reduce(0) { $0 + $1.count }) samples), v_above_4.3 left out",
            "reference SOC: 1 − trapezoid Ah / capacity_Ah (the benchmark task's label, Docs/Benchmark.md), SOC 0 = 2.7 V loaded",
            "OCV: rate extrapolation (intercept of V over |I| per SOC node, samples at 22–40 °C cell temperature) "
                + "plus settled rests (≥ 20 min after load, and the rested first sample) as direct readings; "
                + (options.ocvTemperatureDependence
                    ? "made increasing (PAV); reference row from rests at 22–40 °C too; "
                        + "temperature rows: reference row + median offset of the rested full-charge readings "
                        + "(first sample, SOC 1, of every usable discharge) per cell-temperature group split at "
                        + "\(options.ocvTemperatureGroupEdgesC) °C, at the group's mean temperature, the same offset "
                        + "at every SOC (no rested readings elsewhere)"
                    : "made increasing (PAV); one row, no temperature dependence"),
            "R0, R_j: linear least squares with the OCV held, bilinear tables over SOC × cell temperature, "
                + "second-difference smoothness, R ≥ 1 mΩ by active set, loaded samples < 3.0 V left out; "
                + "τ by grid search; C_j = τ_j / R_j",
            "capacity: median capacity_Ah of the fitted cells' discharges per ambient group \(groups)",
            "rest relaxation: rested first sample of every usable discharge with a known rest (index rest_before_s) "
                + "per cell-temperature group split at \(options.ocvTemperatureGroupEdgesC) °C: V = V_cell,chamber + b ln t "
                + "(least squares, one level per cell and chamber), t_ref = geometric mean rest of the group",
        ]
        report.method.append("rested OCV trusted from SOC: the highest table SOC that the end-of-discharge rests "
                             + "(≥ 60 s after the load, label ≤ 0) map to, plus \(RestedOCVFloor.defaultMargin)")
        let tails = cycles.filter { !$0.voltageGlitch }.compactMap { EndOfDischargeRests.tail($0, restCurrentA: 0.05, minimumRestS: 60) }
            .filter { $0.socEnd <= 0.01 }
        let floor = RestedOCVFloor.fit(tails.map { RestedOCVFloor.Reading(voltageV: $0.voltageV, temperatureC: $0.temperatureC) },
                                       ocv: result.ocv)
        if let floor { log(String(format: "rested OCV trusted from SOC %.3f (%d end-of-discharge rests)", floor, tails.count)) }
        return CellModelParameters(cellName: "NASA PCoE 18650 (fitted on \(cells.count) cells)",
                                   capacityAh: median(all),
                                   capacityByTemperature: (groups, medians), coulombicEfficiency: 1,
                                   ocv: result.ocv, thevenin1RC: result.thevenin1RC,
                                   thevenin2RC: result.thevenin2RC,
                                   restRelaxation: RestRelaxationFit.fit(relaxationReadings,
                                                                         edgesC: options.ocvTemperatureGroupEdgesC),
                                   restedOCVTrustedFromSOC: floor, fitReport: report)
    }

    /// Ambient group (4, 24, 43 °C) of a chamber setpoint.
    static func group(_ ambientC: Double) -> Double { ambientC < 15 ? 4 : (ambientC < 35 ? 24 : 43) }

    static func median(_ a: [Double]) -> Double { OrderStatistics.median(a) }
}
