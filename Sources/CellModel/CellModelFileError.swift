import BMSCore

/// Why a `cell.json` model file was rejected. Every case names the file and the JSON
/// field (dotted path, array indices in brackets) and what was expected.
public enum CellModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// Not valid JSON (or a value of the wrong type) at the given field.
    case malformed(file: String, field: String, detail: String)
    /// A required field is absent.
    case missingField(file: String, field: String)
    /// `format`/`version` are not the ones this build reads.
    case unsupportedFormat(file: String, expected: String, found: String)
    /// A number is NaN or infinite.
    case nonFinite(file: String, field: String)
    /// A number that must be positive (resistance, capacitance, capacity) is not.
    case notPositive(file: String, field: String, found: Double)
    /// A grid or OCV row that must strictly increase does not.
    case notIncreasing(file: String, field: String, previous: Double, found: Double)
    /// An array has the wrong length.
    case shapeMismatch(file: String, field: String, expected: Int, found: Int)
    /// A number outside the range the model can mean (a coulombic efficiency of 7, a
    /// temperature grid in kelvin, a resistance of a megohm).
    case outOfRange(file: String, field: String, found: Double, allowed: String)

    /// Where the problem is, as an `InputLocation` (file; JSON has no useful line here).
    public var location: InputLocation {
        switch self {
        case .unreadable(let f, _), .malformed(let f, _, _), .missingField(let f, _),
             .unsupportedFormat(let f, _, _), .nonFinite(let f, _), .notPositive(let f, _, _),
             .notIncreasing(let f, _, _, _), .shapeMismatch(let f, _, _, _), .outOfRange(let f, _, _, _):
            return InputLocation(file: f)
        }
    }

    /// One-line message for users.
    public var description: String {
        switch self {
        case .unreadable(let f, let r): return "\(f): cannot read the cell model: \(r)"
        case .malformed(let f, let field, let d): return "\(f): field \(field): \(d)"
        case .missingField(let f, let field): return "\(f): missing field \(field)"
        case .unsupportedFormat(let f, let e, let found):
            return "\(f): unsupported cell model format: expected \(e), found \(found)"
        case .nonFinite(let f, let field): return "\(f): field \(field) is not a finite number"
        case .notPositive(let f, let field, let v):
            return "\(f): field \(field) must be > 0, found \(v)"
        case .notIncreasing(let f, let field, let p, let v):
            return "\(f): field \(field) must increase strictly: \(v) follows \(p)"
        case .shapeMismatch(let f, let field, let e, let found):
            return "\(f): field \(field) has \(found) entries, expected \(e)"
        case .outOfRange(let f, let field, let v, let allowed):
            return "\(f): field \(field) is \(v), outside \(allowed)"
        }
    }
}
