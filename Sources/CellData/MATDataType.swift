/// The data-element types of MAT Level 5 (`miINT8` … `miUTF32`), with their codes.
enum MATDataType: UInt32 {
    case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6
    case single = 7, double = 9, int64 = 12, uint64 = 13
    case matrix = 14, compressed = 15, utf8 = 16, utf16 = 17, utf32 = 18

    /// Bytes per value for the numeric and text types; `nil` for matrix/compressed.
    var elementSize: Int? {
        switch self {
        case .int8, .uint8, .utf8: return 1
        case .int16, .uint16, .utf16: return 2
        case .int32, .uint32, .single, .utf32: return 4
        case .double, .int64, .uint64: return 8
        case .matrix, .compressed: return nil
        }
    }
}

/// A data-element tag: type, byte count and where the data start, after resolving the
/// small-element form (≤ 4 bytes of data packed into the tag itself).
struct MATElementTag {
    /// Type code as found in the file (checked against `MATDataType` by the caller).
    let typeCode: UInt32
    /// Number of data bytes (without padding).
    let byteCount: Int
    /// Offset of the first data byte.
    let dataOffset: Int
    /// Offset of the tag itself.
    let tagOffset: Int
    /// True for the small-element form (tag and data in 8 bytes).
    let isSmall: Bool

    /// Offset just after the element including its padding to 8 bytes
    /// (`miCOMPRESSED` is not padded).
    var nextOffset: Int {
        if isSmall { return tagOffset + 8 }
        if typeCode == MATDataType.compressed.rawValue { return dataOffset + byteCount }
        return dataOffset + (byteCount + 7) / 8 * 8
    }
}

extension ByteCursor {
    /// Reads a data-element tag and checks that its data lie inside the bytes left.
    mutating func readElementTag(_ what: @autoclosure () -> String) throws(CellDataError) -> MATElementTag {
        let tagOffset = position
        let first = try readUInt32("tag of \(what())")
        let smallCount = Int(first >> 16)
        if smallCount != 0 {
            guard smallCount <= 4 else {
                throw .malformed(location(at: tagOffset), expected: "small data element of at most 4 bytes for \(what())",
                                 found: "\(smallCount) bytes")
            }
            try require(4, reading: "small-element data of \(what())")
            let tag = MATElementTag(typeCode: first & 0xFFFF, byteCount: smallCount, dataOffset: position,
                                    tagOffset: tagOffset, isSmall: true)
            position += 4
            return tag
        }
        let count = Int(try readUInt32("byte count of \(what())"))
        guard count <= remaining else {
            throw .truncated(location(at: tagOffset), reading: "\(what()) (declared \(count) bytes)",
                             neededBytes: count, availableBytes: remaining)
        }
        return MATElementTag(typeCode: first, byteCount: count, dataOffset: position, tagOffset: tagOffset, isSmall: false)
    }

    /// Moves past the element (its padding is clipped to the bytes available).
    mutating func skipElement(_ tag: MATElementTag) {
        position = min(tag.nextOffset, end)
    }

    /// Decodes `count` numbers of data type `type` starting at the current position into doubles.
    func decodeNumbers(type: MATDataType, count: Int) -> [Double] {
        guard count > 0 else { return [] }
        let start = position
        let big = isBigEndian
        return bytes.withUnsafeBytes { raw -> [Double] in
            let base = raw.baseAddress! + start
            @inline(__always) func u64(_ p: UnsafeRawPointer) -> UInt64 {
                let v = p.loadUnaligned(as: UInt64.self)
                return big ? v.byteSwapped : v
            }
            @inline(__always) func u32(_ p: UnsafeRawPointer) -> UInt32 {
                let v = p.loadUnaligned(as: UInt32.self)
                return big ? v.byteSwapped : v
            }
            @inline(__always) func u16(_ p: UnsafeRawPointer) -> UInt16 {
                let v = p.loadUnaligned(as: UInt16.self)
                return big ? v.byteSwapped : v
            }
            return [Double](unsafeUninitializedCapacity: count) { out, initialized in
                switch type {
                case .double where !big && UInt64(1).littleEndian == 1:
                    UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: 8 * count)
                case .double:
                    for k in 0..<count { out[k] = Double(bitPattern: u64(base + 8 * k)) }
                case .single:
                    for k in 0..<count { out[k] = Double(Float(bitPattern: u32(base + 4 * k))) }
                case .int8: for k in 0..<count { out[k] = Double(Int8(bitPattern: base.load(fromByteOffset: k, as: UInt8.self))) }
                case .uint8, .utf8: for k in 0..<count { out[k] = Double(base.load(fromByteOffset: k, as: UInt8.self)) }
                case .int16: for k in 0..<count { out[k] = Double(Int16(bitPattern: u16(base + 2 * k))) }
                case .uint16, .utf16: for k in 0..<count { out[k] = Double(u16(base + 2 * k)) }
                case .int32: for k in 0..<count { out[k] = Double(Int32(bitPattern: u32(base + 4 * k))) }
                case .uint32, .utf32: for k in 0..<count { out[k] = Double(u32(base + 4 * k)) }
                case .int64: for k in 0..<count { out[k] = Double(Int64(bitPattern: u64(base + 8 * k))) }
                case .uint64: for k in 0..<count { out[k] = Double(u64(base + 8 * k)) }
                case .matrix, .compressed: for k in 0..<count { out[k] = .nan }
                }
                initialized = count
            }
        }
    }
}
