import BMSCore

/// Parses `miMATRIX` elements (recursively for structs and cells). Kept separate from the
/// file-level reader; each array's bytes are read through a cursor limited to that array.
struct MATArrayParser {
    let limits: MATReader.Limits

    init(limits: MATReader.Limits) { self.limits = limits }

    /// Parses the matrix whose tag was just read from `cursor` and moves past it.
    mutating func topLevelMatrix(_ tag: MATElementTag, in cursor: inout ByteCursor) throws(CellDataError)
        -> (name: String, value: MATValue) {
        guard tag.typeCode == MATDataType.matrix.rawValue else {
            throw .malformed(cursor.location(at: tag.tagOffset), expected: "miMATRIX (14)", found: "data type \(tag.typeCode)")
        }
        let result = try matrix(tag, cursor: cursor, depth: 0, path: "")
        cursor.skipElement(tag)
        return result
    }

    /// Parses one array whose tag is `tag`; `cursor` is only used for its bytes and origin.
    private func matrix(_ tag: MATElementTag, cursor outer: ByteCursor, depth: Int, path: String) throws(CellDataError)
        -> (name: String, value: MATValue) {
        guard depth <= limits.maxDepth else {
            throw .sizeLimitExceeded(outer.location(at: tag.tagOffset), what: "nesting depth of arrays",
                                     limit: limits.maxDepth, requested: depth)
        }
        if tag.byteCount == 0 {   // MATLAB writes empty arrays as bare tags
            return ("", .numeric(MATNumericArray(matClass: .double, dimensions: [0, 0], real: [], imaginary: nil, isLogical: false)))
        }
        var c = ByteCursor(bytes: outer.bytes, origin: outer.origin, position: tag.dataOffset,
                           end: tag.dataOffset + tag.byteCount, isBigEndian: outer.isBigEndian)
        // Array flags: miUINT32, 8 bytes.
        let flagsTag = try c.readElementTag("array flags of \(path.isEmpty ? "variable" : path)")
        guard flagsTag.typeCode == MATDataType.uint32.rawValue, flagsTag.byteCount == 8 else {
            throw .malformed(c.location(at: flagsTag.tagOffset), expected: "array flags (miUINT32, 8 bytes)",
                             found: "type \(flagsTag.typeCode), \(flagsTag.byteCount) bytes")
        }
        c.position = flagsTag.dataOffset
        let flags = try c.readUInt32("array flags")
        c.skipElement(flagsTag)
        let classCode = UInt8(flags & 0xFF)
        let isComplex = flags & 0x800 != 0
        let isLogical = flags & 0x200 != 0
        guard let matClass = MATClass(rawValue: classCode), matClass != .object, matClass != .sparse else {
            let names: [UInt8: String] = [3: "object", 5: "sparse", 16: "function handle", 17: "opaque"]
            throw .unsupportedClass(c.location(at: flagsTag.tagOffset), classCode: classCode, name: names[classCode] ?? "unknown")
        }
        // Dimensions: miINT32, at least two.
        let dimsTag = try c.readElementTag("dimensions")
        guard dimsTag.typeCode == MATDataType.int32.rawValue, dimsTag.byteCount >= 8, dimsTag.byteCount % 4 == 0 else {
            throw .malformed(c.location(at: dimsTag.tagOffset), expected: "dimensions (miINT32, at least 2 values)",
                             found: "type \(dimsTag.typeCode), \(dimsTag.byteCount) bytes")
        }
        var dims: [Int] = []
        var elementCount = 1
        c.position = dimsTag.dataOffset
        for _ in 0..<(dimsTag.byteCount / 4) {
            let d = Int(Int32(bitPattern: try c.readUInt32("dimension")))
            guard d >= 0 else {
                throw .malformed(c.location(at: c.position - 4), expected: "dimension ≥ 0", found: "\(d)")
            }
            dims.append(d)
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int(Int32.max) else {
                throw .sizeLimitExceeded(c.location(at: dimsTag.tagOffset), what: "element count", limit: Int(Int32.max), requested: product)
            }
            elementCount = product
        }
        c.skipElement(dimsTag)
        // Name: miINT8 (often in small-element form).
        let nameTag = try c.readElementTag("array name")
        guard nameTag.typeCode == MATDataType.int8.rawValue || nameTag.typeCode == MATDataType.uint8.rawValue else {
            throw .malformed(c.location(at: nameTag.tagOffset), expected: "array name (miINT8)", found: "type \(nameTag.typeCode)")
        }
        let name = String(decoding: c.bytes[nameTag.dataOffset..<(nameTag.dataOffset + nameTag.byteCount)], as: UTF8.self)
        c.skipElement(nameTag)
        let here = path.isEmpty ? name : path
        switch matClass {
        case .structure:
            return (name, .structure(try structure(&c, dims: dims, count: elementCount, depth: depth, path: here)))
        case .cell:
            var values: [MATValue] = []
            try c.require(elementCount * 8, reading: "\(elementCount) cells of \(here)")
            values.reserveCapacity(elementCount)
            for k in 0..<elementCount {
                let t = try c.readElementTag("cell \(k + 1) of \(here)")
                values.append(try matrix(t, cursor: c, depth: depth + 1, path: "\(here){\(k + 1)}").value)
                c.skipElement(t)
            }
            return (name, .cell(dimensions: dims, values: values))
        case .char:
            let (codes, _) = try numbers(&c, count: elementCount, path: here, isText: true)
            var scalars = String.UnicodeScalarView()
            for code in codes {
                let scalar = code >= 0 && code <= 0x10FFFF ? UnicodeScalar(UInt32(code)) : nil
                scalars.append(scalar ?? "\u{FFFD}")
            }
            return (name, .char(dimensions: dims, text: String(scalars)))
        default:
            let (real, _) = try numbers(&c, count: elementCount, path: here, isText: false)
            let imaginary = isComplex ? try numbers(&c, count: elementCount, path: here + " (imaginary)", isText: false).0 : nil
            return (name, .numeric(MATNumericArray(matClass: matClass, dimensions: dims, real: real,
                                                   imaginary: imaginary, isLogical: isLogical)))
        }
    }

