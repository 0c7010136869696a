import ArgumentParser
import CellData
import CellModel
import Evaluation
import Foundation

/// `bmsim fit` on generic recordings (any cell): `RecordingFit` does the work; this reads the
/// inputs, prints the report and writes `cell.json` and the SVGs.
extension FitCommand {
    func runGeneric() throws {
        let recordings = try Self.loadRecordings(inputs, policy: plausibility.policy)
        var ocv: (curve: OCVCurve, source: String)?
        if let ocvPath {
            let table = try OCVTableCSV.read(path: ocvPath)
            ocv = (RecordingFit.ocvCurve(table), "OCV: --ocv \(ocvPath) (\(table.socPoints.count) SOC points at "
                   + "\(table.temperaturesC) °C), held fixed")
        }
        let (fitted, summary) = try RecordingFit.fit(recordings, capacityAh: capacity, ocv: ocv, hysteresis: hysteresis,
                                                     log: { print($0) })
        var model = fitted
        var validation: [RecordingFit.VoltageTrace] = []
        if !validationPaths.isEmpty {
            validation = RecordingFit.validate(try Self.loadRecordings(validationPaths, policy: plausibility.policy), model: model, capacityOption: capacity)
            for t in validation {
                let r = t.residualmV
                model.fitReport.method.append(r.samples == 0 ? "validation \(t.name): no sample with a reference SOC"
                    : String(format: "validation %@ (not fitted): 1RC %.2f mV, 2RC %.2f mV RMS over %d samples",
                             t.name, r.oneRC, r.twoRC, r.samples))
            }
        }
        try output.write(try CellModelFile.encode(model), to: out)
        let traces = RecordingFit.traces(summary.recordings, model: model, initialH: summary.initialH)
        printReport(model, summary, traces, validation)
        for (trace, tag) in traces.map({ ($0, "") }) + validation.map({ ($0, "validate-") }) {
            let path = Self.plotPath(beside: out, name: tag + trace.name)
            try output.write(FitVoltagePlot.svg(trace), to: path)
            print("wrote \(path)")
        }
    }

    /// Prints where capacity and OCV came from, τ, and the residual per recording and temperature.
    func printReport(_ model: CellModelParameters, _ summary: RecordingFit.Summary,
                     _ traces: [RecordingFit.VoltageTrace], _ validation: [RecordingFit.VoltageTrace]) {
        let report = model.fitReport
        print(summary.capacity.source + String(format: " → %.4f Ah", model.capacityAh))
        print(summary.ocvSource)
        print("resistance grid: SOC \(summary.options.resistanceSOCPoints), temperature \(summary.options.resistanceTemperaturesC) °C")
        if let h = report.hysteresis { printHysteresis(h) }
        for t in traces {
            let r = t.residualmV
            print(String(format: "fit residual %@: 1RC %.2f mV, 2RC %.2f mV RMS (%d samples)", t.name, r.oneRC, r.twoRC, r.samples))
        }
        for row in report.residualByTemperature ?? [] {
            print(String(format: "fit residual at %.1f °C: 1RC %.2f mV, 2RC %.2f mV RMS (%d samples)",
                         row.temperatureC, row.residual1RCmV, row.residual2RCmV, row.samples))
        }
        for t in validation {
            let r = t.residualmV
            print(r.samples == 0 ? "validation \(t.name): no sample with a reference SOC (soc column or full charge)"
                  : String(format: "validation %@ (not fitted): 1RC %.2f mV, 2RC %.2f mV RMS (%d samples)",
                           t.name, r.oneRC, r.twoRC, r.samples))
        }
        print(String(format: "wrote %@: residual 1RC %.2f mV, 2RC %.2f mV RMS, τ1RC %@ s, τ2RC %@ s", out,
                     report.residual1RCmV ?? .nan, report.residual2RCmV ?? .nan, "\(report.tau1RCs)", "\(report.tau2RCs)"))
    }

    /// The recordings of `paths`: each a recording file, or a folder whose `*.csv` files are
    /// recordings (the NASA folder is fitted on its own). A folder without CSV is an error.
    static func loadRecordings(_ paths: [String], policy: QualityPolicy = QualityPolicy()) throws -> [Recording] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                files.append(path)
                continue
            }
            if nasaRoot(path) != nil {
                throw ValidationError("\(path) is the NASA folder: fit it on its own (bmsim fit \(path) --out cell.json)")
            }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw CLIError.missingInput(path: path, reason: OutputPath.reason(error))
            }
            let csv = names.filter { $0.lowercased().hasSuffix(".csv") }.sorted()
            guard !csv.isEmpty else { throw CLIError.missingInput(path: path, reason: "the folder holds no .csv recording") }
            files += csv.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        }
        return try files.flatMap { file throws(CellDataError) in try RecordingSource.open(path: file).recordings(policy: policy) }
    }

    /// `<out without extension>-<name>.svg` beside `out`, the name made file-safe.
    static func plotPath(beside out: String, name: String) -> String {
        let url = URL(fileURLWithPath: out)
        let stem = url.deletingPathExtension().lastPathComponent
        let safe = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        let file = "\(stem)-\(safe).svg"
        return out.contains("/") ? url.deletingLastPathComponent().appendingPathComponent(file).path : file
    }

    /// The hysteresis lines: the decision, each slow test's gap, and M, M0, γ when fitted.
    func printHysteresis(_ h: HysteresisFitReport) {
        print("hysteresis: " + h.decision)
        for g in h.groups {
            var line = String(format: "  slow test at %.1f °C: half gap %.2f mV − R_dc·|I| %.2f mV = M + M0 %.2f mV (%d nodes, SOC 0.1–0.9)",
                              g.temperatureC, g.halfGapmV, g.resistiveDropmV, g.hysteresismV, g.nodes)
            if let m = g.maximummV, let m0 = g.instantaneousmV, let gamma = g.rateConstant {
                line += String(format: "; M %.2f mV, M0 %.2f mV, γ %.1f (%d segments)", m, m0, gamma, g.segments)
            }
            print(line)
        }
        if let with = h.residual1RCWithmV, let without = h.residual1RCWithoutmV {
            print(String(format: "  fit residual 1RC: %.2f mV without hysteresis, %.2f mV with", without, with))
        }
    }
}
