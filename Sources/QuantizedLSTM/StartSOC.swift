/// The start SOC `s0` of the coulomb-count prior `s0 − q/Q`: the SOC the firmware believes when
/// a model run starts (format version 5's `priorSOC` input, `QuantizedLSTMEngine.setStartSOC`,
/// `bms_lstm_set_start_soc`). Integer, in 0.01 % (10000 = 100 %).
public enum StartSOC {
    /// A full start, 0.01 %: the prior of every blob until a start SOC is set.
    public static let fullCentiPercent: Int32 = 10_000
    /// Accepted start SOCs, 0.01 % (0 … 120 %: a coulomb count may run above full after a charge).
    public static let centiPercentRange: ClosedRange<Int32> = 0...12_000

    /// `fraction` (1 = 100 %) in 0.01 %, rounded to nearest (ties away from zero); the
    /// conversion a firmware does once per run, outside the integer path. Throws for NaN, ±∞
    /// or a value outside 0 … 1.2.
    ///
    /// ```swift
    /// try StartSOC.centiPercent(fraction: 0.73456)   // 7346
    /// try StartSOC.centiPercent(fraction: 1.3)       // throws .outOfRange(centiPercent: 13000)
    /// ```
    public static func centiPercent(fraction: Double) throws(StartSOCError) -> Int32 {
        guard fraction.isFinite else { throw .notFinite(fraction) }
        let scaled = (fraction * 10_000).rounded()
        guard scaled >= Double(centiPercentRange.lowerBound), scaled <= Double(centiPercentRange.upperBound) else {
            throw .outOfRange(centiPercent: scaled.magnitude < 2e9 ? Int32(scaled) : (scaled < 0 ? .min : .max))
        }
        return Int32(scaled)
    }
}

/// Why a start SOC was refused (the C runtime's `bms_lstm_set_start_soc` returns
/// `BMS_ERR_START_SOC` for the first two).
public enum StartSOCError: Error, Equatable, CustomStringConvertible {
    /// The blob has no prior-SOC input (format version 5): it was trained for full starts only.
    case modelHasNoStartSOC
    /// The start SOC is outside 0 … 12000 (0.01 %).
    case outOfRange(centiPercent: Int32)
    /// The start SOC given as a fraction is NaN or infinite.
    case notFinite(Double)

    /// The C runtime's status code for this error (`BMS_ERR_START_SOC`).
    public var statusCode: Int { 20 }

    /// Human-readable message.
    public var description: String {
        switch self {
        case .modelHasNoStartSOC:
            return "the model has no prior-SOC input (it was trained for full starts); a start SOC cannot be set"
        case let .outOfRange(value):
            return "start SOC \(value) (0.01 %) is outside \(StartSOC.centiPercentRange.lowerBound)…\(StartSOC.centiPercentRange.upperBound)"
        case let .notFinite(value):
            return "start SOC \(value) is not a finite number"
        }
    }
}
