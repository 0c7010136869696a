import CellData
import CellModel

/// Warnings when the cell model a replay runs on does not describe the recorded cell: a
/// user's 5 Ah NMC replayed on the bundled 2 Ah NASA model scored 18–28 % RMSE with no hint
/// why. Two checks, both on what the recording itself states:
///
/// - **Size.** The largest `capacityAh` of the recording's operations (NASA's measured
///   capacity per discharge, or a generic recording's `capacity_ah` column) against the
///   model's capacity at 25 °C: a factor of 2 or more apart means a different cell, whose
///   resistances are wrong by that factor too (the capacity learner adapts an aged cell, not
///   this). An aged or cold NASA cell (B0053 at 4 °C: 1.15 Ah against 2.0) is inside it.
/// - **OCV.** Where operations carry the recording's own `soc` column: each rest of at least
///   `minimumRestS`, its last sample's voltage against the model's OCV at that SOC and
///   temperature. A median gap above `ocvToleranceV` means the model's OCV curve is another
///   chemistry's or another cell's, and every voltage-based estimate follows it.
///
/// Both name the fix: fit the cell (`bmsim fit`) and replay with `--cell-model`.
public enum CellModelMismatch {
    /// Capacity ratio (either way) from which the recording is taken for another cell.
    public static let capacityFactor = 2.0
    /// Median |V_rest − OCV(SOC)| above which the model's OCV is taken for another cell's, V.
    public static let ocvToleranceV = 0.1
    /// Shortest rest whose last sample is read as a rested voltage, s.
    public static let minimumRestS = 600.0

    /// One warning per recording that fails a check (empty when the model fits them all).
    public static func warnings(model: CellModelParameters, recordings: [Recording]) -> [String] {
        let modelAh = model.initialCapacityAh(temperatureC: 25)
        var out: [String] = []
        for recording in recordings {
            var found: [String] = []
            if let recordedAh = recording.operations.compactMap(\.capacityAh).filter({ $0.isFinite && $0 > 0 }).max(),
               modelAh > 0, max(recordedAh / modelAh, modelAh / recordedAh) >= capacityFactor {
                found.append(String(format: "its capacity is %.3g Ah, the cell model's %.3g Ah", recordedAh, modelAh))
            }
            if let gap = restedOCVGap(model: model, recording: recording), gap.medianV > ocvToleranceV {
                found.append(String(format: "its rested voltages are %.0f mV from the model's OCV at the recorded SOC (median of %d rest%@)",
                                    gap.medianV * 1000, gap.rests, gap.rests == 1 ? "" : "s"))
            }
            guard !found.isEmpty else { continue }
            out.append("\(recording.cell): the cell model does not describe this cell: \(found.joined(separator: "; ")). "
                       + "Its figures measure the model, not the estimators: fit one (bmsim fit RECORDING… --out cell.json) "
                       + "and replay with --cell-model cell.json")
        }
        return out
    }

    /// Median |V − OCV(SOC, T)| over the recording's labelled rests of at least `minimumRestS`
    /// (their last sample), and how many; nil without such a rest.
    static func restedOCVGap(model: CellModelParameters, recording: Recording) -> (medianV: Double, rests: Int)? {
        var gaps: [Double] = []
        for op in recording.operations where op.kind == .rest && !op.isGap {
            let s = op.samples
            guard let soc = op.providedSOC?.last, s.count > 0, s.durationS >= minimumRestS else { continue }
            let v = s.voltageV[s.count - 1], t = s.temperatureC[s.count - 1]
            guard soc.isFinite, v.isFinite, t.isFinite else { continue }
            gaps.append(abs(v - model.ocv.voltage(soc: soc, temperatureC: t)))
        }
        guard !gaps.isEmpty else { return nil }
        gaps.sort()
        let n = gaps.count
        return (n % 2 == 1 ? gaps[n / 2] : 0.5 * (gaps[n / 2 - 1] + gaps[n / 2]), n)
    }
}