    /// Reads one numeric (or text) data subelement holding exactly `count` values.
    private func numbers(_ c: inout ByteCursor, count: Int, path: String, isText: Bool) throws(CellDataError)
        -> ([Double], MATDataType) {
        if count == 0 && c.remaining == 0 { return ([], .double) }
        let tag = try c.readElementTag("data of \(path)")
        guard let type = MATDataType(rawValue: tag.typeCode), let size = type.elementSize else {
            throw .unsupportedDataType(c.location(at: tag.tagOffset), code: tag.typeCode)
        }
        if isText, type == .utf8, tag.byteCount >= count {
            // UTF-8 text: decode bytes, MATLAB counts characters.
            let text = String(decoding: c.bytes[tag.dataOffset..<(tag.dataOffset + tag.byteCount)], as: UTF8.self)
            c.skipElement(tag)
            return (text.unicodeScalars.map { Double($0.value) }, type)
        }
        guard tag.byteCount == count * size else {
            throw .malformed(c.location(at: tag.tagOffset), expected: "\(count) values × \(size) bytes for \(path)",
                             found: "\(tag.byteCount) bytes")
        }
        c.position = tag.dataOffset
        let values = c.decodeNumbers(type: type, count: count)
        c.skipElement(tag)
        return (values, type)
    }

    /// Reads the field-name table and the `count × fields` values of a struct array.
    private func structure(_ c: inout ByteCursor, dims: [Int], count: Int, depth: Int, path: String) throws(CellDataError)
        -> MATStructArray {
        let lengthTag = try c.readElementTag("field-name length of \(path)")
        guard lengthTag.typeCode == MATDataType.int32.rawValue, lengthTag.byteCount == 4 else {
            throw .malformed(c.location(at: lengthTag.tagOffset), expected: "field-name length (miINT32, 4 bytes)",
                             found: "type \(lengthTag.typeCode), \(lengthTag.byteCount) bytes")
        }
        c.position = lengthTag.dataOffset   // the small-element form keeps the value inside the tag
        let nameLength = Int(Int32(bitPattern: try c.readUInt32("field-name length")))
        c.skipElement(lengthTag)
        guard (1...256).contains(nameLength) else {
            throw .malformed(c.location(at: lengthTag.tagOffset), expected: "field-name length 1…256", found: "\(nameLength)")
        }
        let namesTag = try c.readElementTag("field names of \(path)")
        guard namesTag.typeCode == MATDataType.int8.rawValue || namesTag.typeCode == MATDataType.uint8.rawValue,
              namesTag.byteCount % nameLength == 0 else {
            throw .malformed(c.location(at: namesTag.tagOffset), expected: "field names (miINT8, a multiple of \(nameLength) bytes)",
                             found: "type \(namesTag.typeCode), \(namesTag.byteCount) bytes")
        }
        var fieldNames: [String] = []
        for k in 0..<(namesTag.byteCount / nameLength) {
            let start = namesTag.dataOffset + k * nameLength
            let raw = c.bytes[start..<(start + nameLength)]
            fieldNames.append(String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self))
        }
        c.skipElement(namesTag)
        let total = count * fieldNames.count
        // Every value needs at least an 8-byte tag: bound the allocation by the bytes left.
        try c.require(total * 8, reading: "\(count) elements × \(fieldNames.count) fields of \(path)")
        var values: [MATValue] = []
        values.reserveCapacity(total)
        for element in 0..<count {
            for field in fieldNames {
                let t = try c.readElementTag("\(path)(\(element + 1)).\(field)")
                values.append(try matrix(t, cursor: c, depth: depth + 1, path: "\(path)(\(element + 1)).\(field)").value)
                c.skipElement(t)
            }
        }
        return MATStructArray(dimensions: dims, fieldNames: fieldNames, values: values)
    }
}
