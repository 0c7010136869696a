import QuantizedLSTM
import WeightBlob

/// Where the quantizer's runs start a prior-SOC network: the start SOC of a recording (a
/// fraction, the trainer's `GridCycle.startSOC`) as the engine takes it, whole 0.01 %.
///
/// A network that reads the prior SOC (`InputFeature.priorSOC`) was trained with its prior
/// `s0 − q/C` starting at each recording's first label (a generic dataset's drive log from
/// 60 %); calibrating or comparing it from s0 = 1 would ask it for a residual it never saw. A
/// network without that input counts from full whatever the start, as its firmware does.
///
/// ```swift
/// StartSOCs.centiPercent(0.6)                  // 6000
/// StartSOCs.centiPercent(0.6, blob: fullStart) // nil: the blob has no prior-SOC input
/// ```
public enum StartSOCs {
    /// `fraction` in whole 0.01 %, clamped to `StartSOC.centiPercentRange`; nil for nil or a
    /// non-finite value (the run then starts from full).
    public static func centiPercent(_ fraction: Double?) -> Int32? {
        guard let fraction, fraction.isFinite else { return nil }
        let range = StartSOC.centiPercentRange
        return Int32(min(max((fraction * 10_000).rounded(), Double(range.lowerBound)), Double(range.upperBound)))
    }

    /// As `centiPercent(_:)` for a blob that reads the prior SOC, nil for any other blob.
    public static func centiPercent(_ fraction: Double?, blob: BlobModel) -> Int32? {
        blob.readsPriorSOC ? centiPercent(fraction) : nil
    }
}
