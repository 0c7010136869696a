import ArgumentParser
import CellData
import Foundation

/// `bmsim data grid NASA_FOLDER --cells B0005,B0025 --out grid.csv`: the usable discharges
/// of the benchmark task on the uniform grid with their reference SOC, numbers written with
/// full round-trip precision (for training elsewhere and for checking against `soc_data.py`
/// with `Benchmarks/check_grid_vs_soc_data.py`). On a generic dataset (or recording files):
/// the `soc`-labelled recordings of the selection, one block per stretch of recorded time
/// (`step` and `time_s` from 0 in each; Docs/DataFormats.md §7), `cycle` = its file's position.
struct DataGridCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "Write the task's usable discharges (or a dataset's labelled recordings) on the uniform grid with reference SOC (CSV, exact numbers).")

    @Argument(help: "The nasa_pcoe_battery folder, a generic dataset (folder or dataset.json), or recording CSVs.")
    var paths: [String]

    @Option(help: "Cells: names and split names (train, validation, test), comma-separated (default: train); a generic dataset's split is its manifest's (none: every recording).",
            transform: CellSelection.parse)
    var cells = CellSelection(.train)

    @Option(help: "Grid step, s.")
    var dt: Double = 10

    @Option(name: .customLong("dt-s"), help: .hidden) var legacyDt: Double?

    /// The grid step: `--dt`, or its old spelling `--dt-s` when given.
    var step: Double { legacyDt ?? dt }

    @Option(help: "Output CSV file (written atomically).")
    var out: String

    @Flag(name: .customLong("accept-implausible"), help: "Use data whose units or current sign look wrong, or whose index disagrees with its files, instead of refusing it.")
    var acceptImplausible = false

    /// Most grid rows one command writes (≈ 1.5 GB of text); checked before anything is resampled.
    static let maximumRows = 20_000_000

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try OptionCheck.require(step, in: 0.1...3600, legacyDt == nil ? "--dt" : "--dt-s", unit: "s")
    }

    func run() throws {
        let dtS = step
        var text = "cell,cycle,step,time_s,voltage_v,current_a,temperature_c,soc\n"
        let dataset = try Dataset.open(paths: paths, policy: QualityPolicy(acceptImplausible: acceptImplausible))
        let selection = try dataset.labelled(selecting: cells.items)
        let discharges = selection.discharges
        if !selection.unlabelled.isEmpty {
            print("left out \(selection.unlabelled.count) recording(s) without a soc label: \(selection.unlabelled.joined(separator: "; "))")
        }
        let rows = discharges.reduce(0.0) { $0 + (($1.samples.timeS.last ?? 0) - ($1.samples.timeS.first ?? 0)) / dtS + 1 }
        guard rows <= Double(Self.maximumRows) else {
            throw ValidationError("--dt \(dtS) s would write \(Int(rows)) grid rows, more than the limit of \(Self.maximumRows); choose a larger step or fewer cells")
        }
        for d in discharges {
            let g = d.resampled(dtS: dtS)
            for k in 0..<g.count {
                text += CSVField.line([d.cell, "\(d.cycle)", "\(k)", "\(g.timeS[k])", "\(g.voltageV[k])", "\(g.currentA[k])",
                                       "\(g.temperatureC[k])", "\(g.soc![k])"])
            }
        }
        try output.write(text, to: out)
        if dataset.isNASA {
            print("wrote \(out): \(discharges.count) discharges")
        } else {
            let recordings = Set(discharges.map { $0.source ?? "" }).count
            print("wrote \(out): \(recordings) labelled recordings"
                  + (discharges.count > recordings ? " in \(discharges.count) stretches of recorded time" : ""))
        }
    }
}
