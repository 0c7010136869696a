import ArgumentParser
import CellData
import CellModel
import Evaluation
import Foundation

/// `bmsim fit` on generic recordings (any cell): `RecordingFit` does the work; this reads the
/// inputs, prints the report and writes `cell.json` and the SVGs.
extension FitCommand {
    /// Fits the recordings of `dataset` chosen by `--cells` (default: its `fit` split); the
    /// manifest's capacity and OCV table unless `--capacity` / `--ocv` are given.
    func runGeneric(_ dataset: GenericDataset) throws {
        let members = try dataset.members(selecting: cells?.items ?? ["fit"])
        guard !members.isEmpty else {
            throw CellDataError.badManifest(file: dataset.manifestPath ?? dataset.root, field: "split.fit",
                                            expected: "recordings to fit (the fit split, else train + validation, or --cells)",
                                            found: "an empty selection")
        }
        let recordings = try dataset.recordings(members)
        var ocv: (curve: OCVCurve, source: String)?
        if let ocvPath {
            let table = try OCVTableCSV.read(path: ocvPath)
            ocv = (RecordingFit.ocvCurve(table), "OCV: --ocv \(ocvPath) (\(table.socPoints.count) SOC points at "
                   + "\(table.temperaturesC) °C), held fixed")
        } else if let table = dataset.ocvTable, let manifest = dataset.manifestPath, let name = dataset.manifest?.ocvTable {
            ocv = (RecordingFit.ocvCurve(table), "OCV: \(name) of \(manifest) (\(table.socPoints.count) SOC points at "
                   + "\(table.temperaturesC) °C), held fixed")
        }
        let capacityAh = capacity ?? dataset.nominalCapacityAh
        if dataset.manifestPath != nil {
            print("recordings: \(members.count) of \(dataset.members.count) in \(dataset.manifestPath!) "
                  + "(\(cells.map { "--cells \($0)" } ?? "fit split"))")
        }
        let capacitySource = capacity != nil ? "--capacity" : "nominal_capacity_ah of \(dataset.manifestPath ?? "")"
        let (fitted, summary) = try RecordingFit.fit(recordings, capacityAh: capacityAh, capacitySource: capacitySource, ocv: ocv,
                                                     hysteresis: hysteresis, chargeTransfer: chargeTransfer,
                                                     filterPairs: filterPairs,
                                                     log: { print($0) })
        var model = fitted
        var validation: [RecordingFit.VoltageTrace] = []
        // Validated on: --validate, else (a manifest's fit split, no --cells) the dataset's
        // recordings outside the fit selection, which the fit never saw.
        let fittedNumbers = Set(members.map(\.number))
        let unseen = dataset.manifestPath != nil && cells == nil
            ? dataset.members.filter { !fittedNumbers.contains($0.number) } : []
        if !validationPaths.isEmpty || !unseen.isEmpty {
            let validationRecordings: [Recording]
            if validationPaths.isEmpty {
                print("validation: the \(unseen.count) recording(s) of \(dataset.manifestPath!) outside the fit split")
                validationRecordings = try dataset.recordings(unseen)
            } else {
                let validationSet = try GenericDataset(files: validationPaths, policy: plausibility.policy)
                validationRecordings = try validationSet.recordings(validationSet.members)
            }
            validation = RecordingFit.validate(validationRecordings, model: model, capacityOption: capacityAh)
            // With held-out recordings, `auto` decides the filters' pairs on them, not on the fit.
            if filterPairs == .auto, let pairs = RecordingFit.filterPairs(validation: validation) {
                model.filterPairs = pairs.pairs == 2 ? 2 : nil
                model.fitReport.method.removeAll { $0.hasPrefix(RecordingFit.filterPairsReportPrefix) }
                model.fitReport.method.append(RecordingFit.filterPairsReportPrefix + pairs.decision)
            }
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
        if let c = report.chargeTransfer {
            print("charge-transfer term: " + c.decision)
            for g in c.groups {
                print(String(format: "  %.1f °C: a %.2f mV, I_ref %.4g A", g.temperatureC, g.coefficientmV, g.referenceCurrentA))
            }
        }
        if let line = report.method.last(where: { $0.hasPrefix(RecordingFit.filterPairsReportPrefix) }) { print(line) }
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
