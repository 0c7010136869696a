import WeightBlob

/// Why `QuantizedLSTMEngine.setPriorCapacity` refused a capacity (the C runtime's
/// `bms_lstm_set_prior_capacity` returns `BMS_ERR_PRIOR` for both).
public enum PriorCapacityError: Error, Equatable, CustomStringConvertible {
    /// The blob has no coulomb-count prior (its prior capacity is 0), so there is nothing to set.
    case modelHasNoPrior
    /// The capacity is outside the blob format's 1…1,000,000 mAh.
    case outOfRange(milliampHours: Int32)

    /// The C runtime's status code for this error (`BMS_ERR_PRIOR`).
    public var statusCode: Int { 19 }

    /// Human-readable message.
    public var description: String {
        switch self {
        case .modelHasNoPrior:
            return "the model has no coulomb-count prior; a prior capacity cannot be set"
        case let .outOfRange(mAh):
            let range = BlobChargeCounter.priorCapacityRange
            return "prior capacity \(mAh) mAh is outside \(range.lowerBound)…\(range.upperBound) mAh"
        }
    }
}
