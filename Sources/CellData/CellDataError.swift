import BMSCore

/// Everything that can go wrong while reading recorded cell data. Every case names the file
/// and the place (byte offset for binary files, line and column for text files) and says
/// what was expected and what was found, so that a user can open the file at the right spot.
public enum CellDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read at all.
    case cannotRead(file: String, reason: String)
    /// The file header is not what the format requires (e.g. not a MAT v5 file).
    case badHeader(InputLocation, expected: String, found: String)
    /// The input ends before a structure that it announced.
    case truncated(InputLocation, reading: String, neededBytes: Int, availableBytes: Int)
    /// A MAT data-element type code this reader does not know.
    case unsupportedDataType(InputLocation, code: UInt32)
    /// A MAT array class this reader does not support (object, sparse, function handle…).
    case unsupportedClass(InputLocation, classCode: UInt8, name: String)
    /// A structure whose content contradicts the format (sizes that do not add up, …).
    case malformed(InputLocation, expected: String, found: String)
    /// zlib could not inflate a compressed element.
    case decompressionFailed(InputLocation, reason: String)
    /// A declared size beyond what this reader accepts (protects against absurd allocations).
    case sizeLimitExceeded(InputLocation, what: String, limit: Int, requested: Int)
    /// A CSV header lacks a column the reader needs.
    case missingColumn(InputLocation, column: String, header: [String])
    /// A CSV field that should hold a number holds something else.
    case badNumber(InputLocation, column: String, text: String)
    /// A CSV line with the wrong number of fields.
    case wrongFieldCount(InputLocation, expected: Int, found: Int)
    /// Time that does not increase where it must.
    case nonMonotoneTime(InputLocation, previousS: Double, foundS: Double)
    /// A MAT struct lacks a field the NASA layout needs, or a field has the wrong shape.
    case missingField(InputLocation, path: String, field: String)
    /// A field value that is not one of the allowed values.
    case badValue(InputLocation, column: String, expected: String, found: String)
    /// The requested cell is not in the data.
    case unknownCell(String, available: [String])
    /// Data whose units or current sign are probably wrong (`Plausibility`), refused
    /// because the policy does not accept it.
    case implausible(source: String, cell: String, findings: [String])
    /// A path that is neither a NASA folder, a `.mat` file nor a generic CSV.
    case unrecognizedInput(path: String, reason: String)
    /// A dataset manifest (`dataset.json`) whose field is not what the format allows, or
    /// names a cell or file the dataset does not have.
    case badManifest(file: String, field: String, expected: String, found: String)
    /// Data asked for scoring or training whose recordings carry no reference SOC (`soc`
    /// column in every row): they can be fitted (`bmsim fit`) but not scored.
    case noLabelledData(source: String, unlabelled: [String])

    /// A one-line, human-readable explanation.
    public var description: String {
        switch self {
        case let .cannotRead(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .badHeader(loc, expected, found):
            return "\(loc): bad header: expected \(expected), found \(Self.printable(found))"
        case let .truncated(loc, reading, needed, available):
            return "\(loc): truncated while reading \(reading): needs \(needed) bytes, \(available) left"
        case let .unsupportedDataType(loc, code):
            return "\(loc): unsupported MAT data type \(code)"
        case let .unsupportedClass(loc, code, name):
            return "\(loc): unsupported MAT array class \(code) (\(name))"
        case let .malformed(loc, expected, found):
            return "\(loc): malformed: expected \(expected), found \(Self.printable(found))"
        case let .decompressionFailed(loc, reason):
            return "\(loc): zlib inflate failed: \(reason)"
        case let .sizeLimitExceeded(loc, what, limit, requested):
            return "\(loc): \(what) of \(requested) exceeds the limit of \(limit)"
        case let .missingColumn(loc, column, header):
            return "\(loc): missing column '\(column)' (header: \(Self.printable(header.joined(separator: ","))))"
        case let .badNumber(loc, column, text):
            return "\(loc): column '\(Self.printable(column))': expected a number, found '\(Self.printable(text))'"
        case let .wrongFieldCount(loc, expected, found):
            return "\(loc): expected \(expected) fields, found \(found)"
        case let .nonMonotoneTime(loc, previous, found):
            return "\(loc): time must increase: \(found) s follows \(previous) s"
        case let .missingField(loc, path, field):
            return "\(loc): \(path) lacks field '\(field)' or it has the wrong type"
        case let .badValue(loc, column, expected, found):
            return "\(loc): column '\(Self.printable(column))': expected \(expected), found '\(Self.printable(found))'"
        case let .unknownCell(cell, available) where cell.isEmpty:
            return "no cell given (use --cell); available: \(available.joined(separator: " "))"
        case let .unknownCell(cell, available):
            return "cell \(cell) not found; available: \(available.joined(separator: " "))"
        case let .unrecognizedInput(path, reason):
            return "\(path): \(reason)"
        case let .badManifest(file, field, expected, found):
            return "\(file): field '\(Self.printable(field))': expected \(expected), found \(Self.printable(found))"
        case let .noLabelledData(source, unlabelled):
            let listed = unlabelled.prefix(5).map { Self.printable($0) }.joined(separator: ", ") + (unlabelled.count > 5 ? ", …" : "")
            return "\(source): no recording with a reference SOC to score or train on (a 'soc' column filled in every row); "
                + "\(unlabelled.count) without: \(listed). Recordings without 'soc' can be fitted (bmsim fit) but not scored"
        case let .implausible(source, cell, findings):
            return "\(source): cell \(Self.printable(cell)): implausible data, refused (\(findings.joined(separator: "; "))); "
                + "check the units and the current sign, or pass --accept-implausible to use it anyway"
        }
    }

    /// Text from an input made safe to print on a terminal: control characters (ESC, NUL,
    /// carriage return, C1 controls, DEL) and invalid UTF-8 become `\u{…}` escapes, and
    /// anything past `limit` characters is cut with an ellipsis.
    public static func printable(_ text: String, limit: Int = 120) -> String {
        var out = ""
        for (k, scalar) in text.unicodeScalars.enumerated() {
            if k == limit { out += "…"; break }
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0xFFFD || v == 0xFEFF {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Where the error happened, when known.
    public var location: InputLocation? {
        switch self {
        case .cannotRead, .unknownCell, .unrecognizedInput, .implausible, .noLabelledData: return nil
        case let .badManifest(file, _, _, _): return InputLocation(file: file)
        case let .badHeader(l, _, _), let .truncated(l, _, _, _), let .unsupportedDataType(l, _),
             let .unsupportedClass(l, _, _), let .malformed(l, _, _), let .decompressionFailed(l, _),
             let .sizeLimitExceeded(l, _, _, _), let .missingColumn(l, _, _), let .badNumber(l, _, _),
             let .wrongFieldCount(l, _, _), let .nonMonotoneTime(l, _, _), let .missingField(l, _, _),
             let .badValue(l, _, _, _):
            return l
        }
    }
}
