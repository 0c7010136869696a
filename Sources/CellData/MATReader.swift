import BMSCore
import Foundation

/// Reads MATLAB Level 5 `.mat` files: the 128-byte header with its endianness indicator,
/// data-element tags (including the small-element form), `miCOMPRESSED` elements (zlib),
/// and `miMATRIX` arrays of class struct, cell, char, double, single and the integer
/// classes, with their dimensions and names.
///
/// Every length in the file is checked against the bytes that remain before it is used,
/// inflated output is capped by `Limits.maxInflatedBytes`, and nesting is capped by
/// `Limits.maxDepth`, so truncated or corrupted files give a `CellDataError` naming the
/// byte offset, never a crash, a hang or an absurd allocation.
///
/// ```swift
/// let file = try MATReader.read(path: "B0025.mat")
/// let cell = file.variable("B0025")?.structure   // 1×1 struct with field `cycle`
/// ```
public enum MATReader {
    /// Bounds the reader enforces.
    public struct Limits: Sendable {
        /// Largest inflated size of one `miCOMPRESSED` element, bytes.
        public var maxInflatedBytes: Int
        /// Deepest nesting of arrays inside arrays.
        public var maxDepth: Int
        /// Default limits: 256 MiB inflated per element (B0025.mat inflates to 4.9 MiB), depth 32.
        public init(maxInflatedBytes: Int = 256 << 20, maxDepth: Int = 32) {
            self.maxInflatedBytes = maxInflatedBytes
            self.maxDepth = maxDepth
        }
    }

    /// Reads the file at `path`.
    public static func read(path: String, limits: Limits = Limits()) throws(CellDataError) -> MATFile {
        return try parse(try FileBytes.readArray(path: path), name: path, limits: limits)
    }

    /// Parses the bytes of a whole `.mat` file; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String, limits: Limits = Limits()) throws(CellDataError) -> MATFile {
        let origin = ByteOrigin(file: name, compressedElementOffset: nil)
        guard bytes.count >= 128 else {
            throw .truncated(origin.location(0), reading: "128-byte MAT header", neededBytes: 128, availableBytes: bytes.count)
        }
        let magic = String(decoding: bytes[0..<6], as: UTF8.self)
        guard magic == "MATLAB" else {
            throw .badHeader(origin.location(0), expected: "text starting with 'MATLAB' (MAT Level 5)",
                             found: "'\(printable(bytes[0..<min(6, bytes.count)]))'")
        }
        let isBigEndian: Bool
        switch (bytes[126], bytes[127]) {
        case (0x49, 0x4D): isBigEndian = false   // "IM": written little-endian
        case (0x4D, 0x49): isBigEndian = true    // "MI": written big-endian
        default:
            throw .badHeader(origin.location(126), expected: "endianness indicator 'IM' or 'MI'",
                             found: "'\(printable(bytes[126...127]))'")
        }
        var cursor = ByteCursor(bytes: bytes, origin: origin, position: 124, isBigEndian: isBigEndian)
        let version = try cursor.readUInt16("MAT version")
        guard version == 0x0100 else {
            throw .badHeader(origin.location(124), expected: "version 0x0100", found: "0x" + String(version, radix: 16))
        }
        cursor.position = 128
        let header = String(decoding: bytes[0..<116], as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        var parser = MATArrayParser(limits: limits)
        var variables: [(name: String, value: MATValue)] = []
        while cursor.remaining > 0 {
            let tag = try cursor.readElementTag("top-level data element")
            switch tag.typeCode {
            case MATDataType.compressed.rawValue:
                let inflated = try ZlibInflate.inflate(bytes, range: tag.dataOffset..<(tag.dataOffset + tag.byteCount),
                                                       limitBytes: limits.maxInflatedBytes, isBigEndian: isBigEndian,
                                                       location: origin.location(tag.tagOffset))
                var inner = ByteCursor(bytes: inflated,
                                       origin: ByteOrigin(file: name, compressedElementOffset: tag.tagOffset),
                                       isBigEndian: isBigEndian)
                while inner.remaining > 0 {
                    let innerTag = try inner.readElementTag("compressed data element")
                    variables.append(try parser.topLevelMatrix(innerTag, in: &inner))
                }
            case MATDataType.matrix.rawValue:
                variables.append(try parser.topLevelMatrix(tag, in: &cursor))
            default:
                throw .malformed(origin.location(tag.tagOffset), expected: "miMATRIX (14) or miCOMPRESSED (15) at top level",
                                 found: "data type \(tag.typeCode)")
            }
            cursor.skipElement(tag)
        }
        return MATFile(headerText: header, isBigEndian: isBigEndian, variables: variables)
    }

    static func printable<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(bytes.map { (0x20..<0x7F).contains($0) ? Character(UnicodeScalar($0)) : "." })
    }
}
