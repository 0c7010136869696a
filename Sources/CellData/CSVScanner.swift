import BMSCore
import Foundation

/// The bytes of a whole file in one allocation that lives as long as the scanners using it.
final class FileBytes: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    /// Reads the regular file at `path` with POSIX `read` (no intermediate `Data`); a
    /// folder, FIFO, device, dangling link or link loop is refused with its reason.
    /// With `limit`, only the first `limit` bytes are read (a header peek).
    init(path: String, limit: Int = .max) throws(CellDataError) {
        let fd: Int32, fileSize: Int
        do { (fd, fileSize) = try InputFile.openRegular(path: path) } catch { throw .cannotRead(file: path, reason: error.reason) }
        defer { close(fd) }
        let size = min(fileSize, limit)
        pointer = .allocate(capacity: max(size, 1))
        var done = 0
        while done < size {
            let n = read(fd, pointer + done, size - done)
            if n <= 0 {
                pointer.deallocate()
                throw .cannotRead(file: path, reason: n == 0 ? "file shrank while reading" : String(cString: strerror(errno)))
            }
            done += n
        }
        count = size
    }

    /// Reads the file at `path` straight into an array (one copy from the kernel, no `Data`).
    static func readArray(path: String) throws(CellDataError) -> [UInt8] {
        do { return try InputFile.read(path: path) } catch { throw .cannotRead(file: path, reason: error.reason) }
    }

    /// Copies bytes (for in-memory inputs and tests).
    init(bytes: [UInt8]) {
        pointer = .allocate(capacity: max(bytes.count, 1))
        pointer.initialize(from: bytes, count: bytes.count)
        count = bytes.count
    }

    deinit { pointer.deallocate() }
}

/// A byte-level CSV scanner for the simple CSV of the NASA conversion and of the generic
/// recording format: comma separated, one header line, no quoting, `\n` or `\r\n` line ends,
/// lines starting with `#` before the header are comments, a UTF-8 byte-order mark at the
/// start of the file is skipped (spreadsheet exports write one). It records the start and end of
/// every field of the current row without copying, so numbers are parsed straight from the
/// file's bytes by `FastFloatParser`.
struct CSVScanner {
    let file: String
    let storage: FileBytes
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private(set) var position = 0
    /// 1-based line number of the current row.
    private(set) var line = 0
    /// Field boundaries of the current row (reused).
    private(set) var starts: [Int] = []
    private(set) var ends: [Int] = []
    /// Comment lines (`# …`) found before the header, without the `#`.
    private(set) var comments: [String] = []

    init(file: String, storage: FileBytes) {
        self.file = file
        self.storage = storage
        self.base = UnsafePointer(storage.pointer)
        self.count = storage.count
        starts.reserveCapacity(32)
        ends.reserveCapacity(32)
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { position = 3 }   // UTF-8 BOM
    }

    /// Number of fields in the current row.
    var fieldCount: Int { starts.count }

