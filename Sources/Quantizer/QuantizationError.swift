/// Why a float model could not be quantized.
public enum QuantizationError: Error, Equatable, CustomStringConvertible {
    /// The float model is inconsistent (sizes, scalers).
    case invalidModel([String])
    /// No calibration samples were given.
    case noCalibrationData
    /// A value has no integer representation in the blob's ranges.
    case unrepresentable(String, Double)
    /// The float model uses something the integer engine does not compute.
    case unsupportedModel(String)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case let .invalidModel(problems): "invalid float model: " + problems.joined(separator: "; ")
        case .noCalibrationData: "no calibration samples: give at least one non-empty sequence"
        case let .unrepresentable(name, value): "\(name) = \(value) cannot be represented in the blob's integer ranges"
        case let .unsupportedModel(reason): "float model not supported by the integer engine: \(reason)"
        }
    }
}
