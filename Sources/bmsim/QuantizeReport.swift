import Foundation
import Quantizer

/// What `bmsim quantize` (post-training quantization) reports: the calibration, the blob
/// written, and int8 against float on the calibration data and, with `--evaluate`, the test split.
struct QuantizeReport: TabularReport {
    /// int8 against float on one set of discharges, SOC points.
    struct Comparison: Encodable {
        /// "calibration", "test" or "test <cell>".
        var data: String
        var steps: Int
        var floatRMSEPercent: Double?
        var integerRMSEPercent: Double?
        var meanAbsDeltaPercent: Double
        var maxAbsDeltaPercent: Double
        /// The uncertainty head's int8-vs-float agreement (a gaussian-nll model), else nil.
        var sigma: QuantizationEvaluation.SigmaAgreement?

        init(data: String, _ e: QuantizationEvaluation) {
            self.data = data
            steps = e.steps
            floatRMSEPercent = e.floatRMSEPercent
            integerRMSEPercent = e.integerRMSEPercent
            meanAbsDeltaPercent = e.meanAbsDeltaPercent
            maxAbsDeltaPercent = e.maxAbsDeltaPercent
            sigma = e.sigma
        }

        /// One line on σ, or nil.
        var sigmaLine: String? {
            sigma.map {
                String(format: "  σ (uncertainty head): mean |Δ log σ²| %.4f, max %.4f; mean |Δσ| %.4f, max %.4f SOC points (mean float σ %.3f)",
                       $0.meanAbsLogVarianceDelta, $0.maxAbsLogVarianceDelta, $0.meanAbsSigmaDeltaPercent,
                       $0.maxAbsSigmaDeltaPercent, $0.meanFloatSigmaPercent)
            }
        }
    }

    var out: String
    var bytes: Int
    var calibrationDischarges: Int
    var calibrationSteps: Int
    var featureScale: Double
    var cellFormats: [String]
    var warnings: [String]
    var comparisons: [Comparison]

    var table: String {
        var lines = ["calibrated on \(calibrationDischarges) discharges (\(calibrationSteps) steps); feature scale \(featureScale)",
                     "cell formats: " + cellFormats.joined(separator: ", ")]
        lines += warnings.map { "warning: \($0)" }
        for c in comparisons {
            if c.data == "calibration" {
                lines.append(String(format: "int8 vs float on the calibration data: mean |Δ| %.3f, max |Δ| %.3f SOC points",
                                    c.meanAbsDeltaPercent, c.maxAbsDeltaPercent))
            } else {
                let name = c.data == "test" ? "test split" : c.data
                lines.append(String(format: "%@ (%d steps, streaming per discharge): float RMSE %.2f %%, int8 RMSE %.2f %%, "
                                    + "mean |Δ| %.3f, max |Δ| %.3f SOC points", name, c.steps, c.floatRMSEPercent ?? .nan,
                                    c.integerRMSEPercent ?? .nan, c.meanAbsDeltaPercent, c.maxAbsDeltaPercent))
            }
            if let line = c.sigmaLine { lines.append(line) }
        }
        lines.append("wrote \(out) (\(bytes) bytes)")
        return lines.joined(separator: "\n")
    }

    var csvHeader: [String] {
        ["data", "steps", "float_rmse_percent", "int8_rmse_percent", "mean_abs_delta_percent", "max_abs_delta_percent"]
    }

    var csvRows: [[String]] {
        comparisons.map { [$0.data, "\($0.steps)", csvNumber($0.floatRMSEPercent), csvNumber($0.integerRMSEPercent),
                           "\($0.meanAbsDeltaPercent)", "\($0.maxAbsDeltaPercent)"] }
    }
}