    /// Reads the header line (after any `#` comment lines); throws on an empty file.
    mutating func readHeader() throws(CellDataError) -> [String] {
        while true {
            guard nextRow(skipComments: false) else {
                throw .badHeader(InputLocation(file: file, line: max(line, 1)), expected: "a CSV header line", found: "end of file")
            }
            let first = fieldCount > 0 ? text(0) : ""
            if first.hasPrefix("#") {
                let start = starts[0] + 1
                let end = ends[fieldCount - 1]
                comments.append(String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, end - start)), as: UTF8.self)
                    .trimmingCharacters(in: .whitespaces))
                continue
            }
            return (0..<fieldCount).map { text($0).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// Advances to the next non-empty line; returns `false` at the end of the input.
    mutating func nextRow(skipComments: Bool = false) -> Bool {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        while position < count {
            line += 1
            var fieldStart = position
            var p = position
            while p < count {
                let b = base[p]
                if b == 0x2C {          // ,
                    starts.append(fieldStart)
                    ends.append(p)
                    fieldStart = p + 1
                } else if b == 0x0A {   // \n
                    break
                }
                p += 1
            }
            var lineEnd = p
            if lineEnd > fieldStart && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }   // \r
            position = p + 1
            if starts.isEmpty && lineEnd == fieldStart { continue }   // empty line
            starts.append(fieldStart)
            ends.append(lineEnd)
            if skipComments && base[starts[0]] == UInt8(ascii: "#") {
                starts.removeAll(keepingCapacity: true)
                ends.removeAll(keepingCapacity: true)
                continue
            }
            return true
        }
        return false
    }

    /// Fast path for numeric files: scans the next non-empty line without recording field
    /// boundaries, parsing field `f` into `values[slots[f]]` when `slots[f] >= 0` and skipping
    /// it otherwise. Returns `false` at the end of the input. On any error the line is
    /// re-scanned with `nextRow` to build the message (wrong field count, bad number).
    mutating func scanNumericRow(slots: UnsafePointer<Int>, fieldCount: Int, names: [String],
                                 into values: UnsafeMutablePointer<Double>) throws(CellDataError) -> Bool {
        while position < count {
            let lineStart = position
            var p = position
            var field = 0
            var ok = true
            while true {
                let fieldStart = p
                let slot = field < fieldCount ? slots[field] : -1
                if slot >= 0, let (value, length) = FastFloatParser.parsePrefix(base + p, limit: count - p),
                   p + length == count || base[p + length] == 0x2C || base[p + length] == 0x0A || base[p + length] == 0x0D {
                    // Number parsed in the same pass that finds the field's end.
                    values[slot] = value
                    p += length
                    if p < count && base[p] == 0x0D { p += 1 }
                } else {
                    while p < count {
                        let b = base[p]
                        if b == 0x2C || b == 0x0A { break }
                        p += 1
                    }
                    if slot >= 0 {
                        var fieldEnd = p
                        if fieldEnd > fieldStart && base[fieldEnd - 1] == 0x0D { fieldEnd -= 1 }
                        if let v = FastFloatParser.parse(base + fieldStart, count: fieldEnd - fieldStart) {
                            values[slot] = v
                        } else {
                            ok = false
                        }
                    }
                }
                field += 1
                if p < count && base[p] == 0x2C { p += 1; continue }
                if p < count && base[p] != 0x0A { ok = false }   // a stray \r inside a line
                break
            }
            line += 1
            position = p + 1
            if field == 1 && p - lineStart <= 1 && (p == lineStart || base[lineStart] == 0x0D) { continue }   // empty line
            if ok && field == fieldCount { return true }
            // Slow path: rebuild the row to report the precise error.
            position = lineStart
            line -= 1
            _ = nextRow()
            try requireFieldCount(fieldCount)
            for f in 0..<fieldCount where slots[f] >= 0 { _ = try number(f, column: names[f]) }
            return true
        }
        return false
    }

    /// The text of field `index` of the current row.
    func text(_ index: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + starts[index], count: ends[index] - starts[index]), as: UTF8.self)
    }

    /// True when field `index` is empty.
    func isEmpty(_ index: Int) -> Bool { ends[index] == starts[index] }

    /// Field `index` as a number, or a `badNumber` error naming line, column and text.
    @inline(__always)
    func number(_ index: Int, column: String) throws(CellDataError) -> Double {
        if let v = FastFloatParser.parse(base + starts[index], count: ends[index] - starts[index]) { return v }
        throw .badNumber(location(field: index), column: column, text: String(text(index).prefix(40)))
    }

    /// Field `index` as a number, `nil` when empty.
    func optionalNumber(_ index: Int, column: String) throws(CellDataError) -> Double? {
        isEmpty(index) ? nil : try number(index, column: column)
    }

    /// Location of field `index` (1-based column) on the current line.
    func location(field index: Int) -> InputLocation { InputLocation(file: file, line: line, column: index + 1) }

    /// Throws unless the current row has `expected` fields.
    func requireFieldCount(_ expected: Int) throws(CellDataError) {
        guard fieldCount == expected else {
            throw .wrongFieldCount(InputLocation(file: file, line: line), expected: expected, found: fieldCount)
        }
    }

    /// Index of each of `columns` in `header`, or a `missingColumn` error.
    func columnIndices(_ columns: [String], in header: [String]) throws(CellDataError) -> [Int] {
        var result: [Int] = []
        for c in columns {
            guard let k = header.firstIndex(of: c) else {
                throw .missingColumn(InputLocation(file: file, line: max(1, line)), column: c, header: header)
            }
            result.append(k)
        }
        return result
    }
}
