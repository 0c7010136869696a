import BMSCore
import CZlib
import Foundation

/// Inflates one zlib stream (as stored in a MAT `miCOMPRESSED` element) with a hard cap on
/// the output size, so that a forged or corrupted element cannot make the reader allocate
/// absurd memory (a "decompression bomb"). The output buffer grows geometrically and never
/// beyond `limitBytes`.
enum ZlibInflate {
    /// Inflates `input[range]`; `location` names the element for errors.
    static func inflate(_ input: [UInt8], range: Range<Int>, limitBytes: Int,
                        location: InputLocation) throws(CellDataError) -> [UInt8] {
        let outcome: Result<[UInt8], CellDataError> = input.withUnsafeBufferPointer { inBuf in
            guard let base = inBuf.baseAddress, !range.isEmpty else {
                return .failure(.decompressionFailed(location, reason: "empty compressed element"))
            }
            return inflate(base + range.lowerBound, count: range.count, limitBytes: limitBytes, location: location)
        }
        return try outcome.get()
    }

    private static func inflate(_ input: UnsafePointer<UInt8>, count: Int, limitBytes: Int,
                                location: InputLocation) -> Result<[UInt8], CellDataError> {
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
                    return .failure(.sizeLimitExceeded(location, what: "inflated size of the compressed element",
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
                return .failure(.decompressionFailed(location, reason: message))
            }
            if inputLeft == 0 && stream.avail_out > 0 {
                // All input consumed, room left, stream not finished: the data were cut short.
                return .failure(.decompressionFailed(location, reason: "compressed data end before the zlib stream does "
                                                     + "(\(count) bytes consumed, \(produced) inflated)"))
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
