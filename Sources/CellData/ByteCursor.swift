import BMSCore

/// A bounds-checked reader over a byte array, little- or big-endian. Every read checks the
/// remaining length first and throws `CellDataError.truncated` with the byte offset, so
/// no length field in a file can make the reader step outside its buffer or allocate more
/// than the bytes that are there.
struct ByteCursor {
    /// The bytes being read.
    let bytes: [UInt8]
    /// Current position (index into `bytes`).
    var position: Int
    /// One past the last byte this cursor may read.
    let end: Int
    /// Byte order of multi-byte values.
    var isBigEndian: Bool
    /// How to name a position in error messages (file name, compressed element, …).
    let origin: ByteOrigin

    init(bytes: [UInt8], origin: ByteOrigin, position: Int = 0, end: Int? = nil, isBigEndian: Bool = false) {
        self.bytes = bytes
        self.position = position
        self.end = end ?? bytes.count
        self.isBigEndian = isBigEndian
        self.origin = origin
    }

    /// Bytes left before `end`.
    var remaining: Int { end - position }

    /// The location of `offset` (default: the current position) for error messages.
    func location(at offset: Int? = nil) -> InputLocation { origin.location(offset ?? position) }

    /// Throws unless `count` bytes remain.
    func require(_ count: Int, reading what: @autoclosure () -> String) throws(CellDataError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(location(), reading: what(), neededBytes: count, availableBytes: remaining)
        }
    }

    mutating func skip(_ count: Int, reading what: @autoclosure () -> String) throws(CellDataError) {
        try require(count, reading: what())
        position += count
    }

    mutating func readUInt16(_ what: @autoclosure () -> String) throws(CellDataError) -> UInt16 {
        try require(2, reading: what())
        let b0 = UInt16(bytes[position]), b1 = UInt16(bytes[position + 1])
        position += 2
        return isBigEndian ? (b0 << 8 | b1) : (b1 << 8 | b0)
    }

    mutating func readUInt32(_ what: @autoclosure () -> String) throws(CellDataError) -> UInt32 {
        try require(4, reading: what())
        var v: UInt32 = 0
        for k in 0..<4 {
            let b = UInt32(bytes[position + k])
            v |= isBigEndian ? b << (8 * (3 - k)) : b << (8 * k)
        }
        position += 4
        return v
    }

    mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String) throws(CellDataError) -> ArraySlice<UInt8> {
        try require(count, reading: what())
        defer { position += count }
        return bytes[position..<(position + count)]
    }
}

/// Names byte positions for error messages: a file directly, or the inside of a
/// compressed element of a file.
struct ByteOrigin: Sendable {
    /// File path as given by the user.
    let file: String
    /// File offset of the `miCOMPRESSED` element holding these bytes, if any.
    let compressedElementOffset: Int?

    func location(_ offset: Int) -> InputLocation {
        if let c = compressedElementOffset {
            return InputLocation(file: "\(file) [inflated miCOMPRESSED element at file byte \(c)]", byteOffset: offset)
        }
        return InputLocation(file: file, byteOffset: offset)
    }
}
