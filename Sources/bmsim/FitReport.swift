import CellModel
import Foundation

/// What `bmsim fit` reports after writing the model: the fit residuals and time constants,
/// one row per OCV temperature group and per rest-relaxation group.
struct FitReport: TabularReport {
    /// One OCV temperature row.
    struct OCVGroup: Encodable {
        var temperatureC: Double
        var readings: Int
        var offsetMillivolts: Double
        var rmsErrorMillivolts: Double
        var rmsErrorReferenceRowMillivolts: Double
        var rmsSOCErrorPoints: Double
        var residual1RcMillivolts: Double?
        var residual2RcMillivolts: Double?
        var residualSamples: Int?
    }

    /// One rest-relaxation group (V = level + b ln t).
    struct RelaxationGroup: Encodable {
        var temperatureC: Double
        var readings: Int
        var slopeMillivoltsPerLogSecond: Double
        var referenceRestSeconds: Double
        var rmsWithoutLawMillivolts: Double
        var rmsWithLawMillivolts: Double
    }

    var out: String
    var residual1RcMillivolts: Double?
    var residual2RcMillivolts: Double?
    var tau1RcSeconds: [Double]
    var tau2RcSeconds: [Double]
    var ocvGroups: [OCVGroup]
    var relaxationGroups: [RelaxationGroup]
    var relaxationRestRangeSeconds: [Double]?

    init(model: CellModelParameters, out: String) {
        self.out = out
        let r = model.fitReport
        residual1RcMillivolts = r.residual1RCmV
        residual2RcMillivolts = r.residual2RCmV
        tau1RcSeconds = r.tau1RCs
        tau2RcSeconds = r.tau2RCs
        ocvGroups = (r.ocvTemperatureGroups ?? []).map {
            OCVGroup(temperatureC: $0.temperatureC, readings: $0.readings, offsetMillivolts: $0.offsetmV,
                     rmsErrorMillivolts: $0.rmsErrormV, rmsErrorReferenceRowMillivolts: $0.rmsErrorReferencemV,
                     rmsSOCErrorPoints: $0.rmsSOCErrorPoints, residual1RcMillivolts: $0.residual1RCmV,
                     residual2RcMillivolts: $0.residual2RCmV, residualSamples: $0.residualSamples)
        }
        relaxationGroups = (model.restRelaxation?.groups ?? []).map {
            RelaxationGroup(temperatureC: $0.temperatureC, readings: $0.readings, slopeMillivoltsPerLogSecond: 1000 * $0.slopeVPerLogS,
                            referenceRestSeconds: $0.referenceRestS, rmsWithoutLawMillivolts: $0.rmsWithoutModelmV,
                            rmsWithLawMillivolts: $0.rmsResidualmV)
        }
        relaxationRestRangeSeconds = model.restRelaxation.map { [$0.minimumRestS, $0.maximumRestS] }
    }

    var table: String {
        var lines: [String] = []
        for g in ocvGroups {
            lines.append(String(format: "OCV row at %.1f °C: %d rested full-charge readings, offset %+.1f mV; "
                                + "error at SOC 1 (RMS) %.1f mV (reference row alone %.1f mV), %.2f SOC points",
                                g.temperatureC, g.readings, g.offsetMillivolts, g.rmsErrorMillivolts,
                                g.rmsErrorReferenceRowMillivolts, g.rmsSOCErrorPoints))
            if let r1 = g.residual1RcMillivolts, let r2 = g.residual2RcMillivolts, let n = g.residualSamples {
                lines.append(String(format: "  fit residual of its %d samples (sets the filters' voltage noise there): "
                                    + "1RC %.1f mV, 2RC %.1f mV RMS", n, r1, r2))
            }
        }
        for g in relaxationGroups {
            let range = relaxationRestRangeSeconds ?? [.nan, .nan]
            lines.append(String(format: "rest relaxation at %.1f °C: %d readings, b = %+.2f mV per e-fold of rest, t_ref = %.0f s; "
                                + "RMS about each cell's level %.1f mV without the law, %.1f mV with it (rests %.0f–%.0f s)",
                                g.temperatureC, g.readings, g.slopeMillivoltsPerLogSecond, g.referenceRestSeconds,
                                g.rmsWithoutLawMillivolts, g.rmsWithLawMillivolts, range[0], range[1]))
        }
        lines.append("wrote \(out): residual 1RC \(String(format: "%.1f", residual1RcMillivolts ?? .nan)) mV, "
                     + "2RC \(String(format: "%.1f", residual2RcMillivolts ?? .nan)) mV RMS, τ1RC \(tau1RcSeconds) s, "
                     + "τ2RC \(tau2RcSeconds) s")
        return lines.joined(separator: "\n")
    }

    /// One row per OCV temperature group, the model-wide residuals repeated on each.
    var csvHeader: [String] {
        ["temperature_c", "readings", "offset_millivolts", "rms_error_millivolts", "rms_soc_error_points",
         "residual_1rc_millivolts", "residual_2rc_millivolts", "model_residual_1rc_millivolts", "model_residual_2rc_millivolts"]
    }

    var csvRows: [[String]] {
        let model = [csvNumber(residual1RcMillivolts), csvNumber(residual2RcMillivolts)]
        // A model with one OCV row (no temperature groups): one row of the model-wide figures.
        guard !ocvGroups.isEmpty else { return [Array(repeating: "", count: 7) + model] }
        return ocvGroups.map { g in
            ["\(g.temperatureC)", "\(g.readings)", "\(g.offsetMillivolts)", "\(g.rmsErrorMillivolts)", "\(g.rmsSOCErrorPoints)",
             csvNumber(g.residual1RcMillivolts), csvNumber(g.residual2RcMillivolts)] + model
        }
    }
}
