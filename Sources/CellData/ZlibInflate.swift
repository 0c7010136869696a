import BMSCore
import CLibDeflate
import CZlib
import Foundation

/// Inflates one zlib stream (as stored in a MAT `miCOMPRESSED` element) with a hard cap on
/// the output size, so that a forged or corrupted element cannot make the reader allocate
/// absurd memory (a "decompression bomb").
///
/// Fast path (`inflateAnnounced`): the first 8 inflated bytes are the tag of the element
/// inside, which announces its byte count, so the inflated size is known before inflating.
/// One buffer of exactly that size is allocated and libdeflate inflates the whole stream
/// straight into it, in one call — no growth, no copy. Whenever the announcement cannot be
/// trusted (absurd, too small, too large) or libdeflate rejects the data, the capped zlib
/// path (`inflateGrowing`) runs instead; it grows its buffer geometrically, never beyond
/// `limitBytes`, and gives zlib's own diagnosis of bad data.
enum ZlibInflate {
    /// Which inflater produced the bytes (reported for tests and timing).
    enum Path: Equatable {
        /// libdeflate, into a buffer of the announced size.
        case announcedSize
        /// zlib with a growing, capped buffer.
        case growingBuffer
    }

    /// Inflates `input[range]`; `location` names the element for errors.
    static func inflate(_ input: [UInt8], range: Range<Int>, limitBytes: Int, isBigEndian: Bool = false,
                        location: InputLocation) throws(CellDataError) -> [UInt8] {
        try inflateReportingPath(input, range: range, limitBytes: limitBytes, isBigEndian: isBigEndian,
                                 location: location).bytes
    }

    /// `inflate`, also saying which path produced the bytes.
    static func inflateReportingPath(_ input: [UInt8], range: Range<Int>, limitBytes: Int, isBigEndian: Bool = false,
                                     location: InputLocation) throws(CellDataError) -> (bytes: [UInt8], path: Path) {
        let outcome: Result<([UInt8], Path), CellDataError> = input.withUnsafeBufferPointer { inBuf in
            guard let base = inBuf.baseAddress, !range.isEmpty else {
                return .failure(.decompressionFailed(location, reason: "empty compressed element"))
            }
            let start = base + range.lowerBound
            // DEFLATE expands at most 1032:1, so a larger announcement cannot be honest.
            let announced = announcedSize(start, count: range.count, isBigEndian: isBigEndian)
            if let size = announced, size <= limitBytes, size / 1032 <= range.count,
               let bytes = inflateAnnounced(start, count: range.count, size: size) {
                return .success((bytes, .announcedSize))
            }
            return inflateGrowing(start, count: range.count, limitBytes: limitBytes, announced: announced, location: location)
                .map { ($0, .growingBuffer) }
        }
        return try outcome.get()
    }

    /// The inflated size the stream announces: the first 8 inflated bytes are the inner
    /// element's tag, so the stream holds `8 + byteCount` bytes, padded to a multiple of 8
    /// (a small element is 8 bytes in all). `nil` when those 8 bytes cannot be inflated.
    static func announcedSize(_ input: UnsafePointer<UInt8>, count: Int, isBigEndian: Bool) -> Int? {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var tag: (UInt32, UInt32) = (0, 0)
        let produced = withUnsafeMutableBytes(of: &tag) { raw -> Int in
            stream.next_in = UnsafeMutablePointer(mutating: input)
            stream.avail_in = UInt32(min(count, Int(UInt32.max)))
            stream.next_out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = 8
            // Loop: inflate may return before filling the 8 bytes (e.g. at a block boundary).
            while stream.avail_out > 0 {
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                guard status == Z_OK else { break }   // end, bad data or no progress
            }
            return 8 - Int(stream.avail_out)
        }
        guard produced == 8 else { return nil }
        let type = isBigEndian ? tag.0.bigEndian : tag.0.littleEndian
        if type >> 16 != 0 { return 8 }   // small-element form
        let byteCount = Int(isBigEndian ? tag.1.bigEndian : tag.1.littleEndian)
        return 8 + (byteCount + 7) / 8 * 8
    }

