/// The start SOC `s0` of the coulomb-count prior `s0 − q/Q`: the SOC the firmware believes when
/// a model run starts (format version 5's `priorSOC` input, `QuantizedLSTMEngine.setStartSOC`,
/// `bms_lstm_set_start_soc`). Integer, in 0.01 % (10000 = 100 %).
public enum StartSOC {
    /// A full start, 0.01 %: the prior of every blob until a start SOC is set.
    public static let fullCentiPercent: Int32 = 10_000
    /// Accepted start SOCs, 0.01 % (0 … 120 %: a coulomb count may run above full after a charge).
    public static let centiPercentRange: ClosedRange<Int32> = 0...12_000
    // The conversion from a fraction (floating point) lives with the estimator that makes it,
    // outside the integer path: `StartSOC.centiPercent(fraction:)` in `Estimators`.
}

/// Why a start SOC was refused (the C runtime's `bms_lstm_set_start_soc` returns
/// `BMS_ERR_START_SOC` for the first two).
public enum StartSOCError: Error, Equatable, CustomStringConvertible {
    /// The blob has no prior-SOC input (format version 5): it was trained for full starts only.
    case modelHasNoStartSOC
    /// The start SOC is outside 0 … 12000 (0.01 %).
    case outOfRange(centiPercent: Int32)
    /// The start SOC given as a fraction is NaN or infinite.
    case notFinite

    /// The C runtime's status code for this error (`BMS_ERR_START_SOC`).
    public var statusCode: Int { 20 }

    /// Human-readable message.
    public var description: String {
        switch self {
        case .modelHasNoStartSOC:
            return "the model has no prior-SOC input (it was trained for full starts); a start SOC cannot be set"
        case let .outOfRange(value):
            return "start SOC \(value) (0.01 %) is outside \(StartSOC.centiPercentRange.lowerBound)…\(StartSOC.centiPercentRange.upperBound)"
        case .notFinite:
            return "start SOC is not a finite number"
        }
    }
}
