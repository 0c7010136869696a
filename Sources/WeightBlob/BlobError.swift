import BMSCore

/// Why a blob was rejected, with where (byte offset) and what was expected vs found.
/// Each case has the same meaning as one status code of the C runtime (`statusCode`), so
/// the two readers can be checked to reject a bad blob for the same reason.
public enum BlobError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the header or the declared file size needs.
    case truncated(InputLocation, expectedBytes: Int, foundBytes: Int)
    /// More bytes than the declared file size.
    case sizeMismatch(InputLocation, declaredBytes: Int, foundBytes: Int)
    /// The first four bytes are not "BMSQ".
    case wrongMagic(InputLocation, found: [UInt8])
    /// A version this reader does not know.
    case unsupportedVersion(InputLocation, expected: Int, found: Int)
    /// A gate order other than 0 (i, f, g, o).
    case unsupportedGateOrder(InputLocation, found: Int)
    /// The CRC-32 trailer does not match the content.
    case crcMismatch(InputLocation, stored: UInt32, computed: UInt32)
    /// Counts, sizes, layer kinds or activations that do not form a valid network.
    case invalidTopology(InputLocation, field: String, expected: String, found: String)
    /// A tensor-table entry with the wrong dtype, rank, role, shape or byte count, or a
    /// model whose arrays do not match its declared sizes (writer side).
    case invalidTensor(InputLocation, field: String, expected: String, found: String)
    /// A section or tensor outside the blob or overlapping the tables.
    case offsetOutOfBounds(InputLocation, field: String, offset: Int, length: Int, limit: Int)
    /// A tensor offset not aligned to 16 bytes.
    case misalignedTensor(InputLocation, field: String, offset: Int)
    /// A multiplier/shift pair outside [2^30, 2^31) × 1…62.
    case scaleOutOfRange(InputLocation, field: String, multiplier: Int32, shift: Int32)
    /// |bias| above 2^30.
    case biasOutOfRange(InputLocation, field: String, value: Int32)
    /// An input feature code the engine does not know.
    case unknownFeature(InputLocation, code: Int)
    /// A reserved field that is not zero.
    case reservedNotZero(InputLocation, field: String)
    /// Metadata that is not UTF-8 `key=value` lines.
    case invalidMetadata(InputLocation, reason: String)
    /// A charge-drawn feature whose model step is outside 1…3600 s.
    case stepOutOfRange(InputLocation, field: String, found: Int)
    /// A coulomb-count prior capacity that is negative, above 1 000 000 mAh, or set
    /// without a charge-drawn input (nothing defines the step then).
    case priorOutOfRange(InputLocation, found: Int64, reason: String)

    /// The C runtime's `bms_status_t` for the same defect.
    public var statusCode: Int32 {
        switch self {
        case .truncated: 2
        case .sizeMismatch: 3
        case .wrongMagic: 4
        case .unsupportedVersion: 5
        case .unsupportedGateOrder: 6
        case .crcMismatch: 7
        case .invalidTopology: 8
        case .invalidTensor: 9
        case .offsetOutOfBounds: 10
        case .misalignedTensor: 11
        case .scaleOutOfRange: 12
        case .biasOutOfRange: 13
        case .unknownFeature: 14
        case .reservedNotZero: 15
        case .stepOutOfRange: 18
        case .priorOutOfRange: 19
        case .invalidMetadata: 100  // the C runtime does not read metadata
        }
    }

    /// One line a user can act on.
    public var description: String {
        switch self {
        case let .truncated(at, expected, found):
            "\(at): truncated blob: needs \(expected) bytes, found \(found)"
        case let .sizeMismatch(at, declared, found):
            "\(at): blob declares \(declared) bytes but \(found) were given"
        case let .wrongMagic(at, found):
            "\(at): wrong magic: expected \"BMSQ\", found \(found.map { String($0, radix: 16) })"
        case let .unsupportedVersion(at, expected, found):
            "\(at): unsupported version: expected \(expected), found \(found)"
        case let .unsupportedGateOrder(at, found):
            "\(at): unsupported gate order code \(found) (only 0 = i,f,g,o)"
        case let .crcMismatch(at, stored, computed):
            "\(at): CRC-32 mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case let .invalidTopology(at, field, expected, found):
            "\(at): invalid topology: \(field): expected \(expected), found \(found)"
        case let .invalidTensor(at, field, expected, found):
            "\(at): invalid tensor \(field): expected \(expected), found \(found)"
        case let .offsetOutOfBounds(at, field, offset, length, limit):
            "\(at): \(field) at offset \(offset) length \(length) exceeds the allowed range (limit \(limit))"
        case let .misalignedTensor(at, field, offset):
            "\(at): tensor \(field) at offset \(offset) is not 16-byte aligned"
        case let .scaleOutOfRange(at, field, multiplier, shift):
            "\(at): \(field): multiplier \(multiplier) / shift \(shift) out of range ([2^30, 2^31) / 1…62)"
        case let .biasOutOfRange(at, field, value):
            "\(at): \(field): bias \(value) exceeds ±2^30"
        case let .unknownFeature(at, code):
            "\(at): unknown input feature code \(code) (0…4; 5 from version 2)"
        case let .reservedNotZero(at, field):
            "\(at): reserved field \(field) is not zero"
        case let .invalidMetadata(at, reason):
            "\(at): invalid metadata: \(reason)"
        case let .stepOutOfRange(at, field, found):
            "\(at): \(field): model step \(found) s outside 1…3600 s"
        case let .priorOutOfRange(at, found, reason):
            "\(at): coulomb-count prior capacity \(found) mAh rejected: \(reason)"
        }
    }
}