    /// Inflates the whole stream with libdeflate into one buffer of `size` bytes. Returns the
    /// bytes the stream holds (at most `size`), or `nil` when libdeflate reports bad data or
    /// more output than announced — the caller then takes the zlib path.
    static func inflateAnnounced(_ input: UnsafePointer<UInt8>, count: Int, size: Int) -> [UInt8]? {
        guard size > 0, let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var result = LIBDEFLATE_BAD_DATA
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var actual = 0
            result = libdeflate_zlib_decompress(decompressor, input, count, buffer.baseAddress!, size, &actual)
            initialized = result == LIBDEFLATE_SUCCESS ? actual : 0
        }
        return result == LIBDEFLATE_SUCCESS ? bytes : nil
    }

    /// zlib into a buffer that grows geometrically up to `limitBytes`. `announced` (the size
    /// the inner tag announced, if it could be read) is named in errors.
    static func inflateGrowing(_ input: UnsafePointer<UInt8>, count: Int, limitBytes: Int, announced: Int? = nil,
                               location: InputLocation) -> Result<[UInt8], CellDataError> {
        let note = announced.map { " (its inner tag announces \($0) bytes)" } ?? ""
        var stream = z_stream()
        let initStatus = inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            return .failure(.decompressionFailed(location, reason: "inflateInit returned \(initStatus)"))
        }
        defer { inflateEnd(&stream) }
        var capacity = min(limitBytes, max(4096, count.multipliedReportingOverflow(by: 4).partialValue))
        // Uninitialised buffer grown with realloc: no zero-filling of memory inflate overwrites.
        guard var output = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(.sizeLimitExceeded(location, what: "inflate buffer", limit: limitBytes, requested: capacity))
        }
        defer { free(output) }
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input)
        var inputLeft = count
        while true {
            if produced == capacity {
                guard capacity < limitBytes else {
                    return .failure(.sizeLimitExceeded(location, what: "inflated size of the compressed element" + note,
                                                       limit: limitBytes, requested: capacity + 1))
                }
                let larger = min(limitBytes, capacity * 2)
                guard let grown = realloc(output, larger)?.assumingMemoryBound(to: UInt8.self) else {
                    return .failure(.sizeLimitExceeded(location, what: "inflate buffer", limit: limitBytes, requested: larger))
                }
                output = grown
                capacity = larger
            }
            let chunkIn = min(inputLeft, Int(UInt32.max))
            stream.avail_in = UInt32(chunkIn)
            let room = min(capacity - produced, Int(UInt32.max))
            stream.next_out = output + produced
            stream.avail_out = UInt32(room)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            inputLeft -= chunkIn - Int(stream.avail_in)
            produced += room - Int(stream.avail_out)
            if status == Z_STREAM_END { break }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                return .failure(.decompressionFailed(location, reason: message + note))
            }
            if inputLeft == 0 && stream.avail_out > 0 {
                // All input consumed, room left, stream not finished: the data were cut short.
                return .failure(.decompressionFailed(location, reason: "compressed data end before the zlib stream does "
                                                     + "(\(count) bytes consumed, \(produced) inflated)" + note))
            }
        }
        return .success([UInt8](unsafeUninitializedCapacity: produced) { buffer, initialized in
            if produced > 0 { buffer.baseAddress!.update(from: output, count: produced) }
            initialized = produced
        })
    }
}

extension ZlibInflate {
    /// zlib-compresses `bytes` (used to build `miCOMPRESSED` test files).
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress!, &size, i.baseAddress!, uLong(bytes.count), 6) }
        }
        precondition(status == Z_OK, "compress2 failed: \(status)")
        return Array(out[0..<Int(size)])
    }
}
