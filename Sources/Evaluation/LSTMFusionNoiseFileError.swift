/// Why a fusion-noise file (`LSTMFusionNoiseFile`) was refused. Every case names the file;
/// the field cases name the JSON field and what was expected.
public enum LSTMFusionNoiseFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// Not JSON, or a field of the wrong type or missing.
    case malformed(file: String, field: String, detail: String)
    /// `format` / `version` are not the ones this build reads.
    case unsupportedFormat(file: String, expected: String, found: String)
    /// A value the fusion cannot use: a σ that is not finite and positive, no bands, a negative
    /// or non-finite decorrelation time, a variance ratio that is not finite and positive.
    case invalidValue(file: String, field: String, detail: String)

    /// One-line message for users.
    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the fusion noise: \(reason)"
        case let .malformed(file, field, detail): "\(file): field \(field): \(detail)"
        case let .unsupportedFormat(file, expected, found): "\(file): unsupported fusion-noise file: expected \(expected), found \(found)"
        case let .invalidValue(file, field, detail): "\(file): field \(field): \(detail)"
        }
    }
}
